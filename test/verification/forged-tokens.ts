// Tokens an attacker could bring: unsigned, HMAC-signed, signed by a stranger's key, altered, cut short — JWS and compact QR tokens.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import * as cbor from 'cborg'
import { CompactSign, generateKeyPair, importJWK, type CryptoKey } from 'jose'
import { compactClaimsOf, signCompactToken } from '../../src/signing/certificate-cose.js'
import { bytesToDigits, digitsToBytes } from '../../src/signing/decimal-bytes.js'
import { signCertificatePayload, type CertificatePayload } from '../../src/signing/certificate-jws.js'
import type { SigningKey } from '../../src/signing/signing-keys.js'

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

export function payloadOf (jws: string): CertificatePayload {
  return JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as CertificatePayload
}

export function headerOf (jws: string): { alg: string, kid: string, typ: string } {
  return JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString('utf8')) as { alg: string, kid: string, typ: string }
}

/** `alg: none`, with an empty signature as such tokens come. */
export function unsignedToken (genuine: string): string {
  return `${b64({ ...headerOf(genuine), alg: 'none' })}.${genuine.split('.')[1]}.`
}

/** HS256 with a secret anyone could pick (the classic key-confusion attempt). */
export async function hmacToken (genuine: string): Promise<string> {
  return new CompactSign(Buffer.from(genuine.split('.')[1]!, 'base64url'))
    .setProtectedHeader({ ...headerOf(genuine), alg: 'HS256' })
    .sign(new TextEncoder().encode('a-secret-anyone-could-choose-000'))
}

/** Properly signed, but by a key this service never published. */
export async function strangerToken (genuine: string): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256')
  return new CompactSign(Buffer.from(genuine.split('.')[1]!, 'base64url'))
    .setProtectedHeader({ alg: 'ES256', kid: 'stranger-key-0001', typ: 'cec+jws' })
    .sign(privateKey)
}

/** The genuine header and signature around an altered payload. */
export function alteredToken (genuine: string, change: Partial<CertificatePayload>): string {
  const [header, , signature] = genuine.split('.')
  return `${header}.${b64({ ...payloadOf(genuine), ...change })}.${signature}`
}

/** The service's own key, read from its key folder, to sign what the service never would. */
export async function signingKeyFromFolder (keysDir: string, kid: string): Promise<SigningKey> {
  const name = (await readdir(keysDir)).find(n => n.startsWith('signing-') && n.endsWith(`-${kid}.json`))
  if (name === undefined) throw new Error(`no key ${kid} in ${keysDir}`)
  const file = JSON.parse(await readFile(path.join(keysDir, name), 'utf8')) as { kid: string, alg: 'ES256', created: string, privateJwk: Record<string, string> }
  const privateKey = await importJWK(file.privateJwk, file.alg) as CryptoKey
  return { kid: file.kid, alg: file.alg, created: new Date(file.created), privateKey, publicKey: privateKey, publicJwk: {}, privateJwk: file.privateJwk, certificateChain: [] }
}

export async function resign (key: SigningKey, payload: CertificatePayload): Promise<string> {
  return signCertificatePayload(key, payload)
}

/** The parts of a compact QR token (docs/QR-FORMAT.md): protected header, claims and signature, as bytes and decoded claims. */
export function compactPartsOf (digits: string): { protectedHeader: Uint8Array, claims: Map<number, unknown>, signature: Uint8Array } {
  const [protectedHeader, , payload, signature] = cbor.decode(digitsToBytes(digits)!, { useMaps: true }) as [Uint8Array, Map<never, never>, Uint8Array, Uint8Array]
  return { protectedHeader, claims: cbor.decode(payload, { useMaps: true }) as Map<number, unknown>, signature }
}

/** The genuine header and signature around changed claims: what a forger without the key can do to a compact token. */
export function alteredCompactToken (digits: string, change: (claims: Map<number, unknown>) => void): string {
  const { protectedHeader, claims, signature } = compactPartsOf(digits)
  change(claims)
  return bytesToDigits(cbor.encode([protectedHeader, new Map(), cbor.encode(claims), signature]))
}

/** The QR code's text of a certificate as the service prints it, from its stored JWS and the service's own key. */
export async function compactQrOf (keysDir: string, jws: string, baseUrl = 'https://cert.example.gov.cn'): Promise<string> {
  const payload = payloadOf(jws)
  const key = await signingKeyFromFolder(keysDir, headerOf(jws).kid)
  return `${baseUrl}/v/${payload.num}#${signCompactToken(key, payload.num, compactClaimsOf(payload))}`
}
