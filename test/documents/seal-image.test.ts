import { crc32, deflateSync, inflateSync } from 'node:zlib'
import { PNG } from 'pngjs'
import t, { type Test } from 'tap'
import { decodeSealPng } from '../../src/documents/seal-image.js'

const channelsOf: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
const adam7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] as const

interface Layout {
  width: number
  height: number
  colour: 0 | 2 | 3 | 4 | 6
  depth: 1 | 2 | 4 | 8 | 16
  interlaced?: boolean
  palette?: number[]
  transparency?: number[]
  /** Channel `channel` of pixel (x, y), at the image's depth. */
  sample: (x: number, y: number, channel: number) => number
}

/** A PNG written sample by sample (filter None): the colour types, depths and interlacing pngjs cannot write. */
function handMadePng ({ width, height, colour, depth, interlaced = false, palette, transparency, sample }: Layout): Buffer {
  const channels = channelsOf[colour] as number
  const rows: number[] = []
  for (const [x0, y0, dx, dy] of interlaced ? adam7 : [[0, 0, 1, 1] as const]) {
    const passWidth = Math.ceil((width - x0) / dx)
    const passHeight = Math.ceil((height - y0) / dy)
    if (passWidth <= 0 || passHeight <= 0) continue
    for (let y = 0; y < passHeight; y++) {
      rows.push(0)
      let bits = 0
      let filled = 0
      for (let x = 0; x < passWidth; x++) {
        for (let channel = 0; channel < channels; channel++) {
          const value = sample(x0 + x * dx, y0 + y * dy, channel)
          if (depth === 16) {
            rows.push(value >> 8, value & 0xff)
          } else if (depth === 8) {
            rows.push(value)
          } else {
            bits = (bits << depth) | value
            filled += depth
            if (filled === 8) {
              rows.push(bits)
              bits = filled = 0
            }
          }
        }
      }
      if (filled > 0) rows.push(bits << (8 - filled))
    }
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([depth, colour, 0, 0, interlaced ? 1 : 0], 8)
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const typed = Buffer.concat([Buffer.from(type, 'latin1'), body])
    const length = Buffer.alloc(4)
    length.writeUInt32BE(body.length)
    const check = Buffer.alloc(4)
    check.writeUInt32BE(crc32(typed))
    return Buffer.concat([length, typed, check])
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(palette === undefined ? [] : [chunk('PLTE', Buffer.from(palette))]),
    ...(transparency === undefined ? [] : [chunk('tRNS', Buffer.from(transparency))]),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

/**
 * Channels off by more than one step from pngjs's decoding (which rounds 16-bit samples where we truncate);
 * the colour of a fully transparent pixel is not compared (pngjs makes it black).
 */
function differencesFromPngjs (t: Test, png: Buffer): number {
  const reference = PNG.sync.read(png)
  const ours = decodeSealPng(png)
  t.equal(ours.width, reference.width)
  t.equal(ours.height, reference.height)
  let differing = 0
  for (let pixel = 0; pixel < ours.width * ours.height; pixel++) {
    const transparent = ours.alpha?.[pixel] === 0 && reference.data[pixel * 4 + 3] === 0
    for (let channel = 0; channel < 3 && !transparent; channel++) {
      if (Math.abs((ours.rgb[pixel * 3 + channel] as number) - (reference.data[pixel * 4 + channel] as number)) > 1) differing++
    }
    if (Math.abs((ours.alpha?.[pixel] ?? 255) - (reference.data[pixel * 4 + 3] as number)) > 1) differing++
  }
  return differing
}

// Deterministic noise, so that pngjs's encoder picks every filter type somewhere.
let seed = 7
const noise = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256

t.test('an RGBA seal with every PNG filter decodes to the pixels pngjs reads', async (t) => {
  const [width, height] = [97, 61]
  const png = new PNG({ width, height })
  // Rows of noise, gradients and products: pngjs's encoder picks a different filter for each kind.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let channel = 0; channel < 4; channel++) {
        const kinds = [noise(), (x * 3 + channel * 50) % 256, (y * 7 + channel) % 256, (x * y + channel * 11) % 256, ((x + y) * 5 + noise() % 4) % 256]
        png.data[(y * width + x) * 4 + channel] = kinds[y % 5] as number
      }
    }
  }
  const file = PNG.sync.write(png)
  const data = inflateSync(file.subarray(file.indexOf('IDAT') + 4, file.indexOf('IEND') - 8))
  const filters = new Set(Array.from({ length: height }, (_, y) => data[y * (width * 4 + 1)]))
  t.same([...filters].sort(), [0, 1, 2, 3, 4], 'rows with each of the five filters')
  t.equal(differencesFromPngjs(t, file), 0)
})

