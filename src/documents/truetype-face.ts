// Reads a TrueType font (glyf outlines): its tables, character map, advance widths and metrics.

/** A parsed TrueType font; every number is in font units unless named otherwise. */
export interface TrueTypeFace {
  readonly postscriptName: string
  readonly unitsPerEm: number
  readonly numGlyphs: number
  /** For the PDF font descriptor: bounding box [xMin, yMin, xMax, yMax], ascent, descent, cap and x-height. */
  readonly metrics: {
    readonly bbox: readonly [number, number, number, number]
    readonly ascent: number
    readonly descent: number
    readonly capHeight: number
    readonly xHeight: number
    readonly italicAngle: number
  }
  /** The table `tag` as stored, if the font has it. */
  table: (tag: string) => Uint8Array | undefined
  /** The glyph that draws `codePoint`; 0 (.notdef) when the font has none. */
  glyphId: (codePoint: number) => number
  /** Every code point the font maps to a glyph. */
  codePoints: () => number[]
  advance: (glyphId: number) => number
  leftSideBearing: (glyphId: number) => number
  /** The glyph's outline record in the glyf table (empty for a glyph without contours). */
  glyph: (glyphId: number) => Uint8Array
}

/** Throws on anything that is not a TrueType font with the tables a PDF needs. */
export function parseTrueType (bytes: Uint8Array): TrueTypeFace {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (view.getUint32(0) !== 0x00010000) throw new Error('not a TrueType font (glyf outlines)')
  const tables = new Map<string, Uint8Array>()
  for (let index = 0, count = view.getUint16(4); index < count; index++) {
    const record = 12 + 16 * index
    const tag = String.fromCharCode(...bytes.subarray(record, record + 4))
    const offset = view.getUint32(record + 8)
    tables.set(tag, bytes.subarray(offset, offset + view.getUint32(record + 12)))
  }
  const required = (tag: string): DataView => {
    const table = tables.get(tag)
    if (table === undefined) throw new Error(`the font has no ${tag} table`)
    return new DataView(table.buffer, table.byteOffset, table.byteLength)
  }
  const head = required('head')
  const hhea = required('hhea')
  const hmtx = required('hmtx')
  const loca = required('loca')
  const glyf = tables.get('glyf') ?? new Uint8Array()
  const numGlyphs = required('maxp').getUint16(4)
  const longMetrics = hhea.getUint16(34)
  const longOffsets = head.getInt16(50) === 1
  const offsetOf = (glyphId: number): number => longOffsets ? loca.getUint32(glyphId * 4) : loca.getUint16(glyphId * 2) * 2
  const os2 = tables.has('OS/2') ? required('OS/2') : undefined
  const groups = characterMap(required('cmap'))

  return {
    postscriptName: postscriptNameOf(tables.get('name')) ?? 'Unnamed',
    unitsPerEm: head.getUint16(18),
    numGlyphs,
    metrics: {
      bbox: [head.getInt16(36), head.getInt16(38), head.getInt16(40), head.getInt16(42)],
      ascent: hhea.getInt16(4),
      descent: hhea.getInt16(6),
      capHeight: os2 !== undefined && os2.getUint16(0) >= 2 ? os2.getInt16(88) : hhea.getInt16(4),
      xHeight: os2 !== undefined && os2.getUint16(0) >= 2 ? os2.getInt16(86) : 0,
      italicAngle: tables.has('post') ? required('post').getInt32(4) / 65536 : 0,
    },
    table: (tag) => tables.get(tag),
    glyphId: (codePoint) => glyphIdIn(groups, codePoint),
    codePoints: () => {
      const all: number[] = []
      for (let group = 0; group < groups.starts.length; group++) {
        for (let codePoint = groups.starts[group] as number; codePoint <= (groups.ends[group] as number); codePoint++) all.push(codePoint)
      }
      return all
    },
    advance: (glyphId) => hmtx.getUint16(4 * Math.min(glyphId, longMetrics - 1)),
    leftSideBearing: (glyphId) => glyphId < longMetrics
      ? hmtx.getInt16(4 * glyphId + 2)
      : hmtx.getInt16(4 * longMetrics + 2 * (glyphId - longMetrics)),
    glyph: (glyphId) => glyphId >= numGlyphs ? new Uint8Array() : glyf.subarray(offsetOf(glyphId), offsetOf(glyphId + 1)),
  }
}

/** Code points `starts[i]`…`ends[i]` map to consecutive glyphs from `glyphs[i]`; sorted, not overlapping. */
interface CharacterGroups {
  readonly starts: Uint32Array
  readonly ends: Uint32Array
  readonly glyphs: Uint32Array
}

