// POST /v1/certificates/:number/holder-pdf: a holder downloads their own certificate (自助下载) with their name and ID number.
import type { FastifyPluginAsync } from 'fastify'
import type { CertificatePdfService } from '../certificates/certificate-pdf-service.js'
import { pdfWorkOf } from './pdf-work.js'
import type { NameCheckGate } from './request-guards.js'
import { errorResponses, numberParams } from './schemas.js'

export interface HolderDownloadRoutesOptions { pdfs: CertificatePdfService, admitNameCheck: NameCheckGate }

export const holderDownloadRoutes: FastifyPluginAsync<HolderDownloadRoutesOptions> = async (app, { pdfs, admitNameCheck }) => {
  app.post<{ Params: { number: string }, Body: { name: string, idNumber: string } }>('/v1/certificates/:number/holder-pdf', {
    schema: {
      tags: ['certificates'],
      summary: 'The holder\'s own PDF (持证人自助下载), for the holder\'s full name and ID number',
      description: 'Public. Both must be the holder\'s (the ID number compared through its keyed hash); otherwise 403 HOLDER_NOT_MATCHED. ' +
        'Every try counts like a name checked at GET /v1/certificates/{number}?name=: per client address (RATE_LIMIT_NAME_CHECKS_PER_HOUR, 429 RATE_LIMITED), and a wrong pair against the certificate\'s one budget of 10 wrong names in 24 hours (then 429 NAME_CHECK_LIMITED, and nothing is compared until the wait is over). A revoked certificate is not given (409).',
      operationId: 'downloadOwnCertificatePdf',
      security: [],
      params: numberParams,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'idNumber'],
        properties: { name: { type: 'string', minLength: 1, maxLength: 64 }, idNumber: { type: 'string', minLength: 1, maxLength: 64 } },
      },
      produces: ['application/pdf'],
      response: {
        200: { description: 'The certificate PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        ...errorResponses(400, 403, 404, 409, 415, 429, 503),
      },
    },
  }, async (request, reply) => {
    await admitNameCheck(request)
    const pdf = await pdfs.renderHolderPdf(request.params.number, request.body, pdfWorkOf(request, reply))
    return reply.type('application/pdf')
      .header('content-disposition', `attachment; filename="certificate-${request.params.number}.pdf"`)
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength))
  })
}
