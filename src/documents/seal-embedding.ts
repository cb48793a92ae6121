// The issuer's seal as the image streams of a PDF, kept for the next certificates of the same issuer.
import { createHash } from 'node:crypto'
import { deflateSync } from 'node:zlib'
import type { PageImage } from './page-content.js'
import type { PdfWriter } from './pdf-writer.js'
import { decodeSealPng } from './seal-image.js'

// The image streams of recent seals, by the PNG's SHA-256: an issuer's certificates all carry the same seal, and
// decoding and compressing it again would cost more than the rest of the PDF. Bounded by size, not count: a
// typical seal compresses to a few KB, a 4096-pixel photograph to megabytes.
interface SealStreams { readonly width: number, readonly height: number, readonly rgb: Buffer, readonly alpha: Buffer | null }
const sealStreams = new Map<string, SealStreams>()
const sealCacheBytes = 8 * 1024 * 1024
let sealCacheUsed = 0

/**
 * Adds the seal `png` to `pdf` as an RGB image with its alpha plane as soft mask.
 * Throws ServiceError('INVALID_SEAL_IMAGE') when `png` is not a usable PNG.
 */
export function embedSeal (pdf: PdfWriter, png: Uint8Array): PageImage {
  const key = createHash('sha256').update(png).digest('hex')
  const streams = sealStreams.get(key) ?? compressedSeal(png)
  keepSeal(key, streams)
  const { width, height, rgb, alpha } = streams
  const image = { Type: 'XObject', Subtype: 'Image', Width: width, Height: height, BitsPerComponent: 8, Filter: 'FlateDecode' }
  const mask = alpha === null ? undefined : pdf.addStream({ ...image, ColorSpace: 'DeviceGray' }, alpha)
  return { ref: pdf.addStream({ ...image, ColorSpace: 'DeviceRGB', SMask: mask }, rgb), width, height }
}

function compressedSeal (png: Uint8Array): SealStreams {
  const { width, height, rgb, alpha } = decodeSealPng(png)
  return { width, height, rgb: deflateSync(rgb), alpha: alpha === null ? null : deflateSync(alpha) }
}

/** Makes `key` the most recently used seal (Map order), dropping the least recently used ones beyond the budget. */
function keepSeal (key: string, streams: SealStreams): void {
  const previous = sealStreams.get(key)
  if (previous !== undefined) {
    sealStreams.delete(key)
    sealCacheUsed -= sizeOf(previous)
  }
  if (sizeOf(streams) > sealCacheBytes) return
  sealStreams.set(key, streams)
  sealCacheUsed += sizeOf(streams)
  for (const [oldest, kept] of sealStreams) {
    if (sealCacheUsed <= sealCacheBytes) break
    sealStreams.delete(oldest)
    sealCacheUsed -= sizeOf(kept)
  }
}

function sizeOf (streams: SealStreams): number {
  return streams.rgb.length + (streams.alpha?.length ?? 0)
}
