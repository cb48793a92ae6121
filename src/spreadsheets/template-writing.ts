// The templates offices download: a list sheet (title, header with required columns marked, a sample row, text columns, validation) and 填写说明.
import ExcelJS from 'exceljs'
import { columnLetters } from './table-rows.js'
import { styleHeader, type ColumnKind } from './workbook-writing.js'

export interface TemplateColumn {
  /** As written in the header; required columns end in *, units in （学时）. */
  header: string
  width: number
  kind: ColumnKind
  sample: string | number | null
  /** What goes in it, for 填写说明. */
  explanation: string
  required?: boolean
  validation?: ExcelJS.DataValidation
}

/** Rows of the list sheet given text format and validation: the batch limit. */
const templateRows = 10_000

/**
 * A template workbook: sheet `listName` with a title in row 1 (merged over the columns), the
 * header in row 2 (frozen), a sample row marked 示例 in its 序号 column (never issued nor
 * checked: the reader refuses it by that mark), text columns formatted as text (`@`) so Excel
 * keeps every digit, and data validation where given; then 填写说明 with `notes` and a table of
 * the columns.
 */
export async function writeTemplate ({ listName, title, columns, notes }: { listName: string, title: string, columns: readonly TemplateColumn[], notes: ReadonlyArray<string | readonly [string, string]> }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  workbook.creator = '专业技术人员继续教育证书服务'
  const sheet = workbook.addWorksheet(listName, { views: [{ state: 'frozen', ySplit: 2 }] })
  sheet.columns = columns.map(c => ({ width: c.width, ...(c.kind === 'text' ? { style: { numFmt: '@' } } : {}) }))
  sheet.addRow([title])
  sheet.mergeCells(1, 1, 1, columns.length)
  const titleCell = sheet.getCell(1, 1)
  titleCell.font = { bold: true, size: 14 }
  titleCell.alignment = { horizontal: 'center' }
  styleHeader(sheet.addRow(columns.map(c => c.header)))
  sheet.addRow(columns.map(c => c.sample))
  const last = templateRows + 2
  // exceljs has ranges of validation, though its types only know cell by cell.
  const validations = (sheet as unknown as { dataValidations: { add (range: string, validation: ExcelJS.DataValidation): void } }).dataValidations
  columns.forEach((c, i) => {
    if (c.validation !== undefined) validations.add(`${columnLetters(i)}3:${columnLetters(i)}${last}`, c.validation)
  })

  const help = workbook.addWorksheet('填写说明')
  help.columns = [{ width: 22 }, { width: 100 }]
  help.addRow(['填写说明']).font = { bold: true, size: 14 }
  for (const note of notes) {
    const row = help.addRow(typeof note === 'string' ? [note] : [...note])
    if (typeof note === 'string' && note.startsWith('【')) row.font = { bold: true }
    row.alignment = { wrapText: true, vertical: 'top' }
  }
  help.addRow([])
  styleHeader(help.addRow(['列名', '说明']))
  for (const c of columns) {
    const row = help.addRow([c.header, `${c.required === true ? '必填。' : '选填。'}${c.explanation}`])
    row.alignment = { wrapText: true, vertical: 'top' }
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}
