// Name-check budgets: the recent wrong names checked against each certificate (and by each bulk-verifying account).
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('name_check_budgets')
    .addColumn('subject', 'text', c => c.primaryKey())
    .addColumn('failures', 'jsonb', c => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('touched_at', 'timestamptz', c => c.notNull())
    .execute()
  await db.schema.createIndex('name_check_budgets_touched').on('name_check_budgets').column('touched_at').execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('name_check_budgets').execute()
}
