// A batch as offices upload it (CSV or .xlsx, see src/spreadsheets): its columns, and each row read into an issuing request or its exact problems.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ServiceError, type ErrorCode } from '../errors.js'
import { diagnoseEnteredIdNumber } from '../certificates/entered-id-number.js'
import { isRuleSetId, ruleSets } from '../certificates/hour-rules.js'
import type { TableColumns } from '../spreadsheets/table-header.js'
import type { TableCell } from '../spreadsheets/table-rows.js'
import type { UploadedRow, UploadedTable } from '../spreadsheets/uploaded-table.js'
import { columnName, quoteCell } from '../spreadsheets/table-wording.js'
import { chinaYear } from '../text/china-time.js'

export type BatchField = 'name' | 'idNumber' | 'employer' | 'year' | 'public' | 'professional' | 'elective' | 'selfStudy' | 'publications' | 'achievement' | 'regionCode' | 'series' | 'ruleSet'

/**
 * The columns of a batch: header names accepted for each field (the documented one, then Chinese
 * ones; compared as foldHeader does), and the other columns of the issuance register (证书发放名册)
 * this service exports, which are read past so an exported register can be completed and sent back.
 */
export const batchColumns: TableColumns<BatchField> = {
  names: {
    name: ['name', '姓名', '人员姓名', '持证人姓名'],
    idNumber: ['idNumber', '身份证号', '身份证号码', '公民身份号码', '证件号码'],
    employer: ['employer', '工作单位', '单位名称'],
    year: ['year', '年度', '继续教育年度'],
    public: ['public', '公需科目', '公需', '公需科目学时'],
    professional: ['professional', '专业科目', '专业', '专业科目学时'],
    elective: ['elective', '选修科目', '选修', '选修科目学时'],
    selfStudy: ['selfStudy', '自学', '自学学时'],
    publications: ['publications', '发表作品', '发表作品学时'],
    achievement: ['achievement', '成果'],
    regionCode: ['regionCode', '行政区划代码', '区划代码'],
    series: ['series', '专业系列'],
    ruleSet: ['ruleSet', '学时规则'],
  },
  required: ['name', 'idNumber', 'employer', 'year', 'public', 'professional', 'elective'],
  ignored: ['证书编号', '发证日期', '状态', '撤销日期', '总学时'],
}

/** Values of 成果 (achievement) as they may be written. */
export const achievementValues: Readonly<Record<'lead' | 'contributor', readonly string[]>> = {
  lead: ['lead', '第一完成人', '主持人', '第一作者'],
  contributor: ['contributor', '其他完成人', '参与人', '参与者'],
}

/** The most hours one category may have (schemas/issue-certificate-request.json). */
const maxCategoryHours = 1000

/** One row of an uploaded batch: the request it reads as, or the problems that keep it from being one. */
export interface UploadedBatchRow {
  sheetRow: number
  request: Record<string, unknown>
  problems: ServiceError[]
  /** The name as written, for the row's outcome. */
  name: string
}

const fullWidthDigits = /[０-９]/

/** Where each field goes in the request, as VALIDATION_FAILED details name it. */
const requestPaths: Readonly<Record<BatchField, string>> = {
  name: 'holder.name', idNumber: 'holder.idNumber', employer: 'employer.name', year: 'year', public: 'hours.public', professional: 'hours.professional', elective: 'hours.elective',
  selfStudy: 'hours.selfStudy', publications: 'hours.publications', achievement: 'hours.achievement', regionCode: 'regionCode', series: 'series', ruleSet: 'ruleSet',
}

/**
 * A cell's problem, worded with its row and column. Details take the shape of the code's other
 * errors — VALIDATION_FAILED a list of { field, reason }, INVALID_ID_NUMBER { reason, reasonZh } —
 * with the sheet row and column added.
 */
