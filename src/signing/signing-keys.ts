// The signing key ring in KEYS_DIR: generated on first start, rotated on demand or imported with a CA's
// certificate, each key with its X.509 certificate chain, published as a JWKS.
import { createPrivateKey, randomBytes } from 'node:crypto'
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'
import type { SigningAlgorithm } from '../config.js'
import {
  certificatesFromPem, certificatesToPem, chainFileName, checkCertificateChain, loadCertificateChain, loadRootCertificateAuthority,
  SigningCertificateError, type RootCertificateAuthority,
} from './signing-certificates.js'

/** A key's file: the private JWK and its validity window. */
interface SigningKeyFile {
  kid: string
  alg: SigningAlgorithm
  created: string
  retired?: string
  privateJwk: JWK
}

export interface SigningKey {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly created: Date
  /** From this time on the key signs nothing, and a certificate claiming a later issue time fails. */
  readonly retired?: Date
  readonly publicJwk: JWK
  readonly publicKey: CryptoKey
  readonly privateKey: CryptoKey
  /** The private key as plain data, for signers that take no CryptoKey (the PDF signature, in a worker thread some day). Never log it. */
  readonly privateJwk: JWK
  /** The key's X.509 certificates as DER, leaf first, root last: issued by the service's root CA, or imported with the key. */
  readonly certificateChain: Uint8Array[]
}

/**
 * A public key of the JWKS: a JWK plus its validity window as seconds since the epoch (`iat`, `exp`) and its
 * certificate chain (`x5c`, standard base64 DER, leaf first: RFC 7517 §4.7).
 */
export interface PublishedJwk extends JWK { kid: string, alg: string, use: 'sig', iat: number, exp?: number, x5c: string[] }

export interface SigningKeyRing {
  /** The key to sign with now: the newest key created and not retired. */
  current (now: Date): SigningKey
  /** A key by kid, retired ones included; reloads KEYS_DIR once if the kid is new to this process. */
  find (kid: string): Promise<SigningKey | undefined>
  jwks (): { keys: PublishedJwk[] }
  reload (): Promise<void>
}

const keyFilePattern = /^signing-.*\.json$/
const toSeconds = (d: Date) => Math.floor(d.getTime() / 1000)

async function readKeyFileEntries (dir: string): Promise<Array<[name: string, file: SigningKeyFile]>> {
  const names = (await readdir(dir)).filter(n => keyFilePattern.test(n)).sort()
  const entries: Array<[string, SigningKeyFile]> = []
  for (const name of names) entries.push([name, JSON.parse(await readFile(path.join(dir, name), 'utf8')) as SigningKeyFile])
  return entries
}

/** The root CA of `dir`; created now, it dates from the oldest key there so that it covers every key it certifies. */
async function rootCertificateAuthority (dir: string, now: Date): Promise<RootCertificateAuthority> {
  const oldest = (await readKeyFileEntries(dir)).reduce((time, [, file]) => file.created < time ? file.created : time, now.toISOString())
  return await loadRootCertificateAuthority(dir, new Date(oldest))
}

async function readKeyFiles (dir: string, now: Date): Promise<SigningKey[]> {
  const keys: SigningKey[] = []
  for (const [name, file] of await readKeyFileEntries(dir)) {
    const { d: _private, ...publicJwk } = file.privateJwk
    const created = new Date(file.created)
    keys.push({
      kid: file.kid,
      alg: file.alg,
      created,
      retired: file.retired === undefined ? undefined : new Date(file.retired),
      publicJwk: { ...publicJwk, kid: file.kid, alg: file.alg, use: 'sig' },
      publicKey: await importJWK(publicJwk, file.alg) as CryptoKey,
      privateKey: await importJWK(file.privateJwk, file.alg) as CryptoKey,
      privateJwk: file.privateJwk,
      // Keys made before certificates get theirs here, once.
      certificateChain: await loadCertificateChain(dir, name, { kid: file.kid, alg: file.alg, publicJwk, created }, () => rootCertificateAuthority(dir, now)),
    })
  }
  return keys
}

function keyFileName (file: SigningKeyFile): string {
  return `signing-${file.created.replace(/[:.]/g, '')}-${file.kid}.json`
}

async function writeKeyFile (dir: string, file: SigningKeyFile, flag: 'wx' | 'w'): Promise<void> {
  const target = path.join(dir, keyFileName(file))
  if (flag === 'wx') {
    await writeFile(target, JSON.stringify(file, null, 2), { mode: 0o600, flag })
    return
  }
  // Rewrites go through a rename so a reader never sees half a file.
  const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, JSON.stringify(file, null, 2), { mode: 0o600 })
  await rename(temporary, target)
}

/**
 * Generates a key pair and stores it in `dir` with its certificate, issued by the service's root CA (created
 * on first use); returns its kid (the RFC 7638 thumbprint).
 */
export async function generateSigningKey (dir: string, alg: SigningAlgorithm, now: Date): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined })
  const privateJwk = await exportJWK(privateKey)
  const { d: _private, ...publicJwk } = privateJwk
  const kid = await calculateJwkThumbprint(privateJwk)
  const file: SigningKeyFile = { kid, alg, created: now.toISOString(), privateJwk }
  // The certificate first, so that no process reads the key without it.
  await loadCertificateChain(dir, keyFileName(file), { kid, alg, publicJwk, created: now }, () => rootCertificateAuthority(dir, now))
  await writeKeyFile(dir, file, 'wx')
  return kid
}

