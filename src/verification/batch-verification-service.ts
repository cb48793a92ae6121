// Bulk verification for committees: up to 10,000 numbers (with names) in a few set-based queries, or several PDFs through the one pipeline.
// Names are compared within the name-check budgets; every bulk verification is recorded in the audit trail.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { ErrorCode, Wording } from '../errors.js'
import { findCertificatesByNumbers, type PublicCertificateRow } from '../certificates/certificate-repository.js'
import type { CertificateHours } from '../certificates/certificate-service.js'
import { maskName } from '../certificates/masking.js'
import { nameCheckBudget, type NameCheckOutcome, type NameCheckService } from '../certificates/name-checks.js'
import { waitWords } from '../certificates/wait-words.js'
import { issuerAuditActor, recordAudit } from '../audit/audit-repository.js'
import type { Actor } from '../actors/actor.js'
import { findRegion } from '../regions/region-table.js'
import { diagnoseEnteredNumber, type EnteredNumberProblem } from './entered-number.js'
import type { VerificationReport } from './verification-report.js'
import type { VerificationService } from './verification-service.js'
import { chinaDate, chinaYear } from '../text/china-time.js'

export const maxBatchVerificationRows = 10_000
/** PDFs per request: each goes through the whole pipeline, one after another, while the upload streams. */
export const maxBatchPdfFiles = 50
/** Per PDF, as for POST /v1/verify: a certificate PDF is about 60 KB, a scan saved as PDF a few MB. */
export const maxBatchPdfBytes = 5 * 1024 * 1024
/** All the PDFs of one request together: 50 certificates are ~3 MB; a limit on the stream, since a multipart body has no other. */
export const maxBatchPdfRequestBytes = 32 * 1024 * 1024

export const batchVerdicts = ['valid', 'revoked', 'not-found', 'name-mismatch', 'name-unchecked', 'duplicate', 'malformed', 'invalid-signature', 'altered'] as const
export type BatchVerdict = typeof batchVerdicts[number]

/**
 * What the public lookup shows of a certificate found: the holder's name masked, never an ID number;
 * for a PDF also the full name it carries (the one who uploads the PDF holds it already).
 */
export interface BatchCertificate {
  number: string
  maskedName: string
  holderName?: string
  status: 'valid' | 'revoked'
  year: number
  region: { code: string, name: string }
  issuer: { name: string }
  issuedAt: string
  revokedAt?: string
  hours: CertificateHours
}

/** One row of the report (schemas/batch-verification-report.json). */
export interface BatchVerificationRow {
  row: number
  /** The row of the uploaded sheet, when the rows came as CSV or .xlsx. */
  sheetRow?: number
  number?: string
  name?: string
  file?: string
  verdict: BatchVerdict
  code?: ErrorCode
  reason: string
  reasonZh: string
  nameMatches?: boolean
  certificate?: BatchCertificate
}

export interface BatchVerificationReport {
  summary: { rows: number, verdicts: Record<BatchVerdict, number> }
  source: 'rows' | 'pdfs'
  checkedAt: string
  rows: BatchVerificationRow[]
}

/** A PDF as uploaded; `truncated` when it was larger than maxBatchPdfBytes and only its start was read. */
export interface UploadedPdf { filename: string, bytes: Uint8Array, truncated: boolean }

/** A row as sent, once its shape is known: text values, or why not; `firstRow` when its number came earlier. */
type SentRow = { number: string, name?: string, problem?: EnteredNumberProblem, firstRow?: number, sheetRow?: number }

/** Where rows of an uploaded sheet came from, row by row: the sheet row, and a problem only the sheet shows (a number stored as a number). */
export type SheetOrigins = ReadonlyArray<{ sheetRow: number, problem?: EnteredNumberProblem }>


