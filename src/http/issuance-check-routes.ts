// POST /v1/certificates/check: a form's live check of the ID number and the hours against the applicable rule set.
import type { FastifyPluginAsync } from 'fastify'
import { checkIssuanceInput, type IssuanceCheckRequest } from '../certificates/issuance-check.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses } from './schemas.js'

export interface IssuanceCheckRoutesOptions { auth: Authentication, clock: () => Date }

const amounts = { type: 'object', additionalProperties: { type: 'number' } } as const
const problem = { type: ['object', 'null'], required: ['reason', 'reasonZh'], properties: { reason: { type: 'string' }, reasonZh: { type: 'string' } } } as const

export const issuanceCheckRoutes: FastifyPluginAsync<IssuanceCheckRoutesOptions> = async (app, { auth, clock }) => {
  app.post<{ Body: IssuanceCheckRequest }>('/v1/certificates/check', {
    onRequest: auth.issuer(['authority', 'employer']),
    schema: {
      tags: ['certificates'],
      summary: 'Check a certificate being filled in (颁发前检查): the ID number, the rule set\'s requirement, what the hours still lack',
      description: 'Every part is optional. Runs the checks issuance runs — the ID number as entered, the rule set chosen by series or region (the caller\'s own by default), the hours credited and their shortfalls — and stores nothing. ' +
        'For a whole request (name, scope, a certificate the holder already has) use POST /v1/certificates/batch?dryRun=true with one row.',
      operationId: 'checkIssuance',
      security: callerSecurity,
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          idNumber: { type: 'string', maxLength: 64 },
          hours: { $ref: 'issue-certificate-request.json#/properties/hours' },
          regionCode: { type: 'string', pattern: '^[0-9]{6}$' },
          series: { type: 'string', maxLength: 32 },
          ruleSet: { type: 'string', maxLength: 32 },
        },
      },
      response: {
        200: {
          type: 'object',
          required: ['certificate', 'ruleSet', 'allowedRuleSets'],
          properties: {
            idNumber: problem,
            certificate: { type: 'object', required: ['title', 'regulation'], properties: { title: { type: 'string' }, regulation: { type: 'string' } } },
            ruleSet: {
              type: 'object',
              required: ['id', 'name', 'total', 'minimums', 'counted'],
              properties: { id: { type: 'string' }, name: { type: 'string' }, total: { type: 'number' }, minimums: amounts, counted: { type: 'array', items: { type: 'string' } }, selfStudyCap: { type: 'number' } },
            },
            allowedRuleSets: { type: 'array', items: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } } },
            hours: {
              type: 'object',
              required: ['ruleSet', 'credited', 'shortfalls', 'met'],
              properties: {
                ruleSet: { type: 'string' },
                credited: amounts,
                shortfalls: { type: 'array', items: { type: 'object', required: ['category', 'required', 'given'], properties: { category: { type: 'string' }, required: { type: 'number' }, given: { type: 'number' } } } },
                met: { type: 'boolean' },
              },
            },
          },
        },
        ...errorResponses(400, 401, 403, 415, 422, 503),
      },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store')
    return checkIssuanceInput(actorOf(request), request.body, clock())
  })
}
