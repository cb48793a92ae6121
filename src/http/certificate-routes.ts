// /v1/certificates: issue (issuers), look up (public), revoke (issuers in scope).
import type { FastifyPluginAsync } from 'fastify'
import type { CertificateService } from '../certificates/certificate-service.js'
import type { IssueCertificateRequest } from '../certificates/issuance-request.js'
import type { IdempotencyService } from '../idempotency/idempotency-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, numberParams, ref } from './schemas.js'
import { idempotencyKeyHeaders, replyIdempotently } from './idempotent-replies.js'
import type { NameCheckGate } from './request-guards.js'

export interface CertificateRoutesOptions {
  certificates: CertificateService
  auth: Authentication
  idempotency: IdempotencyService
  admitNameCheck: NameCheckGate
}

export const certificateRoutes: FastifyPluginAsync<CertificateRoutesOptions> = async (app, { certificates, auth, idempotency, admitNameCheck }) => {
  const issuerOnly = auth.issuer(['authority', 'employer'])

  app.post<{ Body: IssueCertificateRequest }>('/v1/certificates', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Issue a certificate (颁发证书)',
      description: 'Checks the ID number, year, scope and yearly hour requirement, takes the next number of the county, signs and stores the certificate.',
      operationId: 'issueCertificate',
      security: callerSecurity,
      headers: idempotencyKeyHeaders,
      body: ref('issue-certificate-request.json'),
      response: { 201: ref('certificate-issued.json'), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    return replyIdempotently(idempotency, request, reply, actor, async record => ({
      status: 201,
      body: await certificates.issueCertificate(actor, request.body, (trx, issued) => record(trx, { status: 201, body: issued })),
    }), issued => issued.links.self)
  })

  app.get<{ Params: { number: string }, Querystring: { name?: string } }>('/v1/certificates/:number', {
    schema: {
      tags: ['certificates'],
      summary: 'Look up a certificate by number (public, 证书查询)',
      description: 'Status, masked name, year, region, issuer and hours. Never an ID number. With ?name= (GET only: HEAD with a name is 405) it also says whether that is the holder\'s name, ' +
        'within two budgets that every route and instance shares: per certificate, at most 10 wrong names in 24 hours — then 429 NAME_CHECK_LIMITED with Retry-After, and no name is checked, right or wrong, until the oldest is 24 hours old; ' +
        'and per client address, RATE_LIMIT_NAME_CHECKS_PER_HOUR names (429 RATE_LIMITED). A lookup without a name is never held back by either.',
      operationId: 'lookupCertificate',
      security: [],
      params: numberParams,
      querystring: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 64 } } },
      response: { 200: ref('public-certificate.json'), ...errorResponses(400, 404, 405, 429, 503) },
    },
  }, async request => {
    const { name } = request.query
    if (name !== undefined) await admitNameCheck(request)
    return certificates.lookupCertificate(request.params.number, name)
  })

  app.post<{ Params: { number: string }, Body: { reason: string } }>('/v1/certificates/:number/revoke', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Revoke a certificate (撤销证书)',
      description: 'Authorities revoke within their area, employers only what they issued. The holder may then be issued a new certificate for that year.',
      operationId: 'revokeCertificate',
      security: callerSecurity,
      params: numberParams,
      headers: idempotencyKeyHeaders,
      body: ref('revoke-certificate-request.json'),
      response: { 200: ref('public-certificate.json'), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    return replyIdempotently(idempotency, request, reply, actor, async record => ({
      status: 200,
      body: await certificates.revokeCertificate(actor, request.params.number, request.body.reason, (trx, revoked) => record(trx, { status: 200, body: revoked })),
    }))
  })
}
