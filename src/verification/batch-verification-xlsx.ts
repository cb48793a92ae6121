// The bulk verification report as an .xlsx workbook: the rows on 核验结果 (as the CSV report, plus the row of the uploaded sheet), the counts on 统计.
import type { Writable } from 'node:stream'
import { addCountsSheet, addTableSheet, chinaDateTime, chinaDay, commitRows, streamWorkbook, type CellValue, type SheetColumn } from '../spreadsheets/workbook-writing.js'
import { pdfsReportHeader, rowsReportHeader, verdictNames } from './batch-verification-csv.js'
import type { BatchVerdict, BatchVerificationReport, BatchVerificationRow } from './batch-verification-service.js'

/** The column of the uploaded sheet's row number (read past when the report is sent back). */
export const sheetRowHeader = '原表行号'

const widths: Readonly<Record<string, Pick<SheetColumn, 'width' | 'kind'>>> = {
  行号: { width: 7, kind: 'number' },
  [sheetRowHeader]: { width: 9, kind: 'number' },
  文件名: { width: 24, kind: 'text' },
  证书编号: { width: 18, kind: 'text' },
  所填姓名: { width: 12, kind: 'text' },
  核验结果: { width: 10, kind: 'text' },
  说明: { width: 60, kind: 'text' },
  '持证人（脱敏）': { width: 12, kind: 'text' },
  姓名是否一致: { width: 12, kind: 'text' },
  证书状态: { width: 10, kind: 'text' },
  年度: { width: 7, kind: 'number' },
  发证地区: { width: 24, kind: 'text' },
  发证机构: { width: 30, kind: 'text' },
  发证日期: { width: 12, kind: 'date' },
  撤销日期: { width: 12, kind: 'date' },
  总学时: { width: 8, kind: 'number' },
}
const columnsOf = (headers: readonly string[]): SheetColumn[] => headers.map(header => ({ header, ...(widths[header] ?? { width: 12, kind: 'text' }) }))
const statusNames = { valid: '有效', revoked: '已撤销' } as const

function cellsOf (row: BatchVerificationRow, source: BatchVerificationReport['source']): CellValue[] {
  const c = row.certificate
  const certificateCells: CellValue[] = c === undefined
    ? new Array<null>(7).fill(null)
    : [statusNames[c.status], c.year, c.region.name, c.issuer.name, chinaDay(c.issuedAt), c.revokedAt === undefined ? null : chinaDay(c.revokedAt), c.hours.total]
  const judged = [verdictNames[row.verdict], row.reasonZh, c?.maskedName ?? null]
  if (source === 'pdfs') return [row.row, row.file ?? null, row.number ?? null, ...judged, ...certificateCells]
  const matches = row.nameMatches === undefined ? null : row.nameMatches ? '是' : '否'
  return [row.row, row.sheetRow ?? null, row.number ?? null, row.name ?? null, ...judged, matches, ...certificateCells]
}

/**
 * Writes the report as .xlsx into `out` and ends it. Numbers are text cells (all 14 digits, and a
 * spoilt one exactly as sent), dates are dates in China time, the header is frozen. In .xlsx a cell
 * that starts with = is text, never a formula, so nothing needs the CSV's apostrophe.
 */
export async function writeVerificationXlsx (out: Writable, report: BatchVerificationReport): Promise<void> {
  const workbook = streamWorkbook(out)
  const headers = report.source === 'pdfs' ? pdfsReportHeader : [rowsReportHeader[0]!, sheetRowHeader, ...rowsReportHeader.slice(1)]
  const sheet = addTableSheet(workbook, '核验结果', columnsOf(headers))
  await commitRows(sheet, report.rows.map(row => cellsOf(row, report.source)), out)
  sheet.commit()
  addCountsSheet(workbook, [
    ['核验时间（北京时间）', chinaDateTime(report.checkedAt), 'datetime'],
    ['共计', report.summary.rows],
    ...(Object.keys(verdictNames) as BatchVerdict[]).map(v => [verdictNames[v], report.summary.verdicts[v]] as const),
  ])
  await workbook.commit()
}