function glyphIdIn ({ starts, ends, glyphs }: CharacterGroups, codePoint: number): number {
  let low = 0
  let high = starts.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    if (codePoint < (starts[middle] as number)) high = middle - 1
    else if (codePoint > (ends[middle] as number)) low = middle + 1
    else return (glyphs[middle] as number) + codePoint - (starts[middle] as number)
  }
  return 0
}

/** The Unicode subtable: format 12 (all planes) if there is one, else format 4 (the BMP). */
function characterMap (cmap: DataView): CharacterGroups {
  const subtables: Array<{ platform: number, encoding: number, offset: number, format: number }> = []
  for (let index = 0, count = cmap.getUint16(2); index < count; index++) {
    const offset = cmap.getUint32(8 + 8 * index)
    subtables.push({ platform: cmap.getUint16(4 + 8 * index), encoding: cmap.getUint16(6 + 8 * index), offset, format: cmap.getUint16(offset) })
  }
  const unicode = subtables.filter(({ platform, encoding }) => platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10)))
  const full = unicode.find(({ format }) => format === 12)
  if (full !== undefined) {
    const count = cmap.getUint32(full.offset + 12)
    const groups = { starts: new Uint32Array(count), ends: new Uint32Array(count), glyphs: new Uint32Array(count) }
    for (let group = 0; group < count; group++) {
      const at = full.offset + 16 + 12 * group
      groups.starts[group] = cmap.getUint32(at)
      groups.ends[group] = cmap.getUint32(at + 4)
      groups.glyphs[group] = cmap.getUint32(at + 8)
    }
    return groups
  }
  const basic = unicode.find(({ format }) => format === 4)
  if (basic === undefined) throw new Error('the font has no Unicode character map')
  return groupsOfFormat4(cmap, basic.offset)
}

function groupsOfFormat4 (cmap: DataView, offset: number): CharacterGroups {
  const segments = cmap.getUint16(offset + 6) / 2
  const endsAt = offset + 14
  const startsAt = endsAt + 2 * segments + 2
  const deltasAt = startsAt + 2 * segments
  const rangeOffsetsAt = deltasAt + 2 * segments
  const starts: number[] = []
  const ends: number[] = []
  const glyphs: number[] = []
  for (let segment = 0; segment < segments; segment++) {
    const start = cmap.getUint16(startsAt + 2 * segment)
    const end = cmap.getUint16(endsAt + 2 * segment)
    const delta = cmap.getUint16(deltasAt + 2 * segment)
    const rangeOffset = cmap.getUint16(rangeOffsetsAt + 2 * segment)
    for (let codePoint = start; codePoint <= end && codePoint !== 0xffff; codePoint++) {
      let glyph = 0
      if (rangeOffset === 0) {
        glyph = (codePoint + delta) & 0xffff
      } else {
        const at = rangeOffsetsAt + 2 * segment + rangeOffset + 2 * (codePoint - start)
        glyph = cmap.getUint16(at)
        if (glyph !== 0) glyph = (glyph + delta) & 0xffff
      }
      if (glyph === 0) continue
      const last = starts.length - 1
      if (last >= 0 && ends[last] === codePoint - 1 && (glyphs[last] as number) + codePoint - (starts[last] as number) === glyph) {
        ends[last] = codePoint
      } else {
        starts.push(codePoint)
        ends.push(codePoint)
        glyphs.push(glyph)
      }
    }
  }
  return { starts: Uint32Array.from(starts), ends: Uint32Array.from(ends), glyphs: Uint32Array.from(glyphs) }
}

/** Name 6 of the name table, from a Windows (UTF-16BE) or Macintosh (ASCII) record. */
function postscriptNameOf (name: Uint8Array | undefined): string | undefined {
  if (name === undefined) return undefined
  const view = new DataView(name.buffer, name.byteOffset, name.byteLength)
  const strings = view.getUint16(4)
  for (let index = 0, count = view.getUint16(2); index < count; index++) {
    const record = 6 + 12 * index
    if (view.getUint16(record + 6) !== 6) continue
    const platform = view.getUint16(record)
    const bytes = name.subarray(strings + view.getUint16(record + 10), strings + view.getUint16(record + 10) + view.getUint16(record + 8))
    if (platform === 3) return Buffer.from(bytes).swap16().toString('utf16le')
    if (platform === 1) return Buffer.from(bytes).toString('latin1')
  }
  return undefined
}
