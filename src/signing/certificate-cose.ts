// The compact certificate token a QR code carries: a COSE_Sign1 (RFC 9052) over a few CBOR claims, bound to the
// certificate number of its address, written as decimal digits (docs/QR-FORMAT.md).
import { decode, encode } from 'cborg'
import type { SigningAlgorithm } from '../config.js'
import type { CertificatePayload, SignatureFailure, VerificationKey } from './certificate-jws.js'
import { bytesToDigits, digitsToBytes } from './decimal-bytes.js'
import { signDeterministically } from './deterministic-signatures.js'

/** What a compact token signs besides its number: the holder's full name, the hours, the issue time. */
export interface CompactClaims {
  holderName: string
  /** As in the JWS payload: public, professional, elective, self-study and publications (when any), total. */
  hours: { pub: number, pro: number, ele: number, slf?: number, tot: number }
  /** Issue time, seconds since the epoch. */
  iat: number
}

/** COSE algorithm identifiers (RFC 9053 §2.1, §2.2). */
export const coseAlgorithms: Readonly<Record<SigningAlgorithm, number>> = { ES256: -7, EdDSA: -8 }
const coseHeader = { alg: 1, kid: 4 } as const
const claimKey = { nameText: 1, nameUtf16: 2, hours: 3, iat: 4 } as const
/** Bytes of the key's RFC 7638 thumbprint in the token's kid: enough to pick the key among the published ones. */
export const shortKidLength = 4
/** A compact token is under 300 bytes (about 730 digits); anything much longer is refused before it is decoded. */
export const maxCompactDigits = 1200
const maxHolderNameLength = 30
const maxHours = 8784
const earliestIssueTime = 946684800

const strictCbor = {
  useMaps: true, strict: true, rejectDuplicateMapKeys: true, allowIndefinite: false, allowUndefined: false,
  allowInfinity: false, allowNaN: false, allowBigInt: false,
} as const

/** The first bytes of a kid of this service (the base64url RFC 7638 thumbprint), as the compact token names its key. */
export function shortKidOf (kid: string): Uint8Array {
  return new Uint8Array(Buffer.from(kid, 'base64url').subarray(0, shortKidLength))
}

/** The claims of a certificate's JWS payload that its QR code carries. */
export function compactClaimsOf (payload: CertificatePayload): CompactClaims {
  return { holderName: payload.nam, hours: { ...payload.hrs }, iat: payload.iat }
}

function utf16be (text: string): Uint8Array {
  const bytes = new Uint8Array(text.length * 2)
  for (let i = 0; i < text.length; i++) {
    bytes[2 * i] = text.charCodeAt(i) >> 8
    bytes[2 * i + 1] = text.charCodeAt(i) & 0xff
  }
  return bytes
}

/** The claims as the CBOR map the token signs: the name as UTF-8 text (key 1) or UTF-16BE bytes (key 2), whichever is shorter. */
function encodeClaims ({ holderName, hours, iat }: CompactClaims): Uint8Array {
  const utf8Length = Buffer.byteLength(holderName, 'utf8')
  const name: [number, string | Uint8Array] = holderName.length * 2 < utf8Length ? [claimKey.nameUtf16, utf16be(holderName)] : [claimKey.nameText, holderName]
  const hourList = [hours.pub, hours.pro, hours.ele, hours.tot, ...(hours.slf !== undefined && hours.slf > 0 ? [hours.slf] : [])]
  return encode(new Map<number, unknown>([name, [claimKey.hours, hourList], [claimKey.iat, iat]]))
}

/** The COSE Sig_structure (RFC 9052 §4.4): the number, as 14 ASCII digits, is its external_aad. */
function signatureInput (protectedHeader: Uint8Array, number: string, payload: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(encode(['Signature1', protectedHeader, new TextEncoder().encode(number), payload]))
}

/**
 * The compact token of certificate `number`, signed by `key` deterministically (RFC 6979 for ES256), as the
 * digits the QR code's fragment carries: the same certificate and key always give the same token.
 */
