// Renders a verification report (核验报告) as a signed A4 PDF: number and code, committee, time, counts, every verdict, a QR code.
import fontkit from '@pdf-lib/fontkit'
import { PDFDocument, rgb, type PDFPage } from 'pdf-lib'
import type { PdfSigner } from '../signing/pdf-cms.js'
import { embedCertificateFonts, type CertificateFonts } from './fonts.js'
import type { FontWeight } from './font-files.js'
import { addSignaturePlaceholder, signCertificatePdf } from './pdf-signature.js'
import { createQrMatrix, drawQrCode } from './qr-code.js'

export interface ReportPdfInput {
  number: string
  code: string
  committee: string
  /** As people read it, in China time. */
  checkedAtText: string
  checkedAt: Date
  /** e.g. 共 5 行：有效 2，已撤销 1… */
  summaryText: string
  rows: Array<{ row: string, number: string, maskedName: string, verdict: string, reason: string }>
  /** Exact content of the QR code: the page that confirms the report. */
  confirmUrl: string
  signer: PdfSigner
}

const [width, height] = [595.28, 841.89]
const margin = 48
const columns = [{ title: '行号', x: 0, chars: 5 }, { title: '证书编号', x: 34, chars: 16 }, { title: '持证人', x: 134, chars: 6 }, { title: '结果', x: 190, chars: 6 }, { title: '说明', x: 250, chars: 26 }]
const rowHeight = 15
const clip = (text: string, chars: number) => ([...text].length > chars ? `${[...text].slice(0, chars - 1).join('')}…` : text)

function draw (page: PDFPage, fonts: CertificateFonts, text: string, x: number, y: number, size: number, weight: FontWeight = 'regular'): void {
  let left = x
  for (const run of fonts.runs(text, weight)) {
    page.drawText(run.text, { x: left, y, size, font: run.font, color: rgb(0.1, 0.12, 0.17) })
    left += run.font.widthOfTextAtSize(run.text, size)
  }
}

/** The report as a signed PDF (PAdES B-B by `signer`, like the certificates); pages as the rows need. */
export async function renderReportPdf (input: ReportPdfInput): Promise<Uint8Array> {
  const title = '继续教育证书核验报告'
  const facts = [`报告编号：${input.number}    验证码：${input.code}`, `核验单位：${input.committee}`, `核验时间：${input.checkedAtText}`, input.summaryText]
  const notice = `本报告由证书服务签名。扫描二维码，或凭报告编号和验证码访问 ${input.confirmUrl.split('?')[0]!}，可核实本报告内容未被改动。`
  const cells = input.rows.map(r => [r.row, r.number, r.maskedName, r.verdict, clip(r.reason, columns[4]!.chars)])
  const doc = await PDFDocument.create({ updateMetadata: false })
  doc.registerFontkit(fontkit)
  const fonts = await embedCertificateFonts(doc, {
    bold: title + columns.map(c => c.title).join(''),
    regular: [...facts, notice, '第 页，共 页0123456789', ...cells.flat()].join(''),
  })
  const perFirstPage = 34
  const perPage = 46
  const pageCount = 1 + Math.max(0, Math.ceil((cells.length - perFirstPage) / perPage))
  let index = 0
  for (let p = 0; p < pageCount; p++) {
    const page = doc.addPage([width, height])
    let y = height - margin
    if (p === 0) {
      draw(page, fonts, title, margin, y - 20, 20, 'bold')
      y -= 52
      for (const line of facts) { draw(page, fonts, line, margin, y, 10.5); y -= 18 }
      drawQrCode(page, createQrMatrix(input.confirmUrl), width - margin - 96, height - margin, 96)
      y -= 6
      // 8.5 pt CJK: about 46 characters fit beside the QR code; the address may break anywhere.
      const characters = [...notice]
      for (let i = 0; i < characters.length; i += 46) { draw(page, fonts, characters.slice(i, i + 46).join(''), margin, y, 8.5); y -= 13 }
      y -= 10
    }
    for (const column of columns) draw(page, fonts, column.title, margin + column.x, y, 9.5, 'bold')
    page.drawLine({ start: { x: margin, y: y - 4 }, end: { x: width - margin, y: y - 4 }, thickness: 0.6, color: rgb(0.5, 0.5, 0.5) })
    y -= rowHeight + 2
    const take = p === 0 ? perFirstPage : perPage
    for (const row of cells.slice(index, index + take)) {
      row.forEach((cell, i) => { draw(page, fonts, cell, margin + columns[i]!.x, y, 9) })
      y -= rowHeight
    }
    index += take
    draw(page, fonts, `第 ${p + 1} 页，共 ${pageCount} 页`, width / 2 - 30, margin / 2, 8.5)
  }
  doc.setTitle(`${title} ${input.number}`, { showInWindowTitleBar: true })
  doc.setAuthor(input.committee)
  doc.setCreator('ce-certificates')
  doc.setProducer('ce-certificates (pdf-lib, HarfBuzz subset fonts)')
  doc.setCreationDate(input.checkedAt)
  doc.setModificationDate(input.checkedAt)
  doc.setLanguage('zh-CN')
  addSignaturePlaceholder(doc, { signer: input.signer, signingTime: input.checkedAt, reason: `${title}，报告编号 ${input.number}` })
  return await signCertificatePdf(await doc.save(), input.signer)
}
