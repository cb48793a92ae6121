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

export async function findBatch (db: Db, id: number) {
  return db.selectFrom('batches')
    .innerJoin('issuers', 'issuers.id', 'batches.issuer_id')
    .selectAll('batches')
    .select('issuers.name as issuer_name')
    .where('batches.id', '=', id)
    .executeTakeFirst()
}

/** Valid certificates held by any of these holders (by ID hash), in any year; the caller matches years. */
export async function findValidCertificatesOfHolders (db: Db, hmacs: string[]) {
  const found: Array<{ number: string, holder_id_hmac: string, year: number }> = []
  // Chunks keep each statement well under PostgreSQL's 65,535 bind parameters.
  for (let i = 0; i < hmacs.length; i += 5000) {
    found.push(...await db.selectFrom('certificates').select(['number', 'holder_id_hmac', 'year'])
      .where('status', '=', 'valid').where('holder_id_hmac', 'in', hmacs.slice(i, i + 5000))
      .execute())
  }
  return found
}

/** One page of a batch's certificates in number order, after `after`. */
export async function listBatchCertificates (db: Db, batchId: number, after: string | null, limit: number) {
  let query = db.selectFrom('certificates').select(['number', 'holder_name', 'status'])
    .where('batch_id', '=', batchId)
  if (after !== null) query = query.where('number', '>', after)
  return query.orderBy('number').limit(limit).execute()
}
