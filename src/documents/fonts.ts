// The certificate's fonts: Noto Serif SC loaded once, subset per PDF, Noto Serif JP for code points SC lacks.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import fontkit from '@pdf-lib/fontkit'
import type { PDFDocument, PDFFont } from 'pdf-lib'
import subsetFont from 'subset-font'
import { certificateFontFiles as fontFiles, type FontWeight } from './font-files.js'
import { unrenderableCharacters } from './printable-text.js'

export type { FontWeight }

/** A stretch of text that one embedded font draws. */
export interface FontRun {
  readonly text: string
  readonly font: PDFFont
}

/** The fonts embedded in one certificate PDF. */
export interface CertificateFonts {
  /** Splits text into runs, each wholly covered by one embedded font. */
  runs (text: string, weight: FontWeight): FontRun[]
  widthOf (text: string, weight: FontWeight, size: number): number
}

interface Face {
  readonly postscriptName: string
  // Buffers, not plain Uint8Arrays: subset-font sniffs the format with Buffer#toString.
  readonly bytes: Buffer
  readonly covers: (codePoint: number) => boolean
  /** Advance width in em. */
  readonly advance: (codePoint: number) => number
  /** A subset of the characters most certificates need, much faster to subset again than the 10 MB face. */
  readonly common: { readonly bytes: Buffer, readonly codePoints: ReadonlySet<number> }
}

interface Family { readonly primary: Face, readonly fallback: Face }

const require = createRequire(import.meta.url)
// The page needs no OpenType layout (no vertical forms, ligatures or kerning), and without these tables
// fontkit maps characters to glyphs directly instead of shaping every string pdf-lib draws or measures.
const subsetOptions = {
  targetFormat: 'truetype', noLayoutClosure: true, dropTables: ['GSUB', 'GPOS', 'GDEF', 'BASE', 'vhea', 'vmtx', 'VORG', 'DSIG'],
} as const

let loading: Promise<Record<FontWeight, Family>> | undefined

/**
 * Reads and parses the certificate fonts and prepares their common-character subsets.
 * Call once at start-up so that the first certificate does not pay for it; idempotent.
 */
export async function loadCertificateFonts (): Promise<void> {
  await loadFamilies()
}

/**
 * Embeds into `doc` the fonts needed to draw `texts`, subset to exactly their characters.
 * Throws ServiceError('UNRENDERABLE_CHARACTER') listing every code point that no font covers.
 */
export async function embedCertificateFonts (
  doc: PDFDocument, texts: Record<FontWeight, string>,
): Promise<CertificateFonts> {
  const families = await loadFamilies()
  const missing = new Set<number>()
  const plan = { regular: new Map<Face, Set<number>>(), bold: new Map<Face, Set<number>>() }
  for (const weight of ['regular', 'bold'] as const) {
    const { primary, fallback } = families[weight]
    for (const codePoint of codePointsOf(texts[weight])) {
      const face = primary.covers(codePoint) ? primary : fallback.covers(codePoint) ? fallback : null
      if (face === null) missing.add(codePoint)
      else plan[weight].set(face, (plan[weight].get(face) ?? new Set()).add(codePoint))
    }
  }
  if (missing.size > 0) throw unrenderableCharacters([...missing])
  const fontOf = { regular: new Map<number, PDFFont>(), bold: new Map<number, PDFFont>() }
  for (const weight of ['regular', 'bold'] as const) {
    for (const [face, codePoints] of plan[weight]) {
      const font = await embedSubset(doc, face, codePoints)
      for (const codePoint of codePoints) fontOf[weight].set(codePoint, font)
    }
  }

  const runs = (text: string, weight: FontWeight): FontRun[] => {
    const result: FontRun[] = []
    let current = ''
    let currentFont: PDFFont | undefined
    for (const character of text) {
      const font = fontOf[weight].get(character.codePointAt(0) as number)
      // Each font is subset to the text announced above; anything else would print as a blank box.
      if (font === undefined) throw new Error(`"${character}" was not announced for the ${weight} fonts`)
      if (font !== currentFont && currentFont !== undefined) {
        result.push({ text: current, font: currentFont })
        current = ''
      }
      currentFont = font
      current += character
    }
    if (currentFont !== undefined) result.push({ text: current, font: currentFont })
    return result
  }
  // pdf-lib draws glyphs at their advance widths (no kerning), so their sum is the drawn width; it is
  // also far cheaper than PDFFont#widthOfTextAtSize, which shapes the text on every call.
  const widthOf = (text: string, weight: FontWeight, size: number): number => {
    const { primary, fallback } = families[weight]
    let width = 0
    for (const character of text) {
      const codePoint = character.codePointAt(0) as number
      width += (primary.covers(codePoint) ? primary : fallback).advance(codePoint)
    }
    return width * size
  }
  return { runs, widthOf }
}

