// Checks and decodes a seal PNG into the colour and alpha planes a PDF image needs.
import { inflateSync } from 'node:zlib'
import { ServiceError } from '../errors.js'

/** 8 bits per sample, row by row; `alpha` is null for an opaque image. */
export interface SealPixels {
  readonly width: number
  readonly height: number
  readonly rgb: Uint8Array
  readonly alpha: Uint8Array | null
}

interface PngHeader { width: number, height: number, depth: number, colour: number, interlaced: boolean }

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
// A seal printed 42 mm wide needs no more than 600 dpi: ~1000 px. Larger is a mistake or an attack.
const maxSide = 4096
const channelsOf: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
const depthsOf: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] }
const adam7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

function invalid (why: string): ServiceError {
  return new ServiceError('INVALID_SEAL_IMAGE', `The seal is not a usable PNG: ${why}.`)
}

/**
 * Throws ServiceError('INVALID_SEAL_IMAGE') unless `png` is a complete PNG: well-formed chunks from IHDR to
 * IEND, sane dimensions, and image data that inflates to exactly the size the header announces and decodes.
 */
export function assertSealPng (png: Uint8Array): void {
  decodeSealPng(png)
}

/** The seal's pixels, whatever the PNG's colour type, depth or interlacing; throws as `assertSealPng`. */
export function decodeSealPng (png: Uint8Array): SealPixels {
  const { header, palette, transparency, data } = readChunks(png)
  const { width, height, depth, colour } = header
  const channels = channelsOf[colour] as number
  const bytesPerPixel = Math.max(1, channels * depth / 8)
  const rgb = new Uint8Array(width * height * 3)
  const alpha = new Uint8Array(width * height).fill(255)
  // tRNS of a grey or RGB image: the one colour (as 16-bit samples) that is transparent.
  const transparent = colour === 0 || colour === 2 ? [0, 1, 2].map((channel) => transparency.length < 2 * channel + 2
    ? -1
    : ((transparency[2 * channel] as number) << 8) | (transparency[2 * channel + 1] as number)) : []
  const passes = header.interlaced ? adam7 : [[0, 0, 1, 1] as const]
  let offset = 0
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx)
    const passHeight = Math.ceil((height - y0) / dy)
    if (passWidth <= 0 || passHeight <= 0) continue
    const rowBytes = Math.ceil(passWidth * channels * depth / 8)
    let previous: Uint8Array = new Uint8Array(rowBytes)
    for (let y = 0; y < passHeight; y++) {
      const row = unfiltered(data, offset, rowBytes, bytesPerPixel, previous)
      offset += 1 + rowBytes
      previous = row
      for (let x = 0; x < passWidth; x++) {
        const pixel = (y0 + y * dy) * width + x0 + x * dx
        const first = x * channels
        if (colour === 3) {
          const index = sampleAt(row, first, depth)
          if (index * 3 + 2 >= palette.length) throw invalid('a pixel is outside its palette')
          rgb.set(palette.subarray(index * 3, index * 3 + 3), pixel * 3)
          alpha[pixel] = transparency[index] ?? 255
        } else if (colour === 0 || colour === 4) {
          const grey = sampleAt(row, first, depth)
          rgb.fill(to8Bits(grey, depth), pixel * 3, pixel * 3 + 3)
          if (colour === 4) alpha[pixel] = to8Bits(sampleAt(row, first + 1, depth), depth)
          else if (grey === transparent[0]) alpha[pixel] = 0
        } else {
          const red = sampleAt(row, first, depth)
          const green = sampleAt(row, first + 1, depth)
          const blue = sampleAt(row, first + 2, depth)
          rgb[pixel * 3] = to8Bits(red, depth)
          rgb[pixel * 3 + 1] = to8Bits(green, depth)
          rgb[pixel * 3 + 2] = to8Bits(blue, depth)
          if (colour === 6) alpha[pixel] = to8Bits(sampleAt(row, first + 3, depth), depth)
          else if (red === transparent[0] && green === transparent[1] && blue === transparent[2]) alpha[pixel] = 0
        }
      }
    }
  }
  return { width, height, rgb, alpha: alpha.every((value) => value === 255) ? null : alpha }
}

