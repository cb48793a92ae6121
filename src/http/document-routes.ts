// The certificate PDF for issuers, and the issuer's seal image that it prints.
import type { FastifyPluginAsync } from 'fastify'
import type { CertificatePdfService } from '../certificates/certificate-pdf-service.js'
import type { IssuerSealService } from '../issuers/issuer-seal-service.js'
import { maxSealBytes } from '../issuers/issuer-seal-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { pdfWorkOf } from './pdf-work.js'
import { callerSecurity, errorResponses, numberParams, ref } from './schemas.js'

export interface DocumentRoutesOptions {
  pdfs: CertificatePdfService
  seals: IssuerSealService
  auth: Authentication
}

export const documentRoutes: FastifyPluginAsync<DocumentRoutesOptions> = async (app, { pdfs, seals, auth }) => {
  const issuerOnly = auth.issuer(['authority', 'employer'])
  // The seal prints on every certificate of the organisation: its 管理员 (or its API key) changes it, not a clerk.
  const sealKeeper = auth.issuer(['authority', 'employer'], { administrator: true })
  app.addContentTypeParser('image/png', { parseAs: 'buffer', bodyLimit: maxSealBytes }, (_request, body, done) => { done(null, body) })

  app.get<{ Params: { number: string } }>('/v1/certificates/:number/pdf', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Download the certificate as PDF (证书 PDF)',
      description: 'One A4 page after the official template, with the verification QR code; the compact JWS is attached (certificate.jws) and in the document information. For issuers whose scope covers the certificate. The same certificate always gives the same bytes.',
      operationId: 'downloadCertificatePdf',
      security: callerSecurity,
      params: numberParams,
      produces: ['application/pdf'],
      response: {
        200: { description: 'The certificate PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } },
        ...errorResponses(400, 401, 403, 404, 422, 429, 503),
      },
    },
  }, async (request, reply) => {
    const pdf = await pdfs.renderCertificatePdf(actorOf(request), request.params.number, pdfWorkOf(request, reply))
    return reply
      .type('application/pdf')
      .header('content-disposition', `inline; filename="certificate-${request.params.number}.pdf"`)
      // It names the holder in full: no shared cache keeps it.
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength))
  })

  app.put<{ Body: Buffer }>('/v1/issuers/me/seal', {
    onRequest: sealKeeper,
    schema: {
      tags: ['certificates'],
      summary: 'Upload the issuer\'s seal (印章) as PNG',
      description: `Send the PNG as the raw body (Content-Type image/png, at most ${maxSealBytes / 1024} KB, at most 1024 pixels a side; a transparent background prints best). It is printed over 发证单位 on every certificate of this issuer, including ones already issued.`,
      operationId: 'uploadSeal',
      security: callerSecurity,
      body: { content: { 'image/png': { schema: { description: 'PNG image (binary)' } } } },
      response: { 200: ref('issuer-seal.json'), ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
    },
  }, async request => seals.uploadSeal(actorOf(request), request.body))

  app.get('/v1/issuers/me/seal', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'The issuer\'s seal as uploaded',
      operationId: 'downloadSeal',
      security: callerSecurity,
      produces: ['image/png'],
      response: {
        200: { description: 'The seal PNG', content: { 'image/png': { schema: { type: 'string', format: 'binary' } } } },
        ...errorResponses(401, 403, 404, 429, 503),
      },
    },
  }, async (request, reply) => reply.type('image/png').header('cache-control', 'private, no-cache').send(await seals.readSeal(actorOf(request))))

  app.delete('/v1/issuers/me/seal', {
    onRequest: sealKeeper,
    schema: {
      tags: ['certificates'],
      summary: 'Remove the issuer\'s seal: certificates then print without one',
      operationId: 'removeSeal',
      security: callerSecurity,
      response: { 204: { type: 'null', description: 'Removed: certificates print without a seal' }, ...errorResponses(401, 403, 429, 503) },
    },
  }, async (request, reply) => {
    await seals.removeSeal(actorOf(request))
    return reply.code(204).send()
  })
}
