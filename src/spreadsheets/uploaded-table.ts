// One reader for every uploaded table: CSV in any encoding Excel or WPS saves, or .xlsx; the header found below a title; rows bounded.
import { ServiceError, type Wording } from '../errors.js'
import { openCsvRows, type Delimiter } from './csv-rows.js'
import type { TextEncoding } from './text-encoding.js'
import { openXlsxSheets } from './xlsx-rows.js'
import { chineseName, foldHeader, headerMatcher, type HeaderMatch, type TableColumns } from './table-header.js'
import { columnLetters, tableLimits, type RawRow, type TableCell, type TableLimits } from './table-rows.js'
import { countText, listSome, listSomeZh, quoteCell } from './table-wording.js'

export const xlsxContentType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

export interface UploadedRow<F extends string> {
  /** The row as Excel or WPS numbers it (title and header rows counted). */
  sheetRow: number
  cells: Partial<Record<F, TableCell>>
  /** The 序号 column says 示例: the sample row of a template. */
  sample: boolean
}

export interface UploadedTable<F extends string> {
  format: 'csv' | 'xlsx'
  encoding?: TextEncoding
  delimiter?: Delimiter
  sheet?: string
  headerRow: number
  /** Each field's header as written in the file, for messages. */
  headers: Partial<Record<F, string>>
  rows: Array<UploadedRow<F>>
}

type Format = UploadedTable<string>['format']

const refusal = (format: Format, wording: Wording, details?: unknown) => new ServiceError(format === 'xlsx' ? 'MALFORMED_XLSX' : 'MALFORMED_CSV', wording, details)
const startsWith = (bytes: Uint8Array, signature: number[]) => signature.every((b, i) => bytes[i] === b)
/** A row's texts up to its last non-empty cell. */
const textsOf = (row: RawRow) => {
  const texts = Array.from(row.cells, cell => cell?.text ?? '')
  while (texts.length > 0 && texts.at(-1)!.trim() === '') texts.pop()
  return texts
}

interface Sheet { name?: string, rows: AsyncIterable<RawRow> }
interface HeaderFound<F extends string> { row: RawRow, match: HeaderMatch<F> }

/** Looks for the header in the first rows of a sheet; the rows iterator is left just after it. */
async function findHeader<F extends string> (rows: AsyncIterator<RawRow>, match: (headers: readonly string[]) => HeaderMatch<F>, limits: TableLimits) {
  let best: HeaderFound<F> | undefined
  let hasData = false
  for (;;) {
    const next = await rows.next()
    if (next.done === true) return { best, hasData, ended: true }
    if (next.value.sheetRow > limits.maxRowsBeforeHeader + 1) return { best, hasData, ended: false }
    const texts = textsOf(next.value)
    if (texts.length === 0) continue
    hasData = true
    const found = { row: next.value, match: match(texts) }
    if (found.match.missing.length === 0) return { header: found, best, hasData, ended: false }
    if (found.match.fields.length > (best?.match.fields.length ?? 0)) best = found
  }
}

function headerNotFound<F extends string> (format: Format, columns: TableColumns<F>, limits: TableLimits, best: HeaderFound<F> | undefined, sheet: string | undefined): ServiceError {
  const required = columns.required.map(f => chineseName(columns, f))
  const where = sheet === undefined ? '' : `工作表“${quoteCell(sheet)}”`
  const details = { requiredColumns: columns.required, columns: Object.keys(columns.names), ...(sheet === undefined ? {} : { sheet }) }
  if (best !== undefined && best.match.fields.length >= 2) {
    const missing = best.match.missing.map(f => chineseName(columns, f))
    return refusal(format, {
      en: `Row ${best.row.sheetRow}${sheet === undefined ? '' : ` of sheet ${sheet}`} looks like the header but lacks the required columns ${missing.join(', ')}.`,
      zh: `${where}第 ${best.row.sheetRow} 行像是表头，但缺少必填列：${missing.join('、')}。表头须包含 ${required.join('、')}（列名可带“*”或“（学时）”）。`,
    }, { ...details, headerRow: best.row.sheetRow, missingColumns: best.match.missing })
  }
  return refusal(format, {
    en: `No header found in the first ${limits.maxRowsBeforeHeader} rows${sheet === undefined ? '' : ` of sheet ${sheet}`}: the header must name the columns ${columns.required.join(', ')} (or ${required.join(', ')}).`,
    zh: `${where}前 ${limits.maxRowsBeforeHeader} 行中没有找到表头：表头须包含 ${required.join('、')} 这几列（列名可带“*”或“（学时）”，标题行、空行会被跳过）。`,
  }, { ...details, missingColumns: columns.required })
}