/** A JSON row: `{ number, name? }` with text values; anything else is that row's problem. */
function readSentRow (value: unknown): SentRow {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { number: '', problem: { reason: 'the row is not an object { "number": …, "name": … }', reasonZh: '该行不是 { "number": …, "name": … } 形式的对象。' } }
  }
  const { number, name, ...rest } = value as Record<string, unknown>
  const shownNumber = typeof number === 'string' ? number : number === undefined ? '' : JSON.stringify(number)
  const unknown = Object.keys(rest)
  if (unknown.length > 0) {
    return { number: shownNumber, problem: { reason: `the row has fields other than number and name: ${unknown.join(', ')}`, reasonZh: `该行含有 number 与 name 以外的字段：${unknown.join('、')}。` } }
  }
  if (number !== undefined && typeof number !== 'string') {
    return { number: shownNumber, problem: { reason: 'the number must be sent as text ("44010625000001"), not as a JSON number', reasonZh: '证书编号须以文本形式提交（"44010625000001"），不能是数值。' } }
  }
  if (name !== undefined && name !== null && typeof name !== 'string') {
    return { number: shownNumber, problem: { reason: 'the name must be text', reasonZh: '姓名须为文本。' } }
  }
  return { number: shownNumber, ...(typeof name === 'string' && name.trim() !== '' ? { name } : {}) }
}

type FoundCertificate = PublicCertificateRow

function certificateView (row: FoundCertificate): BatchCertificate {
  return {
    number: row.number,
    maskedName: maskName(row.holder_name),
    status: row.status,
    year: row.year,
    region: { code: row.region_code, name: findRegion(row.region_code)?.fullName ?? '' },
    issuer: { name: row.issuer_name },
    issuedAt: row.issued_at.toISOString(),
    ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at.toISOString() }),
    hours: { public: row.hours_public, professional: row.hours_professional, elective: row.hours_elective, selfStudy: row.hours_self_study, total: row.hours_total },
  }
}

type Judgement = Pick<BatchVerificationRow, 'verdict' | 'reason' | 'reasonZh' | 'nameMatches' | 'certificate'>

/** Why a name was not compared: the certificate's budget, or the account's. */
function uncheckedName (outcome: Extract<NameCheckOutcome, { checked: false }>, certificate: BatchCertificate, accountBudget: number, withheld: boolean): Judgement {
  const wait = waitWords(outcome.retryAfterSeconds)
  const status = certificate.status === 'revoked' ? { en: 'revoked', zh: '已撤销' } : { en: 'valid', zh: '有效' }
  const why: Wording = outcome.reason === 'certificate'
    ? { en: `this certificate has been checked against ${nameCheckBudget.failuresPerCertificate} wrong names in the last 24 hours`, zh: `该证书 24 小时内姓名核对错误已达 ${nameCheckBudget.failuresPerCertificate} 次` }
    : withheld
      ? { en: `this request took the account past its ${accountBudget} wrong names in 24 hours, so none of its names is reported`, zh: `本次提交使本账户 24 小时内的错误姓名超过 ${accountBudget} 个，本次所有姓名核对结果均不予显示` }
      : { en: `this account has sent ${accountBudget} wrong names in the last 24 hours`, zh: `本账户 24 小时内提交的错误姓名已达 ${accountBudget} 个` }
  return {
    verdict: 'name-unchecked',
    reason: `the name was not checked: ${why.en} (names are checked again in ${wait.en}); the certificate is ${status.en}`,
    reasonZh: `姓名未核对：${why.zh}（约 ${wait.zh}后可再核对）；证书状态：${status.zh}。`,
    certificate,
  }
}

/** The verdict of a well-formed number: not found, name mismatch (or not checked), revoked, valid — in that order. */
function judgeNumber (sent: SentRow, found: FoundCertificate | undefined, outcome: NameCheckOutcome | undefined, accountBudget: number, withheld: boolean): Judgement {
  if (found === undefined) return { verdict: 'not-found', reason: `the issuance register has no certificate ${sent.number}`, reasonZh: '发放名册中没有该编号的证书。' }
  const certificate = certificateView(found)
  if (outcome !== undefined && !outcome.checked) return uncheckedName(outcome, certificate, accountBudget, withheld)
  const nameMatches = outcome?.matches
  const named = nameMatches === undefined ? {} : { nameMatches }
  const revokedOn = found.revoked_at === null ? '' : chinaDate(found.revoked_at)
  if (nameMatches === false) {
    const status = found.status === 'revoked' ? `, and revoked${revokedOn === '' ? '' : ` on ${revokedOn}`}` : ''
    return {
      verdict: 'name-mismatch',
      reason: `the certificate is held by ${certificate.maskedName}, not by the name given${status}`,
      reasonZh: `该证书持有人为${certificate.maskedName}，与所填姓名不符${found.status === 'revoked' ? '；且证书已撤销' : ''}。`,
      ...named,
      certificate,
    }
  }
  const nameNote = nameMatches === true ? { en: '; the name matches', zh: '，姓名一致' } : { en: '', zh: '' }
  if (found.status === 'revoked') {
    return { verdict: 'revoked', reason: `revoked${revokedOn === '' ? '' : ` on ${revokedOn}`}${nameNote.en}`, reasonZh: `证书已撤销${revokedOn === '' ? '' : `（${revokedOn}）`}${nameNote.zh}。`, ...named, certificate }
  }
  return { verdict: 'valid', reason: `valid: in the issuance register and not revoked${nameNote.en}`, reasonZh: `有效：发放名册中有该证书，未被撤销${nameNote.zh}。`, ...named, certificate }
}