export function signCompactToken (key: { kid: string, alg: SigningAlgorithm, privateJwk: JsonWebKey }, number: string, claims: CompactClaims): string {
  const protectedHeader = encode(new Map<number, unknown>([[coseHeader.alg, coseAlgorithms[key.alg]], [coseHeader.kid, shortKidOf(key.kid)]]))
  const payload = encodeClaims(claims)
  const signature = signDeterministically(key.alg, key.privateJwk, signatureInput(protectedHeader, number, payload), 'raw')
  return bytesToDigits(encode([protectedHeader, new Map(), payload, signature]))
}

/** Where a verifier finds keys: the published kids, and a key by its kid. */
export interface CompactKeyLookup {
  kids: () => Promise<readonly string[]>
  findKey: (kid: string) => Promise<VerificationKey | undefined>
}

export type CompactSignatureResult =
  | { ok: true, kid: string, alg: string, claims: ReadonlyMap<unknown, unknown> }
  | { ok: false, failure: SignatureFailure, reason: string, kid?: string }

const malformed = (reason: string): CompactSignatureResult => ({ ok: false, failure: 'malformed', reason })
const algorithmNames = new Map<unknown, SigningAlgorithm>(Object.entries(coseAlgorithms).map(([name, id]) => [id, name as SigningAlgorithm]))
const startsWith = (bytes: Uint8Array, prefix: Uint8Array) => prefix.length > 0 && prefix.every((byte, i) => bytes[i] === byte)

function cborOf (bytes: Uint8Array): unknown {
  try {
    return decode(bytes, strictCbor)
  } catch {
    return undefined
  }
}

async function signatureHolds (key: VerificationKey, signature: Uint8Array<ArrayBuffer>, input: Uint8Array<ArrayBuffer>): Promise<boolean> {
  if (key.publicKey instanceof Uint8Array) return false
  const params = key.alg === 'ES256' ? { name: 'ECDSA', hash: 'SHA-256' } : { name: 'Ed25519' }
  try {
    return await crypto.subtle.verify(params, key.publicKey, signature, input)
  } catch {
    return false
  }
}

/**
 * Checks the compact token of certificate `number` (the digits of a QR code's fragment): its COSE_Sign1
 * structure, the algorithm (ES256 or EdDSA), a published key whose kid starts with the token's short kid,
 * the signature over the claims and the number, and an issue time inside that key's validity window.
 * Never throws for bad input: failures come back as data, with the failures of the JWS check.
 */
