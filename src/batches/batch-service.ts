// Batch issuance: every row checked on its own, the valid ones numbered, signed and stored in one transaction.
import type { Kysely } from 'kysely'
import { isServiceError, ServiceError, type ErrorCode } from '../errors.js'
import type { Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import { certificateExists, type BeforeCommit, type CertificateService, type IssuedCertificate } from '../certificates/certificate-service.js'
import { planIssuance, type IssuancePlan, type IssueCertificateRequest } from '../certificates/issuance-request.js'
import * as batches from './batch-repository.js'
import { findHeldCertificates, heldKey } from '../certificates/certificate-repository.js'

/** The most rows one batch may have. */
export const maxBatchRows = 10_000

/** One row as the caller sent it: a request to plan, or the reason it could not even be read. */
export type BatchRow = { request: IssueCertificateRequest } | { error: ServiceError }

export interface RowError { code: ErrorCode, message: string, messageZh: string, details?: unknown }

export type BatchRowResult =
  | { row: number, status: 'issued', number: string }
  | { row: number, status: 'rejected', errors: RowError[] }

/** The answer to a batch (schemas/batch-report.json): summary first, then every row in order. */
export interface BatchReport {
  summary: { rows: number, issued: number, rejected: number, rejectedByCode: Record<string, number> }
  batchId: number
  createdAt: string
  /** The numbers taken: one contiguous range per (county, year). */
  ranges: Array<{ regionCode: string, year: number, first: string, last: string, count: number }>
  rows: BatchRowResult[]
  links: { self: string, pdfs: string }
}

export interface BatchView {
  id: number
  createdAt: string
  issuer: { id: number, name: string }
  summary: { rows: number, issued: number, rejected: number }
  /** In number order, with their status today. */
  certificates: Array<{ number: string, holderName: string, status: 'valid' | 'revoked' }>
  links: { self: string, pdfs: string }
}

export interface BatchServiceDeps {
  db: Kysely<Database>
  certificates: CertificateService
  holderIdSecret: Buffer
  clock: () => Date
}

export type BatchService = ReturnType<typeof createBatchService>

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

function rowError (error: ServiceError): RowError {
  return { code: error.code, message: error.message, messageZh: error.messageZh, ...(error.details === undefined ? {} : { details: error.details }) }
}

const links = (id: number) => ({ self: `/v1/batches/${id}`, pdfs: `/v1/batches/${id}/pdfs` })

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

export function createBatchService ({ db, certificates, holderIdSecret, clock }: BatchServiceDeps) {
  /** Plans every row; a row that fails becomes its error, never the batch's. */
  function planRows (actor: Actor, rows: BatchRow[], now: Date): Array<IssuancePlan | RowError> {
    const outcomes = rows.map(row => {
      if ('error' in row) return rowError(row.error)
      try {
        return planIssuance(actor, row.request, { now, holderIdSecret })
      } catch (error) {
        if (isServiceError(error)) return rowError(error)
        throw error
      }
    })
    // A holder twice for one year: which row is right is not ours to guess, so none of them is issued.
    const byHolder = new Map<string, number[]>()
    outcomes.forEach((o, i) => {
      if ('code' in o) return
      const key = `${o.holderIdHmac}:${o.year}`
      byHolder.set(key, [...(byHolder.get(key) ?? []), i])
    })
    for (const indexes of byHolder.values()) {
      if (indexes.length < 2) continue
      const rowsOf = indexes.map(i => i + 1)
      for (const i of indexes) {
        outcomes[i] = rowError(new ServiceError('DUPLICATE_IN_BATCH', `The holder appears for ${(outcomes[i] as IssuancePlan).year} in rows ${rowsOf.join(', ')}; none of them was issued.`, { rows: rowsOf }))
      }
    }
    return outcomes
  }

  /** Marks rows whose holder already has a valid certificate for that year. */
  async function refuseHeld (actor: Actor, outcomes: Array<IssuancePlan | RowError>): Promise<void> {
    const planned = outcomes.flatMap((o, i) => ('code' in o ? [] : [i]))
    const held = await findHeldCertificates(db, planned.map(i => ({ hmac: (outcomes[i] as IssuancePlan).holderIdHmac, year: (outcomes[i] as IssuancePlan).year })))
    for (const i of planned) {
      const plan = outcomes[i] as IssuancePlan
      const existing = held.get(heldKey(plan.holderIdHmac, plan.year))
      if (existing !== undefined) outcomes[i] = rowError(certificateExists(actor, plan.year, existing))
    }
  }

  return {
    /**
     * Issues a batch: each row is checked like a single issuance, holders twice in the batch or
     * already holding a valid certificate that year are refused, and the valid rows are issued in
     * ONE transaction with one contiguous number range per (county, year). The batch and, through
     * `beforeCommit`, its idempotency record are stored in the same transaction: all or nothing.
     */
    async issueBatch (actor: Actor, rows: BatchRow[], beforeCommit?: BeforeCommit<BatchReport>): Promise<BatchReport> {
      if (rows.length === 0 || rows.length > maxBatchRows) throw new ServiceError('VALIDATION_FAILED', `A batch has 1 to ${maxBatchRows} rows; this one has ${rows.length}.`)
      const now = clock()
      const outcomes = planRows(actor, rows, now)
      for (let attempt = 1; ; attempt++) {
        await refuseHeld(actor, outcomes)
        const plans = outcomes.filter((o): o is IssuancePlan => !('code' in o))
        try {
          return await db.transaction().execute(async trx => {
            const batchId = await batches.insertBatch(trx, { issuerId: actor.issuerId, createdAt: now, rows: rows.length, issued: plans.length, rejected: rows.length - plans.length })
            const issued = await certificates.storeIssuances(trx, plans.map(plan => ({ actor, plan })), batchId)
            const report = reportOf(batchId, now, outcomes, issued)
            await beforeCommit?.(trx, report)
            return report
          })
        } catch (error) {
          // A holder was issued a certificate by another request meanwhile: look again, and retry without them.
          if (isUniqueViolation(error) && attempt < 3) continue
          throw error
        }
      }
    },

    /** A batch with its certificates, for the account that issued it. */
    async readBatch (actor: Actor, id: number): Promise<BatchView> {
      const batch = await batches.findBatch(db, id)
      if (batch === undefined) throw new ServiceError('BATCH_NOT_FOUND', `No batch has the id ${id}.`)
      if (batch.issuer_id !== actor.issuerId) throw new ServiceError('OUT_OF_SCOPE', `Batch ${id} was issued by another account.`)
      const certificates: BatchView['certificates'] = []
      for await (const c of this.batchCertificates(batch.id)) certificates.push(c)
      return {
        id: batch.id,
        createdAt: batch.created_at.toISOString(),
        issuer: { id: batch.issuer_id, name: batch.issuer_name },
        summary: { rows: batch.row_count, issued: batch.issued_count, rejected: batch.rejected_count },
        certificates,
        links: links(batch.id),
      }
    },

    /** Every certificate of a batch in number order, read page by page. */
    async * batchCertificates (batchId: number, pageSize = 500): AsyncGenerator<{ number: string, holderName: string, status: 'valid' | 'revoked' }> {
      let after: string | null = null
      for (;;) {
        const page = await batches.listBatchCertificates(db, batchId, after, pageSize)
        for (const c of page) yield { number: c.number, holderName: c.holder_name, status: c.status }
        if (page.length < pageSize) return
        after = page[page.length - 1]!.number
      }
    },
  }
}

function reportOf (batchId: number, createdAt: Date, outcomes: Array<IssuancePlan | RowError>, issued: IssuedCertificate[]): BatchReport {
  let next = 0
  const rejectedByCode: Record<string, number> = {}
  const rows = outcomes.map((o, i): BatchRowResult => {
    if ('code' in o) {
      rejectedByCode[o.code] = (rejectedByCode[o.code] ?? 0) + 1
      return { row: i + 1, status: 'rejected', errors: [o] }
    }
    return { row: i + 1, status: 'issued', number: issued[next++]!.number }
  })
  return {
    summary: { rows: outcomes.length, issued: issued.length, rejected: outcomes.length - issued.length, rejectedByCode },
    batchId,
    createdAt: createdAt.toISOString(),
    ranges: rangesOf(issued),
    rows,
    links: links(batchId),
  }
}
