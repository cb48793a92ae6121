// The pipeline's first layers for either token form: its signature and key, then its signed content as a certificate.
import { Ajv } from 'ajv'
import payloadSchema from '../../schemas/certificate-payload.json' with { type: 'json' }
import { explainCertificateNumber, firstYear } from '../certificates/certificate-number.js'
import { isRuleSetId, ruleSets } from '../certificates/hour-rules.js'
import type { ErrorCode } from '../errors.js'
import { findRegion } from '../regions/region-table.js'
import { readCompactClaims, verifyCompactToken } from '../signing/certificate-cose.js'
import { verifyCertificateSignature, type CertificatePayload, type SignatureFailure, type VerificationKey } from '../signing/certificate-jws.js'
import type { SignedContent } from './certificate-registry.js'
import type { PresentedToken } from './presented-token.js'
import type { VerificationCheck, VerifiedCertificate } from './verification-report.js'
import { chinaYear } from '../text/china-time.js'

/** The keys a verifier trusts: the published ones, retired ones included. */
export interface KeyLookup {
  findKey: (kid: string) => Promise<VerificationKey | undefined>
  /** Every published kid: a compact token names its key by the kid's first bytes. */
  kids: () => Promise<readonly string[]>
}

/** A signature that holds: who signed, and what (a JWS payload, or the claims of a compact token), not yet read. */
export interface HeldSignature { kid: string, alg: string, signed: unknown }

const signatureFailures: Readonly<Record<SignatureFailure, { code: ErrorCode, zh: string }>> = {
  malformed: { code: 'INVALID_TOKEN', zh: '签名数据格式错误，无法读取。' },
  'too-large': { code: 'TOKEN_TOO_LARGE', zh: '签名数据过长，不可能是证书。' },
  'unsupported-algorithm': { code: 'UNSUPPORTED_ALGORITHM', zh: '签名算法不被接受（只接受 ES256 与 EdDSA）。' },
  'unknown-kid': { code: 'UNKNOWN_SIGNING_KEY', zh: '签名密钥不是本服务发布的密钥。' },
  'bad-signature': { code: 'SIGNATURE_INVALID', zh: '签名与内容不符：证书被篡改或并非本服务签发。' },
  'outside-key-validity': { code: 'ISSUED_OUTSIDE_KEY_VALIDITY', zh: '证书的签发时间不在签名密钥的有效期内。' },
}

/**
 * Checks the token's signature: a JWS by its kid, a compact QR token by its short kid over its claims and
 * the number of its address. Returns who signed, or the failed `signature` check.
 */
export async function checkTokenSignature (token: PresentedToken, keys: KeyLookup): Promise<HeldSignature | VerificationCheck> {
  if (token.form === 'compact' && token.presentedNumber === undefined) {
    return { name: 'signature', ok: false, code: 'INVALID_TOKEN', reason: 'a compact QR token is signed together with the certificate number of its address: give the whole text of the QR code', reasonZh: '二维码签名数据须连同其网址中的证书编号一起核验：请提供二维码的完整内容。' }
  }
  const result = token.form === 'jws'
    ? await verifyCertificateSignature(token.token, keys.findKey)
    : await verifyCompactToken(token.token, token.presentedNumber!, keys)
  if (!result.ok) {
    const failure = signatureFailures[result.failure]
    return { name: 'signature', ok: false, code: failure.code, reason: result.reason, reasonZh: failure.zh }
  }
  return { kid: result.kid, alg: result.alg, signed: 'payload' in result ? result.payload : result.claims }
}

const ajv = new Ajv({ allErrors: true })
const validatePayload = ajv.compile<CertificatePayload>(payloadSchema)

const schemaFailure = (why: string): VerificationCheck =>
  ({ name: 'payload-schema', ok: false, code: 'INVALID_CERTIFICATE_PAYLOAD', reason: `the signed content is not a certificate: ${why}`, reasonZh: '签名内容不是格式正确的证书。' })

/** The signed content as a certificate's (schemas/certificate-payload.json; for a compact token, the claims of docs/QR-FORMAT.md), or the failed `payload-schema` check. */
export function readSignedContent (token: PresentedToken, signature: HeldSignature): SignedContent | VerificationCheck {
  if (token.form === 'compact') {
    const read = readCompactClaims(signature.signed as ReadonlyMap<unknown, unknown>)
    if (!read.ok) return schemaFailure(read.reason)
    const number = token.presentedNumber!
    const { holderName, hours, iat } = read.claims
    return { number, holderName, year: firstYear + Number(number.slice(6, 8)), hours, iat }
  }
  if (!validatePayload(signature.signed)) {
    return schemaFailure((validatePayload.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; '))
  }
  const p = signature.signed
  return { number: p.num, holderName: p.nam, year: p.yr, hours: p.hrs, iat: p.iat, payload: p }
}

/** The number must be well formed and agree with the signed region and year (a compact token's region and year are its number's). */
export function checkNumber (signed: SignedContent, now: Date): VerificationCheck {
  const { number, payload } = signed
  const problem = explainCertificateNumber(number, chinaYear(now)) ??
    (payload !== undefined && number.slice(0, 6) !== payload.reg ? `it is numbered under ${number.slice(0, 6)}, but signed for region ${payload.reg}` : null) ??
    (Number(number.slice(6, 8)) !== signed.year % 100 ? `its year digits ${number.slice(6, 8)} do not give the signed year ${signed.year}` : null)
  if (problem !== null) return { name: 'number-format', ok: false, code: 'INVALID_CERTIFICATE_PAYLOAD', reason: `the signed number ${number} is not valid: ${problem}`, reasonZh: `签名中的证书编号 ${number} 不合规。` }
  return { name: 'number-format', ok: true, reason: `${number} is a well-formed number of ${number.slice(0, 6)}, ${signed.year}`, reasonZh: `${number} 为合规的证书编号。` }
}

/**
 * The certificate as the report shows it: everything the JWS signed; for a compact token the number,
 * name, year, hours and issue time it signs, the region its number names, and the rest only from
 * `registered` — the register's own JWS payload, once the register's record has matched.
 */
export function certificateOf (signed: SignedContent, kid: string, alg: string, registered?: CertificatePayload): VerifiedCertificate {
  const p = signed.payload ?? registered
  const h = signed.hours
  const regionCode = signed.payload?.reg ?? signed.number.slice(0, 6)
  return {
    number: signed.number,
    holderName: signed.holderName,
    year: signed.year,
    hours: { public: h.pub, professional: h.pro, elective: h.ele, selfStudy: h.slf ?? 0, total: h.tot },
    ...(p === undefined ? {} : { ruleSet: { id: p.rs, name: isRuleSetId(p.rs) ? ruleSets[p.rs].name : p.rs } }),
    region: { code: regionCode, name: findRegion(regionCode)?.fullName ?? '' },
    ...(p === undefined ? {} : { issuer: { id: p.isi, name: p.iss }, employerName: p.emp }),
    issuedAt: new Date(signed.iat * 1000).toISOString(),
    kid,
    alg,
  }
}
