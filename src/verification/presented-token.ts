// The forms a certificate is presented in — its compact JWS, the text of its QR code, its PDF — reduced to the token.
import { isServiceError } from '../errors.js'
import type { VerificationCheck } from './verification-report.js'

export type Presentation = { jws: string } | { qr: string } | { pdf: Uint8Array }

/** Reads the certificate's JWS out of a PDF; throws ServiceError INVALID_PDF or PDF_WITHOUT_CERTIFICATE. */
export type PdfTokenReader = (pdf: Uint8Array) => Promise<string>

export interface PresentedToken {
  jws: string
  /** The number the presentation shows besides the token: the `/v/<number>` of a QR code's URL. */
  presentedNumber?: string
  /** Why no token could be found, when `jws` is empty. */
  missing?: string
}

/**
 * A token from text: a bare compact JWS, or any URL whose fragment is one — the QR code's
 * `<PUBLIC_BASE_URL>/v/<number>#<jws>` gives the number too.
 */
export function tokenFromText (text: string): PresentedToken {
  const trimmed = text.trim()
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return { jws: trimmed }
  }
  // URL paths keep digits as they are: anything escaped cannot be a certificate number, and is compared as it stands.
  const presentedNumber = /\/v\/([^/]*)\/?$/.exec(url.pathname)?.[1]
  if (url.hash.length <= 1) return { jws: '', presentedNumber, missing: 'the URL has no #fragment carrying the signed certificate' }
  return { jws: url.hash.slice(1), presentedNumber }
}

/** The token of a presentation, or the failed `document` check of a PDF that carries none. */
export async function extractToken (presentation: Presentation, readPdf: PdfTokenReader | undefined): Promise<PresentedToken | VerificationCheck> {
  if ('jws' in presentation) return tokenFromText(presentation.jws)
  if ('qr' in presentation) return tokenFromText(presentation.qr)
  if (readPdf === undefined) throw new Error('this verifier was built without a PDF reader')
  try {
    return { jws: (await readPdf(presentation.pdf)).trim() }
  } catch (error) {
    if (isServiceError(error) && error.code === 'PDF_WITHOUT_CERTIFICATE') {
      return { name: 'document', ok: false, code: 'PDF_WITHOUT_CERTIFICATE', reason: error.message, reasonZh: 'PDF 中没有证书签名数据。' }
    }
    // A hostile file may break the parser in any way: it is still only "not a readable PDF".
    return { name: 'document', ok: false, code: 'INVALID_PDF', reason: isServiceError(error) ? error.message : 'the file cannot be read as a PDF', reasonZh: '文件不是可读取的 PDF。' }
  }
}
