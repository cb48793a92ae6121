// What becomes of each row of a batch — issued with its number, or rejected with its errors — and the reports built from them.
import { errorTable, ServiceError, type ErrorCode } from '../errors.js'
import type { IssuedCertificate } from '../certificates/certificate-service.js'
import type { IssuancePlan } from '../certificates/issuance-request.js'

/** An error of one row (schemas/row-error.json). */
export interface RowError { code: ErrorCode, message: string, messageZh: string, details?: unknown }

/** Where a row came from: its place in the batch, its row in the uploaded sheet, the holder's name. Never the ID number. */
export interface RowOrigin { row: number, sheetRow?: number, holderName?: string }

/** One row's outcome (schemas/batch-row.json): stored with the batch and shown by GET /v1/batches/{id}. */
export type BatchRowResult =
  | RowOrigin & { status: 'issued', number: string }
  | RowOrigin & { status: 'rejected', errors: RowError[] }

/** A row checked and not yet issued: its plan, or its errors. */
export type RowOutcome = { origin: RowOrigin, plan: IssuancePlan } | { origin: RowOrigin, errors: RowError[] }

export interface BatchSummary { rows: number, issued: number, rejected: number, rejectedByCode: Record<string, number> }

/** The answer to a batch (schemas/batch-report.json): summary first, then every row in order. */
export interface BatchReport {
  summary: BatchSummary
  batchId: number
  createdAt: string
  /** The numbers taken: one contiguous range per (county, year). */
  ranges: Array<{ regionCode: string, year: number, first: string, last: string, count: number }>
  rows: BatchRowResult[]
  links: { self: string, pdfs: string }
}

/** The answer to a dry run (schemas/batch-dry-run.json): the same checks, no number taken, nothing stored. */
export interface BatchPreview {
  dryRun: true
  summary: { rows: number, issuable: number, rejected: number, rejectedByCode: Record<string, number> }
  rows: Array<RowOrigin & ({ status: 'issuable', regionCode: string, year: number, ruleSet: string, hours: IssuedCertificate['hours'] } | { status: 'rejected', errors: RowError[] })>
}

export function rowError (error: ServiceError): RowError {
  return { code: error.code, message: error.message, messageZh: error.messageZh, ...(error.details === undefined ? {} : { details: error.details }) }
}

/** An error of a sheet row that does not name its row yet, worded with it: 第 5 行：… */
export function inSheetRow (error: ServiceError, sheetRow: number | undefined): ServiceError {
  if (sheetRow === undefined) return error
  return new ServiceError(error.code, { en: `Row ${sheetRow}: ${error.message}`, zh: `第 ${sheetRow} 行：${error.messageZh}` }, error.details)
}

export const batchLinks = (id: number) => ({ self: `/v1/batches/${id}`, pdfs: `/v1/batches/${id}/pdfs` })

function rangesOf (issued: IssuedCertificate[]): BatchReport['ranges'] {
  const ranges = new Map<string, BatchReport['ranges'][number]>()
  for (const c of issued) {
    const key = `${c.regionCode}:${c.year}`
    const range = ranges.get(key)
    if (range === undefined) ranges.set(key, { regionCode: c.regionCode, year: c.year, first: c.number, last: c.number, count: 1 })
    else {
      if (c.number < range.first) range.first = c.number
      if (c.number > range.last) range.last = c.number
      range.count++
    }
  }
  return [...ranges.values()].sort((a, b) => (a.first < b.first ? -1 : 1))
}

/** Rejected rows per the code of their first error. */
function countRejected (outcomes: readonly RowOutcome[]): Record<string, number> {
  const byCode: Record<string, number> = {}
  for (const o of outcomes) if ('errors' in o) byCode[o.errors[0]!.code] = (byCode[o.errors[0]!.code] ?? 0) + 1
  return byCode
}

const originOf = ({ row, sheetRow, holderName }: RowOrigin): RowOrigin => ({ row, ...(sheetRow === undefined ? {} : { sheetRow }), ...(holderName === undefined ? {} : { holderName }) })

/** The rows' outcomes once the plans were issued, `issued` in the order of the plans. */
export function reportOf (batchId: number, createdAt: Date, outcomes: readonly RowOutcome[], issued: IssuedCertificate[]): BatchReport {
  let next = 0
  const rows = outcomes.map((o): BatchRowResult => ('errors' in o
    ? { ...originOf(o.origin), status: 'rejected', errors: o.errors }
    : { ...originOf(o.origin), status: 'issued', number: issued[next++]!.number }))
  return {
    summary: { rows: outcomes.length, issued: issued.length, rejected: outcomes.length - issued.length, rejectedByCode: countRejected(outcomes) },
    batchId,
    createdAt: createdAt.toISOString(),
    ranges: rangesOf(issued),
    rows,
    links: batchLinks(batchId),
  }
}

