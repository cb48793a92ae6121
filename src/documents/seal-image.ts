// Checks a seal PNG before pdf-lib decodes it: pdf-lib's PNG decoder loops forever on a truncated file.
import { inflateSync } from 'node:zlib'
import { ServiceError } from '../errors.js'

const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
// A seal printed 42 mm wide needs no more than 600 dpi: ~1000 px. Larger is a mistake, or an image that
// costs a second of decoding per PDF (4096² at 16 bits): refused before it is decoded.
export const maxSealSide = 1024
const channelsOf: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
const depthsOf: Record<number, readonly number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] }
const adam7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

/**
 * Throws ServiceError('INVALID_SEAL_IMAGE') unless `png` is a complete PNG: well-formed chunks from IHDR to
 * IEND, sane dimensions, and image data that inflates to exactly the size the header announces.
 */
export function assertSealPng (png: Uint8Array): void {
  const invalid = (why: string, whyZh: string): ServiceError => new ServiceError('INVALID_SEAL_IMAGE', { en: `The seal is not a usable PNG: ${why}.`, zh: `印章图片不可用：${whyZh}。` })
  if (png.length < 8 || signature.some((byte, index) => png[index] !== byte)) throw invalid('no PNG signature', '不是 PNG 图片')
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength)
  const data: Uint8Array[] = []
  let header: { width: number, height: number, depth: number, colour: number, interlaced: boolean } | undefined
  let palette = false
  let ended = false
  for (let offset = 8; !ended;) {
    if (offset + 12 > png.length) throw invalid('it is truncated', '文件不完整')
    const length = view.getUint32(offset)
    const type = String.fromCharCode(...png.subarray(offset + 4, offset + 8))
    const end = offset + 12 + length
    if (end > png.length) throw invalid('it is truncated', '文件不完整')
    const body = png.subarray(offset + 8, offset + 8 + length)
    if (header === undefined && type !== 'IHDR') throw invalid('it does not start with IHDR', '文件头缺失')
    if (type === 'IHDR') {
      if (length !== 13 || header !== undefined) throw invalid('its header is malformed', '文件头格式错误')
      header = {
        width: view.getUint32(offset + 8),
        height: view.getUint32(offset + 12),
        depth: body[8] ?? 0,
        colour: body[9] ?? 0,
        interlaced: body[12] === 1,
      }
      if (body[10] !== 0 || body[11] !== 0 || (body[12] ?? 2) > 1) throw invalid('its header is malformed', '文件头格式错误')
    } else if (type === 'PLTE') {
      palette = true
    } else if (type === 'IDAT') {
      data.push(body)
    } else if (type === 'IEND') {
      ended = true
    }
    offset = end
  }
  if (header === undefined) throw invalid('it has no header', '没有文件头')
  const { width, height, depth, colour, interlaced } = header
  if (width < 1 || height < 1 || width > maxSealSide || height > maxSealSide) {
    throw new ServiceError('INVALID_SEAL_IMAGE', {
      en: `The seal is ${width}×${height} pixels; at most ${maxSealSide}×${maxSealSide} are accepted (a seal printed 42 mm wide needs no more than about 1000 pixels).`,
      zh: `印章图片为 ${width}×${height} 像素，最大允许 ${maxSealSide}×${maxSealSide} 像素（印章印刷宽度约 42 毫米，约 1000 像素即已足够）。`,
    }, { width, height, maxSide: maxSealSide })
  }
  const channels = channelsOf[colour]
  if (channels === undefined || !(depthsOf[colour] ?? []).includes(depth)) throw invalid('its colour type or depth is invalid', '颜色类型或位深无效')
  if (colour === 3 && !palette) throw invalid('its palette is missing', '缺少调色板')

  const rowBytes = (pixels: number): number => 1 + Math.ceil(pixels * channels * depth / 8)
  const expected = interlaced
    ? adam7.reduce((sum, [x0, y0, dx, dy]) => {
      const passWidth = Math.ceil((width - x0) / dx)
      const passHeight = Math.ceil((height - y0) / dy)
      return passWidth > 0 && passHeight > 0 ? sum + passHeight * rowBytes(passWidth) : sum
    }, 0)
    : height * rowBytes(width)
  let inflated: Buffer
  try {
    inflated = inflateSync(Buffer.concat(data), { maxOutputLength: expected })
  } catch {
    throw invalid('its image data is damaged', '图像数据已损坏')
  }
  if (inflated.length !== expected) throw invalid('its image data is incomplete', '图像数据不完整')
}
