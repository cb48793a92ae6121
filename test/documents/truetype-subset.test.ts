import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import fontkit, { type Font } from '@pdf-lib/fontkit'
import t from 'tap'
import { parseTrueType } from '../../src/documents/truetype-face.js'
import { subsetTrueType } from '../../src/documents/truetype-subset.js'

const require = createRequire(import.meta.url)
const fontBytes = (file: string): Buffer => readFileSync(require.resolve(`@expo-google-fonts/${file}`))
const serifSC = fontBytes('noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf')
const serifJP = fontBytes('noto-serif-jp/700Bold/NotoSerifJP_700Bold.ttf')

const outline = (font: Font, glyphId: number): string => font.getGlyph(glyphId).path.toSVG()

t.test('the character map and advance widths read as fontkit reads them, for every character', async (t) => {
  for (const [name, bytes] of [['Noto Serif SC', serifSC], ['Noto Serif JP Bold', serifJP]] as const) {
    const face = parseTrueType(bytes)
    const reference = fontkit.create(bytes)
    t.same(face.codePoints(), reference.characterSet, `${name}: the same characters`)
    let differing = 0
    for (const codePoint of reference.characterSet) {
      const glyph = reference.glyphForCodePoint(codePoint)
      if (face.glyphId(codePoint) !== glyph.id || face.advance(glyph.id) !== glyph.advanceWidth) differing++
    }
    t.equal(differing, 0, `${name}: the same glyph and advance for each`)
    t.equal(face.glyphId(0x2a6a5), 0, `${name}: a character it lacks is glyph 0`)
    t.equal(face.postscriptName, reference.postscriptName)
  }
})

t.test('a subset draws each of its characters with the outline and width of the whole font', async (t) => {
  const text = '证书编号：44010625000201 张三 欧阳娜娜 买买提·艾力 䶮 𠮷 —（）《》，。Scan to verify'
  const lacking = { 'Noto Serif SC': '𠮷', 'Noto Serif JP Bold': '证书编张买䶮' }
  for (const [name, bytes] of [['Noto Serif SC', serifSC], ['Noto Serif JP Bold', serifJP]] as const) {
    const face = parseTrueType(bytes)
    const codePoints = [...text].map((character) => character.codePointAt(0) as number)
    const subset = subsetTrueType(face, codePoints)
    const whole = fontkit.create(bytes)
    const cut = fontkit.create(Buffer.from(subset.bytes))
    const drawn = codePoints.filter((codePoint) => face.glyphId(codePoint) !== 0)
    t.equal([...new Set(text)].filter((character) => !drawn.includes(character.codePointAt(0) as number)).join(''), lacking[name],
      `${name} lacks only what it lacks`)
    t.same([...subset.glyphIds.keys()].sort(), [...new Set(drawn)].sort(), 'every drawn character has a glyph in the subset')
    t.equal(cut.numGlyphs, new Set(drawn.map(face.glyphId)).size + 1, 'and nothing else but .notdef')
    let differing = 0
    for (const codePoint of drawn) {
      const glyphId = subset.glyphIds.get(codePoint) as number
      const original = whole.glyphForCodePoint(codePoint)
      if (outline(cut, glyphId) !== outline(whole, original.id) || cut.getGlyph(glyphId).advanceWidth !== original.advanceWidth ||
        subset.advances[glyphId] !== original.advanceWidth || cut.glyphForCodePoint(codePoint).id !== glyphId) differing++
    }
    t.equal(differing, 0, `${name}: same outlines, widths and character map`)
    t.ok(Buffer.from(subsetTrueType(face, [...codePoints].reverse()).bytes).equals(Buffer.from(subset.bytes)),
      'the same characters in another order give the same bytes')
    const reread = parseTrueType(subset.bytes)
    t.ok(drawn.every((codePoint) => reread.glyphId(codePoint) === subset.glyphIds.get(codePoint)), 'the subset reads back')
  }
})

t.test('a composite glyph keeps its components, renumbered, and a format 4 character map is read', async (t) => {
  // A, B and C draw composites or simple glyphs of a made-up font whose glyph numbers have gaps.
  const bytes = madeUpFont()
  const face = parseTrueType(bytes)
  t.same([0x41, 0x42, 0x43].map(face.glyphId), [5, 1, 3])
  const subset = subsetTrueType(face, [0x41])
  // .notdef, A (5) and its components 4 and 2: renumbered 0, 3, 2, 1.
  t.same([...subset.glyphIds], [[0x41, 3]])
  const whole = fontkit.create(bytes)
  const cut = fontkit.create(Buffer.from(subset.bytes))
  t.equal(cut.numGlyphs, 4)
  t.not(outline(whole, 5), '')
  t.equal(outline(cut, 3), outline(whole, 5), 'the composite draws the same shapes')
  t.equal(outline(cut, 2), outline(whole, 4))
  t.equal(outline(cut, 1), outline(whole, 2))
})

/**
 * A TrueType font of six glyphs: 1–4 squares of different sizes, 5 a composite of 4 and of 2 moved right;
 * cmap format 4 maps A to 5 through idDelta, B and C to 1 and 3 through glyphIdArray.
 */
