// The one verification pipeline, used by the API, the page, the batch verifier and the offline CLI:
// presentation → (PDF: its own signature first) → token → signature and kid → payload schema → number → register record → match → status.
import { Ajv } from 'ajv'
import payloadSchema from '../../schemas/certificate-payload.json' with { type: 'json' }
import { explainCertificateNumber } from '../certificates/certificate-number.js'
import { isRuleSetId, ruleSets } from '../certificates/hour-rules.js'
import { findRegion } from '../regions/region-table.js'
import { verifyCertificateSignature, type CertificatePayload, type SignatureFailure, type VerificationKey } from '../signing/certificate-jws.js'
import type { ErrorCode } from '../errors.js'
import type { PdfReading, PdfWork } from '../documents/index.js'
import { matchRegistryRecord, type CertificateRegistry } from './certificate-registry.js'
import { tokenFromText, tokenOfPdf, type PdfReader, type Presentation } from './presented-token.js'
import { checkPdfSignature, looksLikePdf } from './pdf-signature-check.js'
import type { VerificationCheck, VerificationReport, VerifiedCertificate } from './verification-report.js'

export interface VerificationDeps {
  /** The published keys by kid, retired ones included. */
  findKey: (kid: string) => Promise<VerificationKey | undefined>
  registry: CertificateRegistry
  /** Bounds the year a certificate number may carry. */
  clock: () => Date
  /** Needed only to verify PDFs. */
  readPdf?: PdfReader
  /** The addresses a QR code may point to: PUBLIC_BASE_URL and the service's former addresses. */
  trustedBaseUrls?: readonly string[]
}

const ajv = new Ajv({ allErrors: true })
const validatePayload = ajv.compile<CertificatePayload>(payloadSchema)

const signatureFailures: Readonly<Record<SignatureFailure, { code: ErrorCode, zh: string }>> = {
  malformed: { code: 'INVALID_TOKEN', zh: '签名数据格式错误，无法读取。' },
  'too-large': { code: 'TOKEN_TOO_LARGE', zh: '签名数据过长，不可能是证书。' },
  'unsupported-algorithm': { code: 'UNSUPPORTED_ALGORITHM', zh: '签名算法不被接受（只接受 ES256 与 EdDSA）。' },
  'unknown-kid': { code: 'UNKNOWN_SIGNING_KEY', zh: '签名密钥不是本服务发布的密钥。' },
  'bad-signature': { code: 'SIGNATURE_INVALID', zh: '签名与内容不符：证书被篡改或并非本服务签发。' },
  'outside-key-validity': { code: 'ISSUED_OUTSIDE_KEY_VALIDITY', zh: '证书的签发时间不在签名密钥的有效期内。' },
}

const isoDate = (d: Date) => d.toISOString().slice(0, 10)

function certificateOf (p: CertificatePayload, kid: string, alg: string): VerifiedCertificate {
  return {
    number: p.num,
    holderName: p.nam,
    year: p.yr,
    hours: { public: p.hrs.pub, professional: p.hrs.pro, elective: p.hrs.ele, selfStudy: p.hrs.slf ?? 0, total: p.hrs.tot },
    ruleSet: { id: p.rs, name: isRuleSetId(p.rs) ? ruleSets[p.rs].name : p.rs },
    region: { code: p.reg, name: findRegion(p.reg)?.fullName ?? '' },
    issuer: { id: p.isi, name: p.iss },
    employerName: p.emp,
    issuedAt: new Date(p.iat * 1000).toISOString(),
    kid,
    alg,
  }
}

/** The number must be well formed and agree with the signed region and year. */
function checkNumber (p: CertificatePayload, now: Date): VerificationCheck {
  const problem = explainCertificateNumber(p.num, now.getUTCFullYear()) ??
    (p.num.slice(0, 6) !== p.reg ? `it is numbered under ${p.num.slice(0, 6)}, but signed for region ${p.reg}` : null) ??
    (Number(p.num.slice(6, 8)) !== p.yr % 100 ? `its year digits ${p.num.slice(6, 8)} do not give the signed year ${p.yr}` : null)
  if (problem !== null) return { name: 'number-format', ok: false, code: 'INVALID_CERTIFICATE_PAYLOAD', reason: `the signed number ${p.num} is not valid: ${problem}`, reasonZh: `签名中的证书编号 ${p.num} 不合规。` }
  return { name: 'number-format', ok: true, reason: `${p.num} is a well-formed number of ${p.reg}, ${p.yr}`, reasonZh: `${p.num} 为合规的证书编号。` }
}

