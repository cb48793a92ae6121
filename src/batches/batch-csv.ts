// Reads CSV as Excel writes it (UTF-8 with or without BOM, quoted fields, CRLF): its records, and a batch of issuing requests.
import { parse } from 'csv-parse/sync'
import { ServiceError } from '../errors.js'

type Field = 'name' | 'idNumber' | 'employer' | 'year' | 'public' | 'professional' | 'elective' | 'selfStudy' | 'publications' | 'achievement' | 'regionCode' | 'series' | 'ruleSet'

/** Header names accepted for each field (compared without case, spaces, '_' or '-'); the first is the documented one. */
export const batchCsvColumns: Readonly<Record<Field, readonly string[]>> = {
  name: ['name', '姓名'],
  idNumber: ['idNumber', '身份证号', '身份证号码', '公民身份号码'],
  employer: ['employer', '工作单位', '单位名称'],
  year: ['year', '年度'],
  public: ['public', '公需', '公需科目'],
  professional: ['professional', '专业', '专业科目'],
  elective: ['elective', '选修', '选修科目'],
  selfStudy: ['selfStudy', '自学'],
  publications: ['publications', '发表作品'],
  achievement: ['achievement', '成果'],
  regionCode: ['regionCode', '行政区划代码'],
  series: ['series', '专业系列'],
  ruleSet: ['ruleSet', '学时规则'],
}

const requiredFields: readonly Field[] = ['name', 'idNumber', 'employer', 'year', 'public', 'professional', 'elective']
/** A header name as compared: NFKC, without case, spaces, '_' or '-'. */
export const foldCsvHeader = (header: string) => header.normalize('NFKC').replace(/[\s_-]+/g, '').toLowerCase()
const fieldByHeader = new Map<string, Field>(
  (Object.entries(batchCsvColumns) as Array<[Field, readonly string[]]>).flatMap(([field, names]) => names.map(n => [foldCsvHeader(n), field] as const)),
)

/** A cell as a number when it is one ("42", "12.5"), else unchanged so validation names the field. */
const numeric = (cell: string) => (/^\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell)

/**
 * The records of a CSV as Excel saves it ("CSV UTF-8"): the bytes must be UTF-8, a leading BOM is
 * dropped, quoted fields may hold commas, quotes and line breaks, lines end in CRLF or LF, empty
 * lines are skipped. Cells are trimmed unless `trim` is false (a caller that diagnoses stray spaces).
 * Throws MALFORMED_CSV when the bytes are not UTF-8 or the CSV cannot be parsed.
 */
export function readCsvRecords (bytes: Uint8Array, { trim = true }: { trim?: boolean } = {}): string[][] {
  let text: string
  try {
    // TextDecoder drops a leading BOM.
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new ServiceError('MALFORMED_CSV', 'The CSV is not UTF-8. In Excel, save it as "CSV UTF-8 (逗号分隔)".')
  }
  try {
    return parse(text, { relax_column_count: true, skip_empty_lines: true, trim }) as string[][]
  } catch (error) {
    throw new ServiceError('MALFORMED_CSV', `The CSV cannot be parsed: ${(error as Error).message}`)
  }
}

/**
 * The rows of a batch CSV as issuing requests (the body of POST /v1/certificates), not yet
 * validated. A header row names the columns (see batchCsvColumns); empty lines and rows of
 * empty cells are skipped; an empty hour cell counts 0. Throws MALFORMED_CSV when the bytes
 * are not UTF-8, the CSV cannot be parsed, or the header is not understood.
 */
export function readBatchCsv (bytes: Uint8Array): unknown[] {
  const [header, ...rows] = readCsvRecords(bytes)
  if (header === undefined) throw new ServiceError('MALFORMED_CSV', 'The CSV is empty: it needs a header row and one row per holder.')
  const fields = header.map(h => fieldByHeader.get(foldCsvHeader(h)))
  const unknown = header.filter((_, i) => fields[i] === undefined)
  const missing = requiredFields.filter(f => !fields.includes(f))
  const repeated = fields.filter((f, i) => f !== undefined && fields.indexOf(f) !== i)
  if (unknown.length > 0 || missing.length > 0 || repeated.length > 0) {
    throw new ServiceError('MALFORMED_CSV', `The CSV header is not understood: ${[
      unknown.length > 0 ? `unknown columns ${unknown.join(', ')}` : '',
      missing.length > 0 ? `missing columns ${missing.join(', ')}` : '',
      repeated.length > 0 ? `repeated columns ${repeated.join(', ')}` : '',
    ].filter(Boolean).join('; ')}.`, { unknownColumns: unknown, missingColumns: missing, repeatedColumns: repeated, columns: Object.keys(batchCsvColumns) })
  }
  return rows.filter(cells => cells.some(c => c !== '')).map(cells => {
    const cell = (field: Field) => cells[fields.indexOf(field)] ?? ''
    const optional = (field: Field, convert: (c: string) => unknown = c => c) => (cell(field) === '' ? {} : { [field]: convert(cell(field)) })
    const hours = (field: Field) => (cell(field) === '' ? 0 : numeric(cell(field)))
    return {
      holder: { name: cell('name'), idNumber: cell('idNumber') },
      employer: { name: cell('employer') },
      year: numeric(cell('year')),
      hours: {
        public: hours('public'),
        professional: hours('professional'),
        elective: hours('elective'),
        ...optional('selfStudy', numeric),
        ...optional('publications', numeric),
        ...optional('achievement'),
      },
      ...optional('regionCode'),
      ...optional('series'),
      ...optional('ruleSet'),
    }
  })
}
