// Queries on issuance batches and their certificates. Each takes the database or a transaction first.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertBatch (trx: Transaction<Database>, batch: { issuerId: number, createdAt: Date, rows: number, issued: number, rejected: number }): Promise<number> {
  const row = await trx.insertInto('batches')
    .values({ issuer_id: batch.issuerId, created_at: batch.createdAt, row_count: batch.rows, issued_count: batch.issued, rejected_count: batch.rejected })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/** Keeps each row's outcome with the batch, in the batch's own transaction. */
export async function storeRowOutcomes (trx: Transaction<Database>, batchId: number, outcomes: readonly unknown[]): Promise<void> {
  await trx.updateTable('batches').set({ row_outcomes: JSON.stringify(outcomes) }).where('id', '=', batchId).execute()
}

export async function findBatch (db: Db, id: number) {
  return db.selectFrom('batches')
    .innerJoin('issuers', 'issuers.id', 'batches.issuer_id')
    .selectAll('batches')
    .select('issuers.name as issuer_name')
    .where('batches.id', '=', id)
    .executeTakeFirst()
}

/** One page of a batch's certificates in number order, after `after`. */
export async function listBatchCertificates (db: Db, batchId: number, after: string | null, limit: number) {
  let query = db.selectFrom('certificates').select(['number', 'holder_name', 'status'])
    .where('batch_id', '=', batchId)
  if (after !== null) query = query.where('number', '>', after)
  return query.orderBy('number').limit(limit).execute()
}