/** A PDF's pipeline report as a row: not the PDF this service signed is altered, a document failure malformed, any other failure an invalid signature. */
function judgePdf (report: VerificationReport): Pick<BatchVerificationRow, 'number' | 'verdict' | 'code' | 'reason' | 'reasonZh' | 'certificate'> {
  const last = report.checks.at(-1)
  if (report.verdict === 'altered') {
    const failed = report.checks.find(c => !c.ok)
    return { verdict: 'altered', code: failed?.code ?? 'PDF_ALTERED', reason: failed?.reason ?? 'the PDF is forged or altered', reasonZh: `伪造或被篡改：${failed?.reasonZh ?? 'PDF 不是签发时的原件。'}` }
  }
  if (report.verdict === 'invalid') {
    const failed = report.checks.find(c => !c.ok) ?? last
    return {
      verdict: failed?.name === 'document' ? 'malformed' : 'invalid-signature',
      code: failed?.code ?? 'INVALID_TOKEN',
      reason: failed?.reason ?? 'the PDF does not verify',
      reasonZh: failed?.reasonZh ?? 'PDF 未通过核验。',
    }
  }
  const signed = report.certificate!
  if (report.verdict === 'unknown') {
    return { number: signed.number, verdict: 'not-found', reason: `signed by this service, but ${last?.reason ?? 'not in the issuance register'}`, reasonZh: `签名有效，但${last?.reasonZh ?? '发放名册中没有该证书。'}` }
  }
  const certificate: BatchCertificate = {
    number: signed.number,
    maskedName: maskName(signed.holderName),
    holderName: signed.holderName,
    status: report.verdict === 'revoked' ? 'revoked' : 'valid',
    year: signed.year,
    region: signed.region,
    issuer: { name: signed.issuer?.name ?? '' },
    issuedAt: signed.issuedAt,
    ...(signed.revokedAt === undefined ? {} : { revokedAt: signed.revokedAt }),
    hours: signed.hours,
  }
  return { number: signed.number, verdict: report.verdict === 'revoked' ? 'revoked' : 'valid', reason: last?.reason ?? report.verdict, reasonZh: last?.reasonZh ?? '', certificate }
}

function summarise (source: 'rows' | 'pdfs', checkedAt: Date, rows: BatchVerificationRow[]): BatchVerificationReport {
  const verdicts = Object.fromEntries(batchVerdicts.map(v => [v, 0])) as Record<BatchVerdict, number>
  for (const row of rows) verdicts[row.verdict]++
  return { summary: { rows: rows.length, verdicts }, source, checkedAt: checkedAt.toISOString(), rows }
}

export interface BatchVerificationDeps {
  db: Kysely<Database>
  verification: VerificationService
  nameChecks: NameCheckService
  clock: () => Date
  /** Wrong names an account may send per 24 hours (config NAME_CHECK_MISMATCHES_PER_ACCOUNT_PER_DAY). */
  mismatchesPerAccountPerDay: number
}

export type BatchVerificationService = ReturnType<typeof createBatchVerificationService>

/** Every row whose number came already in an earlier row: not checked again, so one request holds one name per certificate. */
function markRepeats (sent: SentRow[]): SentRow[] {
  const first = new Map<string, number>()
  return sent.map((row, index) => {
    if (row.problem !== undefined) return row
    const earlier = first.get(row.number)
    if (earlier === undefined) {
      first.set(row.number, index + 1)
      return row
    }
    return { ...row, firstRow: earlier }
  })
}

