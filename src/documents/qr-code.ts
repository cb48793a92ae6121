// The verification QR code, drawn as vector squares: sharper, smaller and faster than an embedded PNG.
import QRCode from 'qrcode'
import type { PageContent } from './page-content.js'
import { remaskQrCode } from './qr-mask.js'

/** A QR code's modules: `size` × `size`, true for dark. */
export interface QrMatrix {
  readonly size: number
  readonly version: number
  readonly isDark: (row: number, column: number) => boolean
}

/** Encodes `text` exactly, as UTF-8 bytes, with error correction level M. */
export function createQrMatrix (text: string): QrMatrix {
  // One byte segment: qrcode's search for an optimal mix of modes costs more than the few bits it saves here.
  // Mask 0 spares qrcode its slow search for the best mask; remaskQrCode finds the same one.
  const { modules, version } = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }],
    { errorCorrectionLevel: 'M', maskPattern: 0 })
  const dark = remaskQrCode(modules)
  const size = modules.size
  return { size, version, isDark: (row, column) => dark[row * size + column] === 1 }
}

/**
 * Draws `qr` as a square of side `side` points whose top-left corner is at (`left`, `top`).
 * The caller keeps the 4-module quiet zone around it free.
 */
export function drawQrCode (page: PageContent, qr: QrMatrix, left: number, top: number, side: number): void {
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
  page.raw(operators.join('\n'))
}

function round (value: number): number {
  return Math.round(value * 10000) / 10000
}
