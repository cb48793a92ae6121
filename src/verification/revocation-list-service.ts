// Revocation lists for offline verifiers: one per signing key, its counter, and its signed form.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { ServiceError } from '../errors.js'
import { readRevocations } from '../certificates/revocation-repository.js'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import { signRevocationList, type RevocationList } from '../signing/revocation-list-jws.js'

export type RevocationListService = ReturnType<typeof createRevocationListService>

export function createRevocationListService ({ db, keys, clock, validityHours }: { db: Kysely<Database>, keys: SigningKeyRing, clock: () => Date, validityHours: number }) {
  /** The list of a published key: the numbers revoked among the certificates it signed, and its counter. */
  async function readRevocationList (kid: string): Promise<RevocationList> {
    if (await keys.find(kid) === undefined) throw new ServiceError('REVOCATION_LIST_NOT_FOUND', { en: `No published signing key has kid ${kid}.`, zh: `没有 kid 为 ${kid} 的已发布签名密钥。` })
    const { ctr, numbers } = await readRevocations(db, kid)
    return { kid, method: 'rid', ctr, rids: numbers }
  }

  return {
    readRevocationList,

    /** A list as a compact JWS signed by the current key (typ cec-crl+jws), verifiable with the JWKS, to be relied on for REVOCATION_LIST_VALIDITY_HOURS. */
    async signRevocationList (list: RevocationList): Promise<string> {
      const now = clock()
      return signRevocationList(keys.current(now), list, now, validityHours * 3600)
    },
  }
}
