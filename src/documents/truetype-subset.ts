// Cuts a TrueType font down to the glyphs of a few characters: a complete font, small enough to embed.
import type { TrueTypeFace } from './truetype-face.js'

export interface TrueTypeSubset {
  /** The subset font file. */
  readonly bytes: Uint8Array
  /** Each character's glyph in the subset. */
  readonly glyphIds: ReadonlyMap<number, number>
  /** Advance widths by subset glyph, in font units. */
  readonly advances: readonly number[]
}

// Tables copied as they are; the font's layout tables (GSUB, GPOS…) and vertical metrics are not needed in a PDF.
const copiedTables = ['OS/2', 'cvt ', 'fpgm', 'gasp', 'name', 'prep']

/**
 * Keeps glyph 0 (.notdef), the glyphs of `codePoints` and the components of composite glyphs, in their
 * original order, renumbered from 0. Characters the font lacks are left out. The same input gives the same bytes.
 */
export function subsetTrueType (face: TrueTypeFace, codePoints: Iterable<number>): TrueTypeSubset {
  const mapped = new Map<number, number>()
  for (const codePoint of codePoints) {
    const glyphId = face.glyphId(codePoint)
    if (glyphId !== 0) mapped.set(codePoint, glyphId)
  }
  const kept = new Set([0, ...mapped.values()])
  for (const glyphId of kept) {
    // A Set visits what is added while iterating: components of components are reached too.
    for (const component of componentsOf(face.glyph(glyphId))) kept.add(component.glyphId)
  }
  const order = [...kept].sort((a, b) => a - b)
  const newId = new Map(order.map((glyphId, index) => [glyphId, index]))

  const glyphs = order.map((glyphId) => renumbered(face.glyph(glyphId), newId))
  const loca = new DataView(new ArrayBuffer(4 * (order.length + 1)))
  let offset = 0
  glyphs.forEach((glyph, index) => {
    loca.setUint32(4 * index, offset)
    offset += padded(glyph.length)
  })
  loca.setUint32(4 * order.length, offset)
  const glyf = new Uint8Array(offset)
  offset = 0
  for (const glyph of glyphs) {
    glyf.set(glyph, offset)
    offset += padded(glyph.length)
  }
  const hmtx = new DataView(new ArrayBuffer(4 * order.length))
  order.forEach((glyphId, index) => {
    hmtx.setUint16(4 * index, face.advance(glyphId))
    hmtx.setInt16(4 * index + 2, face.leftSideBearing(glyphId))
  })

  const tables = new Map<string, Uint8Array>()
  for (const tag of copiedTables) {
    const table = face.table(tag)
    if (table !== undefined) tables.set(tag, table)
  }
  tables.set('head', edited(face, 'head', (head) => {
    head.setUint32(8, 0) // checkSumAdjustment, set once the file is complete
    head.setInt16(50, 1) // long loca offsets
  }))
  tables.set('hhea', edited(face, 'hhea', (hhea) => { hhea.setUint16(34, order.length) }))
  tables.set('maxp', edited(face, 'maxp', (maxp) => { maxp.setUint16(4, order.length) }))
  // Format 3: no glyph names, which would need renumbering too.
  tables.set('post', edited(face, 'post', (post) => { post.setUint32(0, 0x00030000) }, 32))
  tables.set('cmap', characterMap(new Map([...mapped].map(([codePoint, glyphId]) => [codePoint, newId.get(glyphId) as number]))))
  tables.set('glyf', glyf)
  tables.set('hmtx', new Uint8Array(hmtx.buffer))
  tables.set('loca', new Uint8Array(loca.buffer))

  const glyphIds = new Map([...mapped].map(([codePoint, glyphId]) => [codePoint, newId.get(glyphId) as number]))
  return { bytes: fontFile(tables), glyphIds, advances: order.map((glyphId) => face.advance(glyphId)) }
}

// Composite glyph flags (OpenType glyf table).
const argsAreWords = 0x0001
const hasScale = 0x0008
const moreComponents = 0x0020
const hasXYScale = 0x0040
const hasTwoByTwo = 0x0080

