// The layout of the A4 certificate page, after the template annexed to the Guangdong certificate rules.
import { BlendMode, degrees, rgb, type PDFImage, type PDFPage } from 'pdf-lib'
import type { Span } from './cjk-line-breaker.js'
import type { CertificateFonts, FontWeight } from './fonts.js'
import { drawQrCode, type QrMatrix } from './qr-code.js'
import { drawBlock, layoutText, type Alignment, type TextStyle } from './text-typesetter.js'

/** What the page shows, as printable strings. */
export interface CertificateContent {
  readonly title: string
  readonly number: string
  readonly holderName: string
  readonly year: string
  readonly hourRows: ReadonlyArray<{ readonly label: string, readonly given: string, readonly required: string }>
  readonly ruleSetName: string
  readonly regulationName: string
  readonly issuerName: string
  readonly employerName: string
  readonly issuedOn: string
}

export const pageSize: [number, number] = [595.28, 841.89]
const [pageWidth, pageHeight] = pageSize
const mm = 72 / 25.4
const ink = rgb(0.1, 0.1, 0.1)
const muted = rgb(0.33, 0.33, 0.33)
const red = rgb(0.6, 0.1, 0.1)
const tableRule = rgb(0.45, 0.45, 0.45)
const left = 72
const textWidth = pageWidth - 2 * left

const style = (weight: FontWeight, size: number, extra: Partial<TextStyle> = {}): TextStyle =>
  ({ weight, size, color: ink, ...extra })
const styles = {
  number: style('regular', 11, { color: muted }),
  name: style('bold', 22),
  employer: style('regular', 12, { color: muted }),
  body: style('regular', 14),
  filled: style('regular', 14, { underline: true }),
  caption: style('regular', 11, { color: muted }),
  cell: style('regular', 12),
  issuer: style('regular', 13),
  qr: style('regular', 9, { color: muted }),
}
const tableHeader = ['类别', '完成学时', '要求学时']
const qrCaption = ['扫描二维码核验证书真伪', 'Scan to verify']

/** Every character the page draws, by weight, so the fonts can be subset to exactly these. */
export function textsOf (content: CertificateContent): Record<FontWeight, string> {
  return {
    bold: content.title + content.holderName,
    regular: [
      numberLine(content), ...sentence(content).map((span) => span.text), employerLine(content),
      tableCaption(content), ...tableHeader, ...content.hourRows.flatMap((row) => [row.label, row.given, row.required]),
      '发证单位：', content.issuerName, '发证时间：', content.issuedOn, ...qrCaption,
    ].join(''),
  }
}

/** Draws the whole certificate; `seal` is the issuer's seal image, placed over its name. */
export function drawCertificatePage (
  page: PDFPage, fonts: CertificateFonts, content: CertificateContent, qr: QrMatrix, seal: PDFImage | null,
): void {
  drawBorder(page)
  const put = (spans: Array<Span<TextStyle>>, width: number, x: number, baseline: number,
    lineHeight: number, align: Alignment): number =>
    drawBlock(page, fonts, layoutText(fonts, spans, width), { left: x, baseline, lineHeight, align })

  put([{ text: numberLine(content), style: styles.number }], textWidth, left, pageHeight - 66, 14, 'right')

  const titleWidth = fonts.widthOf(content.title, 'bold', 1)
  const titleSize = Math.min(26, (textWidth - 8) / titleWidth)
  put([{ text: content.title, style: style('bold', titleSize, { color: red }) }],
    textWidth, left, pageHeight - 140, titleSize * 1.4, 'center')
  drawOrnament(page, pageHeight - 160)

  let y = put([{ text: content.holderName, style: styles.name, keepTogether: true }],
    textWidth, left, pageHeight - 214, 30, 'center')
  if (content.employerName !== '') {
    y = put([{ text: employerLine(content), style: styles.employer }], textWidth - 60, left + 30, y + 4, 18, 'center')
  }
  y = put(sentence(content), textWidth, left, y - 22, 30, 'justify')

  const bottom = drawIssuerAndQr(page, fonts, content, qr, seal)
  drawHoursTable(page, fonts, content, y + 6, bottom + 18)
}