export function createBatchVerificationService ({ db, verification, nameChecks, clock, mismatchesPerAccountPerDay }: BatchVerificationDeps) {
  /** The audit record of one bulk verification: who, how many rows, which numbers, how many wrong names. */
  const auditOf = (actor: Actor, report: BatchVerificationReport, details: Record<string, unknown>) => ({
    action: 'verification.batch',
    subject: String(actor.issuerId),
    regionCode: actor.region.code,
    before: null,
    after: null,
    details: { source: report.source, rows: report.summary.rows, verdicts: report.summary.verdicts, ...details },
  })

  return {
    /**
     * Verifies up to 10,000 rows of `{ number, name? }` (JSON values, or cells of an uploaded sheet as
     * text, with their `origins`) for `actor`.
     * Every row gets its verdict; a row that is not well formed is `malformed` with the exact reason and
     * is never looked up, and a number that came in an earlier row is a `duplicate`, not checked again.
     * The well-formed numbers are looked up together, 1,000 per query; the names are compared within the
     * name-check budgets of each certificate and of the account, in the transaction that records the
     * verification in the audit trail.
     */
    async verifyNumbers (actor: Actor, rows: readonly unknown[], origins?: SheetOrigins): Promise<BatchVerificationReport> {
      const checkedAt = clock()
      const sent = markRepeats(rows.map((row, index) => {
        const read = readSentRow(row)
        const origin = origins?.[index]
        const sheet = origin === undefined ? {} : { sheetRow: origin.sheetRow }
        const problem = read.problem ?? origin?.problem ?? diagnoseEnteredNumber(read.number, chinaYear(checkedAt)) ?? undefined
        return { ...read, ...sheet, problem }
      }))
      const checkable = sent.filter(s => s.problem === undefined && s.firstRow === undefined)
      const found = new Map((await findCertificatesByNumbers(db, checkable.map(s => s.number))).map(c => [c.number, c]))
      const named = checkable.flatMap(s => {
        const holder = found.get(s.number)
        return s.name === undefined || holder === undefined ? [] : [{ number: s.number, given: s.name, holderName: holder.holder_name }]
      })
      let report: BatchVerificationReport | undefined
      await nameChecks.checkNames(named, { issuerId: actor.issuerId }, async (trx, { outcomes, withheld, mismatches }) => {
        const outcomeOf = new Map(named.map((check, i) => [check.number, outcomes[i]!]))
        report = summarise('rows', checkedAt, sent.map((s, index): BatchVerificationRow => {
          const row = { row: index + 1, ...(s.sheetRow === undefined ? {} : { sheetRow: s.sheetRow }), number: s.number, ...(s.name === undefined ? {} : { name: s.name }) }
          if (s.problem !== undefined) return { ...row, verdict: 'malformed', ...s.problem }
          if (s.firstRow !== undefined) {
            return { ...row, verdict: 'duplicate', reason: `the number was already given in row ${s.firstRow}; it is checked there, once`, reasonZh: `该编号已在第 ${s.firstRow} 行出现，只在该行核验一次。` }
          }
          return { ...row, ...judgeNumber(s, found.get(s.number), outcomeOf.get(s.number), mismatchesPerAccountPerDay, withheld) }
        }))
        await recordAudit(trx, issuerAuditActor(actor), checkedAt, [auditOf(actor, report, { numbers: checkable.map(s => s.number), namesChecked: named.length, mismatches, withheld })])
      })
      return report!
    },

    /**
     * Verifies PDFs one after another as they arrive, each through the verification pipeline: a file
     * that is too large, not a PDF, or without a certificate is `malformed`; one whose token fails is
     * `invalid-signature`; a signed certificate missing from the register is `not-found`. Recorded in
     * the audit trail with the numbers found.
     */
    async verifyPdfs (actor: Actor, files: AsyncIterable<UploadedPdf>): Promise<BatchVerificationReport> {
      const checkedAt = clock()
      const rows: BatchVerificationRow[] = []
      for await (const file of files) {
        const row = rows.length + 1
        if (file.truncated) {
          const mb = maxBatchPdfBytes / 1024 / 1024
          rows.push({ row, file: file.filename, verdict: 'malformed', code: 'PAYLOAD_TOO_LARGE', reason: `the file is larger than ${mb} MB`, reasonZh: `文件超过 ${mb} MB。` })
          continue
        }
        rows.push({ row, file: file.filename, ...judgePdf(await verification.verifyPresentation({ pdf: file.bytes })) })
      }
      const report = summarise('pdfs', checkedAt, rows)
      await db.transaction().execute(trx => recordAudit(trx, issuerAuditActor(actor), checkedAt, [auditOf(actor, report, { numbers: rows.flatMap(r => (r.number === undefined ? [] : [r.number])) })]))
      return report
    },
  }
}
