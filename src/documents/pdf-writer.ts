// Writes a PDF file from objects given as plain values: the few kinds of object a certificate needs.
import { deflateSync } from 'node:zlib'

/** An indirect reference to an object of the file. */
export class PdfRef {
  constructor (readonly id: number) {}
}

/** A text string (ISO 32000 7.9.2.2): written as PDFDocEncoded ASCII or as UTF-16BE with a byte order mark. */
export class PdfText {
  constructor (readonly text: string) {}
}

/** JavaScript strings are names (`'FlateDecode'` is /FlateDecode); undefined entries of a dictionary are left out. */
export type PdfValue =
  | number | boolean | string | PdfRef | PdfText | readonly PdfValue[] | { readonly [key: string]: PdfValue | undefined }

const textEncoder = new TextEncoder()

/** The objects of one PDF file, numbered in the order they are added or reserved. */
export class PdfWriter {
  private readonly bodies: Array<Buffer | undefined> = []

  /** A number for an object written later with `set`, so that objects can refer to each other. */
  reserve (): PdfRef {
    this.bodies.push(undefined)
    return new PdfRef(this.bodies.length)
  }

  add (value: PdfValue): PdfRef {
    const ref = this.reserve()
    this.set(ref, value)
    return ref
  }

  set (ref: PdfRef, value: PdfValue): void {
    this.bodies[ref.id - 1] = Buffer.from(serialise(value), 'latin1')
  }

  /** A stream of `data` as it is; `dictionary` gets its /Length. */
  addStream (dictionary: Readonly<Record<string, PdfValue | undefined>>, data: Uint8Array): PdfRef {
    const ref = this.reserve()
    const head = Buffer.from(`${serialise({ ...dictionary, Length: data.length })}\nstream\n`, 'latin1')
    this.bodies[ref.id - 1] = Buffer.concat([head, data, Buffer.from('\nendstream', 'latin1')])
    return ref
  }

  /**
   * A stream of `data` compressed with Flate at level 1, the fastest: for a certificate ~2 KB larger than at
   * level 6 (fonts within 5 %, page operators within 30 %) in a fraction of the time.
   */
  addDeflated (dictionary: Readonly<Record<string, PdfValue | undefined>>, data: Uint8Array | string): PdfRef {
    return this.addStream({ ...dictionary, Filter: 'FlateDecode' }, deflateSync(data, { level: 1 }))
  }

  /** The file: header, objects, cross-reference table and trailer. */
  finish (trailer: { readonly Root: PdfRef, readonly Info: PdfRef }): Uint8Array {
    // The comment of high bytes marks the file as binary for transfer programs (ISO 32000 7.5.2).
    const header = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')
    const chunks: Buffer[] = [header]
    let offset = header.length
    const offsets: number[] = []
    this.bodies.forEach((body, index) => {
      if (body === undefined) throw new Error(`PDF object ${index + 1} was reserved but never written`)
      const head = Buffer.from(`${index + 1} 0 obj\n`, 'latin1')
      const tail = Buffer.from('\nendobj\n', 'latin1')
      offsets.push(offset)
      chunks.push(head, body, tail)
      offset += head.length + body.length + tail.length
    })
    const size = this.bodies.length + 1
    const xref = ['xref', `0 ${size}`, '0000000000 65535 f ', ...offsets.map((at) => `${String(at).padStart(10, '0')} 00000 n `)]
    chunks.push(Buffer.from(`${xref.join('\n')}\ntrailer\n${serialise({ ...trailer, Size: size })}\nstartxref\n${offset}\n%%EOF\n`, 'latin1'))
    return Buffer.concat(chunks)
  }
}

/** A PDF date (ISO 32000 7.9.4), in UTC. */
export function pdfDate (date: Date): PdfText {
  return new PdfText(`D:${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`)
}

/** A number as PDF writes it: at most 4 decimals, never an exponent. */
export function pdfNumber (value: number): string {
  const rounded = Math.round(value * 10000) / 10000
  return Object.is(rounded, -0) ? '0' : Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(4).replace(/0+$/, '')
}

function serialise (value: PdfValue): string {
  if (typeof value === 'number') return pdfNumber(value)
  if (typeof value === 'boolean') return String(value)
  if (typeof value === 'string') return nameOf(value)
  if (value instanceof PdfRef) return `${value.id} 0 R`
  if (value instanceof PdfText) return textString(value.text)
  if (isArray(value)) return `[${value.map(serialise).join(' ')}]`
  const entries = Object.entries(value).filter((entry): entry is [string, PdfValue] => entry[1] !== undefined)
  return `<<${entries.map(([key, entry]) => `${nameOf(key)} ${serialise(entry)}`).join(' ')}>>`
}

function isArray (value: PdfValue): value is readonly PdfValue[] {
  return Array.isArray(value)
}

/** A name, with every byte outside the regular printable characters written as #xx (ISO 32000 7.3.5). */
function nameOf (name: string): string {
  let written = '/'
  for (const byte of textEncoder.encode(name)) {
    const regular = byte > 0x20 && byte < 0x7f && !'#()<>[]{}/%'.includes(String.fromCharCode(byte))
    written += regular ? String.fromCharCode(byte) : `#${byte.toString(16).padStart(2, '0')}`
  }
  return written
}

function textString (text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (character) => `\\${character}`)})`
  let hex = 'FEFF'
  for (let index = 0; index < text.length; index++) hex += text.charCodeAt(index).toString(16).padStart(4, '0')
  return `<${hex}>`
}
