// Issuer accounts and their API keys: create, authenticate, revoke. Used by the admin API and CLI.
import type { Kysely } from 'kysely'
import { ServiceError } from '../errors.js'
import type { Database, IssuerKind } from '../db/schema.js'
import { findRegion } from '../regions/region-table.js'
import { generateApiKey, hashApiKey } from './api-keys.js'
import type { Actor } from '../actors/actor.js'
import { explainIssuerRegion, issuerNotFound } from './issuer-scope.js'
import * as issuers from './issuer-repository.js'
import { normaliseName } from '../text/names.js'
import { assertPrintable, type PrintableCharacters } from '../documents/index.js'
import { commandLine, recordAudit, type AuditActor, type AuditChange } from '../audit/audit-repository.js'
import { createGroupingQueue } from '../db/grouping-queue.js'

export interface IssuerView {
  id: number
  name: string
  kind: IssuerKind
  regionCode: string
  regionName: string
  createdAt: string
}

/** An API key as listed (schemas/api-key.json). */
export interface ApiKeyView {
  keyId: number
  prefix: string
  status: 'active' | 'expired' | 'revoked'
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
  lastUsedAt: string | null
}

export interface CreatedApiKey { keyId: number, apiKey: string, prefix: string, expiresAt: string | null }

export type IssuerService = ReturnType<typeof createIssuerService>

const maxIssuerNameLength = 40

const issuerKinds: readonly IssuerKind[] = ['authority', 'employer', 'verifier']

function toView (row: { id: number, name: string, kind: IssuerKind, region_code: string, created_at: Date }): IssuerView {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    regionCode: row.region_code,
    regionName: findRegion(row.region_code)?.fullName ?? '',
    createdAt: row.created_at.toISOString(),
  }
}

function apiKeyCreated (issuer: { id: number, region_code: string }, key: { id: number, prefix: string, expires_at: Date | null }): AuditChange {
  return { action: 'api_key.created', subject: String(key.id), regionCode: issuer.region_code, before: null, after: 'active', details: { issuerId: issuer.id, prefix: key.prefix, expiresAt: key.expires_at?.toISOString() ?? null } }
}

