// Signed verification reports (核验报告) of committees: what was checked, when, by whom, every verdict, and the signed token.
import { sql, type Kysely } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('verification_reports')
    .addColumn('id', 'integer', c => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('issuer_id', 'integer', c => c.notNull().references('issuers.id'))
    .addColumn('created_at', 'timestamptz', c => c.notNull().defaultTo(sql`now()`))
    .addColumn('report', 'jsonb', c => c.notNull())
    .addColumn('jws', 'text', c => c.notNull())
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('verification_reports').execute()
}
