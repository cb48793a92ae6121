// The rows of an .xlsx workbook through exceljs's streaming reader, bounded before the sheets are read: parts, sizes and each sheet's dimension.
import ExcelJS from 'exceljs'
import { ServiceError } from '../errors.js'
import { inflateEntry, readZipDirectory, reorderedZip, type MadePart, type ZipEntry } from './zip-directory.js'
import { columnLetters, type RawRow, type TableCell, type TableLimits } from './table-rows.js'
import { countText, quoteCell } from './table-wording.js'

export interface XlsxSheet {
  name: string
  rows: AsyncIterable<RawRow>
}

const malformed = (en: string, zh: string) => new ServiceError('MALFORMED_XLSX', { en, zh })
const noSharedStrings: MadePart = { name: 'xl/sharedStrings.xml', content: Buffer.from('<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" uniqueCount="0"/>') }
const xmlText = (s: string) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[e]!)
const attribute = (attributes: string, name: string) => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(attributes)?.[1]

/** What a zip that is not a workbook is, to say so. */
function notAWorkbook (entries: Map<string, ZipEntry>): ServiceError {
  if (entries.has('word/document.xml')) return malformed('This is a Word document, not a workbook: send the .xlsx (or CSV) list.', '这是 Word 文档而不是工作簿：请上传 .xlsx（或 CSV）名单。')
  if (entries.has('content.xml')) return malformed('This is an OpenDocument file (.ods): save it as .xlsx in WPS or Excel.', '这是 OpenDocument 表格（.ods）：请在 WPS 或 Excel 中另存为 .xlsx。')
  return malformed('The zip file is not an Excel workbook (.xlsx).', '该压缩文件不是 Excel 工作簿（.xlsx）。')
}