/** Unknown and repeated columns of a header refuse the file: a column read wrongly would issue wrongly. */
function checkHeader<F extends string> (format: Format, columns: TableColumns<F>, header: HeaderFound<F>): void {
  const unknown = header.match.cells.flatMap((c, i) => (c.kind === 'unknown' ? [{ header: c.header, letter: columnLetters(i) }] : []))
  const fieldsAt = new Map<F, string[]>()
  header.match.cells.forEach((c, i) => { if (c.kind === 'field') fieldsAt.set(c.field, [...(fieldsAt.get(c.field) ?? []), columnLetters(i)]) })
  const repeated = [...fieldsAt].filter(([, letters]) => letters.length > 1)
  if (unknown.length === 0 && repeated.length === 0) return
  const row = header.row.sheetRow
  const known = Object.values<readonly string[]>(columns.names).map(names => names[1] ?? names[0]!)
  const en: string[] = []
  const zh: string[] = []
  if (unknown.length > 0) {
    en.push(`unknown columns ${listSome(unknown.map(u => `${u.letter} "${quoteCell(u.header)}"`))}`)
    zh.push(`无法识别的列：${listSomeZh(unknown.map(u => `${u.letter} 列“${quoteCell(u.header)}”`), '列')}（可识别的列：${known.join('、')}；序号、备注和没有列名的列会被忽略，其他列请删除）`)
  }
  if (repeated.length > 0) {
    en.push(`repeated columns ${repeated.map(([f, letters]) => `${f} (${letters.join(', ')})`).join('; ')}`)
    zh.push(`重复的列：${repeated.map(([f, letters]) => `“${chineseName(columns, f)}”出现在 ${letters.join('、')} 列`).join('；')}`)
  }
  throw refusal(format, { en: `The header (row ${row}) is not understood: ${en.join('; ')}.`, zh: `第 ${row} 行表头无法识别：${zh.join('；')}。` }, {
    headerRow: row,
    unknownColumns: unknown.slice(0, 10).map(u => quoteCell(u.header)),
    unknownColumnCount: unknown.length,
    repeatedColumns: repeated.map(([f]) => f),
    columns: Object.keys(columns.names),
  })
}

async function sheetsOf (bytes: Uint8Array, limits: TableLimits, isHeader: (cells: string[]) => boolean) {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return { format: 'xlsx' as const, sheets: await openXlsxSheets(bytes, limits) as Sheet[] }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw refusal('xlsx', {
      en: 'This is an Excel 97-2003 workbook (.xls) or a password-protected .xlsx: save it as "Excel Workbook (.xlsx)" without a password, or as CSV.',
      zh: '这是旧版 Excel 97-2003 工作簿（.xls）或设有密码的 .xlsx：请另存为“Excel 工作簿（.xlsx）”（不设密码）或 CSV 后上传。',
    })
  }
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) throw refusal('csv', { en: 'This is a PDF, not a table: send the list as .xlsx or CSV.', zh: '这是 PDF 文件，不是表格：请上传 .xlsx 或 CSV 格式的名单。' })
  const csv = await openCsvRows(bytes, limits, isHeader)
  return { format: 'csv' as const, encoding: csv.encoding, delimiter: csv.delimiter, sheets: [{ rows: csv.rows }] as Sheet[] }
}

/**
 * Reads an uploaded table — CSV (UTF-8 with or without BOM, GB18030/GBK, UTF-16 with BOM; comma,
 * tab or semicolon) or .xlsx (the first visible worksheet whose first rows hold the header) —
 * detected from the bytes. The header is the first row naming every required column of `columns`,
 * below any title rows or blank lines; 序号, 备注, empty-headed columns and the ignored columns are
 * read past; an unknown or repeated column refuses the file (MALFORMED_CSV or MALFORMED_XLSX).
 * Rows without a value in any column read are skipped. Everything is bounded by `limits` before
 * it is read — size, columns, cells, lines, inflated parts (TABLE_TOO_LARGE) — and more than
 * `limits.maxDataRows` rows, or none, is VALIDATION_FAILED.
 */