export function previewOf (outcomes: readonly RowOutcome[]): BatchPreview {
  const rows = outcomes.map((o): BatchPreview['rows'][number] => {
    if ('errors' in o) return { ...originOf(o.origin), status: 'rejected', errors: o.errors }
    const { credited } = o.plan.evaluation
    return {
      ...originOf(o.origin),
      status: 'issuable',
      regionCode: o.plan.region.code,
      year: o.plan.year,
      ruleSet: o.plan.ruleSet.id,
      hours: { public: credited.public, professional: credited.professional, elective: credited.elective, selfStudy: credited.selfStudy, total: credited.total },
    }
  })
  const issuable = rows.filter(r => r.status === 'issuable').length
  return { dryRun: true, summary: { rows: rows.length, issuable, rejected: rows.length - issuable, rejectedByCode: countRejected(outcomes) }, rows }
}

const codeZh = (code: ErrorCode) => errorTable[code].zh.replace(/。$/, '')
const placeOf = (origin: RowOrigin) => (origin.sheetRow === undefined ? { en: `Row ${origin.row}`, zh: `第 ${origin.row} 条` } : { en: `Row ${origin.sheetRow}`, zh: `第 ${origin.sheetRow} 行` })

/** What the rows of BATCH_NOTHING_ISSUED may take of its body: the whole error stays under 64 KB. */
const rowsBudgetBytes = 56 * 1024

/**
 * BATCH_NOTHING_ISSUED: no row of the batch can be issued, so no batch is made. The message gives the
 * counts by code and the first rows' reasons; `details.rows` has every row's errors, as a batch
 * report would, so the file can be corrected in one go — as many rows as fit in 64 KB, with
 * `rowsOmitted` saying how many more (a dry run answers them all, without a size limit).
 */
export function nothingIssued (outcomes: readonly RowOutcome[]): ServiceError {
  const byCode = countRejected(outcomes)
  const counts = Object.entries(byCode).sort((a, b) => b[1] - a[1])
  const first = outcomes.slice(0, 3).flatMap(o => ('errors' in o ? [{ place: placeOf(o.origin), error: o.errors[0]! }] : []))
  const more = outcomes.length > first.length ? { en: ' …', zh: '……' } : { en: '', zh: '' }
  const rows: BatchRowResult[] = []
  let bytes = 0
  for (const o of outcomes) {
    const row: BatchRowResult = { ...originOf(o.origin), status: 'rejected', errors: 'errors' in o ? o.errors : [] }
    bytes += Buffer.byteLength(JSON.stringify(row))
    if (bytes > rowsBudgetBytes) break
    rows.push(row)
  }
  const omitted = outcomes.length - rows.length
  const where = omitted === 0
    ? { en: 'Every row\'s errors are in details.rows', zh: '每行的错误见 details.rows' }
    : { en: `The errors of the first ${rows.length} rows are in details.rows (${omitted} more did not fit in the answer; ?dryRun=true answers every row)`, zh: `前 ${rows.length} 行的错误见 details.rows（其余 ${omitted} 行放不下；加 ?dryRun=true 可得到每一行的结果）` }
  const none = outcomes.length === 1 ? { en: 'The one row cannot be issued', zh: '唯一的一行不能颁发' } : { en: `None of the ${outcomes.length} rows can be issued`, zh: `${outcomes.length} 行均不能颁发` }
  return new ServiceError('BATCH_NOTHING_ISSUED', {
    en: `${none.en}, so no batch was made: ${counts.map(([code, n]) => `${n} ${code}`).join(', ')}. ${first.map(f => (f.error.message.startsWith('Row ') ? f.error.message : `${f.place.en}: ${f.error.message}`)).join(' ')}${more.en} ${where.en}; POST with ?dryRun=true checks a file without issuing.`,
    zh: `${none.zh}，未生成批次：${counts.map(([code, n]) => `${codeZh(code as ErrorCode)} ${n} 行`).join('，')}。${first.map(f => (f.error.messageZh.startsWith('第 ') ? f.error.messageZh : `${f.place.zh}：${f.error.messageZh}`)).join(' ')}${more.zh}${where.zh}；加 ?dryRun=true 可只检查不颁发。`,
  }, {
    summary: { rows: outcomes.length, issued: 0, rejected: outcomes.length, rejectedByCode: byCode },
    rows,
    ...(omitted === 0 ? {} : { rowsOmitted: omitted }),
  })
}
