// Issuance batches, each certificate's batch, and the (year, number) index the registers and statistics page through.
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('batches')
    .addColumn('id', 'integer', c => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('issuer_id', 'integer', c => c.notNull().references('issuers.id'))
    .addColumn('created_at', 'timestamptz', c => c.notNull())
    .addColumn('row_count', 'integer', c => c.notNull())
    .addColumn('issued_count', 'integer', c => c.notNull())
    .addColumn('rejected_count', 'integer', c => c.notNull())
    .execute()
  await db.schema.createIndex('batches_issuer').on('batches').column('issuer_id').execute()

  await db.schema.alterTable('certificates').addColumn('batch_id', 'integer', c => c.references('batches.id')).execute()
  await db.schema.createIndex('certificates_batch').on('certificates').columns(['batch_id', 'number']).where(sql.ref('batch_id'), 'is not', null).execute()
  await db.schema.createIndex('certificates_year_number').on('certificates').columns(['year', 'number']).execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('certificates_year_number').execute()
  await db.schema.dropIndex('certificates_batch').execute()
  await db.schema.alterTable('certificates').dropColumn('batch_id').execute()
  await db.schema.dropTable('batches').execute()
}
