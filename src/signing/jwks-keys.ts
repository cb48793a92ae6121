// A saved JWKS as verification keys: what an offline verifier trusts instead of the key ring.
import { importJWK, type JWK } from 'jose'
import { acceptedAlgorithms, type VerificationKey } from './certificate-jws.js'

/** Thrown when a JWKS cannot be used; the message says which key and why. */
export class JwksError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'JwksError'
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Imports the public keys of a JWKS as published at `/.well-known/jwks.json`: each key's validity
 * window comes from its `iat` and `exp` (seconds). Private members are refused, not ignored.
 */
export async function importJwks (jwks: unknown): Promise<Map<string, VerificationKey>> {
  if (!isRecord(jwks) || !Array.isArray(jwks.keys)) throw new JwksError('a JWKS is an object with a "keys" array')
  const keys = new Map<string, VerificationKey>()
  for (const [index, jwk] of jwks.keys.entries()) {
    if (!isRecord(jwk)) throw new JwksError(`key ${index} is not an object`)
    const { kid, alg, iat, exp } = jwk
    if (typeof kid !== 'string' || kid === '') throw new JwksError(`key ${index} has no kid`)
    if (typeof alg !== 'string' || !(acceptedAlgorithms as readonly string[]).includes(alg)) throw new JwksError(`key ${kid} has algorithm ${String(alg)}; only ${acceptedAlgorithms.join(' and ')}`)
    if (typeof iat !== 'number' || !Number.isInteger(iat)) throw new JwksError(`key ${kid} has no "iat" (start of its validity, seconds)`)
    if (exp !== undefined && (typeof exp !== 'number' || !Number.isInteger(exp))) throw new JwksError(`key ${kid} has an "exp" that is not whole seconds`)
    if ('d' in jwk) throw new JwksError(`key ${kid} is a private key; a JWKS for verifying holds public keys only`)
    if (keys.has(kid)) throw new JwksError(`kid ${kid} appears twice`)
    let publicKey: VerificationKey['publicKey']
    try {
      publicKey = await importJWK(jwk as JWK, alg)
    } catch (error) {
      throw new JwksError(`key ${kid} cannot be imported: ${error instanceof Error ? error.message : String(error)}`)
    }
    keys.set(kid, { alg, publicKey, created: new Date(iat * 1000), ...(exp === undefined ? {} : { retired: new Date(exp * 1000) }) })
  }
  return keys
}
