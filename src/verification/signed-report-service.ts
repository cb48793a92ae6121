// Signed verification reports (核验报告): a committee's bulk verification kept under its own number, its digest signed
// like a certificate, given as a PDF with a QR code; anyone with the number and its code can confirm it later.
import { createHash, randomInt } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Actor } from '../actors/actor.js'
import type { Database } from '../db/schema.js'
import { ServiceError } from '../errors.js'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import { verifyCertificateSignature } from '../signing/certificate-jws.js'
import { signVerificationReport, verificationReportJwsType, type VerificationReportPayload } from '../signing/verification-report-jws.js'
import { chinaDateTimeZh, chinaYear } from '../text/china-time.js'
import type { PdfPool, PdfWork } from '../documents/index.js'
import type { BatchVerdict, BatchVerificationReport, BatchVerificationService, UploadedPdf } from './batch-verification-service.js'

/** What a report shows anyone who has its number and code: never a name sent, only the register's masked name. */
export interface PublicReportRow { row: number, number?: string, maskedName?: string, verdict: BatchVerdict, reasonZh: string }

export interface SignedReport {
  number: string
  /** Six characters printed beside the number and in the QR code: without them the report is not shown. */
  code: string
  committee: string
  checkedAt: string
  summary: BatchVerificationReport['summary']
  rows: PublicReportRow[]
  /** The signature checked now and the rows' digest matched: the report is as it was issued. */
  genuine: boolean
}

const numberPattern = /^HY(\d{4})(\d{6})$/
const codeAlphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
// Of each row's fields in a fixed order: jsonb keeps no key order, so the stored rows read back with their keys reordered.
const digestOf = (rows: readonly PublicReportRow[]) => createHash('sha256')
  .update(JSON.stringify(rows.map(r => [r.row, r.number ?? null, r.maskedName ?? null, r.verdict, r.reasonZh]))).digest('base64url')

/**
 * The number a public report shows for a row: the register's, or a sent text that has the shape of one (14 digits).
 * Anything else sent in the number column — an ID number or a name put in the wrong column — is neither stored nor shown.
 */
function shownNumberOf (row: { number?: string, certificate?: { number: string } }): string | undefined {
  if (row.certificate !== undefined) return row.certificate.number
  return row.number !== undefined && /^\d{14}$/.test(row.number) ? row.number : undefined
}

interface StoredReport { code: string, committee: string, checkedAt: string, summary: BatchVerificationReport['summary'], rows: PublicReportRow[] }

export type SignedReportService = ReturnType<typeof createSignedReportService>

/** The verdicts as the report prints them. */
export const verdictNamesZh: Readonly<Record<BatchVerdict, string>> = {
  valid: '有效', revoked: '已撤销', 'not-found': '未找到', 'name-mismatch': '姓名不符', 'name-unchecked': '姓名未核对',
  duplicate: '重复', malformed: '格式错误', 'invalid-signature': '签名无效', altered: '被篡改',
}

export interface SignedReportDeps {
  db: Kysely<Database>
  keys: SigningKeyRing
  clock: () => Date
  batchVerification: BatchVerificationService
  /** Where the report's PDF is drawn: a 1,500-row report is seconds of work, never on the event loop. */
  pool: PdfPool
  /** Where the QR code sends a reader to confirm the report. */
  publicBaseUrl: string
}

