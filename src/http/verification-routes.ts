// POST /v1/verify: anyone checks a certificate by its JWS, its QR text or its PDF.
import type { FastifyPluginAsync } from 'fastify'
import { ServiceError } from '../errors.js'
import type { VerificationService } from '../verification/verification-service.js'
import type { Presentation } from '../verification/presented-token.js'
import { verificationError } from '../verification/verification-report.js'
import { errorResponses, ref } from './schemas.js'
import { pdfWorkOf } from './pdf-work.js'

export interface VerificationRoutesOptions {
  verification: VerificationService
}

/** A certificate PDF is about 60 KB; this leaves room for scans saved as PDF, and no more. */
export const maxPdfBytes = 5 * 1024 * 1024

export const verificationRoutes: FastifyPluginAsync<VerificationRoutesOptions> = async (app, { verification }) => {
  // Within this plugin only: PDFs as raw bytes, and no plain text (a token goes in JSON).
  app.addContentTypeParser('application/pdf', { parseAs: 'buffer', bodyLimit: maxPdfBytes }, (_request, body, done) => { done(null, body) })
  app.removeContentTypeParser('text/plain')

  app.post<{ Body: { jws?: string, qr?: string } | Buffer }>('/v1/verify', {
    schema: {
      tags: ['verification'],
      summary: 'Verify a certificate by its JWS, QR text or PDF (public, 证书核验)',
      operationId: 'verifyCertificate',
      security: [],
      description: 'Send JSON `{ "jws": "…" }` or `{ "qr": "…" }` (the scanned QR text: the address with the compact token of docs/QR-FORMAT.md, or with the JWS on older prints), or the PDF itself as `application/pdf` (at most 5 MB). ' +
        'A certificate that is valid, revoked, or signed but missing from the register (`unknown`) gets 200 and the report, with the signed holder name in full. ' +
        'One that cannot be verified gets a 4xx whose `code` names the first failed check — INVALID_TOKEN, UNSUPPORTED_ALGORITHM (alg none, HMAC), TOKEN_TOO_LARGE, ' +
        'UNKNOWN_SIGNING_KEY, SIGNATURE_INVALID (altered after signing), ISSUED_OUTSIDE_KEY_VALIDITY, INVALID_CERTIFICATE_PAYLOAD, CERTIFICATE_MISMATCH, INVALID_PDF, ' +
        'PDF_WITHOUT_CERTIFICATE — and whose `details` is the report with verdict `invalid`.',
      body: {
        content: {
          'application/json': { schema: ref('verify-request.json') },
          'application/pdf': { schema: { description: 'The certificate PDF as issued (binary)' } },
        },
      },
      response: { 200: ref('verification-report.json'), ...errorResponses(400, 413, 415, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const body = request.body
    if (body === undefined || body === null) throw new ServiceError('VALIDATION_FAILED', { en: 'Send JSON { "jws": … } or { "qr": … }, or the PDF as application/pdf.', zh: '请提交 JSON { "jws": … } 或 { "qr": … }，或以 application/pdf 上传 PDF。' })
    const presentation: Presentation = Buffer.isBuffer(body) ? { pdf: body } : body.jws !== undefined ? { jws: body.jws } : { qr: body.qr ?? '' }
    const report = await verification.verifyPresentation(presentation, pdfWorkOf(request, reply))
    const error = verificationError(report)
    if (error !== undefined) throw error
    return report
  })
}
