// The signing key ring in KEYS_DIR: generated on first start, rotated on demand, published as a JWKS.
import { randomBytes } from 'node:crypto'
import { link, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'
import type { SigningAlgorithm } from '../config.js'

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
}

/** A public key of the JWKS: a JWK plus its validity window as seconds since the epoch (`iat`, `exp`). */
export interface PublishedJwk extends JWK { kid: string, alg: string, use: 'sig', iat: number, exp?: number }

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

async function readKeyFiles (dir: string): Promise<SigningKey[]> {
  const names = (await readdir(dir)).filter(n => keyFilePattern.test(n)).sort()
  const keys: SigningKey[] = []
  for (const name of names) {
    const file = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as SigningKeyFile
    const { d: _private, ...publicJwk } = file.privateJwk
    keys.push({
      kid: file.kid,
      alg: file.alg,
      created: new Date(file.created),
      retired: file.retired === undefined ? undefined : new Date(file.retired),
      publicJwk: { ...publicJwk, kid: file.kid, alg: file.alg, use: 'sig' },
      publicKey: await importJWK(publicJwk, file.alg) as CryptoKey,
      privateKey: await importJWK(file.privateJwk, file.alg) as CryptoKey,
    })
  }
  return keys
}

async function writeKeyFile (dir: string, file: SigningKeyFile, flag: 'wx' | 'w'): Promise<void> {
  const name = `signing-${file.created.replace(/[:.]/g, '')}-${file.kid}.json`
  const target = path.join(dir, name)
  if (flag === 'wx') {
    await writeFile(target, JSON.stringify(file, null, 2), { mode: 0o600, flag })
    return
  }
  // Rewrites go through a rename so a reader never sees half a file.
  const temporary = `${target}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, JSON.stringify(file, null, 2), { mode: 0o600 })
  await rename(temporary, target)
}

/** Generates a key pair and stores it in `dir`; returns its kid (the RFC 7638 thumbprint). */
export async function generateSigningKey (dir: string, alg: SigningAlgorithm, now: Date): Promise<string> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const { privateKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined })
  const privateJwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(privateJwk)
  await writeKeyFile(dir, { kid, alg, created: now.toISOString(), privateJwk }, 'wx')
  return kid
}

/**
 * Rotates: a new key signs from `now`; the keys in use so far retire after `graceSeconds`, time for
 * other instances to pick up the new key (they reload every 30 s). Returns the new kid.
 */
export async function rotateSigningKey (dir: string, alg: SigningAlgorithm, now: Date, graceSeconds = 300): Promise<string> {
  const names = (await readdir(dir)).filter(n => keyFilePattern.test(n))
  const kid = await generateSigningKey(dir, alg, now)
  const retired = new Date(now.getTime() + graceSeconds * 1000).toISOString()
  for (const name of names) {
    const file = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as SigningKeyFile
    if (file.retired === undefined || file.retired > retired) await writeKeyFile(dir, { ...file, retired }, 'w')
  }
  return kid
}

/** Loads the key ring from `dir`, generating a first key when there is none. */
export async function loadSigningKeys (dir: string, alg: SigningAlgorithm, now: () => Date): Promise<SigningKeyRing & { close (): void }> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  let keys = await readKeyFiles(dir)
  if (keys.length === 0) {
    await generateSigningKey(dir, alg, now())
    keys = await readKeyFiles(dir)
  }
  let lastReload = Date.now()
  const reload = async () => {
    keys = await readKeyFiles(dir)
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
        })),
      }
    },
    reload,
    close: () => clearInterval(timer),
  }
}

/** The HMAC key for holder ID numbers, created once in `dir`; linking a finished file makes it race-safe across processes. */
export async function loadHolderIdSecret (dir: string): Promise<Buffer> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const file = path.join(dir, 'holder-id.secret')
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, randomBytes(32).toString('hex'), { mode: 0o600 })
  try {
    await link(temporary, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(temporary)
  }
  return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex')
}
