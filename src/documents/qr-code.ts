// The verification QR code, drawn as vector squares: sharper, smaller and faster than an embedded PNG.
import { deflateSync } from 'node:zlib'
import { PDFRawStream, type PDFPage } from 'pdf-lib'
import QRCode from 'qrcode'

/** A QR code's modules: `size` × `size`, true for dark. */
export interface QrMatrix {
  readonly size: number
  readonly version: number
  readonly isDark: (row: number, column: number) => boolean
}

/**
 * The segments `text` is encoded in: every run of 8 digits or more (the certificate number, a compact token)
 * in numeric mode, at 10 bits for 3 digits; everything else as UTF-8 bytes. A shorter run costs more in a
 * segment header of its own than it saves. (qrcode's search for an optimal mix costs more than it finds here.)
 */
export function qrSegmentsOf (text: string): Array<{ data: string, mode: 'numeric' } | { data: Buffer, mode: 'byte' }> {
  return [...text.matchAll(/[0-9]{8,}|(?:[^0-9]|[0-9]{1,7}(?![0-9]))+/gu)].map(([run]) =>
    /^[0-9]+$/.test(run) ? { data: run, mode: 'numeric' as const } : { data: Buffer.from(run, 'utf8'), mode: 'byte' as const })
}

/** Encodes `text` exactly (numeric runs and UTF-8 bytes: qrSegmentsOf), with error correction level M. */
export function createQrMatrix (text: string): QrMatrix {
  const { modules, version } = QRCode.create(qrSegmentsOf(text), { errorCorrectionLevel: 'M' })
  return { size: modules.size, version, isDark: (row, column) => Boolean(modules.get(row, column)) }
}

/**
 * Draws `qr` as a square of side `side` points whose top-left corner is at (`left`, `top`).
 * The caller keeps the 4-module quiet zone around it free.
 */
export function drawQrCode (page: PDFPage, qr: QrMatrix, left: number, top: number, side: number): void {
  const moduleSide = round(side / qr.size)
  // One module = one unit, rows counted downwards, so every rectangle has small integer coordinates;
  // all are filled at once, so no anti-aliasing seams show between neighbouring modules.
  const operators = [`q ${moduleSide} 0 0 ${-moduleSide} ${round(left)} ${round(top)} cm 0 g`]
  for (let row = 0; row < qr.size; row++) {
    let column = 0
    while (column < qr.size) {
      if (!qr.isDark(row, column)) {
        column++
        continue
      }
      const start = column
      while (column < qr.size && qr.isDark(row, column)) column++
      operators.push(`${start} ${row} ${column - start} 1 re`)
    }
  }
  operators.push('f Q')
  // Written as a raw content stream: thousands of pdf-lib operator objects would cost more than the page itself.
  const context = page.doc.context
  const stream = PDFRawStream.of(context.obj({ Filter: 'FlateDecode' }), deflateSync(operators.join('\n')))
  page.node.addContentStream(context.register(stream))
}

function round (value: number): number {
  return Math.round(value * 10000) / 10000
}
