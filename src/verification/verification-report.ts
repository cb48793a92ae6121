// What a verification finds, as data: the verdict, every check made with its reason in English and Chinese, the signed certificate.
import { ServiceError, type ErrorCode } from '../errors.js'
import type { CertificateHours } from '../certificates/certificate-service.js'

/** `altered`: a PDF that is not the document this service signed (forged, repainted, re-assembled); `invalid`: a token or QR code that does not verify. */
export type Verdict = 'valid' | 'revoked' | 'invalid' | 'unknown' | 'altered'

/** The checks in the order they run; a check that cannot run after an earlier failure is left out. */
export const checkNames = ['pdf-signature', 'document', 'qr-address', 'signature', 'payload-schema', 'number-format', 'presented-number', 'registry-record', 'registry-match', 'status'] as const
export type CheckName = typeof checkNames[number]

/** How each check is named to people. */
export const checkTitles: Readonly<Record<CheckName, { en: string, zh: string }>> = {
  'pdf-signature': { en: 'Electronic signature of the PDF', zh: 'PDF 电子签名' },
  document: { en: 'Certificate in the PDF', zh: 'PDF 中的证书数据' },
  'qr-address': { en: 'Address in the QR code', zh: '二维码网址' },
  signature: { en: 'Signature and signing key', zh: '签名与签名密钥' },
  'payload-schema': { en: 'Signed content', zh: '签名内容格式' },
  'number-format': { en: 'Certificate number', zh: '证书编号格式' },
  'presented-number': { en: 'Number presented', zh: '所示编号' },
  'registry-record': { en: 'Record in the issuance register', zh: '发放名册记录' },
  'registry-match': { en: 'Register matches the certificate', zh: '名册记录与证书一致' },
  status: { en: 'Status', zh: '证书状态' },
}

export interface VerificationCheck {
  name: CheckName
  ok: boolean
  /** The check was not made (offline: no register; no revocation list): it neither passes nor fails the certificate. */
  skipped?: true
  reason: string
  reasonZh: string
  /** On a failure that makes the certificate invalid: the stable error code the API answers with. */
  code?: ErrorCode
}

/**
 * The signed content, shown in full (holder name included) to the person presenting the certificate. A
 * compact QR token signs the number, name, year, hours and issue time only: its rule set, issuer and
 * employer come from the register's record once that matched, and are absent offline.
 */
export interface VerifiedCertificate {
  number: string
  holderName: string
  year: number
  hours: CertificateHours
  ruleSet?: { id: string, name: string }
  region: { code: string, name: string }
  issuer?: { id: number, name: string }
  employerName?: string
  issuedAt: string
  kid: string
  alg: string
  /** From the register or the revocation list, when the certificate is revoked and the date is known. */
  revokedAt?: string
}

export interface VerificationReport {
  verdict: Verdict
  checks: VerificationCheck[]
  certificate?: VerifiedCertificate
}

/**
 * The error an API answers with for an invalid report: the code of the first failed check, the report
 * as `details`. Undefined for a report that is not invalid.
 */
export function verificationError (report: VerificationReport): ServiceError | undefined {
  if (report.verdict !== 'invalid' && report.verdict !== 'altered') return undefined
  const failed = report.checks.find(c => !c.ok && c.code !== undefined)
  const code = failed?.code ?? (report.verdict === 'altered' ? 'PDF_ALTERED' : 'INVALID_TOKEN')
  const reason = (failed?.reason ?? 'no check passed').replace(/\.$/, '')
  const reasonZh = (failed?.reasonZh ?? '').replace(/。$/, '')
  const head = report.verdict === 'altered' ? { en: 'The PDF is forged or altered', zh: '伪造或被篡改' } : { en: 'The certificate does not verify', zh: '证书未通过核验' }
  return new ServiceError(code, { en: `${head.en}: ${reason}.`, zh: `${head.zh}：${reasonZh}。` }, report)
}
