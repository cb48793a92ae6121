// /v1/stats: certificates issued and revoked and hours by category, per child area, within the caller's scope.
import type { FastifyPluginAsync } from 'fastify'
import type { StatsService } from '../reports/stats-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'

export interface StatsRoutesOptions {
  stats: StatsService
  auth: Authentication
}

export const statsRoutes: FastifyPluginAsync<StatsRoutesOptions> = async (app, { stats, auth }) => {
  app.get<{ Querystring: { regionCode?: string, year?: number } }>('/v1/stats', {
    onRequest: auth.issuer(['authority', 'employer']),
    schema: {
      tags: ['reports'],
      summary: 'Statistics of an area and year, per child area (统计)',
      description: 'Counts of certificates issued, revoked and valid, and the hours of valid certificates by category, for the area and for each area directly below it (province → cities, city → counties). ' +
        'Authorities within their own area; an employer gets figures for its own certificates only. regionCode defaults to the caller\'s own area, year to the current year.',
      operationId: 'readStats',
      security: callerSecurity,
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: { regionCode: { type: 'string', pattern: '^[0-9]{6}$' }, year: { type: 'integer', minimum: 2000, maximum: 2099 } },
      },
      response: { 200: ref('stats.json'), ...errorResponses(400, 401, 403, 429, 503) },
    },
  }, async request => stats.readStats(actorOf(request), request.query))
}
