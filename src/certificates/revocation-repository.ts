// Queries behind the revocation lists: the per-key counter and the revoked numbers under a key.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

/** Counts one more revocation under `kid`; call inside the transaction that revokes. */
export async function countRevocation (trx: Transaction<Database>, kid: string): Promise<void> {
  await trx.insertInto('revocation_counters')
    .values({ kid, ctr: 1 })
    .onConflict(oc => oc.column('kid').doUpdateSet({ ctr: sql`revocation_counters.ctr + 1` }))
    .execute()
}

/**
 * The counter and the revoked numbers under `kid`, read in one snapshot so that a list never
 * pairs a counter with numbers from another moment.
 */
export async function readRevocations (db: Kysely<Database>, kid: string): Promise<{ ctr: number, numbers: string[] }> {
  return db.transaction().setIsolationLevel('repeatable read').execute(async trx => {
    const counter = await trx.selectFrom('revocation_counters').select('ctr').where('kid', '=', kid).executeTakeFirst()
    const rows = await trx.selectFrom('certificates').select('number')
      .where('kid', '=', kid).where('status', '=', 'revoked').orderBy('number').execute()
    return { ctr: counter?.ctr ?? 0, numbers: rows.map(r => r.number) }
  })
}
