// Queries on failure budgets (wrong names checked, failed sign-ins): lock and read them inside a transaction, save new failures, purge the stale.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database } from '../db/schema.js'

/**
 * Creates the budgets of `subjects` where missing, locks them until `trx` ends (in sorted order, so
 * two transactions never wait on each other) and returns each subject's recorded failures (epoch ms).
 * One statement however many subjects: the upsert takes the row locks as it goes.
 */
export async function lockFailureBudgets (trx: Transaction<Database>, subjects: readonly string[], now: Date): Promise<Map<string, number[]>> {
  const sorted = [...new Set(subjects)].sort()
  if (sorted.length === 0) return new Map()
  const { rows } = await sql<{ subject: string, failures: number[] | string }>`
    insert into failure_budgets (subject, failures, touched_at)
    select subject, '[]'::jsonb, ${now} from unnest(${sorted}::text[]) with ordinality as s(subject, position) order by position
    on conflict (subject) do update set touched_at = excluded.touched_at
    returning subject, failures`.execute(trx)
  return new Map(rows.map(row => [row.subject, (typeof row.failures === 'string' ? JSON.parse(row.failures) : row.failures) as number[]]))
}

/** Replaces the failures of the subjects given (locked by `lockFailureBudgets` in the same transaction). */
export async function saveFailures (trx: Transaction<Database>, budgets: ReadonlyMap<string, readonly number[]>): Promise<void> {
  if (budgets.size === 0) return
  const records = JSON.stringify([...budgets].map(([subject, failures]) => ({ subject, failures })))
  await sql`
    update failure_budgets b set failures = v.failures
    from jsonb_to_recordset(${records}::jsonb) as v(subject text, failures jsonb)
    where b.subject = v.subject`.execute(trx)
}

/** Deletes budgets untouched since `before` (their failures are all older than the window); returns how many. */
export async function purgeFailureBudgets (db: Kysely<Database>, before: Date): Promise<number> {
  const result = await db.deleteFrom('failure_budgets').where('touched_at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}
