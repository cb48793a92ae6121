// The audit trail: one row per issuance, revocation, API key and issuer change; the database itself refuses to alter or remove one.
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('audit_events')
    .addColumn('id', 'bigint', c => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('occurred_at', 'timestamptz', c => c.notNull())
    .addColumn('action', 'text', c => c.notNull())
    .addColumn('actor_type', 'text', c => c.notNull().check(sql`actor_type in ('issuer', 'admin', 'cli')`))
    .addColumn('actor_issuer_id', 'integer', c => c.references('issuers.id'))
    .addColumn('actor_name', 'text', c => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('subject', 'text', c => c.notNull())
    .addColumn('region_code', 'text', c => c.notNull())
    .addColumn('status_before', 'text')
    .addColumn('status_after', 'text')
    .addColumn('details', 'jsonb')
    .execute()
  await db.schema.createIndex('audit_events_region').on('audit_events').columns(['region_code', 'id']).execute()
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['occurred_at', 'id']).execute()

  await sql`
    create function audit_events_refuse_change() returns trigger language plpgsql as $$
    begin
      raise exception 'audit_events is append-only: % refused', tg_op using errcode = 'insufficient_privilege';
    end
    $$`.execute(db)
  await sql`create trigger audit_events_append_only before update or delete on audit_events for each row execute function audit_events_refuse_change()`.execute(db)
  await sql`create trigger audit_events_no_truncate before truncate on audit_events for each statement execute function audit_events_refuse_change()`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('audit_events').execute()
  await sql`drop function audit_events_refuse_change()`.execute(db)
}
