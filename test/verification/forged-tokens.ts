// Tokens an attacker could bring: unsigned, HMAC-signed, signed by a stranger's key, altered, cut short.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { CompactSign, generateKeyPair, importJWK, type CryptoKey } from 'jose'
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