function cellProblem (row: number, header: string, field: BatchField, code: ErrorCode, problem: { en: string, zh: string }, details: Record<string, unknown> = {}): ServiceError {
  const at = { sheetRow: row, column: header, field: requestPaths[field] }
  return new ServiceError(code, { en: `Row ${row}, column ${header}: ${problem.en}.`, zh: `第 ${row} 行“${header}”列：${problem.zh}。` },
    code === 'VALIDATION_FAILED' ? [{ ...at, reason: problem.en }] : { ...at, ...details })
}

/** Why a cell meant to hold a number of hours or a year does not, or null. */
function numberProblem (cell: TableCell, what: { en: string, zh: string, example: string }): { en: string, zh: string } {
  const text = cell.text.trim()
  if (cell.storedAs === 'date') return { en: `the cell is formatted as a date (it shows ${text}): format the column as General and enter ${what.en}`, zh: `单元格被设置成了日期格式（显示为 ${text}）：请将该列设置为“常规”格式后填写${what.zh}，如 ${what.example}` }
  if (fullWidthDigits.test(text)) return { en: `it is written in full-width digits (“${quoteCell(text)}”): use the digits 0-9`, zh: `使用了全角数字（“${quoteCell(text)}”），请改用半角数字 0–9` }
  if (/^\d+(\.\d+)?\s*(学时|小时|学分|h|年)$/i.test(text)) return { en: `“${quoteCell(text)}” has a unit: enter the number alone`, zh: `“${quoteCell(text)}”带有单位，请只填写数字` }
  if (/^-\d/.test(text)) return { en: `“${quoteCell(text)}” is negative`, zh: `“${quoteCell(text)}”是负数` }
  return { en: `“${quoteCell(text)}” is not ${what.en}`, zh: `“${quoteCell(text)}”不是${what.zh}，请填写数字，如 ${what.example}` }
}

/**
 * Reads each row of an uploaded batch into the body of POST /v1/certificates, as the JSON batch would
 * send it, and names every problem a cell has, in the row, column and words of the sheet: an ID number
 * Excel spoilt (scientific notation, 15 significant digits, stored as a number, full-width digits,
 * stray spaces: INVALID_ID_NUMBER), a year or hours that are not numbers, an unknown achievement or
 * rule set, a region code that is not six digits, the sample row of the template (VALIDATION_FAILED).
 * Nothing is repaired: a spoilt cell is that row's error. An empty hour cell counts 0.
 */
