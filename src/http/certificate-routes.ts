// /v1/certificates: issue (issuers), look up (public), revoke (issuers in scope).
import type { FastifyPluginAsync } from 'fastify'
import type { CertificateService } from '../certificates/certificate-service.js'
import type { IssueCertificateRequest } from '../certificates/issuance-request.js'
import type { IssuerService } from '../issuers/issuer-service.js'
import { actorOf, requireIssuer } from './authentication.js'
import { errorResponses, ref } from './schemas.js'

export interface CertificateRoutesOptions {
  certificates: CertificateService
  issuers: IssuerService
}

const numberParams = {
  type: 'object',
  required: ['number'],
  properties: { number: { type: 'string', description: '14-digit certificate number' } },
} as const

export const certificateRoutes: FastifyPluginAsync<CertificateRoutesOptions> = async (app, { certificates, issuers }) => {
  const issuerOnly = requireIssuer(issuers, ['authority', 'employer'])

  app.post<{ Body: IssueCertificateRequest }>('/v1/certificates', {
    preHandler: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Issue a certificate (颁发证书)',
      description: 'Checks the ID number, year, scope and yearly hour requirement, takes the next number of the county, signs and stores the certificate.',
      security: [{ apiKey: [] }],
      body: ref('issue-certificate-request.json'),
      response: { 201: ref('certificate-issued.json'), ...errorResponses(400, 401, 403, 409, 415, 422, 503) },
    },
  }, async (request, reply) => {
    const issued = await certificates.issueCertificate(actorOf(request), request.body)
    return reply.code(201).header('location', issued.links.self).send(issued)
  })

  app.get<{ Params: { number: string }, Querystring: { name?: string } }>('/v1/certificates/:number', {
    schema: {
      tags: ['certificates'],
      summary: 'Look up a certificate by number (public, 证书查询)',
      description: 'Status, masked name, year, region, issuer and hours. With ?name= it also says whether that is the holder\'s name. Never an ID number.',
      params: numberParams,
      querystring: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: { 200: ref('public-certificate.json'), ...errorResponses(400, 404, 503) },
    },
  }, async request => certificates.lookupCertificate(request.params.number, request.query.name))

  app.post<{ Params: { number: string }, Body: { reason: string } }>('/v1/certificates/:number/revoke', {
    preHandler: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Revoke a certificate (撤销证书)',
      description: 'Authorities revoke within their area, employers only what they issued. The holder may then be issued a new certificate for that year.',
      security: [{ apiKey: [] }],
      params: numberParams,
      body: ref('revoke-certificate-request.json'),
      response: { 200: ref('public-certificate.json'), ...errorResponses(400, 401, 403, 404, 409, 503) },
    },
  }, async request => certificates.revokeCertificate(actorOf(request), request.params.number, request.body.reason))
}
