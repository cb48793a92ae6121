// Revocation counters per signing key, for the revocation lists offline verifiers fetch.
import { type Kysely, sql } from 'kysely'

export async function up (db: Kysely<any>): Promise<void> {
  await db.schema.createTable('revocation_counters')
    .addColumn('kid', 'text', c => c.primaryKey())
    .addColumn('ctr', 'integer', c => c.notNull().check(sql`ctr >= 0`))
    .execute()
  // Revocations made before this table existed count too.
  await sql`insert into revocation_counters (kid, ctr) select kid, count(*) from certificates where status = 'revoked' group by kid`.execute(db)
  await db.schema.createIndex('certificates_revoked_by_kid')
    .on('certificates').columns(['kid', 'number']).where(sql.ref('status'), '=', 'revoked')
    .execute()
}

export async function down (db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('certificates_revoked_by_kid').execute()
  await db.schema.dropTable('revocation_counters').execute()
}
