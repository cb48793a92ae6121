// The bulk verification report as CSV, as Excel users exchange it (the list is read by batch-verification-table.ts).
import { stringify } from 'csv-stringify/sync'
import { asText, excelText } from '../reports/register-csv.js'
import { chinaDate, chinaDateTime } from '../text/china-time.js'
import type { BatchVerdict, BatchVerificationReport, BatchVerificationRow } from './batch-verification-service.js'

export const verdictNames: Readonly<Record<BatchVerdict, string>> = {
  valid: '有效',
  revoked: '已撤销',
  'not-found': '未找到',
  'name-mismatch': '姓名不符',
  'name-unchecked': '姓名未核对',
  duplicate: '重复',
  malformed: '格式错误',
  'invalid-signature': '签名无效',
  altered: '伪造或被篡改',
}

const summaryHeader = ['核验时间', '共计', ...Object.values(verdictNames)]
export const rowsReportHeader = ['行号', '证书编号', '所填姓名', '核验结果', '说明', '持证人（脱敏）', '姓名是否一致', '证书状态', '年度', '发证地区', '发证机构', '发证日期', '撤销日期', '总学时']
export const pdfsReportHeader = ['行号', '文件名', '证书编号', '核验结果', '说明', '持证人（脱敏）', '证书状态', '年度', '发证地区', '发证机构', '发证日期', '撤销日期', '总学时']

const statusNames = { valid: '有效', revoked: '已撤销' } as const

function cellsOf (row: BatchVerificationRow, source: BatchVerificationReport['source']): Array<string | number> {
  const c = row.certificate
  const certificateCells = c === undefined
    ? new Array<string>(7).fill('')
    : [statusNames[c.status], c.year, c.region.name, asText(c.issuer.name), chinaDate(c.issuedAt), (c.revokedAt === undefined || c.revokedAt === null ? '' : chinaDate(c.revokedAt)), c.hours.total]
  const judged = [verdictNames[row.verdict], asText(row.reasonZh), c?.maskedName === undefined ? '' : asText(c.maskedName)]
  if (source === 'pdfs') return [row.row, asText(row.file ?? ''), excelText(row.number), ...judged, ...certificateCells]
  const matches = row.nameMatches === undefined ? '' : row.nameMatches ? '是' : '否'
  return [row.row, excelText(row.number), asText(row.name ?? ''), ...judged, matches, ...certificateCells]
}

/**
 * The report as CSV for Excel: UTF-8 with BOM, CRLF, Chinese headers. The counts come first (a
 * header line and a line of values), then an empty line, then the table of rows — so Excel's filter
 * and sort pick up the table on its own. Numbers are written as ="…" so Excel keeps every digit.
 */
export function writeVerificationCsv (report: BatchVerificationReport): string {
  const options = { record_delimiter: '\r\n' } as const
  const counts = Object.keys(verdictNames).map(v => report.summary.verdicts[v as BatchVerdict])
  return '\ufeff' +
    stringify([summaryHeader, [chinaDateTime(report.checkedAt), report.summary.rows, ...counts]], options) +
    '\r\n' +
    stringify([report.source === 'pdfs' ? pdfsReportHeader : rowsReportHeader, ...report.rows.map(row => cellsOf(row, report.source))], options)
}