export async function readUploadedTable<F extends string> (bytes: Uint8Array, columns: TableColumns<F>, limits: TableLimits = tableLimits): Promise<UploadedTable<F>> {
  if (bytes.length === 0) throw refusal('csv', { en: 'The file is empty.', zh: '文件是空的。' })
  if (bytes.length > limits.maxBytes) {
    const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`
    throw new ServiceError('TABLE_TOO_LARGE', { en: `The file has ${mb(bytes.length)}; a table may have at most ${mb(limits.maxBytes)}.`, zh: `文件大小为 ${mb(bytes.length)}，表格最大 ${mb(limits.maxBytes)}：请分成几个文件上传。` }, { bytes: bytes.length, maxBytes: limits.maxBytes })
  }
  const match = headerMatcher(columns)
  const source = await sheetsOf(bytes, limits, cells => match(cells).missing.length === 0)
  let firstWithData: { name?: string, best?: HeaderFound<F> } | undefined
  let blankStart = false
  for (const sheet of source.sheets) {
    const rows = sheet.rows[Symbol.asyncIterator]()
    const { header, best, hasData, ended } = await findHeader(rows, match, limits)
    if (!hasData && !ended) blankStart = true
    if (hasData && firstWithData === undefined) firstWithData = { name: sheet.name, best }
    if (header === undefined) continue
    checkHeader(source.format, columns, header)
    const headers: Partial<Record<F, string>> = {}
    header.match.cells.forEach((c, i) => { if (c.kind === 'field') headers[c.field] = textsOf(header.row)[i]!.trim() })
    const sampleColumn = textsOf(header.row).findIndex(h => foldHeader(h) === '序号')
    const table: UploadedTable<F> = {
      format: source.format,
      ...('encoding' in source ? { encoding: source.encoding, delimiter: source.delimiter } : {}),
      ...(sheet.name === undefined ? {} : { sheet: sheet.name }),
      headerRow: header.row.sheetRow,
      headers,
      rows: [],
    }
    for (let next = await rows.next(); next.done !== true; next = await rows.next()) {
      const cells: Partial<Record<F, TableCell>> = {}
      let empty = true
      header.match.cells.forEach((c, i) => {
        const cell = next.value.cells[i]
        if (c.kind !== 'field' || cell === undefined) return
        cells[c.field] = cell
        if (cell.text.trim() !== '') empty = false
      })
      if (empty) continue
      if (table.rows.length === limits.maxDataRows) {
        throw new ServiceError('VALIDATION_FAILED', {
          en: `The table has more than ${countText(limits.maxDataRows)} rows (row ${next.value.sheetRow} is the ${countText(limits.maxDataRows + 1)}th); split it into several files.`,
          zh: `表格超过 ${countText(limits.maxDataRows)} 行（第 ${next.value.sheetRow} 行是第 ${countText(limits.maxDataRows + 1)} 条数据）：请分成几个文件上传。`,
        }, { maxRows: limits.maxDataRows, sheetRow: next.value.sheetRow })
      }
      table.rows.push({ sheetRow: next.value.sheetRow, cells, sample: sampleColumn >= 0 && next.value.cells[sampleColumn]?.text.trim() === '示例' })
    }
    if (table.rows.length === 0) {
      throw new ServiceError('VALIDATION_FAILED', {
        en: `Row ${table.headerRow} is the header, but no row below it has a value.`,
        zh: `第 ${table.headerRow} 行是表头，但其下没有任何数据行。`,
      }, { headerRow: table.headerRow })
    }
    return table
  }
  if (firstWithData === undefined && blankStart) {
    throw refusal(source.format, {
      en: `The first ${limits.maxRowsBeforeHeader} rows are empty: the header must be within them.`,
      zh: `前 ${limits.maxRowsBeforeHeader} 行都是空行：表头须在前 ${limits.maxRowsBeforeHeader} 行之内，请删除表头上方多余的空行。`,
    })
  }
  if (firstWithData === undefined) throw refusal(source.format, { en: 'The file holds no rows.', zh: '文件中没有任何内容。' })
  throw headerNotFound(source.format, columns, limits, firstWithData.best, firstWithData.name)
}
