// The certificate's fonts: Noto Serif SC, Noto Serif JP for code points SC lacks; subset and embedded per PDF.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { ServiceError } from '../errors.js'
import type { PageFont } from './page-content.js'
import { PdfText, type PdfValue, type PdfWriter } from './pdf-writer.js'
import { parseTrueType, type TrueTypeFace } from './truetype-face.js'
import { subsetTrueType } from './truetype-subset.js'

export type FontWeight = 'regular' | 'bold'

/** A stretch of text that one embedded font draws. */
export interface FontRun {
  readonly text: string
  readonly font: PageFont
}

/** The fonts embedded in one certificate PDF. */
export interface CertificateFonts {
  /** Splits text into runs, each wholly covered by one embedded font. */
  runs (text: string, weight: FontWeight): FontRun[]
  widthOf (text: string, weight: FontWeight, size: number): number
}

interface Family { readonly primary: TrueTypeFace, readonly fallback: TrueTypeFace }

const require = createRequire(import.meta.url)
const fontFiles: Record<FontWeight, { primary: string, fallback: string }> = {
  regular: {
    primary: '@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf',
    fallback: '@expo-google-fonts/noto-serif-jp/400Regular/NotoSerifJP_400Regular.ttf',
  },
  bold: {
    primary: '@expo-google-fonts/noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf',
    fallback: '@expo-google-fonts/noto-serif-jp/700Bold/NotoSerifJP_700Bold.ttf',
  },
}

let loading: Promise<Record<FontWeight, Family>> | undefined

/**
 * Reads and parses the certificate fonts. Call once at start-up so that the first certificate does not
 * pay for it; idempotent.
 */
export async function loadCertificateFonts (): Promise<void> {
  await loadFamilies()
}

/**
 * Embeds into `pdf` the fonts needed to draw `texts`, subset to exactly their characters.
 * Throws ServiceError('UNRENDERABLE_CHARACTER') listing every code point that no font covers.
 */