/**
 * Rotates: a new key signs from `now`; the keys in use so far retire after `graceSeconds`, time for
 * other instances to pick up the new key (they reload every 30 s). Returns the new kid.
 */
export async function rotateSigningKey (dir: string, alg: SigningAlgorithm, now: Date, graceSeconds = 300): Promise<string> {
  // Before the service's first start there is no folder yet: the new key is then simply the first.
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const names = (await readdir(dir)).filter(n => keyFilePattern.test(n))
  const kid = await generateSigningKey(dir, alg, now)
  await retireKeys(dir, names, now, graceSeconds)
  return kid
}

/**
 * Imports an ECDSA P-256 private key (PKCS#8 PEM) and the certificate chain a CA issued for it (PEM, leaf
 * first) as a new key of the ring, current from `now` on; the keys in use so far retire after `graceSeconds`,
 * as with rotateSigningKey. Throws SigningCertificateError when the key is not P-256, the chain does not pass
 * checkCertificateChain (its leaf must be this key's), or the ring holds the key already. Returns the kid.
 */
export async function importSigningKey (
  dir: string,
  { privateKeyPem, certificateChainPem }: { privateKeyPem: string, certificateChainPem: string },
  now: Date,
  graceSeconds = 300,
): Promise<string> {
  let privateJwk: JWK
  try {
    const key = createPrivateKey({ key: privateKeyPem, format: 'pem' })
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') throw new Error('not P-256')
    privateJwk = key.export({ format: 'jwk' }) as JWK
  } catch {
    throw new SigningCertificateError('the private key is not an ECDSA P-256 key in PEM (PKCS#8)')
  }
  const chain = certificatesFromPem(certificateChainPem)
  await checkCertificateChain(privateJwk as JsonWebKey, chain, now)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const names = (await readdir(dir)).filter(n => keyFilePattern.test(n))
  const kid = await calculateJwkThumbprint(privateJwk)
  if (names.some(name => name.endsWith(`-${kid}.json`))) throw new SigningCertificateError(`the key ring already holds this key (kid ${kid})`)
  const file: SigningKeyFile = { kid, alg: 'ES256', created: now.toISOString(), privateJwk }
  await writeFile(path.join(dir, chainFileName(keyFileName(file))), certificatesToPem(chain), { mode: 0o644, flag: 'wx' })
  await writeKeyFile(dir, file, 'wx')
  await retireKeys(dir, names, now, graceSeconds)
  return kid
}

async function retireKeys (dir: string, names: string[], now: Date, graceSeconds: number): Promise<void> {
  const retired = new Date(now.getTime() + graceSeconds * 1000).toISOString()
  for (const name of names) {
    const file = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as SigningKeyFile
    if (file.retired === undefined || file.retired > retired) await writeKeyFile(dir, { ...file, retired }, 'w')
  }
}

/** Loads the key ring from `dir`, generating a first key when there is none (its kid is then `generatedKid`: start-up says to back it up). */
export async function loadSigningKeys (dir: string, alg: SigningAlgorithm, now: () => Date): Promise<SigningKeyRing & { close (): void, readonly generatedKid?: string }> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  let keys = await readKeyFiles(dir, now())
  let generatedKid: string | undefined
  if (keys.length === 0) {
    generatedKid = await generateSigningKey(dir, alg, now())
    keys = await readKeyFiles(dir, now())
  }
  let lastReload = Date.now()
  const reload = async () => {
    keys = await readKeyFiles(dir, now())
    lastReload = Date.now()
  }
  // Other instances may rotate; pick their keys up without a restart.
  const timer = setInterval(() => { reload().catch(() => {}) }, 30_000)
  timer.unref()

  return {
    current (at) {
      const usable = keys.filter(k => k.created <= at && (k.retired === undefined || k.retired > at))
      const key = usable.at(-1) ?? keys.filter(k => k.retired === undefined).at(-1)
      if (key === undefined) throw new Error(`no usable signing key in ${dir}: rotate to create one`)
      return key
    },
    async find (kid) {
      let key = keys.find(k => k.kid === kid)
      if (key === undefined && Date.now() - lastReload > 1_000) {
        await reload()
        key = keys.find(k => k.kid === kid)
      }
      return key
    },
    jwks () {
      return {
        keys: keys.map(k => ({
          ...k.publicJwk,
          kid: k.kid,
          alg: k.alg,
          use: 'sig' as const,
          iat: toSeconds(k.created),
          // Rounded up, so that a verifier comparing whole-second issue times draws the same line as the ring.
          ...(k.retired === undefined ? {} : { exp: Math.ceil(k.retired.getTime() / 1000) }),
          x5c: k.certificateChain.map(der => Buffer.from(der).toString('base64')),
        })),
      }
    },
    reload,
    close: () => clearInterval(timer),
    generatedKid,
  }
}

/** The file in a key folder that holds the holder-ID secret. */
export const holderIdSecretFile = 'holder-id.secret'

/**
 * The HMAC key for holder ID numbers, created once in `dir` (`created`: by this call, so start-up says to
 * back it up); linking a finished file makes it race-safe across processes.
 */
export async function loadHolderIdSecret (dir: string): Promise<{ secret: Buffer, created: boolean }> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = path.join(dir, holderIdSecretFile)
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, randomBytes(32).toString('hex'), { mode: 0o600 })
  let created = false
  try {
    await link(temporary, file)
    created = true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(temporary)
  }
  return { secret: Buffer.from((await readFile(file, 'utf8')).trim(), 'hex'), created }
}
