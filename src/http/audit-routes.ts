// GET /v1/audit: the audit trail of an area, for authorities within their scope.
import type { FastifyPluginAsync } from 'fastify'
import { auditActions, maxAuditPageSize, type AuditService, type AuditTrailQuery } from '../audit/audit-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'

export interface AuditRoutesOptions {
  audit: AuditService
  auth: Authentication
}

export const auditRoutes: FastifyPluginAsync<AuditRoutesOptions> = async (app, { audit, auth }) => {
  app.get<{ Querystring: AuditTrailQuery }>('/v1/audit', {
    onRequest: auth.issuer(['authority']),
    schema: {
      tags: ['reports'],
      summary: 'The audit trail of an area (审计日志)',
      description: 'Every issuance (single and batch), revocation, API key and issuer change recorded in the area — who (issuer account, administrator or command line), when, which request, and the status before and after — in recording order. ' +
        'For HR authorities, within their own area (regionCode defaults to it). ?from= (inclusive) and ?to= (exclusive) bound the time; ' +
        `pages of ?limit= (1-${maxAuditPageSize}, default 100) continue with ?after=<nextAfter>.`,
      operationId: 'readAuditTrail',
      security: callerSecurity,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          regionCode: { type: 'string', pattern: '^[0-9]{6}$' },
          from: ref('instant.json'),
          to: ref('instant.json'),
          action: { type: 'string', enum: [...auditActions] },
          after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'The nextAfter of the previous page' },
          limit: { type: 'integer', minimum: 1, maximum: maxAuditPageSize, default: 100 },
        },
      },
      response: { 200: ref('audit-page.json'), ...errorResponses(400, 401, 403, 429, 503) },
    },
  }, async request => audit.readAuditTrail(actorOf(request), request.query))
}