/** The worksheets in tab order, hidden ones left out: name and zip part. */
function worksheetsOf (workbookXml: string, relsXml: string): Array<{ name: string, part: string }> {
  const targets = new Map<string, string>()
  for (const [, attributes] of relsXml.matchAll(/<(?:\w+:)?Relationship\b([^>]*?)\/?>/g)) {
    const id = attribute(attributes!, 'Id')
    const target = attribute(attributes!, 'Target')
    if (id !== undefined && target !== undefined) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`)
  }
  const sheets: Array<{ name: string, part: string }> = []
  for (const [, attributes] of workbookXml.matchAll(/<(?:\w+:)?sheet\b([^>]*?)\/?>/g)) {
    const state = attribute(attributes!, 'state')
    const id = /(?:^|\s)[\w]+:id="([^"]*)"/.exec(attributes!)?.[1]
    const part = id === undefined ? undefined : targets.get(id)
    if (state === 'hidden' || state === 'veryHidden' || part === undefined) continue
    sheets.push({ name: xmlText(attribute(attributes!, 'name') ?? part), part })
  }
  return sheets
}

/** The rows and columns of a sheet's <dimension ref="A1:N10002"/>, when it has one. */
function dimensionOf (sheetXml: Buffer): { ref: string, rows: number, columns: number } | undefined {
  const ref = /<(?:\w+:)?dimension\b[^>]*\bref="([^"]+)"/.exec(sheetXml.subarray(0, 4096).toString('utf8'))?.[1]
  const corners = ref === undefined ? null : /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(ref)
  if (ref === undefined || corners === null) return undefined
  const column = (letters: string) => [...letters].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0)
  return { ref, rows: Number(corners[4] ?? corners[2]), columns: column(corners[3] ?? corners[1]!) }
}

/** A number as a person reads it in a cell: whole numbers in digits, never an exponent below 10^21. */
const numberText = (n: number) => (Number.isInteger(n) && Math.abs(n) >= 1e21 ? BigInt(n).toString() : String(n === 0 ? 0 : n))

/** A cell value of exceljs as the text Excel shows and how it was stored; undefined for an empty cell. */
function cellOf (value: ExcelJS.CellValue | undefined): TableCell | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string') return { text: value, storedAs: 'text' }
  if (typeof value === 'number') return { text: numberText(value), storedAs: 'number' }
  if (typeof value === 'boolean') return { text: value ? 'TRUE' : 'FALSE', storedAs: 'boolean' }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : { text: value.toISOString().slice(0, 10), storedAs: 'date' }
  if ('richText' in value) return { text: value.richText.map(r => r.text ?? '').join(''), storedAs: 'text' }
  if ('error' in value) return { text: String(value.error), storedAs: 'error' }
  if ('formula' in value || 'sharedFormula' in value) return cellOf((value as { result?: ExcelJS.CellValue }).result)
  if ('text' in value) return cellOf((value as { text: ExcelJS.CellValue }).text)
  return undefined
}

function rowOf (row: ExcelJS.Row, limits: TableLimits, sheet: string): RawRow {
  if (row.number > limits.maxSheetRows) {
    throw new ServiceError('TABLE_TOO_LARGE', {
      en: `Sheet ${sheet} has rows past row ${countText(limits.maxSheetRows)}; a batch has at most ${countText(limits.maxDataRows)} rows.`,
      zh: `工作表“${quoteCell(sheet)}”超过 ${countText(limits.maxSheetRows)} 行，而一批最多 ${countText(limits.maxDataRows)} 行：请删除多余的行，或分成几个文件上传。`,
    }, { sheet, maxSheetRows: limits.maxSheetRows })
  }
  const cells: Array<TableCell | undefined> = []
  row.eachCell({ includeEmpty: false }, (cell, column) => {
    const read = cellOf(cell.value)
    if (read === undefined || read.text === '') return
    const address = `${columnLetters(column - 1)}${row.number}`
    if (column > limits.maxColumns) {
      throw new ServiceError('TABLE_TOO_LARGE', {
        en: `Sheet ${sheet} has a value in column ${columnLetters(column - 1)} (cell ${address}); a table may have at most ${limits.maxColumns} columns.`,
        zh: `工作表“${quoteCell(sheet)}”的 ${address} 单元格在第 ${countText(column)} 列，表格最多 ${limits.maxColumns} 列：请删除多余的列后再上传。`,
      }, { sheet, cell: address, maxColumns: limits.maxColumns })
    }
    if (read.text.length > limits.maxCellCharacters) {
      throw new ServiceError('TABLE_TOO_LARGE', {
        en: `Cell ${address} of sheet ${sheet} has more than ${countText(limits.maxCellCharacters)} characters; no cell of a batch needs that many.`,
        zh: `工作表“${quoteCell(sheet)}”的 ${address} 单元格超过 ${countText(limits.maxCellCharacters)} 个字符，批量表格中的单元格不会这么长：请检查该单元格。`,
      }, { sheet, cell: address, maxCellCharacters: limits.maxCellCharacters })
    }
    cells[column - 1] = read
  })
  return { sheetRow: row.number, cells }
}

/**
 * The visible worksheets of an .xlsx workbook in tab order, each with its rows as the text a person
 * sees (see cellOf): numbers in digits, dates as YYYY-MM-DD, rich text flattened, formulas by their
 * cached result. Before any sheet is parsed, the parts exceljs will read (workbook, relationships,
 * shared strings, styles, sheets) are inflated off the event loop within `limits` — a part that
 * inflates past its declared size, or past the limits, is refused — and a sheet whose dimension
 * exceeds the row or column limit is refused before its rows are read.
 */
export async function openXlsxSheets (bytes: Uint8Array, limits: TableLimits): Promise<XlsxSheet[]> {
  const entries = readZipDirectory(bytes, limits)
  const workbookEntry = entries.get('xl/workbook.xml')
  const relsEntry = entries.get('xl/_rels/workbook.xml.rels')
  if (workbookEntry === undefined || relsEntry === undefined) throw notAWorkbook(entries)
  const small = [workbookEntry, relsEntry].find(e => e.size > 1024 * 1024)
  if (small !== undefined) throw new ServiceError('TABLE_TOO_LARGE', { en: `Part ${small.name} of the workbook is larger than 1 MB.`, zh: `工作簿的部件 ${small.name} 超过 1 MB。` }, { part: small.name })
  const worksheets = worksheetsOf((await inflateEntry(bytes, workbookEntry)).toString('utf8'), (await inflateEntry(bytes, relsEntry)).toString('utf8'))
    .flatMap(sheet => {
      const entry = entries.get(sheet.part)
      // exceljs's streaming reader reads sheets by these names, which Excel and WPS always use.
      return entry !== undefined && /^xl\/worksheets\/sheet\d+\.xml$/.test(sheet.part) ? [{ ...sheet, entry }] : []
    })
  if (worksheets.length === 0) throw malformed('The workbook has no visible worksheet.', '工作簿中没有可见的工作表。')
  const parts = [relsEntry, workbookEntry, entries.get('xl/sharedStrings.xml'), entries.get('xl/styles.xml'), ...worksheets.map(w => w.entry)].filter((e): e is ZipEntry => e !== undefined)
  const large = parts.find(e => e.size > limits.maxPartBytes)
  const total = parts.reduce((sum, e) => sum + e.size, 0)
  if (large !== undefined || total > limits.maxPartsBytes) {
    const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`
    throw new ServiceError('TABLE_TOO_LARGE', {
      en: `The workbook inflates to ${large === undefined ? `${mb(total)} in all` : `${mb(large.size)} in ${large.name}`}; a batch workbook is at most ${mb(limits.maxPartBytes)} a part and ${mb(limits.maxPartsBytes)} in all.`,
      zh: `工作簿解压后${large === undefined ? `共 ${mb(total)}` : `的部件 ${large.name} 有 ${mb(large.size)}`}，超过上限（每个部件 ${mb(limits.maxPartBytes)}，合计 ${mb(limits.maxPartsBytes)}）：请只保留名单工作表，删除图片等内容后重新保存。`,
    }, { inflatedBytes: total, maxPartBytes: limits.maxPartBytes, maxPartsBytes: limits.maxPartsBytes })
  }
  for (const part of parts.slice(2)) {
    const inflated = await inflateEntry(bytes, part)
    const sheet = worksheets.find(w => w.entry === part)
    const dimension = sheet === undefined ? undefined : dimensionOf(inflated)
    if (sheet !== undefined && dimension !== undefined && (dimension.rows > limits.maxSheetRows || dimension.columns > limits.maxColumns)) {
      throw new ServiceError('TABLE_TOO_LARGE', {
        en: `The used range of sheet ${sheet.name} is ${dimension.ref} (${countText(dimension.rows)} rows, ${countText(dimension.columns)} columns); a table may have at most ${countText(limits.maxSheetRows)} rows and ${limits.maxColumns} columns. Delete the rows and columns past the list, formatted empty ones included.`,
        zh: `工作表“${quoteCell(sheet.name)}”的已用区域为 ${dimension.ref}（${countText(dimension.rows)} 行、${countText(dimension.columns)} 列），表格最多 ${countText(limits.maxSheetRows)} 行、${limits.maxColumns} 列：请删除名单以外的行和列（包括只设置了格式的空行、空列）后重新保存。`,
      }, { sheet: sheet.name, dimension: dimension.ref, rows: dimension.rows, columns: dimension.columns, maxSheetRows: limits.maxSheetRows, maxColumns: limits.maxColumns })
    }
  }

  // Without shared strings (a workbook of numbers, or one written with inline strings) exceljs would
  // keep every sheet in a temporary file until the end: an empty table of them makes it read the sheets as they come.
  const ordered: Array<ZipEntry | MadePart> = entries.has('xl/sharedStrings.xml') ? parts : [...parts.slice(0, 2), noSharedStrings, ...parts.slice(2)]
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(reorderedZip(bytes, ordered), { sharedStrings: 'cache', styles: 'cache', hyperlinks: 'ignore', worksheets: 'emit', entries: 'ignore' })
  const sheetReaders = reader[Symbol.asyncIterator]()
  return worksheets.map(({ name }) => ({
    name,
    rows: (async function * () {
      const next = await sheetReaders.next().catch(unreadable)
      if (next.done === true) return
      try {
        for await (const row of next.value) yield rowOf(row, limits, name)
      } catch (error) {
        throw unreadable(error)
      }
    })(),
  }))
}

/** Anything exceljs throws on a part that inflated fine is a damaged workbook; our own refusals pass through. */
function unreadable (error: unknown): never {
  if (error instanceof ServiceError) throw error
  throw malformed(`The workbook cannot be read: ${String((error as Error | null)?.message ?? error).slice(0, 200)}. Open it in Excel or WPS and save it again.`, '工作簿无法读取：请在 Excel 或 WPS 中打开后重新保存再上传。')
}