export async function verifyCompactToken (digits: string, number: string, keys: CompactKeyLookup): Promise<CompactSignatureResult> {
  if (digits.length > maxCompactDigits) return { ok: false, failure: 'too-large', reason: `the compact token has ${digits.length} digits; at most ${maxCompactDigits} are accepted` }
  const bytes = digitsToBytes(digits)
  if (bytes === undefined) return malformed('the digits are not a compact token (groups of 17 digits, each at most 7 bytes)')
  const sign1 = cborOf(bytes)
  if (!Array.isArray(sign1) || sign1.length !== 4) return malformed('the token is not a COSE_Sign1 (a CBOR array of four)')
  const [protectedHeader, unprotectedHeader, payload, signature] = sign1 as unknown[]
  if (!(protectedHeader instanceof Uint8Array) || !(unprotectedHeader instanceof Map) || unprotectedHeader.size > 0 ||
    !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    return malformed('the COSE_Sign1 is not [protected bytes, {}, payload bytes, signature bytes]')
  }
  const header = cborOf(protectedHeader)
  if (!(header instanceof Map) || header.size !== 2 || !header.has(coseHeader.alg) || !(header.get(coseHeader.kid) instanceof Uint8Array)) {
    return malformed('the protected header is not { 1: alg, 4: kid }')
  }
  const alg = algorithmNames.get(header.get(coseHeader.alg))
  if (alg === undefined) return { ok: false, failure: 'unsupported-algorithm', reason: `COSE algorithm ${String(header.get(coseHeader.alg))} is not accepted; only -7 (ES256) and -8 (EdDSA)` }
  const shortKid = header.get(coseHeader.kid) as Uint8Array
  const shownKid = Buffer.from(shortKid).toString('base64url')
  const candidates = (await keys.kids()).filter(kid => startsWith(shortKidOf(kid), shortKid))
  if (shortKid.length !== shortKidLength || candidates.length === 0) return { ok: false, failure: 'unknown-kid', reason: `no published key has a kid starting with ${shownKid}`, kid: shownKid }

  const input = signatureInput(protectedHeader, number, payload)
  let signer: { kid: string, key: VerificationKey } | undefined
  let otherAlgorithm: string | undefined
  for (const kid of candidates) {
    const key = await keys.findKey(kid)
    if (key === undefined) continue
    if (key.alg !== alg) {
      otherAlgorithm = key.alg
      continue
    }
    if (signature.length === 64 && await signatureHolds(key, new Uint8Array(signature), input)) {
      signer = { kid, key }
      break
    }
  }
  if (signer === undefined) {
    if (otherAlgorithm !== undefined && candidates.length === 1) return { ok: false, failure: 'unsupported-algorithm', reason: `key ${candidates[0]} is for ${otherAlgorithm}, the token claims ${alg}`, kid: candidates[0] }
    return { ok: false, failure: 'bad-signature', reason: `the signature does not match the content and number ${number}: the token was altered, belongs to another certificate, or was not signed by this key`, kid: candidates[0] }
  }
  const claims = cborOf(payload)
  if (!(claims instanceof Map)) return { ...malformed('the signed claims are not a CBOR map'), kid: signer.kid }
  const iat = claims.get(claimKey.iat)
  if (typeof iat !== 'number') return { ...malformed('the claims have no issue time (key 4)'), kid: signer.kid }
  const { key } = signer
  if (iat * 1000 < key.created.getTime() - 1000 || (key.retired !== undefined && iat * 1000 >= key.retired.getTime())) {
    return { ok: false, failure: 'outside-key-validity', reason: `the issue time lies outside the validity window of key ${signer.kid}`, kid: signer.kid }
  }
  return { ok: true, kid: signer.kid, alg, claims }
}

const isAmount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= maxHours

function utf16beText (bytes: Uint8Array): string | undefined {
  if (bytes.length % 2 !== 0) return undefined
  let text = ''
  for (let i = 0; i < bytes.length; i += 2) text += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!)
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text) ? undefined : text
}

/** The signed claims as a certificate's, or why they are not: the claims of the format's version 1 and nothing else. */
export function readCompactClaims (claims: ReadonlyMap<unknown, unknown>): { ok: true, claims: CompactClaims } | { ok: false, reason: string } {
  const known = new Set<unknown>(Object.values(claimKey))
  const stray = [...claims.keys()].filter(key => !known.has(key))
  if (stray.length > 0) return { ok: false, reason: `unknown claim ${String(stray[0])}` }
  const text = claims.get(claimKey.nameText)
  const bytes = claims.get(claimKey.nameUtf16)
  if ((text === undefined) === (bytes === undefined)) return { ok: false, reason: 'the name must be given once: as text (key 1) or as UTF-16BE bytes (key 2)' }
  const holderName = typeof text === 'string' ? text : bytes instanceof Uint8Array ? utf16beText(bytes) : undefined
  if (holderName === undefined || holderName.length === 0 || [...holderName].length > maxHolderNameLength) return { ok: false, reason: `the name is not text of 1 to ${maxHolderNameLength} characters` }
  const hours = claims.get(claimKey.hours)
  if (!Array.isArray(hours) || (hours.length !== 4 && hours.length !== 5) || !hours.every(isAmount)) {
    return { ok: false, reason: 'the hours (key 3) are not [public, professional, elective, total] or with self-study after the total' }
  }
  const iat = claims.get(claimKey.iat)
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat < earliestIssueTime || iat > 0xffffffff) return { ok: false, reason: 'the issue time (key 4) is not whole seconds since 2000' }
  const [pub, pro, ele, tot, slf] = hours as number[]
  return { ok: true, claims: { holderName, hours: { pub: pub!, pro: pro!, ele: ele!, tot: tot!, ...(slf === undefined ? {} : { slf }) }, iat } }
}
