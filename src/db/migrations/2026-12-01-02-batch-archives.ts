// Archives of a batch's PDFs, prepared in the background: one per batch, its progress, then the file it was written to.
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('batch_archives')
    .addColumn('batch_id', 'integer', c => c.primaryKey().references('batches.id'))
    .addColumn('status', 'text', c => c.notNull().check(sql`status in ('preparing', 'ready', 'failed')`))
    .addColumn('done', 'integer', c => c.notNull())
    .addColumn('total', 'integer', c => c.notNull())
    .addColumn('file', 'text')
    .addColumn('bytes', 'bigint')
    .addColumn('sha256', 'text')
    .addColumn('error', 'jsonb')
    .addColumn('started_at', 'timestamptz', c => c.notNull())
    .addColumn('lease_until', 'timestamptz', c => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('batch_archives').execute()
}