function numberLine (content: CertificateContent): string {
  return `证书编号：${content.number}`
}

function employerLine (content: CertificateContent): string {
  return `工作单位：${content.employerName}`
}

function tableCaption (content: CertificateContent): string {
  return `学时完成情况（${content.ruleSetName}）`
}

function sentence (content: CertificateContent): Array<Span<TextStyle>> {
  return [
    { text: '　　', style: styles.body },
    { text: content.holderName, style: styles.filled, keepTogether: true },
    { text: ' 参加专业技术人员继续教育学习，经审核，已完成 ', style: styles.body },
    { text: content.year, style: styles.filled, keepTogether: true, keepWithNext: true },
    { text: ` 年度专业技术人员继续教育学习任务，根据${content.regulationName}，特发此证。`, style: styles.body },
  ]
}

function drawBorder (page: PDFPage): void {
  const frame = (inset: number, thickness: number): void => {
    page.drawRectangle({
      x: inset, y: inset, width: pageWidth - 2 * inset, height: pageHeight - 2 * inset,
      borderColor: red, borderWidth: thickness,
    })
  }
  frame(24, 2.6)
  frame(30, 0.7)
  // A small square on each inner corner, the way printed certificate frames finish their corners.
  for (const x of [30, pageWidth - 30]) {
    for (const y of [30, pageHeight - 30]) {
      page.drawRectangle({ x: x - 4, y: y - 4, width: 8, height: 8, color: red })
    }
  }
}

function drawOrnament (page: PDFPage, y: number): void {
  const centre = pageWidth / 2
  page.drawLine({ start: { x: centre - 110, y }, end: { x: centre - 8, y }, thickness: 0.6, color: red })
  page.drawLine({ start: { x: centre + 8, y }, end: { x: centre + 110, y }, thickness: 0.6, color: red })
  page.drawSquare({ x: centre, y: y - 3.5, size: 5, rotate: degrees(45), color: red })
}

/** Draws the table of hours between `top` and `bottom`, shrinking its rows if space is short. */
function drawHoursTable (page: PDFPage, fonts: CertificateFonts, content: CertificateContent, top: number, bottom: number): void {
  const rows = [tableHeader, ...content.hourRows.map((row) => [row.label, row.given, row.required])]
  const columns = [170, 110, 110]
  const width = columns.reduce((sum, column) => sum + column, 0)
  const x0 = (pageWidth - width) / 2
  const captionHeight = 24
  const rowHeight = Math.max(17, Math.min(24, (top - bottom - captionHeight - 20) / rows.length))
  const tableHeight = rowHeight * rows.length
  const slack = Math.max(0, top - bottom - captionHeight - tableHeight)
  let y = top - slack / 2

  drawBlock(page, fonts, layoutText(fonts, [{ text: tableCaption(content), style: styles.caption }], width + 60),
    { left: x0 - 30, baseline: y - 12, lineHeight: 14, align: 'center' })
  y -= captionHeight
  page.drawRectangle({ x: x0, y: y - rowHeight, width, height: rowHeight, color: rgb(0.96, 0.93, 0.9) })
  const lastRow = rows.length - 1
  rows.forEach((cells, index) => {
    const size = Math.min(12, rowHeight * 0.55)
    let x = x0
    cells.forEach((text, column) => {
      const columnWidth = columns[column] ?? 0
      const cellStyle = { ...styles.cell, size: Math.min(size, (columnWidth - 10) / Math.max(1, fonts.widthOf(text, 'regular', 1))) }
      const textWidth = fonts.widthOf(text, 'regular', cellStyle.size)
      drawBlock(page, fonts, { lines: [{ pieces: [{ text, style: cellStyle }], width: textWidth }], width: columnWidth },
        { left: x, baseline: y - rowHeight / 2 - cellStyle.size * 0.36, lineHeight: 0, align: 'center' })
      x += columnWidth
    })
    const thickness = index === 0 || index === lastRow ? 0.9 : 0.5
    page.drawLine({ start: { x: x0, y: y - rowHeight }, end: { x: x0 + width, y: y - rowHeight }, thickness, color: tableRule })
    y -= rowHeight
  })
  const tableTop = y + tableHeight
  page.drawLine({ start: { x: x0, y: tableTop }, end: { x: x0 + width, y: tableTop }, thickness: 0.9, color: tableRule })
  let x = x0
  for (const columnWidth of [0, ...columns]) {
    x += columnWidth
    page.drawLine({ start: { x, y: tableTop }, end: { x, y }, thickness: 0.5, color: tableRule })
  }
}

