// Deterministic signatures as X.509 and CMS carry them: ECDSA P-256 with SHA-256 (RFC 6979, DER) and Ed25519.
import { ed25519 } from '@noble/curves/ed25519.js'
import { p256 } from '@noble/curves/nist.js'
import type { SigningAlgorithm } from '../config.js'

/** The signature algorithm identifiers (RFC 5758 §3.2, RFC 8410 §3); both are written without parameters. */
export const signatureAlgorithmOids: Readonly<Record<SigningAlgorithm, string>> = {
  ES256: '1.2.840.10045.4.3.2',
  EdDSA: '1.3.101.112',
}

/**
 * Signs `message` with the private scalar (P-256) or seed (Ed25519) `d` of a private JWK. The same key and
 * message always give the same bytes: an ECDSA signature is DER `SEQUENCE { r, s }` (or, with `encoding`
 * 'raw', r ‖ s in 64 bytes as COSE and JOSE carry it) with RFC 6979 nonces and low S, an Ed25519
 * signature its 64 raw bytes. Throws when the JWK has no private part.
 */
export function signDeterministically (alg: SigningAlgorithm, privateJwk: JsonWebKey, message: Uint8Array, encoding: 'der' | 'raw' = 'der'): Uint8Array {
  if (typeof privateJwk.d !== 'string') throw new Error('the signing key has no private part (d)')
  const secret = Buffer.from(privateJwk.d, 'base64url')
  return alg === 'ES256'
    ? p256.sign(message, secret, { prehash: true, lowS: true, format: encoding === 'der' ? 'der' : 'compact', extraEntropy: false })
    : ed25519.sign(message, secret)
}
