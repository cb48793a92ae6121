// Sets styled Chinese text on a page: measuring, breaking into lines, aligning and justifying.
import { setCharacterSpacing, type PDFPage, type RGB } from 'pdf-lib'
import { breakIntoLines, type Line, type Span } from './cjk-line-breaker.js'
import type { CertificateFonts, FontWeight } from './fonts.js'

export interface TextStyle {
  readonly weight: FontWeight
  readonly size: number
  readonly color: RGB
  readonly underline?: boolean
}

export type Alignment = 'left' | 'center' | 'right' | 'justify'

export interface Block {
  readonly lines: Array<Line<TextStyle>>
  readonly width: number
}

/** Breaks `spans` into lines of at most `width` points. */
export function layoutText (fonts: CertificateFonts, spans: ReadonlyArray<Span<TextStyle>>, width: number): Block {
  const measure = (text: string, style: TextStyle): number => fonts.widthOf(text, style.weight, style.size)
  return { lines: breakIntoLines(spans, width, measure), width }
}

/**
 * Draws `block` with the first baseline at `baseline` and returns the baseline below its last line.
 * Justified blocks spread every line but the last over the whole width (CJK text has no spaces to stretch,
 * so the spacing between all characters grows).
 */
export function drawBlock (
  page: PDFPage, fonts: CertificateFonts, block: Block,
  at: { readonly left: number, readonly baseline: number, readonly lineHeight: number, readonly align: Alignment },
): number {
  let baseline = at.baseline
  block.lines.forEach((line, index) => {
    const slack = block.width - line.width
    let x = at.left
    let spacing = 0
    if (at.align === 'center') x += slack / 2
    else if (at.align === 'right') x += slack
    else if (at.align === 'justify' && index < block.lines.length - 1) {
      const glyphs = line.pieces.reduce((sum, piece) => sum + [...piece.text].length, 0)
      const largest = Math.max(...line.pieces.map((piece) => piece.style.size))
      // A line far short of the width (before a long unbreakable name) stays ragged rather than gappy.
      if (glyphs > 1 && slack / (glyphs - 1) < largest * 0.35) spacing = slack / (glyphs - 1)
    }
    drawLine(page, fonts, line, x, baseline, spacing)
    baseline -= at.lineHeight
  })
  return baseline
}

/** Draws one line of text from `left`, with `spacing` points added after every character. */
function drawLine (
  page: PDFPage, fonts: CertificateFonts, line: Line<TextStyle>, left: number, baseline: number, spacing: number,
): void {
  if (spacing !== 0) page.pushOperators(setCharacterSpacing(round(spacing)))
  let x = left
  for (const piece of line.pieces) {
    const { size, color, weight } = piece.style
    const start = x
    for (const run of fonts.runs(piece.text, weight)) {
      page.drawText(run.text, { x: round(x), y: round(baseline), size, font: run.font, color })
      x += fonts.widthOf(run.text, weight, size) + spacing * [...run.text].length
    }
    if (piece.style.underline === true) {
      const y = round(baseline - size * 0.2)
      const end = x - spacing
      page.drawLine({ start: { x: round(start - 3), y }, end: { x: round(end + 3), y }, thickness: 0.6, color })
    }
  }
  if (spacing !== 0) page.pushOperators(setCharacterSpacing(0))
}

function round (value: number): number {
  return Math.round(value * 100) / 100
}
