// Bulk verification in CSV, as Excel users exchange it: the committee's list read in, the report written out.
import { stringify } from 'csv-stringify/sync'
import { ServiceError } from '../errors.js'
import { foldCsvHeader, readCsvRecords } from '../batches/batch-csv.js'
import { asText, chinaDate, excelText } from '../reports/register-csv.js'
import type { BatchVerdict, BatchVerificationReport, BatchVerificationRow } from './batch-verification-service.js'

type Column = 'number' | 'name'

/** Header names accepted for each column (compared without case, spaces, '_' or '-'); the first is the documented one. */
export const verificationCsvColumns: Readonly<Record<Column, readonly string[]>> = {
  number: ['number', '证书编号', '编号', '证书号', 'certificateNumber'],
  name: ['name', '姓名', '持证人', 'holderName'],
}

const columnByHeader = new Map<string, Column>(
  (Object.entries(verificationCsvColumns) as Array<[Column, readonly string[]]>).flatMap(([column, names]) => names.map(n => [foldCsvHeader(n), column] as const)),
)

/**
 * The rows of a committee's CSV as `{ number, name? }`, cells exactly as written (not trimmed, so a
 * number with stray spaces is reported, not silently fixed). UTF-8 with or without BOM, quoted
 * fields, CRLF; a header row with a number column and optionally a name column; empty lines and
 * rows of empty cells are skipped. Throws MALFORMED_CSV when the CSV or its header cannot be read.
 */
export function readVerificationCsv (bytes: Uint8Array): Array<{ number: string, name?: string }> {
  const [header, ...records] = readCsvRecords(bytes, { trim: false })
  if (header === undefined) throw new ServiceError('MALFORMED_CSV', 'The CSV is empty: it needs a header row (number,name or 证书编号,姓名) and one row per certificate.')
  const columns = header.map(h => columnByHeader.get(foldCsvHeader(h)))
  const unknown = header.filter((_, i) => columns[i] === undefined)
  const repeated = columns.filter((c, i) => c !== undefined && columns.indexOf(c) !== i)
  const missing = columns.includes('number') ? [] : ['number']
  if (unknown.length > 0 || repeated.length > 0 || missing.length > 0) {
    throw new ServiceError('MALFORMED_CSV', `The CSV header is not understood: ${[
      unknown.length > 0 ? `unknown columns ${unknown.join(', ')}` : '',
      missing.length > 0 ? 'no number (证书编号) column' : '',
      repeated.length > 0 ? `repeated columns ${repeated.join(', ')}` : '',
    ].filter(Boolean).join('; ')}.`, { unknownColumns: unknown, missingColumns: missing, repeatedColumns: repeated, columns: Object.keys(verificationCsvColumns) })
  }
  const cellOf = (cells: string[], column: Column) => cells[columns.indexOf(column)] ?? ''
  return records.filter(cells => cells.some(c => c.trim() !== '')).map(cells => {
    const name = cellOf(cells, 'name')
    return { number: cellOf(cells, 'number'), ...(name.trim() === '' ? {} : { name }) }
  })
}

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

const chinaTime = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
const statusNames = { valid: '有效', revoked: '已撤销' } as const

function cellsOf (row: BatchVerificationRow, source: BatchVerificationReport['source']): Array<string | number> {
  const c = row.certificate
  const certificateCells = c === undefined
    ? new Array<string>(7).fill('')
    : [statusNames[c.status], c.year, c.region.name, asText(c.issuer.name), chinaDate(c.issuedAt), chinaDate(c.revokedAt ?? null), c.hours.total]
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
    stringify([summaryHeader, [chinaTime(report.checkedAt), report.summary.rows, ...counts]], options) +
    '\r\n' +
    stringify([report.source === 'pdfs' ? pdfsReportHeader : rowsReportHeader, ...report.rows.map(row => cellsOf(row, report.source))], options)
}