function readChunks (png: Uint8Array): { header: PngHeader, palette: Uint8Array, transparency: Uint8Array, data: Buffer } {
  if (png.length < 8 || signature.some((byte, index) => png[index] !== byte)) throw invalid('no PNG signature')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const chunks: Uint8Array[] = []
  let header: PngHeader | undefined
  let palette: Uint8Array | undefined
  let transparency: Uint8Array = new Uint8Array()
  let ended = false
  for (let offset = 8; !ended;) {
    if (offset + 12 > png.length) throw invalid('it is truncated')
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8))
    const end = offset + 12 + length
    if (end > png.length) throw invalid('it is truncated')
    const body = png.subarray(offset + 8, offset + 8 + length)
    if (header === undefined && type !== 'IHDR') throw invalid('it does not start with IHDR')
    if (type === 'IHDR') {
      if (length !== 13 || header !== undefined) throw invalid('its header is malformed')
      header = {
        width: view.getUint32(offset + 8),
        height: view.getUint32(offset + 12),
        depth: body[8] ?? 0,
        colour: body[9] ?? 0,
        interlaced: body[12] === 1,
      }
      if (body[10] !== 0 || body[11] !== 0 || (body[12] ?? 2) > 1) throw invalid('its header is malformed')
    } else if (type === 'PLTE') {
      palette = body
    } else if (type === 'tRNS') {
      transparency = body
    } else if (type === 'IDAT') {
      chunks.push(body)
    } else if (type === 'IEND') {
      ended = true
    }
    offset = end
  }
  if (header === undefined) throw invalid('it has no header')
  const { width, height, depth, colour, interlaced } = header
  if (width < 1 || height < 1 || width > maxSide || height > maxSide) throw invalid(`${width}×${height} pixels is no seal size`)
  const channels = channelsOf[colour]
  if (channels === undefined || !(depthsOf[colour] ?? []).includes(depth)) throw invalid('its colour type or depth is invalid')
  if (colour === 3 && palette === undefined) throw invalid('its palette is missing')

  const rowBytes = (pixels: number): number => 1 + Math.ceil(pixels * channels * depth / 8)
  const expected = interlaced
    ? adam7.reduce((sum, [x0, y0, dx, dy]) => {
      const passWidth = Math.ceil((width - x0) / dx)
      const passHeight = Math.ceil((height - y0) / dy)
      return passWidth > 0 && passHeight > 0 ? sum + passHeight * rowBytes(passWidth) : sum
    }, 0)
    : height * rowBytes(width)
  let data: Buffer
  try {
    data = inflateSync(Buffer.concat(chunks), { maxOutputLength: expected })
  } catch {
    throw invalid('its image data is damaged')
  }
  if (data.length !== expected) throw invalid('its image data is incomplete')
  return { header, palette: palette ?? new Uint8Array(), transparency, data }
}

/** Undoes the row's PNG filter (None, Sub, Up, Average, Paeth) against the row above it. */
function unfiltered (data: Uint8Array, offset: number, rowBytes: number, bytesPerPixel: number, above: Uint8Array): Uint8Array {
  const filter = data[offset]
  const row = data.slice(offset + 1, offset + 1 + rowBytes)
  if (filter === 0) return row
  for (let i = 0; i < rowBytes; i++) {
    const left = i >= bytesPerPixel ? row[i - bytesPerPixel] as number : 0
    const up = above[i] as number
    const upperLeft = i >= bytesPerPixel ? above[i - bytesPerPixel] as number : 0
    let predicted: number
    if (filter === 1) predicted = left
    else if (filter === 2) predicted = up
    else if (filter === 3) predicted = (left + up) >> 1
    else if (filter === 4) predicted = paeth(left, up, upperLeft)
    else throw invalid('a row has an unknown filter')
    row[i] = ((row[i] as number) + predicted) & 0xff
  }
  return row
}

function paeth (left: number, up: number, upperLeft: number): number {
  const estimate = left + up - upperLeft
  const toLeft = Math.abs(estimate - left)
  const toUp = Math.abs(estimate - up)
  const toUpperLeft = Math.abs(estimate - upperLeft)
  return toLeft <= toUp && toLeft <= toUpperLeft ? left : toUp <= toUpperLeft ? up : upperLeft
}

/** Sample `index` of an unfiltered row, at its own depth (1, 2, 4, 8 or 16 bits). */
function sampleAt (row: Uint8Array, index: number, depth: number): number {
  if (depth === 8) return row[index] as number
  if (depth === 16) return ((row[2 * index] as number) << 8) | (row[2 * index + 1] as number)
  const perByte = 8 / depth
  const byte = row[Math.floor(index / perByte)] as number
  return (byte >> (8 - depth * (index % perByte + 1))) & ((1 << depth) - 1)
}

function to8Bits (sample: number, depth: number): number {
  return depth === 16 ? sample >> 8 : depth === 8 ? sample : Math.round(sample * 255 / ((1 << depth) - 1))
}