export async function readBatchRows (table: UploadedTable<BatchField>, today: Date): Promise<UploadedBatchRow[]> {
  const header = (field: BatchField) => columnName(table.headers[field] ?? batchColumns.names[field][1]!)
  const rows: UploadedBatchRow[] = []
  for (const row of table.rows) {
    // A failing row costs an error or two: 250 rows are a few milliseconds.
    if (rows.length % 250 === 249) await nextTurn()
    rows.push(readBatchRow(row))
  }
  return rows

  function readBatchRow (row: UploadedRow<BatchField>): UploadedBatchRow {
    const problems: ServiceError[] = []
    const text = (field: BatchField) => row.cells[field]?.text ?? ''
    const trimmed = (field: BatchField) => text(field).trim()
    const fail = (field: BatchField, code: ErrorCode, problem: { en: string, zh: string }, details?: Record<string, unknown>) => {
      problems.push(cellProblem(row.sheetRow, header(field), field, code, problem, details))
    }
    if (row.sample) {
      problems.push(new ServiceError('VALIDATION_FAILED', {
        en: `Row ${row.sheetRow} is the sample row of the template (序号 says 示例); it is not issued: delete it.`,
        zh: `第 ${row.sheetRow} 行的序号为“示例”：这是模板中的示例行，不予颁发，请删除该行后再上传。`,
      }, [{ field: 'row', reason: 'sample-row', sheetRow: row.sheetRow }]))
    }

    const id = diagnoseEnteredIdNumber(text('idNumber'), { today, storedAsNumber: row.cells.idNumber?.storedAs === 'number' })
    if (id !== null) fail('idNumber', 'INVALID_ID_NUMBER', { en: id.reason, zh: id.reasonZh.replace(/。$/, '') }, { reason: id.reason, reasonZh: id.reasonZh })

    const number = (field: BatchField, what: { en: string, zh: string, example: string }, accept: (n: number) => { en: string, zh: string } | null): number | undefined => {
      const cell = row.cells[field]
      if (cell === undefined || cell.text.trim() === '') return undefined
      if (cell.storedAs !== 'date' && /^\d+(\.\d+)?$/.test(cell.text.trim())) {
        const n = Number(cell.text.trim())
        const wrong = accept(n)
        if (wrong === null) return n
        fail(field, 'VALIDATION_FAILED', wrong)
        return undefined
      }
      fail(field, 'VALIDATION_FAILED', numberProblem(cell, what))
      return undefined
    }
    const year = number('year', { en: 'a year', zh: '年份', example: String(chinaYear(today) - 1) }, n => (/^\d{4}$/.test(String(n)) ? null : { en: `${n} is not a four-digit year`, zh: `${n} 不是 4 位数的年份` }))
    if (trimmed('year') === '') fail('year', 'VALIDATION_FAILED', { en: 'no year was given', zh: '未填写年度' })
    const hoursOf = (field: BatchField) => number(field, { en: 'a number of hours', zh: '学时数', example: '20' }, n => {
      if (n > maxCategoryHours) return { en: `${n} is more than ${maxCategoryHours} hours`, zh: `${n} 学时超过了上限 ${maxCategoryHours}` }
      if (n * 2 !== Math.round(n * 2)) return { en: `${n} is not a multiple of 0.5 hours`, zh: `${n} 不是 0.5 学时的整数倍` }
      return null
    })
    const hours: Record<string, unknown> = {}
    for (const field of ['public', 'professional', 'elective'] as const) hours[field] = hoursOf(field) ?? 0
    for (const field of ['selfStudy', 'publications'] as const) {
      const value = hoursOf(field)
      if (value !== undefined) hours[field] = value
    }

    const achievement = trimmed('achievement')
    if (achievement !== '') {
      const value = (Object.keys(achievementValues) as Array<'lead' | 'contributor'>).find(k => achievementValues[k].some(v => v.toLowerCase() === achievement.toLowerCase()))
      if (value === undefined) {
        fail('achievement', 'VALIDATION_FAILED', {
          en: `“${quoteCell(achievement)}” is not an achievement role: write lead or contributor (or ${achievementValues.lead[1]} / ${achievementValues.contributor[1]})`,
          zh: `“${quoteCell(achievement)}”不是可识别的成果身份：请填写“${achievementValues.lead[1]}”或“${achievementValues.contributor[1]}”（也可写 lead / contributor），没有成果请留空`,
        })
      } else hours.achievement = value
    }
    const regionCode = trimmed('regionCode')
    if (regionCode !== '' && !/^\d{6}$/.test(regionCode)) {
      fail('regionCode', 'VALIDATION_FAILED', { en: `“${quoteCell(regionCode)}” is not a six-digit region code`, zh: `“${quoteCell(regionCode)}”不是 6 位数字的行政区划代码，如 440106` })
    }
    const ruleSet = trimmed('ruleSet')
    if (ruleSet !== '' && !isRuleSetId(ruleSet)) {
      fail('ruleSet', 'UNKNOWN_RULE_SET', {
        en: `there is no rule set “${quoteCell(ruleSet)}”; known: ${Object.keys(ruleSets).join(', ')}`,
        zh: `学时规则“${quoteCell(ruleSet)}”不存在，可填：${Object.values(ruleSets).map(r => `${r.id}（${r.name}）`).join('、')}；一般留空即可`,
      })
    }

    const optional = (key: string, value: string) => (value === '' ? {} : { [key]: value })
    return {
      sheetRow: row.sheetRow,
      name: trimmed('name'),
      problems,
      request: {
        holder: { name: text('name'), idNumber: text('idNumber') },
        employer: { name: text('employer') },
        year: year ?? trimmed('year'),
        hours,
        ...optional('regionCode', regionCode),
        ...optional('series', trimmed('series')),
        ...optional('ruleSet', ruleSet),
      },
    }
  }
}