async function embedSubset (doc: PDFDocument, face: Face, codePoints: ReadonlySet<number>): Promise<PDFFont> {
  const text = String.fromCodePoint(...codePoints)
  const source = [...codePoints].every((codePoint) => face.common.codePoints.has(codePoint)) ? face.common.bytes : face.bytes
  const subset = await subsetFont(source, text, subsetOptions)
  // A subset font is named TAG+Name (ISO 32000 9.6.4); deriving the tag from the bytes keeps output reproducible.
  const digest = createHash('sha256').update(subset).digest()
  const tag = String.fromCharCode(...[...digest.subarray(0, 6)].map((byte) => 65 + (byte % 26)))
  return await doc.embedFont(subset, { subset: false, customName: `${tag}+${face.postscriptName}` })
}

async function loadFamilies (): Promise<Record<FontWeight, Family>> {
  loading ??= (async () => {
    const common = [...codePointsOf(commonCharacters())]
    const [regular, bold] = await Promise.all((['regular', 'bold'] as const).map(async (weight) => {
      const primary = await loadFace(fontFiles[weight].primary, (face) => common.filter(face.covers))
      // Everything the fallback is ever used for: what it has and the primary lacks (~400 hanzi for SC and JP).
      const fallback = await loadFace(fontFiles[weight].fallback, (face) =>
        face.characterSet.filter((codePoint) => !primary.covers(codePoint)))
      return { primary, fallback }
    }))
    return { regular: regular as Family, bold: bold as Family }
  })()
  try {
    return await loading
  } catch (error) {
    loading = undefined
    throw error
  }
}

async function loadFace (
  file: string, commonOf: (face: { covers: (codePoint: number) => boolean, characterSet: number[] }) => number[],
): Promise<Face> {
  const bytes = await readFile(require.resolve(file))
  // fontkit copies a typed array byte by byte (~50 ms and 10 MB per face) but wraps an ArrayBuffer as it is.
  const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
  const font = fontkit.create((whole ? bytes.buffer : bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as unknown as Uint8Array)
  const covers = (codePoint: number): boolean => font.hasGlyphForCodePoint(codePoint)
  const advances = new Map<number, number>()
  const advance = (codePoint: number): number => {
    let width = advances.get(codePoint)
    if (width === undefined) {
      width = font.glyphForCodePoint(codePoint).advanceWidth / font.unitsPerEm
      advances.set(codePoint, width)
    }
    return width
  }
  const codePoints = new Set(commonOf({ covers, characterSet: font.characterSet }))
  const common = { bytes: await subsetFont(bytes, String.fromCodePoint(...codePoints), subsetOptions), codePoints }
  return { postscriptName: font.postscriptName ?? 'NotoSerif', bytes, covers, advance, common }
}

/** GB 2312 (the 6,763 common hanzi and its symbols) and printable ASCII. */
function commonCharacters (): string {
  let text = ''
  for (let code = 0x20; code < 0x7f; code++) text += String.fromCharCode(code)
  let decoder: TextDecoder
  try {
    decoder = new TextDecoder('gb2312')
  } catch {
    // A Node.js built with small-icu has no GB decoder: every PDF then subsets the full face, just slower.
    return text
  }
  for (let high = 0xa1; high <= 0xf7; high++) {
    for (let low = 0xa1; low <= 0xfe; low++) {
      const character = decoder.decode(new Uint8Array([high, low]))
      if (!character.includes('\uFFFD')) text += character
    }
  }
  return text
}

function codePointsOf (text: string): Set<number> {
  const codePoints = new Set<number>()
  for (const character of text) codePoints.add(character.codePointAt(0) as number)
  return codePoints
}