export function createIssuerService ({ db, clock, printable }: { db: Kysely<Database>, clock: () => Date, printable: PrintableCharacters }) {
  type KeyOwner = Awaited<ReturnType<typeof issuers.findIssuersByKeyHashes>>[number]
  // Every authenticated request looks its key up: under load, the lookups in flight share one query.
  const keyOwners = createGroupingQueue<string, KeyOwner | undefined>({
    concurrency: 4,
    maxGroupSize: 500,
    run: async hashes => {
      const now = clock()
      const found = await issuers.findIssuersByKeyHashes(db, hashes, now)
      // A key's last use is kept to the minute: one write per key per minute however busy it is.
      const stale = found.filter(row => row.last_used_at === null || now.getTime() - row.last_used_at.getTime() >= 60_000)
      await issuers.touchApiKeys(db, [...new Set(stale.map(row => row.key_id))], now)
      const owners = new Map(found.map(row => [row.key_hash, row]))
      return hashes.map(hash => ({ value: owners.get(hash) }))
    },
  })

  return {
    /** Creates an issuer account with its first API key; the key is returned once and stored only as a hash. */
    async createIssuer (input: { name: string, kind: string, regionCode: string, keyExpiresAt?: Date }, by: AuditActor = commandLine): Promise<IssuerView & CreatedApiKey> {
      const name = input.name.trim() === '' ? '' : normaliseName(input.name, 'name', maxIssuerNameLength)
      if (name === '') throw new ServiceError('VALIDATION_FAILED', { en: 'The issuer needs a name.', zh: '发证机构须有名称。' }, [{ field: 'name', reason: 'required' }])
      // Printed as 发证单位 on every certificate it issues.
      assertPrintable(name, 'name', printable)
      if (!(issuerKinds as readonly string[]).includes(input.kind)) {
        throw new ServiceError('VALIDATION_FAILED', { en: `kind must be one of ${issuerKinds.join(', ')}.`, zh: `机构类型（kind）须为 ${issuerKinds.join('、')} 之一。` }, [{ field: 'kind', reason: 'unknown' }])
      }
      const kind = input.kind as IssuerKind
      const problem = explainIssuerRegion(kind, input.regionCode)
      if (problem !== null) throw new ServiceError(findRegion(input.regionCode) === undefined ? 'UNKNOWN_REGION' : 'INVALID_ISSUER_REGION', problem)
      return db.transaction().execute(async trx => {
        const row = await issuers.insertIssuer(trx, { name, kind, regionCode: input.regionCode })
        const key = generateApiKey()
        const stored = await issuers.insertApiKey(trx, { issuerId: row.id, hash: key.hash, prefix: key.prefix, expiresAt: input.keyExpiresAt ?? null })
        await recordAudit(trx, by, clock(), [
          { action: 'issuer.created', subject: String(row.id), regionCode: row.region_code, before: null, after: 'active', details: { name, kind } },
          apiKeyCreated(row, stored),
        ])
        return { ...toView(row), keyId: stored.id, apiKey: key.key, prefix: key.prefix, expiresAt: stored.expires_at?.toISOString() ?? null }
      })
    },

    /** Adds another API key to an issuer (e.g. to rotate keys without downtime). */
    async createApiKey (issuerId: number, expiresAt?: Date, by: AuditActor = commandLine): Promise<CreatedApiKey> {
      const issuer = await issuers.findIssuerById(db, issuerId)
      if (issuer === undefined) throw issuerNotFound(issuerId)
      const key = generateApiKey()
      const stored = await db.transaction().execute(async trx => {
        const inserted = await issuers.insertApiKey(trx, { issuerId, hash: key.hash, prefix: key.prefix, expiresAt: expiresAt ?? null })
        await recordAudit(trx, by, clock(), [apiKeyCreated(issuer, inserted)])
        return inserted
      })
      return { keyId: stored.id, apiKey: key.key, prefix: key.prefix, expiresAt: stored.expires_at?.toISOString() ?? null }
    },

    async revokeApiKey (issuerId: number, keyId: number, by: AuditActor = commandLine): Promise<void> {
      await db.transaction().execute(async trx => {
        const issuer = await issuers.findIssuerById(trx, issuerId)
        if (issuer === undefined) throw issuerNotFound(issuerId)
        if (!await issuers.revokeApiKey(trx, issuerId, keyId, clock())) {
          throw new ServiceError('API_KEY_NOT_FOUND', { en: `Issuer ${issuerId} has no active key ${keyId}.`, zh: `该单位没有编号为 ${keyId} 的有效 API 密钥。` })
        }
        await recordAudit(trx, by, clock(), [{ action: 'api_key.revoked', subject: String(keyId), regionCode: issuer.region_code, before: 'active', after: 'revoked', details: { issuerId } }])
      })
    },

    /** The organisation's API keys, revoked and expired ones too (never the keys themselves). */
    async listApiKeys (issuerId: number): Promise<ApiKeyView[]> {
      const now = clock()
      return (await issuers.listApiKeys(db, issuerId)).map(row => ({
        keyId: row.id,
        prefix: row.prefix,
        status: row.revoked_at !== null ? 'revoked' : row.expires_at !== null && row.expires_at <= now ? 'expired' : 'active',
        createdAt: row.created_at.toISOString(),
        expiresAt: row.expires_at?.toISOString() ?? null,
        revokedAt: row.revoked_at?.toISOString() ?? null,
        lastUsedAt: row.last_used_at?.toISOString() ?? null,
      }))
    },

    async listIssuers (): Promise<IssuerView[]> {
      return (await issuers.listIssuers(db)).map(toView)
    },

    /** The actor behind an API key, or undefined for an unknown, revoked or expired key. */
    async authenticate (apiKey: string): Promise<Actor | undefined> {
      const row = await keyOwners.submit(hashApiKey(apiKey))
      if (row === undefined) return undefined
      const region = findRegion(row.region_code)
      if (region === undefined) return undefined
      return { issuerId: row.id, name: row.name, kind: row.kind, region, via: 'api-key' }
    },
  }
}