/**
 * Verifies a certificate as presented (a token, QR text or PDF). Never throws for bad input: every
 * check made is in the report, and a check that cannot run after a failure is left out.
 */
export async function verifyPresentation (presentation: Presentation, deps: VerificationDeps, work?: PdfWork): Promise<VerificationReport> {
  const checks: VerificationCheck[] = []
  const invalid = (check: VerificationCheck, certificate?: VerifiedCertificate): VerificationReport =>
    ({ verdict: 'invalid', checks: [...checks, check], ...(certificate === undefined ? {} : { certificate }) })
  // A PDF that is not the one this service signed is forged or altered, whatever token it carries: no certificate is shown from it.
  const altered = (check: VerificationCheck): VerificationReport => ({ verdict: 'altered', checks: [...checks, check] })

  let sealed: { kid: string, signingTime: Date } | undefined
  let reading: PdfReading | undefined
  if ('pdf' in presentation) {
    if (deps.readPdf === undefined) throw new Error('this verifier was built without a PDF reader')
    if (!looksLikePdf(presentation.pdf)) return invalid({ name: 'document', ok: false, code: 'INVALID_PDF', reason: 'the file has no PDF header: it is not a PDF', reasonZh: '文件没有 PDF 文件头，不是 PDF 文件。' })
    reading = await deps.readPdf(presentation.pdf, work)
    const result = await checkPdfSignature(reading.signature, deps.findKey)
    if (!('kid' in result)) return altered(result)
    checks.push(result.check)
    sealed = result
  }
  const token = reading !== undefined ? tokenOfPdf(reading) : tokenFromText('jws' in presentation ? presentation.jws : (presentation as { qr: string }).qr, deps.trustedBaseUrls)
  if ('name' in token) return altered(token)
  if (token.address !== undefined) {
    if (!token.address.ok) return invalid({ name: 'qr-address', ok: false, code: 'UNTRUSTED_QR_ADDRESS', reason: token.address.reason, reasonZh: token.address.reasonZh })
    checks.push({ name: 'qr-address', ok: true, reason: "the QR code points to this service's verification page", reasonZh: '二维码指向本服务的核验页面。' })
  }
  if (token.missing !== undefined) return invalid({ name: 'signature', ok: false, code: 'INVALID_TOKEN', reason: token.missing, reasonZh: '未找到证书签名数据。' })

  // 1. Signature and kid.
  const signature = await verifyCertificateSignature(token.jws, deps.findKey)
  if (!signature.ok) {
    const failure = signatureFailures[signature.failure]
    return invalid({ name: 'signature', ok: false, code: failure.code, reason: signature.reason, reasonZh: failure.zh })
  }
  // The token inside a signed PDF is the one signed with it: the same key, at the same moment.
  if (sealed !== undefined) {
    const iat = (signature.payload as { iat?: unknown } | null)?.iat
    if (signature.kid !== sealed.kid || iat !== sealed.signingTime.getTime() / 1000) {
      return altered({ name: 'document', ok: false, code: 'PDF_ALTERED', reason: 'the certificate inside the PDF was not signed together with the PDF (another key or another time): it was put into another document', reasonZh: 'PDF 中的证书签名数据与 PDF 的电子签名不是同时、同一密钥所签：证书数据被放入了另一份文件。' })
    }
    checks.push({ name: 'document', ok: true, reason: 'the PDF carries the certificate signed together with it', reasonZh: 'PDF 中含有与其电子签名同时签发的证书签名数据。' })
  }
  const key = await deps.findKey(signature.kid)
  const retired = key?.retired !== undefined && key.retired.getTime() <= deps.clock().getTime() ? key.retired : undefined
  checks.push({
    name: 'signature',
    ok: true,
    reason: `signed with ${signature.alg} by key ${signature.kid}` + (retired === undefined ? '' : `, retired on ${isoDate(retired)} after the certificate was issued`),
    reasonZh: `由密钥 ${signature.kid} 以 ${signature.alg} 签名` + (retired === undefined ? '' : `；该密钥已于 ${isoDate(retired)} 停用，证书签发于停用之前`) + '。',
  })

  // 2. The signed content is a certificate.
  if (!validatePayload(signature.payload)) {
    const why = (validatePayload.errors ?? []).map(e => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ')
    return invalid({ name: 'payload-schema', ok: false, code: 'INVALID_CERTIFICATE_PAYLOAD', reason: `the signed content is not a certificate: ${why}`, reasonZh: '签名内容不是格式正确的证书。' })
  }
  const payload = signature.payload
  const certificate = certificateOf(payload, signature.kid, signature.alg)
  checks.push({ name: 'payload-schema', ok: true, reason: 'the signed content is a version 1 certificate', reasonZh: '签名内容为格式正确的证书。' })

  // 3. The number, and the number the presentation shows.
  const number = checkNumber(payload, deps.clock())
  if (!number.ok) return invalid(number, certificate)
  checks.push(number)
  if (token.presentedNumber !== undefined) {
    if (token.presentedNumber !== payload.num) {
      return invalid({ name: 'presented-number', ok: false, code: 'CERTIFICATE_MISMATCH', reason: `the link shows number ${token.presentedNumber}, but the signed certificate is ${payload.num}`, reasonZh: '链接中的证书编号与签名内容不一致。' }, certificate)
    }
    checks.push({ name: 'presented-number', ok: true, reason: 'the link shows the signed number', reasonZh: '链接中的证书编号与签名内容一致。' })
  }

  // 4-6. The register: record, match, status.
  const answer = await deps.registry.lookup(payload, signature.kid)
  if (answer.kind === 'absent') {
    checks.push({ name: 'registry-record', ok: false, reason: `the issuance register has no certificate ${payload.num}`, reasonZh: '发放名册中没有该编号的证书。' })
    return { verdict: 'unknown', checks, certificate }
  }
  if (answer.kind === 'offline') {
    const skipped = { ok: true, skipped: true as const, reason: 'not checked offline: the signature vouches for the content', reasonZh: '离线核验不查名册，以签名为准。' }
    checks.push({ name: 'registry-record', ...skipped }, { name: 'registry-match', ...skipped })
    // Only a current list that does not name the certificate makes it valid offline; without one its state is unknown.
    const ok = answer.status === 'not-revoked'
    checks.push({ name: 'status', ok, ...(answer.status === 'unchecked' ? { skipped: true as const } : {}), reason: answer.reason, reasonZh: answer.reasonZh })
    const verdict = answer.status === 'revoked' ? 'revoked' : answer.status === 'not-revoked' ? 'valid' : 'unknown'
    return { verdict, checks, certificate }
  }
  const { record } = answer
  checks.push({ name: 'registry-record', ok: true, reason: `the issuance register has certificate ${record.number}`, reasonZh: '发放名册中有该编号的证书。' })
  const match = matchRegistryRecord(record, payload, signature.kid, token.jws)
  if (!match.ok) return invalid(match, certificate)
  checks.push(match)
  if (record.status === 'revoked') {
    const on = record.revokedAt === null ? '' : ` on ${isoDate(record.revokedAt)}`
    checks.push({ name: 'status', ok: false, reason: `revoked${on}`, reasonZh: `已撤销${record.revokedAt === null ? '' : `（${isoDate(record.revokedAt)}）`}。` })
    return { verdict: 'revoked', checks, certificate: { ...certificate, ...(record.revokedAt === null ? {} : { revokedAt: record.revokedAt.toISOString() }) } }
  }
  checks.push({ name: 'status', ok: true, reason: 'valid: not revoked', reasonZh: '有效，未被撤销。' })
  return { verdict: 'valid', checks, certificate }
}
