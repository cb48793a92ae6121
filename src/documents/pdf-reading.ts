// What reading an uploaded PDF finds — its signature, then the token inside it — as data that crosses threads; no PDF library here.
import { ServiceError } from '../errors.js'
import type { PdfSignatureReading } from './pdf-signature-reader.js'

export type JwsExtraction =
  | { readonly outcome: 'found', readonly jws: string }
  | { readonly outcome: 'absent' }
  | { readonly outcome: 'encrypted' }
  /** The attachment and the metadata (or two attachments) carry different tokens: one of them was put there after rendering. */
  | { readonly outcome: 'conflicting' }
  | { readonly outcome: 'unreadable', readonly reason: string }

/** An uploaded PDF read: its signature, and — only when that holds — the token it carries. */
export interface PdfReading {
  readonly signature: PdfSignatureReading
  readonly extraction?: JwsExtraction
}

/** Whether a file could hold a PDF signature at all: its bytes name a /ByteRange. Junk is answered without a thread. */
export function mayBeSigned (pdf: Uint8Array): boolean {
  return Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).includes('/ByteRange')
}

/** The token a PDF carries, or the reason in the one error type (INVALID_PDF, PDF_WITHOUT_CERTIFICATE). */
export function tokenOf (extraction: JwsExtraction): string {
  switch (extraction.outcome) {
    case 'found': return extraction.jws
    case 'absent': throw new ServiceError('PDF_WITHOUT_CERTIFICATE')
    case 'encrypted': throw new ServiceError('INVALID_PDF', { en: 'The PDF is encrypted.', zh: 'PDF 已加密，无法读取。' })
    case 'conflicting': throw new ServiceError('INVALID_PDF', { en: 'The PDF carries two different certificate tokens (attachments or metadata): it was altered after it was issued.', zh: 'PDF 中含有两份不同的证书签名数据：文件在签发后被修改。' })
    case 'unreadable': throw new ServiceError('INVALID_PDF', { en: 'The PDF cannot be parsed.', zh: 'PDF 文件无法解析。' })
  }
}
