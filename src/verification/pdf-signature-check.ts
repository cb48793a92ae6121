// The first check of a PDF: signed as a whole, by a key of this service, at a time that key was valid — or altered.
import type { PdfSignatureReading } from '../documents/index.js'
import { kidOfPublicKey, type VerificationKey } from '../signing/certificate-jws.js'
import type { VerificationCheck } from './verification-report.js'

/** A PDF whose signature holds: the key that signed it and when. */
export interface SealedPdf { check: VerificationCheck, kid: string, signingTime: Date }

const altered = (reason: string, reasonZh: string): VerificationCheck => ({ name: 'pdf-signature', ok: false, code: 'PDF_ALTERED', reason, reasonZh })

/** Readers accept the header anywhere in the first kilobyte (ISO 32000 allows leading junk in practice). */
export function looksLikePdf (bytes: Uint8Array): boolean {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).includes('%PDF-')
}

/**
 * Checks the PDF signature that every certificate PDF of this service carries: present, one, over
 * the whole file (nothing appended), by the key of a published kid, at a signing time inside that
 * key's validity window. Anything else is the failed check (code PDF_ALTERED): the file is not the
 * certificate as it was issued. Reads only the bytes: junk is refused in milliseconds.
 */
export async function checkPdfSignature (reading: PdfSignatureReading, findKey: (kid: string) => Promise<VerificationKey | undefined>): Promise<SealedPdf | VerificationCheck> {
  if (reading.kind === 'absent') {
    return altered(
      'the PDF carries no electronic signature of this service, so it is not a certificate PDF as issued (a copy downloaded before PDFs were signed must be downloaded again; its QR code or number can still be checked)',
      'PDF 没有本服务的电子签名，不是签发时的证书原件（签名启用前下载的文件请重新下载；也可扫描二维码或凭编号查验）。',
    )
  }
  if (reading.kind === 'invalid') return altered(`the PDF's signature does not hold: ${reading.reason}`, `PDF 的电子签名无效：${reading.reasonZh}。`)
  const kid = await kidOfPublicKey(reading.signerPublicJwk)
  const key = await findKey(kid)
  if (key === undefined) return altered(`the PDF was signed by a key this service never published (${kid})`, 'PDF 的签名密钥不是本服务发布的密钥。')
  const at = reading.signingTime.getTime()
  if (at < key.created.getTime() - 1000 || (key.retired !== undefined && at >= key.retired.getTime())) {
    return altered(`the PDF claims to be signed at ${reading.signingTime.toISOString()}, outside the validity of key ${kid}`, 'PDF 的签名时间不在签名密钥的有效期内。')
  }
  return {
    check: { name: 'pdf-signature', ok: true, reason: `the whole PDF is signed by key ${kid} of this service, and unchanged since`, reasonZh: '整个 PDF 由本服务的签名密钥签名，签名后未被修改。' },
    kid,
    signingTime: reading.signingTime,
  }
}