/** Draws the QR code (left) and the issuer block (right) at the foot of the page; returns their top. */
function drawIssuerAndQr (
  page: PDFPage, fonts: CertificateFonts, content: CertificateContent, qr: QrMatrix, seal: PDFImage | null,
): number {
  // Keep a module at ≥ 0.5 mm, and the code at least 50 mm wide: a phone's photo of the compact QR code (version
  // 10 or 11) then decodes (45 mm failed one photo in four in test/documents/certificate-scanning.test.ts); 60 mm at most.
  const side = Math.min(60 * mm, Math.max(50 * mm, qr.size * 0.5 * mm))
  const qrBottom = 84
  const qrLeft = left
  drawQrCode(page, qr, qrLeft, qrBottom + side, side)
  qrCaption.forEach((text, index) => {
    drawBlock(page, fonts, layoutText(fonts, [{ text, style: styles.qr }], side + 40),
      { left: qrLeft - 20, baseline: qrBottom - 16 - index * 12, lineHeight: 12, align: 'center' })
  })

  const blockLeft = pageWidth / 2 + 4
  const blockWidth = pageWidth - left - blockLeft
  const labelWidth = fonts.widthOf('发证单位：', 'regular', styles.issuer.size)
  const issuer = layoutText(fonts, [{ text: content.issuerName, style: styles.issuer }], blockWidth - labelWidth)
  const lineHeight = 22
  const dateBaseline = qrBottom + side * 0.3
  const issuerBaseline = dateBaseline + 16 + issuer.lines.length * lineHeight
  const label = (text: string, baseline: number): void => {
    drawBlock(page, fonts, layoutText(fonts, [{ text, style: styles.issuer }], labelWidth + 1),
      { left: blockLeft, baseline, lineHeight, align: 'left' })
  }
  label('发证单位：', issuerBaseline)
  drawBlock(page, fonts, issuer, { left: blockLeft + labelWidth, baseline: issuerBaseline, lineHeight, align: 'left' })
  label('发证时间：', dateBaseline)
  drawBlock(page, fonts, layoutText(fonts, [{ text: content.issuedOn, style: styles.issuer }], blockWidth - labelWidth),
    { left: blockLeft + labelWidth, baseline: dateBaseline, lineHeight, align: 'left' })

  if (seal !== null) {
    // An official seal is about 42 mm across and is stamped over the issuer's name, reaching the date.
    const box = 42 * mm
    const scale = Math.min(box / seal.width, box / seal.height)
    const width = seal.width * scale
    const height = seal.height * scale
    const centreX = blockLeft + labelWidth + (blockWidth - labelWidth) / 2
    const centreY = (issuerBaseline + dateBaseline) / 2 + 6
    page.drawImage(seal, { x: centreX - width / 2, y: centreY - height / 2, width, height, blendMode: BlendMode.Multiply })
  }
  return Math.max(qrBottom + side, issuerBaseline + 20)
}