function madeUpFont (): Buffer {
  const square = (side: number): Buffer => {
    const glyph = Buffer.alloc(10 + 2 + 2 + 4 + 8 + 8)
    glyph.writeInt16BE(1, 0) // one contour
    glyph.writeInt16BE(side, 6)
    glyph.writeInt16BE(side, 8)
    glyph.writeUInt16BE(3, 10) // last point
    glyph.fill(1, 14, 18) // four on-curve points, coordinates as 16-bit deltas
    ;[0, side, 0, -side].forEach((x, i) => glyph.writeInt16BE(x, 18 + 2 * i))
    ;[0, 0, side, 0].forEach((y, i) => glyph.writeInt16BE(y, 26 + 2 * i))
    return glyph
  }
  const composite = Buffer.alloc(10 + 8 + 8)
  composite.writeInt16BE(-1, 0)
  composite.writeInt16BE(600, 6)
  composite.writeInt16BE(400, 8)
  composite.writeUInt16BE(0x0001 | 0x0002 | 0x0020, 10) // 16-bit x/y offsets, more components
  composite.writeUInt16BE(4, 12)
  composite.writeUInt16BE(0x0001 | 0x0002, 18)
  composite.writeUInt16BE(2, 20)
  composite.writeInt16BE(500, 22)
  const glyphs = [Buffer.alloc(0), square(100), square(200), square(300), square(400), composite]
  const loca = Buffer.alloc(4 * (glyphs.length + 1))
  let offset = 0
  glyphs.forEach((glyph, index) => {
    loca.writeUInt32BE(offset, 4 * index)
    offset += glyph.length
  })
  loca.writeUInt32BE(offset, 4 * glyphs.length)
  const head = Buffer.alloc(54)
  head.writeUInt32BE(0x00010000, 0)
  head.writeUInt32BE(0x5f0f3cf5, 12)
  head.writeUInt16BE(1000, 18)
  head.writeInt16BE(1000, 42)
  head.writeInt16BE(1, 50) // long loca offsets
  const hhea = Buffer.alloc(36)
  hhea.writeUInt32BE(0x00010000, 0)
  hhea.writeInt16BE(900, 4)
  hhea.writeInt16BE(-100, 6)
  hhea.writeUInt16BE(glyphs.length, 34)
  const maxp = Buffer.alloc(32)
  maxp.writeUInt32BE(0x00010000, 0)
  maxp.writeUInt16BE(glyphs.length, 4)
  const hmtx = Buffer.alloc(4 * glyphs.length)
  glyphs.forEach((_, index) => hmtx.writeUInt16BE(500 + 100 * index, 4 * index))
  const post = Buffer.alloc(32)
  post.writeUInt32BE(0x00030000, 0)
  // Segments A–A (delta 5 − 0x41), B–C (glyphIdArray [1, 3]), and the final 0xFFFF.
  const cmap = Buffer.alloc(4 + 8 + 14 + 4 * 2 * 3 + 2 + 2 * 2)
  cmap.writeUInt16BE(1, 2)
  cmap.writeUInt16BE(3, 4)
  cmap.writeUInt16BE(1, 6)
  cmap.writeUInt32BE(12, 8)
  const subtable = cmap.subarray(12)
  subtable.writeUInt16BE(4, 0)
  subtable.writeUInt16BE(subtable.length, 2)
  subtable.writeUInt16BE(6, 6) // 2 × 3 segments
  ;[0x41, 0x43, 0xffff].forEach((end, i) => subtable.writeUInt16BE(end, 14 + 2 * i))
  ;[0x41, 0x42, 0xffff].forEach((start, i) => subtable.writeUInt16BE(start, 22 + 2 * i))
  ;[(5 - 0x41) & 0xffff, 0, 1].forEach((delta, i) => subtable.writeUInt16BE(delta, 28 + 2 * i))
  ;[0, 4, 0].forEach((rangeOffset, i) => subtable.writeUInt16BE(rangeOffset, 34 + 2 * i)) // B: 2 × 2 bytes on, at glyphIdArray
  ;[1, 3].forEach((glyphId, i) => subtable.writeUInt16BE(glyphId, 40 + 2 * i))
  const tables: Array<[string, Buffer]> = [
    ['cmap', cmap], ['glyf', Buffer.concat(glyphs)], ['head', head], ['hhea', hhea], ['hmtx', hmtx], ['loca', loca], ['maxp', maxp], ['post', post],
  ]
  const directory = Buffer.alloc(12 + 16 * tables.length)
  directory.writeUInt32BE(0x00010000, 0)
  directory.writeUInt16BE(tables.length, 4)
  let at = directory.length
  tables.forEach(([tag, table], index) => {
    directory.write(tag, 12 + 16 * index, 'latin1')
    directory.writeUInt32BE(at, 12 + 16 * index + 8)
    directory.writeUInt32BE(table.length, 12 + 16 * index + 12)
    at += table.length
  })
  return Buffer.concat([directory, ...tables.map(([, table]) => table)])
}
