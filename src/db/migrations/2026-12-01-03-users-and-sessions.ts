// People of an issuer (users with a role), their server-side sessions, an API key's last use, the user in the audit trail;
// the name-check budgets become the failure budgets of every check that counts failures (names, sign-ins).
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('users')
    .addColumn('id', 'integer', c => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('issuer_id', 'integer', c => c.notNull().references('issuers.id'))
    .addColumn('username', 'text', c => c.notNull().unique())
    .addColumn('display_name', 'text', c => c.notNull())
    .addColumn('role', 'text', c => c.notNull().check(sql`role in ('admin', 'clerk')`))
    .addColumn('password_hash', 'text', c => c.notNull())
    .addColumn('must_change_password', 'boolean', c => c.notNull())
    .addColumn('created_at', 'timestamptz', c => c.notNull())
    .addColumn('password_changed_at', 'timestamptz', c => c.notNull())
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('last_sign_in_at', 'timestamptz')
    .execute()
  await db.schema.createIndex('users_issuer').on('users').column('issuer_id').execute()

  await db.schema.createTable('sessions')
    .addColumn('id_hash', 'text', c => c.primaryKey())
    .addColumn('user_id', 'integer', c => c.notNull().references('users.id'))
    .addColumn('csrf_secret', 'text', c => c.notNull())
    // How the person proved who they are ('password'; a province's single sign-on later): sessions do not care.
    .addColumn('authenticated_by', 'text', c => c.notNull())
    .addColumn('client_address', 'text', c => c.notNull())
    .addColumn('created_at', 'timestamptz', c => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', c => c.notNull())
    .addColumn('expires_at', 'timestamptz', c => c.notNull())
    .execute()
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute()
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute()

  await db.schema.alterTable('api_keys').addColumn('last_used_at', 'timestamptz').execute()

  await sql`alter table audit_events drop constraint if exists audit_events_actor_type_check`.execute(db)
  await sql`alter table audit_events add constraint audit_events_actor_type_check check (actor_type in ('issuer', 'user', 'admin', 'cli', 'anonymous'))`.execute(db)
  await db.schema.alterTable('audit_events').addColumn('actor_user_id', 'integer', c => c.references('users.id')).execute()
  await db.schema.alterTable('audit_events').addColumn('actor_user_name', 'text').execute()

  await sql`alter table name_check_budgets rename to failure_budgets`.execute(db)
  await sql`alter index name_check_budgets_touched rename to failure_budgets_touched`.execute(db)
}

export async function down (db: Kysely<any>): Promise<void> {
  await sql`alter index failure_budgets_touched rename to name_check_budgets_touched`.execute(db)
  await sql`alter table failure_budgets rename to name_check_budgets`.execute(db)
  await db.schema.alterTable('audit_events').dropColumn('actor_user_name').execute()
  await db.schema.alterTable('audit_events').dropColumn('actor_user_id').execute()
  await db.schema.alterTable('api_keys').dropColumn('last_used_at').execute()
  await db.schema.dropTable('sessions').execute()
  await db.schema.dropTable('users').execute()
}