/** The component records of a composite glyph: where each glyph index is written, and its value. */
function componentsOf (glyph: Uint8Array): Array<{ at: number, glyphId: number }> {
  if (glyph.length < 10) return []
  const view = new DataView(glyph.buffer, glyph.byteOffset, glyph.byteLength)
  if (view.getInt16(0) >= 0) return []
  const components: Array<{ at: number, glyphId: number }> = []
  let at = 10
  for (let flags = moreComponents; (flags & moreComponents) !== 0;) {
    flags = view.getUint16(at)
    components.push({ at: at + 2, glyphId: view.getUint16(at + 2) })
    at += 4 + ((flags & argsAreWords) !== 0 ? 4 : 2)
    at += (flags & hasScale) !== 0 ? 2 : (flags & hasXYScale) !== 0 ? 4 : (flags & hasTwoByTwo) !== 0 ? 8 : 0
  }
  return components
}

function renumbered (glyph: Uint8Array, newId: ReadonlyMap<number, number>): Uint8Array {
  const components = componentsOf(glyph)
  if (components.length === 0) return glyph
  const copy = new Uint8Array(glyph)
  const view = new DataView(copy.buffer)
  for (const { at, glyphId } of components) view.setUint16(at, newId.get(glyphId) as number)
  return copy
}

function edited (face: TrueTypeFace, tag: string, edit: (table: DataView) => void, length?: number): Uint8Array {
  const original = face.table(tag)
  if (original === undefined) throw new Error(`the font has no ${tag} table`)
  // A copy (Buffer#slice would not make one).
  const copy = new Uint8Array(original.subarray(0, length))
  edit(new DataView(copy.buffer))
  return copy
}

/** A cmap with one format 12 subtable (Windows, full Unicode): consecutive characters on consecutive glyphs share a group. */
function characterMap (glyphIds: ReadonlyMap<number, number>): Uint8Array {
  const groups: Array<[number, number, number]> = []
  for (const [codePoint, glyphId] of [...glyphIds].sort((a, b) => a[0] - b[0])) {
    const last = groups[groups.length - 1]
    if (last !== undefined && last[1] === codePoint - 1 && last[2] + codePoint - last[0] === glyphId) last[1] = codePoint
    else groups.push([codePoint, codePoint, glyphId])
  }
  const subtableLength = 16 + 12 * groups.length
  const view = new DataView(new ArrayBuffer(12 + subtableLength))
  view.setUint16(2, 1) // one encoding record
  view.setUint16(4, 3) // Windows
  view.setUint16(6, 10) // full Unicode
  view.setUint32(8, 12)
  view.setUint16(12, 12) // format
  view.setUint32(16, subtableLength)
  view.setUint32(24, groups.length)
  groups.forEach(([start, end, glyphId], index) => {
    view.setUint32(28 + 12 * index, start)
    view.setUint32(32 + 12 * index, end)
    view.setUint32(36 + 12 * index, glyphId)
  })
  return new Uint8Array(view.buffer)
}

/** The sfnt file: table directory sorted by tag, tables on 4-byte boundaries, checksums (OpenType, "Font file"). */
function fontFile (tables: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const tags = [...tables.keys()].sort()
  const directoryLength = 12 + 16 * tags.length
  const file = new Uint8Array(tags.reduce((length, tag) => length + padded((tables.get(tag) as Uint8Array).length), directoryLength))
  const view = new DataView(file.buffer)
  const power = 2 ** Math.floor(Math.log2(tags.length))
  view.setUint32(0, 0x00010000)
  view.setUint16(4, tags.length)
  view.setUint16(6, power * 16)
  view.setUint16(8, Math.log2(power))
  view.setUint16(10, tags.length * 16 - power * 16)
  let offset = directoryLength
  let headAt = 0
  tags.forEach((tag, index) => {
    const table = tables.get(tag) as Uint8Array
    const record = 12 + 16 * index
    for (let i = 0; i < 4; i++) view.setUint8(record + i, tag.charCodeAt(i))
    file.set(table, offset)
    view.setUint32(record + 4, checksum(view, offset, table.length))
    view.setUint32(record + 8, offset)
    view.setUint32(record + 12, table.length)
    if (tag === 'head') headAt = offset
    offset += padded(table.length)
  })
  view.setUint32(headAt + 8, (0xb1b0afba - checksum(view, 0, file.length)) >>> 0)
  return file
}

function checksum (view: DataView, offset: number, length: number): number {
  let sum = 0
  for (let at = offset, end = offset + padded(length); at < end; at += 4) sum = (sum + view.getUint32(at)) >>> 0
  return sum
}

function padded (length: number): number {
  return (length + 3) & ~3
}
