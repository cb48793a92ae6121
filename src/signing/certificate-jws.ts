// The signed certificate: its compact payload, signing it, and checking a signature against the key ring.
import { calculateJwkThumbprint, CompactSign, compactVerify, decodeProtectedHeader, errors, type CryptoKey, type JWK } from 'jose'
import type { SigningKey } from './signing-keys.js'

/**
 * What a certificate's JWS says (schemas/certificate-payload.json). Short keys keep the QR code small.
 * Never the holder's ID number, nor an unkeyed hash of it.
 */
export interface CertificatePayload {
  /** Payload format version. */
  v: 1
  /** 14-digit certificate number. */
  num: string
  /** Holder's full name. */
  nam: string
  /** Year the hours were completed in. */
  yr: number
  /** Credited hours: public, professional, elective, self-study and publications, total. */
  hrs: { pub: number, pro: number, ele: number, slf?: number, tot: number }
  /** Rule set id. */
  rs: string
  /** 6-digit GB/T 2260 code the number was allocated under. */
  reg: string
  /** Issuer id and name. */
  isi: number
  iss: string
  /** Employer's name. */
  emp: string
  /** Issue time, seconds since the epoch. */
  iat: number
}

/** The JWS `typ`, so a certificate token is never mistaken for another kind of token. */
export const certificateJwsType = 'cec+jws'
export const acceptedAlgorithms = ['ES256', 'EdDSA'] as const
/** Tokens longer than this are refused before any parsing: a certificate token is under 1,000 characters. */
export const maxJwsLength = 4096

/** The kid a public key has in this service's JWKS: its RFC 7638 thumbprint. */
export async function kidOfPublicKey (jwk: JsonWebKey): Promise<string> {
  return await calculateJwkThumbprint(jwk as JWK)
}

/** Signs a certificate payload as a compact JWS with the given key. */
export async function signCertificatePayload (key: SigningKey, payload: CertificatePayload): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: certificateJwsType })
    .sign(key.privateKey)
}

/** A public key as a verifier knows it: from the key ring or from a saved JWKS. */
export interface VerificationKey {
  alg: string
  publicKey: CryptoKey | Uint8Array
  created: Date
  retired?: Date
}

export type SignatureFailure = 'malformed' | 'too-large' | 'unsupported-algorithm' | 'unknown-kid' | 'bad-signature' | 'outside-key-validity'

export type SignatureResult =
  | { ok: true, kid: string, alg: string, payload: unknown }
  | { ok: false, failure: SignatureFailure, reason: string, kid?: string }

/**
 * Checks a compact JWS: its `typ` (a certificate by default), accepted algorithm, known kid, valid signature,
 * and an issue time inside the key's validity window. Never throws for bad input: failures come back as data.
 */
export async function verifyCertificateSignature (
  jws: string,
  findKey: (kid: string) => Promise<VerificationKey | undefined>,
  expectedType: string = certificateJwsType,
): Promise<SignatureResult> {
  if (jws.length > maxJwsLength) return { ok: false, failure: 'too-large', reason: `the token has ${jws.length} characters; at most ${maxJwsLength} are accepted` }
  // The signature part may be empty here so that an unsigned `alg: none` token is refused for its algorithm.
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(jws)) {
    return { ok: false, failure: 'malformed', reason: 'a compact JWS is three base64url parts separated by dots' }
  }
  let header: ReturnType<typeof decodeProtectedHeader>
  try {
    header = decodeProtectedHeader(jws)
  } catch {
    return { ok: false, failure: 'malformed', reason: 'the protected header is not base64url-encoded JSON' }
  }
  const alg = header.alg
  if (typeof alg !== 'string' || !(acceptedAlgorithms as readonly string[]).includes(alg)) {
    return { ok: false, failure: 'unsupported-algorithm', reason: `algorithm '${String(alg)}' is not accepted; only ${acceptedAlgorithms.join(' and ')}` }
  }
  // Another kind of token signed by the same keys (a revocation list) is never taken for a certificate.
  if (header.typ !== expectedType) return { ok: false, failure: 'malformed', reason: `the token's typ is '${String(header.typ)}', not ${expectedType}` }
  if (typeof header.kid !== 'string' || header.kid === '') return { ok: false, failure: 'unknown-kid', reason: 'the header names no kid' }
  const kid = header.kid
  const key = await findKey(kid)
  if (key === undefined) return { ok: false, failure: 'unknown-kid', reason: `no published key has kid ${kid}`, kid }
  if (key.alg !== alg) return { ok: false, failure: 'unsupported-algorithm', reason: `key ${kid} is for ${key.alg}, the token claims ${alg}`, kid }
  let payload: unknown
  try {
    const result = await compactVerify(jws, key.publicKey, { algorithms: [key.alg] })
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(result.payload))
  } catch (error) {
    if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, failure: 'bad-signature', reason: 'the signature does not match the content: the token was altered or not signed by this key', kid }
    return { ok: false, failure: 'malformed', reason: 'the token cannot be decoded', kid }
  }
  const iat = (payload as { iat?: unknown } | null)?.iat
  if (typeof iat !== 'number') return { ok: false, failure: 'malformed', reason: 'the payload has no issue time (iat)', kid }
  if (iat * 1000 < key.created.getTime() - 1000 || (key.retired !== undefined && iat * 1000 >= key.retired.getTime())) {
    return { ok: false, failure: 'outside-key-validity', reason: `the issue time lies outside the validity window of key ${kid}`, kid }
  }
  return { ok: true, kid, alg, payload }
}
