// Queries on batch archives (their state) and on the full records of a batch's certificates, page by page.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/** The archive of a batch, if one was asked for. */
export async function findArchive (db: Kysely<Database>, batchId: number) {
  return db.selectFrom('batch_archives').selectAll().where('batch_id', '=', batchId).executeTakeFirst()
}

/**
 * Claims the batch's archive for this instance: a new one, or one that failed or whose preparer stopped
 * renewing its lease. Returns false when another preparation is alive (or the archive is ready).
 */
export async function claimArchive (db: Kysely<Database>, batchId: number, total: number, now: Date, leaseUntil: Date): Promise<boolean> {
  const claimed = await db.insertInto('batch_archives')
    .values({ batch_id: batchId, status: 'preparing', done: 0, total, file: null, bytes: null, sha256: null, error: null, started_at: now, lease_until: leaseUntil, finished_at: null })
    .onConflict(oc => oc.column('batch_id').doUpdateSet({ status: 'preparing', done: 0, total, file: null, bytes: null, sha256: null, error: null, started_at: now, lease_until: leaseUntil, finished_at: null })
      .where(eb => eb.or([eb('batch_archives.status', '=', 'failed'), eb.and([eb('batch_archives.status', '=', 'preparing'), eb('batch_archives.lease_until', '<', now)])])))
    .returning('batch_id')
    .executeTakeFirst()
  return claimed !== undefined
}

export async function recordProgress (db: Kysely<Database>, batchId: number, done: number, leaseUntil: Date): Promise<void> {
  await db.updateTable('batch_archives').set({ done, lease_until: leaseUntil }).where('batch_id', '=', batchId).where('status', '=', 'preparing').execute()
}

export async function recordReady (db: Kysely<Database>, batchId: number, file: { name: string, bytes: number, sha256: string }, now: Date): Promise<void> {
  await db.updateTable('batch_archives').set(eb => ({ status: 'ready', done: eb.ref('total'), file: file.name, bytes: file.bytes, sha256: file.sha256, finished_at: now }))
    .where('batch_id', '=', batchId).execute()
}

export async function recordFailure (db: Kysely<Database>, batchId: number, error: { code: string, message: string, messageZh: string }, now: Date): Promise<void> {
  await db.updateTable('batch_archives').set({ status: 'failed', error: JSON.stringify(error), finished_at: now }).where('batch_id', '=', batchId).execute()
}

/** Archives finished before `before`, to delete with their files; and deletes their rows. */
export async function removeArchivesFinishedBefore (db: Kysely<Database>, before: Date): Promise<Array<string | null>> {
  const rows = await db.deleteFrom('batch_archives').where('finished_at', '<', before).returning('file').execute()
  return rows.map(r => r.file)
}

/** One page of a batch's certificates, whole records, in number order after `after`. */
export async function listBatchCertificateRecords (db: Kysely<Database>, batchId: number, after: string | null, limit: number) {
  let query = db.selectFrom('certificates')
    .innerJoin('issuers', 'issuers.id', 'certificates.issuer_id')
    .selectAll('certificates')
    .select('issuers.name as issuer_name')
    .where('certificates.batch_id', '=', batchId)
  if (after !== null) query = query.where('certificates.number', '>', after)
  return query.orderBy('certificates.number').limit(limit).execute()
}
