// Idempotency records: one row per (issuer, Idempotency-Key), holding the request's hash and its first response.
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('idempotency_keys')
    .addColumn('issuer_id', 'integer', c => c.notNull().references('issuers.id'))
    .addColumn('key', 'text', c => c.notNull())
    .addColumn('request_hash', 'text', c => c.notNull())
    .addColumn('state', 'text', c => c.notNull().check(sql`state in ('running', 'completed')`))
    .addColumn('lock_token', 'text', c => c.notNull())
    .addColumn('locked_until', 'timestamptz', c => c.notNull())
    .addColumn('response_status', 'integer')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz', c => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['issuer_id', 'key'])
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('idempotency_keys').execute()
}
