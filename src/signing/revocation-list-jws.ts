// The signed revocation list: a compact JWS of one key's list, signed by the current key, checked with the same JWKS.
import { CompactSign } from 'jose'
import type { SigningKey } from './signing-keys.js'
import { verifyCertificateSignature, type VerificationKey } from './certificate-jws.js'

/** One signing key's revocation list, in the manner of SMART Health Cards (`method: 'rid'`). */
export interface RevocationList {
  /** The key whose certificates the list covers. */
  kid: string
  method: 'rid'
  /** Grows by one with every revocation under `kid`; a copy with a smaller counter is stale. */
  ctr: number
  /** The revoked certificate numbers, sorted. Never holder names. */
  rids: string[]
}

/**
 * The signed form adds when it was signed and until when it may be relied on (seconds): an offline
 * verifier holding a copy past `nextUpdate` cannot tell whether a certificate was revoked since.
 */
export interface SignedRevocationList extends RevocationList { iat: number, nextUpdate: number }

export const revocationListJwsType = 'cec-crl+jws'

/** Signs a revocation list with `key` (normally the current key, which may differ from `list.kid`), to be relied on for `validitySeconds`. */
export async function signRevocationList (key: SigningKey, list: RevocationList, now: Date, validitySeconds: number): Promise<string> {
  const iat = Math.floor(now.getTime() / 1000)
  const payload: SignedRevocationList = { ...list, iat, nextUpdate: iat + validitySeconds }
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: revocationListJwsType })
    .sign(key.privateKey)
}

export type RevocationListResult =
  | { ok: true, list: SignedRevocationList, signedBy: string }
  | { ok: false, reason: string }

const isNumberList = (value: unknown): value is string[] => Array.isArray(value) && value.every(v => typeof v === 'string' && /^\d{14}$/.test(v))

/**
 * Checks a signed revocation list with the same keys that check certificates: its `typ`, algorithm,
 * signature and the signer's validity window, then its shape. Never throws for bad input.
 */
export async function verifyRevocationList (
  jws: string,
  findKey: (kid: string) => Promise<VerificationKey | undefined>,
): Promise<RevocationListResult> {
  const signature = await verifyCertificateSignature(jws.trim(), findKey, revocationListJwsType)
  if (!signature.ok) return { ok: false, reason: signature.reason }
  const p = signature.payload as Partial<SignedRevocationList> | null
  if (p === null || typeof p !== 'object' || typeof p.kid !== 'string' || p.method !== 'rid' ||
    typeof p.ctr !== 'number' || !Number.isInteger(p.ctr) || p.ctr < 0 || !isNumberList(p.rids) || typeof p.iat !== 'number' ||
    (p.nextUpdate !== undefined && typeof p.nextUpdate !== 'number')) {
    return { ok: false, reason: 'the signed content is not a revocation list ({ kid, method: "rid", ctr, rids, iat, nextUpdate })' }
  }
  // A list signed before lists carried nextUpdate states no freshness: it is stale as soon as it is read.
  return { ok: true, list: { kid: p.kid, method: 'rid', ctr: p.ctr, rids: p.rids, iat: p.iat, nextUpdate: p.nextUpdate ?? p.iat }, signedBy: signature.kid }
}
