// Queries on idempotency records. Each takes the database or a transaction first.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

export interface KeyRef { issuerId: number, key: string }

/** Claims a new key as running; false when the issuer already has a record for it. */
export async function insertRunningKey (db: Db, ref: KeyRef, requestHash: string, token: string, lockedUntil: Date): Promise<boolean> {
  const rows = await db.insertInto('idempotency_keys')
    .values({ issuer_id: ref.issuerId, key: ref.key, request_hash: requestHash, state: 'running', lock_token: token, locked_until: lockedUntil })
    .onConflict(oc => oc.columns(['issuer_id', 'key']).doNothing())
    .returning('key')
    .execute()
  return rows.length === 1
}

export async function findKey (db: Db, ref: KeyRef) {
  return db.selectFrom('idempotency_keys')
    .select(['request_hash', 'state', 'lock_token', 'locked_until', 'response_status', 'response_body'])
    .where('issuer_id', '=', ref.issuerId).where('key', '=', ref.key)
    .executeTakeFirst()
}

/** Takes over a running key whose lease has run out; false when someone else changed it first. */
export async function takeOverKey (db: Db, ref: KeyRef, staleToken: string, token: string, lockedUntil: Date): Promise<boolean> {
  const rows = await db.updateTable('idempotency_keys')
    .set({ lock_token: token, locked_until: lockedUntil })
    .where('issuer_id', '=', ref.issuerId).where('key', '=', ref.key)
    .where('state', '=', 'running').where('lock_token', '=', staleToken)
    .returning('key')
    .execute()
  return rows.length === 1
}

/** Stores the response of the holder of `token`; false when the key is no longer held by it. */
export async function completeKey (trx: Transaction<Database>, ref: KeyRef, token: string, status: number, body: string, at: Date): Promise<boolean> {
  const rows = await trx.updateTable('idempotency_keys')
    .set({ state: 'completed', response_status: status, response_body: body, completed_at: at })
    .where('issuer_id', '=', ref.issuerId).where('key', '=', ref.key)
    .where('state', '=', 'running').where('lock_token', '=', token)
    .returning('key')
    .execute()
  return rows.length === 1
}

/** Frees a running key held by `token` (its request failed, so nothing was done). */
export async function releaseKey (db: Db, ref: KeyRef, token: string): Promise<void> {
  await db.deleteFrom('idempotency_keys')
    .where('issuer_id', '=', ref.issuerId).where('key', '=', ref.key)
    .where('state', '=', 'running').where('lock_token', '=', token)
    .execute()
}

/**
 * Deletes up to `limit` records past retention: completed before `cutoff`, or left running by a
 * process that died, with a lease that ended before it. Returns how many went.
 */
export async function deleteExpiredKeys (db: Db, cutoff: Date, limit: number): Promise<number> {
  const result = await db.deleteFrom('idempotency_keys')
    .where(({ eb, refTuple, selectFrom }) => eb(refTuple('issuer_id', 'key'), 'in', selectFrom('idempotency_keys')
      .select(['issuer_id', 'key'])
      .where(e => e.or([
        e.and([e('state', '=', 'completed'), e('completed_at', '<', cutoff)]),
        e.and([e('state', '=', 'running'), e('locked_until', '<', cutoff)]),
      ]))
      .limit(limit)
      .$asTuple('issuer_id', 'key')))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
