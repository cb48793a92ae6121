// POST /v1/certificates/search: an issuer's search of its own records by number, name or ID number (in the body, never a URL).
import type { FastifyPluginAsync } from 'fastify'
import type { CertificateSearch } from '../certificates/certificate-search.js'
import { maxSearchResults, type createCertificateSearch } from '../certificates/certificate-search.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses } from './schemas.js'

export interface CertificateSearchRoutesOptions { search: ReturnType<typeof createCertificateSearch>, auth: Authentication }

export const certificateSearchRoutes: FastifyPluginAsync<CertificateSearchRoutesOptions> = async (app, { search, auth }) => {
  app.post<{ Body: CertificateSearch }>('/v1/certificates/search', {
    onRequest: auth.issuer(['authority', 'employer']),
    schema: {
      tags: ['certificates'],
      summary: 'Find certificates (证书查询) by number, holder name or ID number, among those the caller may read',
      description: `Every criterion given must match; the name exactly as registered; the ID number through its keyed hash (it is neither stored nor answered). An authority searches its area, an employer what it issued. At most ${maxSearchResults} certificates, newest year first (truncated: more matched). The ID number travels in the body so that no log or history keeps it.`,
      operationId: 'searchCertificates',
      security: callerSecurity,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: { number: { type: 'string', maxLength: 32 }, name: { type: 'string', maxLength: 64 }, idNumber: { type: 'string', maxLength: 64 } },
      },
      response: {
        200: {
          type: 'object',
          required: ['certificates', 'truncated'],
          properties: {
            truncated: { type: 'boolean' },
            certificates: {
              type: 'array',
              items: {
                type: 'object',
                required: ['number', 'holderName', 'employerName', 'year', 'status', 'issuedAt', 'hoursTotal'],
                properties: {
                  number: { type: 'string' }, holderName: { type: 'string' }, employerName: { type: 'string' }, year: { type: 'integer' },
                  status: { type: 'string', enum: ['valid', 'revoked'] }, issuedAt: { type: 'string' }, revokedAt: { type: 'string' }, hoursTotal: { type: 'number' },
                },
              },
            },
          },
        },
        ...errorResponses(400, 401, 403, 415, 503),
      },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store')
    return search.searchCertificates(actorOf(request), request.body)
  })
}
