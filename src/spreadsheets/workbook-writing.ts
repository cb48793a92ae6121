// Workbooks this service writes for offices (exports and templates): text columns kept as text, frozen headers, widths, dates in China time.
import { once } from 'node:events'
import type { Writable } from 'node:stream'
import { setImmediate as nextTurn } from 'node:timers/promises'
import ExcelJS from 'exceljs'
import { chinaDate, chinaWallClock } from '../text/china-time.js'

/** How a column is written: text (numbers kept as typed, `@`), a number, a date, or a date and time. */
export type ColumnKind = 'text' | 'number' | 'date' | 'datetime'

export interface SheetColumn { header: string, width: number, kind: ColumnKind }

export type CellValue = string | number | Date | null

const numberFormats: Readonly<Record<ColumnKind, string | undefined>> = { text: '@', number: undefined, date: 'yyyy-mm-dd', datetime: 'yyyy-mm-dd hh:mm:ss' }
const headerFont: Partial<ExcelJS.Font> = { bold: true }
const headerFill: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFDDEBF7' } }
/** An instant as Excel should show it in China Standard Time (UTC+8): Excel dates have no zone. */
export const chinaDateTime = chinaWallClock
/** The day of an instant in China (UTC+8), as an Excel date. */
export const chinaDay = (iso: string | Date) => dayOf(chinaDate(iso))
/** A YYYY-MM-DD day as an Excel date. */
export const dayOf = (day: string) => new Date(`${day}T00:00:00Z`)

/** A workbook written as it is built, straight into `out`: rows are not kept once committed. */
export function streamWorkbook (out: Writable): ExcelJS.stream.xlsx.WorkbookWriter {
  return new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false })
}

/** The column definitions of a table sheet: widths and number formats. */
export function columnsOf (columns: readonly SheetColumn[]): Array<Partial<ExcelJS.Column>> {
  return columns.map(c => ({ width: c.width, ...(numberFormats[c.kind] === undefined ? {} : { style: { numFmt: numberFormats[c.kind] } }) }))
}

/** Styles the header row: bold, shaded, text. */
export function styleHeader (row: ExcelJS.Row): void {
  row.eachCell(cell => {
    cell.font = headerFont
    cell.fill = headerFill
    cell.numFmt = '@'
    cell.alignment = { vertical: 'middle', wrapText: true }
  })
}

/** A sheet of a streamed workbook with a frozen, styled header row. */
export function addTableSheet (workbook: ExcelJS.stream.xlsx.WorkbookWriter | ExcelJS.Workbook, name: string, columns: readonly SheetColumn[]): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = columnsOf(columns)
  const header = sheet.addRow(columns.map(c => c.header))
  styleHeader(header)
  header.commit()
  return sheet
}

/**
 * Commits rows to a streamed sheet, a turn of the event loop every 20 rows (about a millisecond), and waits while `out`
 * is full: a slow download holds the writer back instead of filling memory.
 */
export async function commitRows (sheet: ExcelJS.Worksheet, rows: Iterable<CellValue[]> | AsyncIterable<CellValue[]>, out: Writable): Promise<number> {
  let count = 0
  for await (const cells of rows) {
    sheet.addRow(cells).commit()
    if (++count % 20 === 0) {
      await nextTurn()
      if (out.writableNeedDrain) await once(out, 'drain')
    }
  }
  return count
}

/** The 统计 (counts) sheet: one label and value a line. */
export function addCountsSheet (workbook: ExcelJS.stream.xlsx.WorkbookWriter | ExcelJS.Workbook, lines: ReadonlyArray<readonly [string, CellValue, ColumnKind?]>): void {
  const sheet = workbook.addWorksheet('统计', { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = [{ width: 24, style: { numFmt: '@' } }, { width: 24 }]
  const header = sheet.addRow(['项目', '数值'])
  styleHeader(header)
  header.commit()
  for (const [label, value, kind] of lines) {
    const row = sheet.addRow([label, value])
    const format = kind === undefined ? undefined : numberFormats[kind]
    if (format !== undefined) row.getCell(2).numFmt = format
    row.commit()
  }
  sheet.commit()
}
