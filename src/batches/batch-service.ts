// Batch issuance: every row checked on its own, the valid ones numbered, signed and stored in one transaction, every row's outcome kept.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { Kysely } from 'kysely'
import { isServiceError, ServiceError } from '../errors.js'
import type { Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import { certificateExists, type BeforeCommit, type CertificateService } from '../certificates/certificate-service.js'
import { maxHolderNameLength, planIssuance, type IssuancePlan, type IssueCertificateRequest } from '../certificates/issuance-request.js'
import { normaliseName } from '../text/names.js'
import type { PrintableCharacters } from '../documents/index.js'
import { readUploadedTable } from '../spreadsheets/uploaded-table.js'
import * as batches from './batch-repository.js'
import { batchColumns, readBatchRows, type UploadedBatchRow } from './batch-table.js'
import { writeBatchTemplate } from './batch-template.js'
import { batchLinks, inSheetRow, nothingIssued, previewOf, reportOf, rowError, type BatchPreview, type BatchReport, type BatchRowResult, type RowOrigin, type RowOutcome } from './batch-outcomes.js'
import { findHeldCertificates, heldKey } from '../certificates/certificate-repository.js'

export type { BatchPreview, BatchReport, BatchRowResult } from './batch-outcomes.js'

/** The most rows one batch may have. */
export const maxBatchRows = 10_000

/**
 * One row as the caller sent it: a request to plan, or the errors that kept it from being one
 * (already worded with their sheet row). `sheetRow` is its row in an uploaded sheet.
 */
export type BatchRow =
  | { request: IssueCertificateRequest, sheetRow?: number }
  | { errors: ServiceError[], sheetRow?: number, holderName?: string }

export interface BatchView {
  id: number
  createdAt: string
  issuer: { id: number, name: string }
  summary: { rows: number, issued: number, rejected: number }
  /** In number order, with their status today. */
  certificates: Array<{ number: string, holderName: string, status: 'valid' | 'revoked' }>
  /** Every row's outcome as reported when the batch was issued; empty for batches issued before outcomes were kept. */
  rows: BatchRowResult[]
  links: { self: string, pdfs: string }
}

export interface BatchServiceDeps {
  db: Kysely<Database>
  certificates: CertificateService
  holderIdSecret: Buffer
  clock: () => Date
  printable: PrintableCharacters
}

export type BatchService = ReturnType<typeof createBatchService>

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

/**
 * A holder's name as a row outcome may keep it: only what can be a name (printable, not too long, no
 * digits — an ID number typed into the name column must not be kept as one).
 */
function keptName (raw: unknown): string | undefined {
  if (typeof raw !== 'string' || /[\p{Nd}]/u.test(raw)) return undefined
  try {
    return normaliseName(raw, 'holder.name', maxHolderNameLength)
  } catch {
    return undefined
  }
}

export function createBatchService ({ db, certificates, holderIdSecret, clock, printable }: BatchServiceDeps) {
  /** Plans every row, a turn of the event loop every 50 rows (a few milliseconds: a plan costs tens of microseconds); a row that fails becomes its errors, never the batch's. */
  async function planRows (actor: Actor, rows: BatchRow[], now: Date): Promise<RowOutcome[]> {
    const outcomes: RowOutcome[] = []
    for (const [i, row] of rows.entries()) {
      if (i % 50 === 49) await nextTurn()
      outcomes.push(planRow(actor, row, i, now))
    }
    return markDuplicates(outcomes)
  }

  /** One row's plan, or its errors (worded with its sheet row). */
  function planRow (actor: Actor, row: BatchRow, i: number, now: Date): RowOutcome {
    const origin: RowOrigin = { row: i + 1, ...(row.sheetRow === undefined ? {} : { sheetRow: row.sheetRow }) }
    if ('errors' in row) {
      const holderName = keptName(row.holderName)
      return { origin: holderName === undefined ? origin : { ...origin, holderName }, errors: row.errors.map(rowError) }
    }
    const holderName = keptName(row.request.holder.name)
    const named = holderName === undefined ? origin : { ...origin, holderName }
    try {
      const plan = planIssuance(actor, row.request, { now, holderIdSecret, printable })
      return { origin: { ...origin, holderName: plan.holderName }, plan }
    } catch (error) {
      if (isServiceError(error)) return { origin: named, errors: [rowError(inSheetRow(error, row.sheetRow))] }
      throw error
    }
  }

  /** A holder twice for one year: which row is right is not ours to guess, so none of them is issued. */
  function markDuplicates (outcomes: RowOutcome[]): RowOutcome[] {
    const byHolder = new Map<string, number[]>()
    outcomes.forEach((o, i) => {
      if (!('plan' in o)) return
      const key = `${o.plan.holderIdHmac}:${o.plan.year}`
      byHolder.set(key, [...(byHolder.get(key) ?? []), i])
    })
    for (const indexes of byHolder.values()) {
      if (indexes.length < 2) continue
      const rowsOf = indexes.map(i => i + 1)
      const sheetRows = indexes.map(i => outcomes[i]!.origin.sheetRow)
      const inSheet = sheetRows.every(r => r !== undefined)
      for (const i of indexes) {
        const { year } = (outcomes[i] as { plan: IssuancePlan }).plan
        const where = inSheet ? { en: `rows ${sheetRows.join(', ')} of the sheet`, zh: `第 ${sheetRows.join('、')} 行` } : { en: `rows ${rowsOf.join(', ')}`, zh: `第 ${rowsOf.join('、')} 条` }
        outcomes[i] = {
          origin: outcomes[i]!.origin,
          errors: [rowError(new ServiceError('DUPLICATE_IN_BATCH', {
            en: `The holder appears for ${year} in ${where.en}; none of them was issued.`,
            zh: `同一人员 ${year} 年度在${where.zh}重复出现，这几行均未颁发：请核对后只保留一行。`,
          }, { rows: rowsOf, ...(inSheet ? { sheetRows } : {}) }))],
        }
      }
    }
    return outcomes
  }

  /** Marks rows whose holder already has a valid certificate for that year. */
  async function refuseHeld (actor: Actor, outcomes: RowOutcome[]): Promise<void> {
    const planned = outcomes.flatMap((o, i) => ('plan' in o ? [i] : []))
    const plans = planned.map(i => (outcomes[i] as { plan: IssuancePlan }).plan)
    const held = await findHeldCertificates(db, plans.map(plan => ({ hmac: plan.holderIdHmac, year: plan.year })))
    planned.forEach((i, k) => {
      const plan = plans[k]!
      const existing = held.get(heldKey(plan.holderIdHmac, plan.year))
      if (existing !== undefined) outcomes[i] = { origin: outcomes[i]!.origin, errors: [rowError(inSheetRow(certificateExists(actor, plan.year, existing), outcomes[i]!.origin.sheetRow))] }
    })
  }

  /** Every row planned and checked against the certificates already held, as issuing and a dry run both need. */
  async function checkRows (actor: Actor, rows: BatchRow[], now: Date): Promise<RowOutcome[]> {
    if (rows.length === 0 || rows.length > maxBatchRows) {
      throw new ServiceError('VALIDATION_FAILED', { en: `A batch has 1 to ${maxBatchRows} rows; this one has ${rows.length}.`, zh: `一批须有 1 至 ${maxBatchRows} 行，此批有 ${rows.length} 行。` })
    }
    const outcomes = await planRows(actor, rows, now)
    await refuseHeld(actor, outcomes)
    return outcomes
  }

  return {
    /**
     * Issues a batch: each row is checked like a single issuance, holders twice in the batch or
     * already holding a valid certificate that year are refused, and the valid rows are issued in
     * ONE transaction with one contiguous number range per (county, year). The batch, every row's
     * outcome and, through `beforeCommit`, its idempotency record are stored in the same
     * transaction: all or nothing. A batch of which no row can be issued is BATCH_NOTHING_ISSUED
     * and leaves nothing behind.
     */
    async issueBatch (actor: Actor, rows: BatchRow[], beforeCommit?: BeforeCommit<BatchReport>): Promise<BatchReport> {
      const now = clock()
      const outcomes = await checkRows(actor, rows, now)
      for (let attempt = 1; ; attempt++) {
        if (attempt > 1) await refuseHeld(actor, outcomes)
        const plans = outcomes.flatMap(o => ('plan' in o ? [o.plan] : []))
        if (plans.length === 0) throw nothingIssued(outcomes)
        try {
          return await db.transaction().execute(async trx => {
            const batchId = await batches.insertBatch(trx, { issuerId: actor.issuerId, createdAt: now, rows: rows.length, issued: plans.length, rejected: rows.length - plans.length })
            const issued = await certificates.storeIssuances(trx, plans.map(plan => ({ actor, plan })), batchId)
            const report = reportOf(batchId, now, outcomes, issued)
            await batches.storeRowOutcomes(trx, batchId, report.rows)
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

    /** A dry run: every row's verdict as issuing would give it, without taking a number or storing anything. */
    async previewBatch (actor: Actor, rows: BatchRow[]): Promise<BatchPreview> {
      return previewOf(await checkRows(actor, rows, clock()))
    },

    /**
     * The rows of an uploaded batch file (CSV or .xlsx, read by readUploadedTable): each a request
     * to check, or the problems of its cells, worded with its row and column of the sheet.
     */
    async readUploadedBatch (bytes: Uint8Array): Promise<UploadedBatchRow[]> {
      return await readBatchRows(await readUploadedTable(bytes, batchColumns), clock())
    },

    /** The .xlsx template for `actor`: its region's rule sets, today's year. */
    batchTemplate (actor: Actor): Promise<Buffer> {
      return writeBatchTemplate(actor, clock())
    },

    /** A batch with its certificates, for the account that issued it. */
    async readBatch (actor: Actor, id: number): Promise<BatchView> {
      const batch = await batches.findBatch(db, id)
      if (batch === undefined) throw new ServiceError('BATCH_NOT_FOUND', { en: `No batch has the id ${id}.`, zh: `没有编号为 ${id} 的批次。` })
      if (batch.issuer_id !== actor.issuerId) throw new ServiceError('OUT_OF_SCOPE', { en: `Batch ${id} was issued by another account.`, zh: `批次 ${id} 由其他账户颁发，本账户无权查看。` })
      const certificates: BatchView['certificates'] = []
      for await (const c of this.batchCertificates(batch.id)) certificates.push(c)
      return {
        id: batch.id,
        createdAt: batch.created_at.toISOString(),
        issuer: { id: batch.issuer_id, name: batch.issuer_name },
        summary: { rows: batch.row_count, issued: batch.issued_count, rejected: batch.rejected_count },
        certificates,
        rows: Array.isArray(batch.row_outcomes) ? batch.row_outcomes as BatchRowResult[] : [],
        links: batchLinks(batch.id),
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
