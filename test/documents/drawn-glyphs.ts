// Test inspection of what a PDF page really draws: every glyph shown, its font's outline and its Unicode text.
import fontkit, { type Font } from '@pdf-lib/fontkit'
import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream } from 'pdf-lib'

export interface DrawnGlyph {
  readonly font: string
  readonly glyphId: number
  /** From the font's ToUnicode map: what text extraction (and a screen reader) sees. */
  readonly text: string
  /** Whether the embedded font has an outline for this glyph: what a person sees. */
  readonly hasOutline: boolean
}

/** Every glyph that the content streams of the first page show, in drawing order. */
export async function drawnGlyphs (pdf: Uint8Array): Promise<DrawnGlyph[]> {
  const doc = await PDFDocument.load(pdf, { updateMetadata: false })
  const page = doc.getPage(0)
  const fontResources = page.node.Resources()?.lookup(PDFName.of('Font'))
  if (!(fontResources instanceof PDFDict)) return []
  const fonts = new Map<string, EmbeddedFont>()
  for (const [name, ref] of fontResources.entries()) {
    const font = doc.context.lookup(ref)
    if (font instanceof PDFDict) fonts.set(name.decodeText(), embeddedFont(font))
  }

  const contents = page.node.Contents()
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => doc.context.lookup(ref)) : [contents]
  const glyphs: DrawnGlyph[] = []
  for (const stream of streams) {
    if (!(stream instanceof PDFRawStream)) continue
    let current: EmbeddedFont | undefined
    let currentName = ''
    const operators = new TextDecoder('latin1').decode(decodePDFRawStream(stream).decode())
    for (const match of operators.matchAll(/\/(\S+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj/g)) {
      if (match[1] !== undefined) {
        currentName = match[1]
        current = fonts.get(currentName)
        continue
      }
      if (current === undefined) throw new Error(`text shown without a known font (${currentName})`)
      const hex = match[2] ?? ''
      for (let index = 0; index < hex.length; index += 4) {
        const glyphId = Number.parseInt(hex.slice(index, index + 4), 16)
        glyphs.push({
          font: current.name,
          glyphId,
          text: current.toUnicode.get(glyphId) ?? '\uFFFD',
          hasOutline: hasOutline(current.face, glyphId),
        })
      }
    }
  }
  return glyphs
}

function hasOutline (face: Font, glyphId: number): boolean {
  try {
    return face.getGlyph(glyphId).path.toSVG() !== ''
  } catch {
    // A glyph whose data runs past its table is what pdf-lib's own subsetting leaves behind: nothing is drawn.
    return false
  }
}

interface EmbeddedFont {
  readonly name: string
  readonly face: Font
  readonly toUnicode: Map<number, string>
}

function embeddedFont (font: PDFDict): EmbeddedFont {
  const descendants = font.lookup(PDFName.of('DescendantFonts'))
  const cidFont = descendants instanceof PDFArray ? descendants.lookup(0) : undefined
  const descriptor = cidFont instanceof PDFDict ? cidFont.lookup(PDFName.of('FontDescriptor')) : undefined
  const file = descriptor instanceof PDFDict ? descriptor.lookup(PDFName.of('FontFile2')) : undefined
  const name = font.lookup(PDFName.of('BaseFont'))?.toString() ?? '?'
  if (!(file instanceof PDFRawStream)) throw new Error(`font ${name} embeds no TrueType file`)
  const toUnicode = new Map<number, string>()
  const cmap = font.lookup(PDFName.of('ToUnicode'))
  if (cmap instanceof PDFRawStream) {
    const text = new TextDecoder('latin1').decode(decodePDFRawStream(cmap).decode())
    for (const [, glyph, units] of text.matchAll(/<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>/g)) {
      const codeUnits = (units ?? '').match(/.{4}/g)?.map((unit) => Number.parseInt(unit, 16)) ?? []
      toUnicode.set(Number.parseInt(glyph ?? '', 16), String.fromCharCode(...codeUnits))
    }
  }
  return { name, face: fontkit.create(decodePDFRawStream(file).decode()), toUnicode }
}

/** The text of `glyphs`, without the spaces between runs. */
export function textOf (glyphs: readonly DrawnGlyph[]): string {
  return glyphs.map((glyph) => glyph.text).join('')
}
