// Idempotency-Key: an issuing or revoking request runs at most once per (issuer, key); retries get its first response.
import { createHash, randomUUID } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { ServiceError } from '../errors.js'
import type { Database } from '../db/schema.js'
import * as records from './idempotency-repository.js'

/** A response as sent and as replayed: status and JSON body. */
export interface IdempotentResponse<T = unknown> { status: number, body: T }

/** The key of one request: whose, which key, and the hash of what was asked. */
export interface IdempotencyClaim { issuerId: number, key: string, requestHash: string }

/**
 * Stores the response inside the operation's own transaction, so the effect and its record
 * commit together or not at all. Throws IDEMPOTENCY_IN_PROGRESS if the key was taken over.
 */
export type RecordResponse = (trx: Transaction<Database>, response: IdempotentResponse) => Promise<void>

export interface IdempotencyServiceDeps {
  db: Kysely<Database>
  clock: () => Date
  /** How long a running request holds its key before a retry may take it over (after a crash). */
  leaseMs?: number
  /** How long a completed key keeps its response; after that the key is forgotten. */
  retentionMs?: number
}

export type IdempotencyService = ReturnType<typeof createIdempotencyService>

/** Valid Idempotency-Key values: 1 to 128 printable ASCII characters. */
export const idempotencyKeyPattern = /^[\x20-\x7e]{1,128}$/

/** JSON with object keys sorted, so the same content always hashes the same. */
function canonicalJson (value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

/** SHA-256 of method, path and (canonical) body: what "the same request" means for a key. */
export function hashRequest (method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`).digest('hex')
}

export function createIdempotencyService ({ db, clock, leaseMs = 10 * 60_000, retentionMs = 24 * 3_600_000 }: IdempotencyServiceDeps) {
  const leaseEnd = () => new Date(clock().getTime() + leaseMs)

  /** Takes the key for this request, or returns the response to replay; throws when it cannot be either. */
  async function acquire (claim: IdempotencyClaim): Promise<{ token: string } | { replay: IdempotentResponse }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const token = randomUUID()
      if (await records.insertRunningKey(db, claim, claim.requestHash, token, leaseEnd())) return { token }
      const row = await records.findKey(db, claim)
      if (row === undefined) continue // released by a failed request in between: try again
      if (row.request_hash !== claim.requestHash) {
        throw new ServiceError('IDEMPOTENCY_KEY_REUSED', { en: `The Idempotency-Key '${claim.key}' was first used with a different request; use a new key for a new request.`, zh: `幂等键“${claim.key}”已用于另一个请求，新的请求请使用新的幂等键。` })
      }
      if (row.state === 'completed') return { replay: { status: row.response_status!, body: JSON.parse(row.response_body!) as unknown } }
      if (row.locked_until.getTime() > clock().getTime()) {
        throw new ServiceError('IDEMPOTENCY_IN_PROGRESS', { en: `The request with Idempotency-Key '${claim.key}' is still being processed; retry later for its response.`, zh: `使用幂等键“${claim.key}”的请求仍在处理中，请稍后重试以取得结果。` })
      }
      // Its holder stopped (crashed) before finishing: nothing of it was committed, so run it again.
      if (await records.takeOverKey(db, claim, row.lock_token, token, leaseEnd())) return { token }
    }
    throw new ServiceError('IDEMPOTENCY_IN_PROGRESS')
  }

  return {
    /**
     * Deletes the records older than the retention period, a chunk at a time so no statement holds
     * many rows locked. Their responses carry holders' names, kept no longer than retries need.
     */
    async purgeExpired (): Promise<number> {
      const cutoff = new Date(clock().getTime() - retentionMs)
      let purged = 0
      for (;;) {
        const deleted = await records.deleteExpiredKeys(db, cutoff, 5000)
        purged += deleted
        if (deleted < 5000) return purged
      }
    },

    /**
     * Runs `operation` at most once per (issuer, key) and returns its response; a retry with the
     * same key and request gets the first response back (`replayed`), with a different request
     * IDEMPOTENCY_KEY_REUSED, and while the first still runs IDEMPOTENCY_IN_PROGRESS.
     *
     * The operation should call `record` inside its transaction; if it does not, the response is
     * recorded right after it returns. A failed operation stores nothing and frees the key, so a
     * corrected request may use it again. Without a claim (no header) the operation just runs.
     */
    async run (claim: IdempotencyClaim | undefined, operation: (record: RecordResponse) => Promise<IdempotentResponse>): Promise<IdempotentResponse & { replayed: boolean }> {
      if (claim === undefined) return { ...await operation(async () => {}), replayed: false }
      const acquired = await acquire(claim)
      if ('replay' in acquired) return { ...acquired.replay, replayed: true }
      let recorded = false
      const record: RecordResponse = async (trx, response) => {
        if (!await records.completeKey(trx, claim, acquired.token, response.status, JSON.stringify(response.body), clock())) {
          throw new ServiceError('IDEMPOTENCY_IN_PROGRESS', { en: `The Idempotency-Key '${claim.key}' was taken over by a retry of this request.`, zh: `幂等键“${claim.key}”已被该请求的重试接管。` })
        }
        recorded = true
      }
      try {
        const response = await operation(record)
        if (!recorded) await db.transaction().execute(trx => record(trx, response))
        return { ...response, replayed: false }
      } catch (error) {
        await records.releaseKey(db, claim, acquired.token).catch(() => {})
        throw error
      }
    },
  }
}
