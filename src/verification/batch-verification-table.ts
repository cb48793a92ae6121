// A committee's list as uploaded (CSV or .xlsx, see src/spreadsheets): its columns, and each row read as { number, name? } or its problem.
import type { TableColumns } from '../spreadsheets/table-header.js'
import type { UploadedTable } from '../spreadsheets/uploaded-table.js'
import { columnName, quoteCell } from '../spreadsheets/table-wording.js'
import type { EnteredNumberProblem } from './entered-number.js'

export type VerificationField = 'number' | 'name'

/**
 * The columns of a committee's list (compared as foldHeader does; the first name is the documented
 * one), and the other columns of this service's own exports — the issuance register and the bulk
 * verification report — which are read past, so an exported sheet can be corrected and sent back.
 */
export const verificationColumns: TableColumns<VerificationField> = {
  names: {
    number: ['number', '证书编号', '编号', '证书号', 'certificateNumber'],
    name: ['name', '姓名', '所填姓名', '持证人', 'holderName'],
  },
  required: ['number'],
  ignored: [
    '工作单位', '发证日期', '状态', '撤销日期', '公需科目学时', '专业科目学时', '选修科目学时', '自学学时', '总学时',
    '行号', '原表行号', '核验结果', '说明', '持证人（脱敏）', '姓名是否一致', '证书状态', '年度', '发证地区', '发证机构', '文件名',
  ],
}

/** A row of the list: the number as written (never trimmed: spaces are reported, not fixed), the name, and a problem the sheet alone shows. */
export interface UploadedVerificationRow {
  sheetRow: number
  number: string
  name?: string
  problem?: EnteredNumberProblem
}

const storedNames = { number: { en: 'a number', zh: '数值' }, date: { en: 'a date', zh: '日期' }, boolean: { en: 'a true/false value', zh: '逻辑值' }, error: { en: 'an Excel error', zh: 'Excel 错误值' } } as const

/**
 * The rows of an uploaded list. A number cell that is not text in the workbook is that row's
 * problem, named (a number stored as a number, even with all 14 digits, is not matched: the column
 * must be text, or longer numbers lose digits); so is the sample row of the template. The other
 * ways a number is spoilt are diagnosed with the rest (diagnoseEnteredNumber).
 */
export function readVerificationRows (table: UploadedTable<VerificationField>): UploadedVerificationRow[] {
  const header = columnName(table.headers.number ?? '证书编号')
  return table.rows.map(row => {
    const number = row.cells.number?.text ?? ''
    const name = row.cells.name?.text ?? ''
    const read: UploadedVerificationRow = { sheetRow: row.sheetRow, number, ...(name.trim() === '' ? {} : { name }) }
    const storedAs = row.cells.number?.storedAs ?? 'text'
    if (row.sample) {
      return { ...read, problem: { reason: 'this is the sample row of the template (序号 says 示例); it is not checked: delete it', reasonZh: '序号为“示例”：这是模板中的示例行，不予核验，请删除该行。' } }
    }
    if (storedAs !== 'text') {
      const as = storedNames[storedAs]
      return {
        ...read,
        problem: {
          reason: `the ${header} cell holds ${as.en} (${quoteCell(number)}), not text: format the column as Text and enter the numbers again`,
          reasonZh: `“${header}”列的单元格在 Excel 中存成了${as.zh}（${quoteCell(number)}）而不是文本，本行未核验：请将该列设置为“文本”格式后重新填写。`,
        },
      }
    }
    return read
  })
}
