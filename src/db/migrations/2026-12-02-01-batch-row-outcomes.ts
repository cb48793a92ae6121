// Every row's outcome kept with its batch: the number issued, or the errors (never an ID number). Null for batches issued before.
import type { Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('batches').addColumn('row_outcomes', 'jsonb').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('batches').dropColumn('row_outcomes').execute()
}
