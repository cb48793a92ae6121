// Builds a page's content stream as text operators (ISO 32000 8–9) and the resources it names.
import { pdfNumber, type PdfRef, type PdfValue } from './pdf-writer.js'

/** Red, green and blue, from 0 to 1. */
export type Color = readonly [number, number, number]

/** A font embedded in the document, and how it encodes text into its glyphs. */
export interface PageFont {
  readonly ref: PdfRef
  /** The codes of `text` for a Tj operator, in hexadecimal. */
  readonly hexOf: (text: string) => string
}

/** An image embedded in the document. */
export interface PageImage {
  readonly ref: PdfRef
  readonly width: number
  readonly height: number
}

const n = pdfNumber

export class PageContent {
  private readonly operators: string[] = []
  private readonly fonts = new Map<PdfRef, string>()
  private readonly images = new Map<PdfRef, string>()
  private multiply = false

  fillRectangle (x: number, y: number, width: number, height: number, color: Color): void {
    this.operators.push(`${fill(color)} ${n(x)} ${n(y)} ${n(width)} ${n(height)} re f`)
  }

  strokeRectangle (x: number, y: number, width: number, height: number, color: Color, thickness: number): void {
    this.operators.push(`${stroke(color)} ${n(thickness)} w ${n(x)} ${n(y)} ${n(width)} ${n(height)} re S`)
  }

  /** A square of side `side` with its first corner at (`x`, `y`), turned by `degrees` counter-clockwise about it. */
  fillTurnedSquare (x: number, y: number, side: number, degrees: number, color: Color): void {
    const cos = Math.cos(degrees * Math.PI / 180)
    const sin = Math.sin(degrees * Math.PI / 180)
    this.operators.push(`q ${fill(color)} ${n(cos)} ${n(sin)} ${n(-sin)} ${n(cos)} ${n(x)} ${n(y)} cm 0 0 ${n(side)} ${n(side)} re f Q`)
  }

  line (x1: number, y1: number, x2: number, y2: number, thickness: number, color: Color): void {
    this.operators.push(`${stroke(color)} ${n(thickness)} w ${n(x1)} ${n(y1)} m ${n(x2)} ${n(y2)} l S`)
  }

  /** Draws `text` from its baseline origin (`x`, `y`); every glyph is followed by `spacing` extra points. */
  text (text: string, font: PageFont, size: number, x: number, y: number, color: Color, spacing = 0): void {
    const name = nameIn(this.fonts, font.ref, 'F')
    this.operators.push(`BT /${name} ${n(size)} Tf ${n(spacing)} Tc ${fill(color)} ${n(x)} ${n(y)} Td <${font.hexOf(text)}> Tj ET`)
  }

  /** Draws `image` into the box from (`x`, `y`); multiplied with what is under it, as ink stamped on paper. */
  stampImage (image: PageImage, x: number, y: number, width: number, height: number): void {
    const name = nameIn(this.images, image.ref, 'Im')
    this.multiply = true
    this.operators.push(`q /Multiply gs ${n(width)} 0 0 ${n(height)} ${n(x)} ${n(y)} cm /${name} Do Q`)
  }

  /** Operators written elsewhere, e.g. the modules of a QR code. */
  raw (operators: string): void {
    this.operators.push(operators)
  }

  /** The content stream. */
  operatorsText (): string {
    return this.operators.join('\n')
  }

  /** The page's /Resources dictionary: every font and image named in the operators. */
  resources (): PdfValue {
    const byName = (names: Map<PdfRef, string>): Record<string, PdfRef> | undefined =>
      names.size === 0 ? undefined : Object.fromEntries([...names].map(([ref, name]) => [name, ref]))
    return {
      Font: byName(this.fonts),
      XObject: byName(this.images),
      ExtGState: this.multiply ? { Multiply: { Type: 'ExtGState', BM: 'Multiply' } } : undefined,
    }
  }
}

function nameIn (names: Map<PdfRef, string>, ref: PdfRef, prefix: string): string {
  let name = names.get(ref)
  if (name === undefined) {
    name = `${prefix}${names.size + 1}`
    names.set(ref, name)
  }
  return name
}

function fill ([red, green, blue]: Color): string {
  return `${n(red)} ${n(green)} ${n(blue)} rg`
}

function stroke ([red, green, blue]: Color): string {
  return `${n(red)} ${n(green)} ${n(blue)} RG`
}