export async function embedCertificateFonts (pdf: PdfWriter, texts: Record<FontWeight, string>): Promise<CertificateFonts> {
  const families = await loadFamilies()
  const missing = new Set<number>()
  const plan = { regular: new Map<TrueTypeFace, Set<number>>(), bold: new Map<TrueTypeFace, Set<number>>() }
  for (const weight of ['regular', 'bold'] as const) {
    const { primary, fallback } = families[weight]
    for (const codePoint of codePointsOf(texts[weight])) {
      const face = primary.glyphId(codePoint) !== 0 ? primary : fallback.glyphId(codePoint) !== 0 ? fallback : null
      if (face === null) missing.add(codePoint)
      else plan[weight].set(face, (plan[weight].get(face) ?? new Set()).add(codePoint))
    }
  }
  if (missing.size > 0) throw unrenderable([...missing])
  const fontOf = { regular: new Map<number, PageFont>(), bold: new Map<number, PageFont>() }
  for (const weight of ['regular', 'bold'] as const) {
    for (const [face, codePoints] of plan[weight]) {
      const font = embedSubset(pdf, face, codePoints)
      for (const codePoint of codePoints) fontOf[weight].set(codePoint, font)
    }
  }

  const runs = (text: string, weight: FontWeight): FontRun[] => {
    const result: FontRun[] = []
    let current = ''
    let currentFont: PageFont | undefined
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
  // Glyphs are drawn at their advance widths (no kerning), so their sum is the drawn width.
  const widthOf = (text: string, weight: FontWeight, size: number): number => {
    const { primary, fallback } = families[weight]
    let width = 0
    for (const character of text) {
      const codePoint = character.codePointAt(0) as number
      const primaryGlyph = primary.glyphId(codePoint)
      width += primaryGlyph !== 0
        ? primary.advance(primaryGlyph) / primary.unitsPerEm
        : fallback.advance(fallback.glyphId(codePoint)) / fallback.unitsPerEm
    }
    return width * size
  }
  return { runs, widthOf }
}

function unrenderable (codePoints: number[]): ServiceError {
  const characters = codePoints.map((codePoint) => String.fromCodePoint(codePoint))
  const labels = codePoints.map((codePoint) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`)
  return new ServiceError('UNRENDERABLE_CHARACTER',
    `No available font can print ${characters.map((c, i) => `${c} (${labels[i] ?? ''})`).join(', ')}.`,
    { characters, codePoints: labels })
}

/**
 * Embeds the subset of `face` for `codePoints` as a Type 0 font with Identity-H encoding (ISO 32000 9.7):
 * the codes drawn are the subset's glyph numbers, and a ToUnicode map gives their text back.
 */
function embedSubset (pdf: PdfWriter, face: TrueTypeFace, codePoints: ReadonlySet<number>): PageFont {
  const subset = subsetTrueType(face, codePoints)
  // A subset font is named TAG+Name (ISO 32000 9.6.4); deriving the tag from the bytes keeps output reproducible.
  const digest = createHash('sha256').update(subset.bytes).digest()
  const name = `${String.fromCharCode(...[...digest.subarray(0, 6)].map((byte) => 65 + (byte % 26)))}+${face.postscriptName}`
  const scale = 1000 / face.unitsPerEm
  const { bbox, ascent, descent, capHeight, xHeight, italicAngle } = face.metrics
  const descriptor = pdf.add({
    Type: 'FontDescriptor',
    FontName: name,
    Flags: 4, // symbolic: glyphs outside the standard Latin set
    FontBBox: bbox.map((value) => value * scale),
    ItalicAngle: italicAngle,
    Ascent: ascent * scale,
    Descent: descent * scale,
    CapHeight: capHeight * scale,
    XHeight: xHeight * scale,
    StemV: 0,
    FontFile2: pdf.addDeflated({ Length1: subset.bytes.length }, subset.bytes),
  })
  const cidFont = pdf.add({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: name,
    CIDSystemInfo: { Registry: new PdfText('Adobe'), Ordering: new PdfText('Identity'), Supplement: 0 },
    FontDescriptor: descriptor,
    CIDToGIDMap: 'Identity',
    DW: 1000,
    W: widthsOf(subset.advances.map((advance) => advance * scale)),
  })
  const ref = pdf.add({
    Type: 'Font',
    Subtype: 'Type0',
    BaseFont: name,
    Encoding: 'Identity-H',
    DescendantFonts: [cidFont],
    ToUnicode: pdf.addDeflated({}, toUnicodeMap(subset.glyphIds)),
  })
  // runs() hands each font only characters it was subset for.
  const hexOf = (text: string): string => {
    let hex = ''
    for (const character of text) hex += (subset.glyphIds.get(character.codePointAt(0) as number) ?? 0).toString(16).padStart(4, '0')
    return hex
  }
  return { ref, hexOf }
}

/** The /W array for glyphs whose width is not the default 1000: `first [w w …]` for each run of them. */
function widthsOf (widths: readonly number[]): PdfValue[] {
  const entries: PdfValue[] = []
  let run: number[] = []
  widths.forEach((width, glyphId) => {
    if (width !== 1000) {
      if (run.length === 0) entries.push(glyphId)
      run.push(width)
    }
    if ((width === 1000 || glyphId === widths.length - 1) && run.length > 0) {
      entries.push(run)
      run = []
    }
  })
  return entries
}

/** A ToUnicode CMap (ISO 32000 9.10.3) from glyph numbers to the UTF-16 of their characters. */
function toUnicodeMap (glyphIds: ReadonlyMap<number, number>): string {
  const pairs = [...glyphIds].sort((a, b) => a[1] - b[1]).map(([codePoint, glyphId]) => {
    const units = String.fromCodePoint(codePoint)
    let utf16 = ''
    for (let index = 0; index < units.length; index++) utf16 += units.charCodeAt(index).toString(16).padStart(4, '0')
    return `<${glyphId.toString(16).padStart(4, '0')}> <${utf16}>`
  })
  const blocks: string[] = []
  // At most 100 entries per bfchar block.
  for (let start = 0; start < pairs.length; start += 100) {
    const block = pairs.slice(start, start + 100)
    blocks.push(`${block.length} beginbfchar\n${block.join('\n')}\nendbfchar`)
  }
  return ['/CIDInit /ProcSet findresource begin', '12 dict begin', 'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def', '/CMapType 2 def',
    '1 begincodespacerange', '<0000> <FFFF>', 'endcodespacerange', ...blocks,
    'endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end'].join('\n')
}

async function loadFamilies (): Promise<Record<FontWeight, Family>> {
  loading ??= (async () => {
    const [regular, bold] = await Promise.all((['regular', 'bold'] as const).map(async (weight) => {
      const primary = parseTrueType(await readFile(require.resolve(fontFiles[weight].primary)))
      const japanese = parseTrueType(await readFile(require.resolve(fontFiles[weight].fallback)))
      // Of the 7.7 MB JP face only what SC lacks is ever drawn (~640 characters): keep those, as a font of their own.
      const lacking = japanese.codePoints().filter((codePoint) => primary.glyphId(codePoint) === 0)
      return { primary, fallback: parseTrueType(subsetTrueType(japanese, lacking).bytes) }
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

function codePointsOf (text: string): Set<number> {
  const codePoints = new Set<number>()
  for (const character of text) codePoints.add(character.codePointAt(0) as number)
  return codePoints
}
