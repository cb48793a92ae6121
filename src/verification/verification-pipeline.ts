// The one verification pipeline, used by the API, the page, the batch verifier and the offline CLI:
// presentation → (PDF: its own signature first) → token (JWS, or a QR code's compact token) → signature and kid →
// signed content → number → register record → match → status.
import type { PdfReading, PdfWork } from '../documents/index.js'
import { matchRegistryRecord, payloadOf, type CertificateRegistry } from './certificate-registry.js'
import { tokenFromText, tokenOfPdf, type PdfReader, type Presentation } from './presented-token.js'
import { checkPdfSignature, looksLikePdf } from './pdf-signature-check.js'
import { certificateOf, checkNumber, checkTokenSignature, readSignedContent, type KeyLookup } from './signed-content.js'
import type { VerificationCheck, VerificationReport, VerifiedCertificate } from './verification-report.js'
import type { CertificatePayload } from '../signing/certificate-jws.js'
import { chinaDate } from '../text/china-time.js'

export interface VerificationDeps extends KeyLookup {
  registry: CertificateRegistry
  /** Bounds the year a certificate number may carry. */
  clock: () => Date
  /** Needed only to verify PDFs. */
  readPdf?: PdfReader
  /** The addresses a QR code may point to: PUBLIC_BASE_URL and the service's former addresses. */
  trustedBaseUrls?: readonly string[]
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
  const signature = await checkTokenSignature(token, deps)
  if ('name' in signature) return invalid(signature)
  // The token inside a signed PDF is the one signed with it: the same key, at the same moment.
  if (sealed !== undefined) {
    const iat = (signature.signed as { iat?: unknown } | null)?.iat
    if (signature.kid !== sealed.kid || iat !== sealed.signingTime.getTime() / 1000) {
      return altered({ name: 'document', ok: false, code: 'PDF_ALTERED', reason: 'the certificate inside the PDF was not signed together with the PDF (another key or another time): it was put into another document', reasonZh: 'PDF 中的证书签名数据与 PDF 的电子签名不是同时、同一密钥所签：证书数据被放入了另一份文件。' })
    }
    checks.push({ name: 'document', ok: true, reason: 'the PDF carries the certificate signed together with it', reasonZh: 'PDF 中含有与其电子签名同时签发的证书签名数据。' })
  }
  const key = await deps.findKey(signature.kid)
  const retired = key?.retired !== undefined && key.retired.getTime() <= deps.clock().getTime() ? key.retired : undefined
  const how = token.form === 'compact' ? ' (the QR code\'s compact token, over the number of its address)' : ''
  checks.push({
    name: 'signature',
    ok: true,
    reason: `signed with ${signature.alg} by key ${signature.kid}${how}` + (retired === undefined ? '' : `, retired on ${chinaDate(retired)} after the certificate was issued`),
    reasonZh: `由密钥 ${signature.kid} 以 ${signature.alg} 签名` + (token.form === 'compact' ? '（二维码签名数据，连同网址中的证书编号）' : '') +
      (retired === undefined ? '' : `；该密钥已于 ${chinaDate(retired)} 停用，证书签发于停用之前`) + '。',
  })

  // 2. The signed content is a certificate.
  const signed = readSignedContent(token, signature)
  if ('name' in signed) return invalid(signed)
  const certificate = certificateOf(signed, signature.kid, signature.alg)
  checks.push(token.form === 'compact'
    ? { name: 'payload-schema', ok: true, reason: 'the signed content is a version 1 compact certificate: number, name, year, hours and issue time', reasonZh: '签名内容为格式正确的二维码证书数据（编号、姓名、年度、学时、签发时间）。' }
    : { name: 'payload-schema', ok: true, reason: 'the signed content is a version 1 certificate', reasonZh: '签名内容为格式正确的证书。' })

  // 3. The number, and the number the presentation shows.
  const number = checkNumber(signed, deps.clock())
  if (!number.ok) return invalid(number, certificate)
  checks.push(number)
  if (token.form === 'compact') {
    checks.push({ name: 'presented-number', ok: true, reason: 'the link\'s number is signed with the token', reasonZh: '链接中的证书编号与签名数据一同签名。' })
  } else if (token.presentedNumber !== undefined) {
    if (token.presentedNumber !== signed.number) {
      return invalid({ name: 'presented-number', ok: false, code: 'CERTIFICATE_MISMATCH', reason: `the link shows number ${token.presentedNumber}, but the signed certificate is ${signed.number}`, reasonZh: '链接中的证书编号与签名内容不一致。' }, certificate)
    }
    checks.push({ name: 'presented-number', ok: true, reason: 'the link shows the signed number', reasonZh: '链接中的证书编号与签名内容一致。' })
  }

  // 4-6. The register: record, match, status.
  const answer = await deps.registry.lookup(signed.number, signature.kid)
  if (answer.kind === 'absent') {
    checks.push({ name: 'registry-record', ok: false, reason: `the issuance register has no certificate ${signed.number}`, reasonZh: '发放名册中没有该编号的证书。' })
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
  const match = matchRegistryRecord(record, signed, signature.kid, token.token)
  if (!match.ok) return invalid(match, certificate)
  checks.push(match)
  // What a compact token does not sign (rule set, issuer, employer) is the register's, once its record matched.
  const shown = signed.payload === undefined ? certificateOf(signed, signature.kid, signature.alg, payloadOf(record.jws) as CertificatePayload | undefined) : certificate
  if (record.status === 'revoked') {
    const on = record.revokedAt === null ? '' : ` on ${chinaDate(record.revokedAt)}`
    checks.push({ name: 'status', ok: false, reason: `revoked${on}`, reasonZh: `已撤销${record.revokedAt === null ? '' : `（${chinaDate(record.revokedAt)}）`}。` })
    return { verdict: 'revoked', checks, certificate: { ...shown, ...(record.revokedAt === null ? {} : { revokedAt: record.revokedAt.toISOString() }) } }
  }
  checks.push({ name: 'status', ok: true, reason: 'valid: not revoked', reasonZh: '有效，未被撤销。' })
  return { verdict: 'valid', checks, certificate: shown }
}