export function createSignedReportService ({ db, keys, clock, batchVerification, pool, publicBaseUrl }: SignedReportDeps) {
  const numberOf = (year: number, id: number) => `HY${year}${String(id).padStart(6, '0')}`

  async function load (number: string) {
    const match = numberPattern.exec(number)
    const row = match === null ? undefined : await db.selectFrom('verification_reports').selectAll().where('id', '=', Number(match[2])).executeTakeFirst()
    if (row === undefined || numberOf(chinaYear(row.created_at), row.id) !== number) throw new ServiceError('REPORT_NOT_FOUND')
    return { row, stored: (typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as StoredReport }
  }

  /** A verification's outcome stored under the next report number, its digest signed with the current key. */
  async function keepReport (actor: Actor, report: BatchVerificationReport): Promise<SignedReport> {
    const publicRows: PublicReportRow[] = report.rows.map(r => {
      const number = shownNumberOf(r)
      return {
        row: r.row,
        ...(number === undefined ? {} : { number }),
        ...(r.certificate === undefined ? {} : { maskedName: r.certificate.maskedName }),
        verdict: r.verdict,
        reasonZh: r.reasonZh,
      }
    })
    const code = Array.from({ length: 6 }, () => codeAlphabet[randomInt(codeAlphabet.length)]).join('')
    const now = clock()
    const stored: StoredReport = { code, committee: actor.name, checkedAt: report.checkedAt, summary: report.summary, rows: publicRows }
    return db.transaction().execute(async trx => {
      const { id } = await trx.insertInto('verification_reports')
        .values({ issuer_id: actor.issuerId, created_at: now, report: JSON.stringify(stored), jws: '' })
        .returning('id').executeTakeFirstOrThrow()
      const number = numberOf(chinaYear(now), id)
      const payload: VerificationReportPayload = { num: number, iss: actor.name, iid: actor.issuerId, iat: Math.floor(now.getTime() / 1000), sum: report.summary.verdicts, dig: digestOf(publicRows) }
      const jws = await signVerificationReport(keys.current(now), payload)
      await trx.updateTable('verification_reports').set({ jws }).where('id', '=', id).execute()
      return { number, ...stored, genuine: true }
    })
  }

  return {
    /**
     * Verifies the rows as POST /v1/verify/batch does (the same pipeline and name-check budgets), stores the outcome
     * under the next report number and signs its digest with the current signing key.
     */
    async issueReport (actor: Actor, rows: readonly unknown[]): Promise<SignedReport> {
      return keepReport(actor, await batchVerification.verifyNumbers(actor, rows))
    },

    /**
     * The same for a stack of certificate PDFs, verified as POST /v1/verify/batch verifies them (the signed token,
     * the document's integrity, the register); the rows carry the same verdicts. The verification comes back too: the
     * stack was uploaded once, and its maker sees every verdict the report signed.
     */
    async issuePdfReport (actor: Actor, files: AsyncIterable<UploadedPdf>): Promise<SignedReport & { verification: BatchVerificationReport }> {
      const verification = await batchVerification.verifyPdfs(actor, files)
      return { ...await keepReport(actor, verification), verification }
    },

    /** A report, for anyone with its number and code; `genuine` says whether its signature and digest hold now. */
    async readReport (number: string, code: string): Promise<SignedReport & { jws: string }> {
      const { row, stored } = await load(number)
      if (code.trim().toUpperCase() !== stored.code) throw new ServiceError('REPORT_NOT_FOUND')
      const signature = await verifyCertificateSignature(row.jws, kid => keys.find(kid), verificationReportJwsType)
      const payload = signature.ok ? signature.payload as VerificationReportPayload : undefined
      const genuine = payload !== undefined && payload.num === number && payload.dig === digestOf(stored.rows)
      return { number, ...stored, genuine, jws: row.jws }
    },

    /** The address that confirms a report: its page, with the number and code. */
    confirmUrlOf: (number: string, code: string) => `${publicBaseUrl}/console/report?number=${number}&code=${code}`,

    /** The report's signed PDF, for the organisation that made it; signed by the key that signed its token; drawn on the PDF pool. */
    async renderReportPdf (actor: Actor, number: string, work: PdfWork): Promise<Uint8Array> {
      const { row, stored } = await load(number)
      if (row.issuer_id !== actor.issuerId) throw new ServiceError('REPORT_NOT_FOUND')
      const { kid } = JSON.parse(Buffer.from(row.jws.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }
      const key = await keys.find(kid)
      if (key === undefined) throw new Error(`report ${number} was signed by key ${kid}, which is not in the key ring`)
      const v = stored.summary.verdicts
      const counted = (Object.keys(v) as BatchVerdict[]).filter(k => v[k] > 0).map(k => `${verdictNamesZh[k]} ${v[k]}`).join('，')
      return await pool.renderReport({
        number,
        code: stored.code,
        committee: stored.committee,
        checkedAt: new Date(stored.checkedAt),
        checkedAtText: chinaDateTimeZh(new Date(stored.checkedAt)),
        summaryText: `核验结果：共 ${stored.summary.rows} 行${counted === '' ? '' : `（${counted}）`}。`,
        rows: stored.rows.map(r => ({ row: String(r.row), number: r.number ?? '', maskedName: r.maskedName ?? '', verdict: verdictNamesZh[r.verdict], reason: r.reasonZh })),
        confirmUrl: `${publicBaseUrl}/console/report?number=${number}&code=${stored.code}`,
        signer: { kid: key.kid, alg: key.alg, privateJwk: key.privateJwk, certificateChain: key.certificateChain },
      }, work)
    },
  }
}
