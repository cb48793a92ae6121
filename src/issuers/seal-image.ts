// The issuer's seal image: a PNG checked chunk by chunk and decompressed before it is stored, so it always prints.
import { crc32, inflateSync } from 'node:zlib'
import { ServiceError } from '../errors.js'

/** Largest seal file accepted; a seal printed 42 mm wide at 300 dpi is far smaller. */
export const maxSealBytes = 512 * 1024
export const maxSealSide = 2048

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
// Allowed bit depths per colour type (PNG spec, table 11.1) and channels per pixel.
const colourTypes: Record<number, { depths: number[], channels: number }> = {
  0: { depths: [1, 2, 4, 8, 16], channels: 1 },
  2: { depths: [8, 16], channels: 3 },
  3: { depths: [1, 2, 4, 8], channels: 1 },
  4: { depths: [8, 16], channels: 2 },
  6: { depths: [8, 16], channels: 4 },
}

const refuse = (why: string) => new ServiceError('INVALID_SEAL_IMAGE', `The seal must be a PNG image: ${why}.`, { reason: why })

/**
 * Checks that `bytes` is a complete, uncorrupted, non-interlaced PNG of at most 2048 × 2048 pixels:
 * signature, every chunk's CRC, a valid header, and image data that inflates to exactly the size the
 * header implies. Returns its dimensions; throws INVALID_SEAL_IMAGE saying what is wrong.
 */
export function inspectSealPng (bytes: Uint8Array): { width: number, height: number } {
  const png = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (png.length > maxSealBytes) throw refuse(`it has ${png.length} bytes; at most ${maxSealBytes} are accepted`)
  if (png.length < 8 || !png.subarray(0, 8).equals(pngSignature)) throw refuse('the file does not start with the PNG signature')
  let offset = 8
  let header: { width: number, height: number, depth: number, colourType: number, interlace: number } | undefined
  let palette = false
  let ended = false
  const data: Buffer[] = []
  while (offset < png.length && !ended) {
    if (offset + 12 > png.length) throw refuse('the file ends inside a chunk')
    const length = png.readUInt32BE(offset)
    const type = png.toString('latin1', offset + 4, offset + 8)
    if (offset + 12 + length > png.length) throw refuse(`chunk ${type} runs past the end of the file`)
    const body = png.subarray(offset + 8, offset + 8 + length)
    if (crc32(png.subarray(offset + 4, offset + 8 + length)) !== png.readUInt32BE(offset + 8 + length)) throw refuse(`chunk ${type} is corrupted (CRC mismatch)`)
    if (header === undefined && type !== 'IHDR') throw refuse('the first chunk is not IHDR')
    if (type === 'IHDR') {
      if (header !== undefined || length !== 13) throw refuse('the IHDR chunk is malformed')
      header = { width: body.readUInt32BE(0), height: body.readUInt32BE(4), depth: body[8]!, colourType: body[9]!, interlace: body[12]! }
      if (body[10] !== 0 || body[11] !== 0 || header.interlace > 1) throw refuse('the header names an unknown compression, filter or interlace method')
    } else if (type === 'PLTE') palette = true
    else if (type === 'IDAT') data.push(body)
    else if (type === 'IEND') ended = true
    offset += 12 + length
  }
  if (header === undefined || !ended) throw refuse('the file has no IHDR or no IEND chunk')
  const { width, height, depth, colourType, interlace } = header
  if (width < 1 || height < 1 || width > maxSealSide || height > maxSealSide) throw refuse(`it is ${width} × ${height} pixels; each side must be 1 to ${maxSealSide}`)
  const colour = colourTypes[colourType]
  if (colour === undefined || !colour.depths.includes(depth)) throw refuse(`colour type ${colourType} with bit depth ${depth} is not a valid combination`)
  if (colourType === 3 && !palette) throw refuse('a palette image has no PLTE chunk')
  if (interlace !== 0) throw refuse('interlaced (Adam7) PNGs are not accepted; save the seal without interlacing')
  if (data.length === 0) throw refuse('the file has no image data')
  const expected = height * (1 + Math.ceil(width * colour.channels * depth / 8))
  let pixels: Buffer
  try {
    // The output is bounded by what the header allows: a decompression bomb stops here.
    pixels = inflateSync(Buffer.concat(data), { maxOutputLength: expected + 1 })
  } catch {
    throw refuse('the image data cannot be decompressed')
  }
  if (pixels.length !== expected) throw refuse('the image data does not have the size its header declares')
  return { width, height }
}
