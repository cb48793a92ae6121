// The register as CSV for Excel: UTF-8 with BOM, CRLF line ends, Chinese column names.
import { stringify } from 'csv-stringify/sync'
import type { RegisterEntry } from './register-service.js'
import { chinaDate } from '../text/china-time.js'

export const registerCsvHeader = ['证书编号', '姓名', '工作单位', '发证日期', '状态', '撤销日期', '公需科目学时', '专业科目学时', '选修科目学时', '自学学时', '总学时']

// A cell Excel would run as a formula (CSV injection) is kept as text by a leading apostrophe.
export const asText = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s)

/**
 * A number Excel must show as text, every digit kept: `="44010625000001"`. A plain cell would become
 * 4.40106E+13; a leading apostrophe would show in the cell; a leading tab would stay in the value and
 * break VLOOKUP. Inside the formula the text is a string literal, so nothing of it is ever run.
 */
export function excelText (value: string | undefined): string {
  if (value === undefined || value === '') return ''
  // Excel's string literals stop at 255 characters; anything longer or with line breaks is no number.
  if (value.length > 200 || /[\u0000-\u001f]/.test(value)) return asText(value)
  return `="${value.replace(/"/g, '""')}"`
}
const statusNames = { valid: '有效', revoked: '已撤销' } as const
const dayOrEmpty = (iso: string | null) => (iso === null ? '' : chinaDate(iso))

function cellsOf (e: RegisterEntry): Array<string | number> {
  return [excelText(e.number), asText(e.holderName), asText(e.employerName), e.issueDate, statusNames[e.status], dayOrEmpty(e.revokedAt), e.hours.public, e.hours.professional, e.hours.elective, e.hours.selfStudy, e.hours.total]
}

/** CSV text chunks: the BOM and header first, then the entries in batches of `chunkRows` lines. */
export async function * registerCsv (entries: AsyncIterable<RegisterEntry>, chunkRows = 500): AsyncGenerator<string> {
  const options = { record_delimiter: '\r\n' } as const
  yield `\ufeff${stringify([registerCsvHeader], options)}`
  let chunk: Array<Array<string | number>> = []
  for await (const entry of entries) {
    chunk.push(cellsOf(entry))
    if (chunk.length === chunkRows) {
      yield stringify(chunk, options)
      chunk = []
    }
  }
  if (chunk.length > 0) yield stringify(chunk, options)
}
