// /v1/registers/:regionCode/:year: the issuance register (证书发放名册) as paged JSON or streamed CSV.
import { Readable } from 'node:stream'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { registerCsv, registerCsvHeader } from '../reports/register-csv.js'
import { maxRegisterPageSize, type RegisterService } from '../reports/register-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'

export interface RegisterRoutesOptions {
  registers: RegisterService
  auth: Authentication
}

interface RegisterQuery { limit: number, after?: string, format?: 'json' | 'csv' }

/** CSV when asked by ?format=csv, or by an Accept header naming text/csv without ?format. */
function wantsCsv (request: FastifyRequest<{ Querystring: RegisterQuery }>): boolean {
  if (request.query.format !== undefined) return request.query.format === 'csv'
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(request.headers.accept ?? '')
}

export const registerRoutes: FastifyPluginAsync<RegisterRoutesOptions> = async (app, { registers, auth }) => {
  app.get<{ Params: { regionCode: string, year: number }, Querystring: RegisterQuery }>('/v1/registers/:regionCode/:year', {
    onRequest: auth.issuer(['authority', 'employer']),
    schema: {
      tags: ['reports'],
      summary: 'The issuance register of an area and year (证书发放名册)',
      description: 'Every certificate numbered in the area (a county, or a city or province with all below it) for the year, in number order: number, full holder name, employer, issue date, status, hours. Never an ID number. ' +
        'Authorities see their own area and below; an employer sees only the certificates it issued, for its county or an area containing it. ' +
        `JSON is paged: ?limit= (1-${maxRegisterPageSize}, default 100) and ?after=<the nextAfter of the previous page>. ` +
        `CSV (?format=csv, or Accept: text/csv) is the whole register, streamed: UTF-8 with BOM and CRLF so Excel opens the Chinese text, columns ${registerCsvHeader.join(', ')}.`,
      security: callerSecurity,
      params: {
        type: 'object',
        required: ['regionCode', 'year'],
        properties: { regionCode: { type: 'string', pattern: '^[0-9]{6}$' }, year: { type: 'integer', minimum: 2000, maximum: 2099 } },
      },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: maxRegisterPageSize, default: 100 },
          after: { type: 'string', pattern: '^[0-9]{14}$' },
          format: { type: 'string', enum: ['json', 'csv'] },
        },
      },
      produces: ['application/json', 'text/csv'],
      response: {
        200: {
          content: {
            'application/json': { schema: ref('register-page.json') },
            'text/csv': { schema: { type: 'string', description: 'The whole register as CSV (UTF-8 with BOM, CRLF)' } },
          },
        },
        ...errorResponses(400, 401, 403, 503),
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    const { regionCode, year } = request.params
    if (!wantsCsv(request)) return registers.readRegisterPage(actor, regionCode, year, request.query)
    const register = registers.openRegister(actor, regionCode, year)
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="register-${regionCode}-${year}.csv"; filename*=UTF-8''${encodeURIComponent(`${register.region.fullName}${year}年度证书发放名册.csv`)}`)
      .header('cache-control', 'private, no-store')
      .send(Readable.from(registerCsv(register.entries), { objectMode: false }))
  })
}
