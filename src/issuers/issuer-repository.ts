// Queries on issuers and their API keys. Each takes the database or a transaction first.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, IssuerKind } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

export async function insertIssuer (db: Db, issuer: { name: string, kind: IssuerKind, regionCode: string }) {
  return db.insertInto('issuers')
    .values({ name: issuer.name, kind: issuer.kind, region_code: issuer.regionCode })
    .returning(['id', 'name', 'kind', 'region_code', 'created_at'])
    .executeTakeFirstOrThrow()
}

export async function findIssuerById (db: Db, id: number) {
  return db.selectFrom('issuers').select(['id', 'name', 'kind', 'region_code', 'created_at', 'disabled_at'])
    .where('id', '=', id).executeTakeFirst()
}

export async function listIssuers (db: Db) {
  return db.selectFrom('issuers').select(['id', 'name', 'kind', 'region_code', 'created_at', 'disabled_at']).orderBy('id').execute()
}

export async function insertApiKey (db: Db, key: { issuerId: number, hash: string, prefix: string, expiresAt: Date | null }) {
  return db.insertInto('api_keys')
    .values({ issuer_id: key.issuerId, key_hash: key.hash, prefix: key.prefix, expires_at: key.expiresAt })
    .returning(['id', 'prefix', 'created_at', 'expires_at'])
    .executeTakeFirstOrThrow()
}

/** The active issuers behind these API-key hashes (unknown, revoked and expired keys, and disabled issuers, are left out). */
export async function findIssuersByKeyHashes (db: Db, hashes: readonly string[], now: Date) {
  return db.selectFrom('api_keys')
    .innerJoin('issuers', 'issuers.id', 'api_keys.issuer_id')
    .select(['api_keys.key_hash', 'api_keys.id as key_id', 'api_keys.last_used_at', 'issuers.id', 'issuers.name', 'issuers.kind', 'issuers.region_code'])
    .where('api_keys.key_hash', '=', sql<string>`any(${[...new Set(hashes)]}::text[])`)
    .where('api_keys.revoked_at', 'is', null)
    .where(eb => eb.or([eb('api_keys.expires_at', 'is', null), eb('api_keys.expires_at', '>', now)]))
    .where('issuers.disabled_at', 'is', null)
    .execute()
}

/** Records that keys were used now (callers pass only keys whose last use is a minute old or more). */
export async function touchApiKeys (db: Db, keyIds: readonly number[], now: Date) {
  if (keyIds.length === 0) return
  await db.updateTable('api_keys').set({ last_used_at: now }).where('id', '=', sql<number>`any(${[...keyIds]}::int[])`).execute()
}

export async function listApiKeys (db: Db, issuerId: number) {
  return db.selectFrom('api_keys').select(['id', 'prefix', 'created_at', 'expires_at', 'revoked_at', 'last_used_at'])
    .where('issuer_id', '=', issuerId).orderBy('id').execute()
}

export async function revokeApiKey (db: Db, issuerId: number, keyId: number, now: Date) {
  const result = await db.updateTable('api_keys').set({ revoked_at: now })
    .where('id', '=', keyId).where('issuer_id', '=', issuerId).where('revoked_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function updateIssuerSeal (db: Db, issuerId: number, png: Buffer | null) {
  await db.updateTable('issuers').set({ seal_png: png }).where('id', '=', issuerId).execute()
}

export async function findIssuerSeal (db: Db, issuerId: number) {
  const row = await db.selectFrom('issuers').select('seal_png').where('id', '=', issuerId).executeTakeFirst()
  return row?.seal_png ?? null
}