t.test('grey, grey with alpha and 16-bit colour seals written by pngjs decode the same', async (t) => {
  for (const [colorType, bitDepth] of [[0, 8], [4, 8], [2, 16], [6, 16]] as const) {
    const png = new PNG({ width: 33, height: 20, colorType, bitDepth, inputHasAlpha: true })
    for (let i = 0; i < png.data.length; i++) png.data[i] = noise()
    t.equal(differencesFromPngjs(t, PNG.sync.write(png, { colorType, bitDepth, inputHasAlpha: true })), 0,
      `colour type ${colorType}, ${bitDepth} bits`)
  }
})

t.test('palettes, 1 to 4-bit samples, transparency keys and interlacing decode the same', async (t) => {
  const layouts: Array<[string, Layout]> = [
    ['1-bit grey, interlaced', { width: 19, height: 13, colour: 0, depth: 1, interlaced: true, sample: (x, y) => (x * y + x) % 2 }],
    ['4-bit grey, grey 3 transparent', { width: 9, height: 7, colour: 0, depth: 4, transparency: [0, 3], sample: (x, y) => (x + 2 * y) % 16 }],
    ['2-bit palette, partly transparent', {
      width: 11, height: 5, colour: 3, depth: 2, palette: [200, 30, 30, 255, 255, 255, 0, 0, 0, 10, 20, 30],
      transparency: [128, 0], sample: (x, y) => (x + y) % 4,
    }],
    ['8-bit palette, interlaced', {
      width: 23, height: 17, colour: 3, depth: 8, interlaced: true,
      palette: Array.from({ length: 3 * 40 }, (_, i) => (i * 37) % 256), sample: (x, y) => (x * 3 + y) % 40,
    }],
    ['16-bit RGB, one colour transparent', {
      width: 8, height: 8, colour: 2, depth: 16, transparency: [0x12, 0x34, 0, 0, 0xff, 0xff],
      sample: (x, y, channel) => (x + y) % 3 === 0 ? [0x1234, 0, 0xffff][channel] as number : (x * 4099 + y * 257 + channel * 9000) % 65536,
    }],
    ['16-bit RGBA, interlaced', {
      width: 14, height: 10, colour: 6, depth: 16, interlaced: true, sample: (x, y, channel) => (x * 5003 + y * 811 + channel * 20000) % 65536,
    }],
  ]
  for (const [name, layout] of layouts) t.equal(differencesFromPngjs(t, handMadePng(layout)), 0, name)
})

t.test('an opaque seal needs no alpha plane', async (t) => {
  const png = handMadePng({ width: 4, height: 4, colour: 2, depth: 8, sample: (x, y, channel) => x * 60 + y + channel })
  t.equal(decodeSealPng(png).alpha, null)
})

t.test('a pixel outside its palette or a row with an unknown filter is refused', async (t) => {
  const palette = handMadePng({ width: 4, height: 2, colour: 3, depth: 8, palette: [1, 2, 3, 4, 5, 6], sample: (x) => x })
  t.throws(() => decodeSealPng(palette), { code: 'INVALID_SEAL_IMAGE' })
  const rgb = handMadePng({ width: 3, height: 2, colour: 2, depth: 8, sample: () => 9 })
  const idat = rgb.indexOf('IDAT')
  const rows = Buffer.from([5, 9, 9, 9, 9, 9, 9, 9, 9, 9, 0, 9, 9, 9, 9, 9, 9, 9, 9, 9])
  const body = deflateSync(rows)
  const broken = Buffer.concat([rgb.subarray(0, idat - 4), Buffer.from([0, 0, 0, body.length]), Buffer.from('IDAT'), body,
    Buffer.alloc(4), rgb.subarray(rgb.indexOf('IEND') - 4)])
  t.throws(() => decodeSealPng(broken), { code: 'INVALID_SEAL_IMAGE' })
})
