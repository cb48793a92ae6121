// /v1/admin: issuer accounts and their API keys, for the administrator (Bearer ADMIN_TOKEN).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { AuditActor } from '../audit/audit-repository.js'
import type { IssuerService } from '../issuers/issuer-service.js'
import type { UserService } from '../accounts/user-service.js'
import type { Authentication } from './authentication.js'
import { errorResponses, recordId, ref } from './schemas.js'

export interface AdminRoutesOptions {
  issuers: IssuerService
  users: UserService
  auth: Authentication
}

/** The administrator as the audit trail records them: by the request they made. */
const administrator = (request: FastifyRequest): AuditActor => ({ type: 'admin', requestId: request.id })

const issuerParams = { type: 'object', required: ['id'], properties: { id: recordId } } as const

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (app, { issuers, users, auth }) => {
  app.addHook('onRequest', auth.admin())

  app.post<{ Body: { name: string, kind: string, regionCode: string, keyExpiresAt?: string } }>('/v1/admin/issuers', {
    schema: {
      tags: ['admin'],
      summary: 'Create an issuer account with its first API key',
      operationId: 'createIssuer',
      security: [{ adminToken: [] }],
      body: ref('create-issuer-request.json'),
      response: {
        201: { description: 'The issuer account, with its first API key shown this once', allOf: [ref('issuer.json'), ref('api-key-created.json')] },
        ...errorResponses(400, 401, 403, 413, 415, 429, 503),
      },
    },
  }, async (request, reply) => {
    const { keyExpiresAt, ...input } = request.body
    const created = await issuers.createIssuer({ ...input, keyExpiresAt: keyExpiresAt === undefined ? undefined : new Date(keyExpiresAt) }, administrator(request))
    return reply.code(201).send(created)
  })

  app.get('/v1/admin/issuers', {
    schema: {
      tags: ['admin'],
      summary: 'List issuer accounts',
      operationId: 'listIssuers',
      security: [{ adminToken: [] }],
      response: { 200: { type: 'array', description: 'Every issuer account', items: ref('issuer.json') }, ...errorResponses(401, 403, 429, 503) },
    },
  }, async () => issuers.listIssuers())

  app.post<{ Params: { id: number }, Body: { expiresAt?: string } | undefined }>('/v1/admin/issuers/:id/keys', {
    schema: {
      tags: ['admin'],
      summary: 'Add an API key to an issuer',
      operationId: 'createIssuerApiKey',
      security: [{ adminToken: [] }],
      params: issuerParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { expiresAt: ref('instant.json') } },
      response: { 201: ref('api-key-created.json'), ...errorResponses(400, 401, 403, 404, 413, 415, 429, 503) },
    },
  }, async (request, reply) => {
    const expiresAt = request.body?.expiresAt
    return reply.code(201).send(await issuers.createApiKey(request.params.id, expiresAt === undefined ? undefined : new Date(expiresAt), administrator(request)))
  })

  app.post<{ Params: { id: number }, Body: { username: string, displayName: string, role?: string } }>('/v1/admin/issuers/:id/users', {
    schema: {
      tags: ['admin'],
      summary: 'Create a user of an issuer: its first 管理员 (admin, the default), or one to recover an organisation',
      description: 'The temporary password is in the answer this once: hand it to the person, who must change it at the first sign-in. From then on the organisation\'s 管理员 manages its own people (/v1/issuers/me/users).',
      operationId: 'createIssuerUser',
      security: [{ adminToken: [] }],
      params: issuerParams,
      body: ref('create-user-request.json'),
      response: { 201: ref('user-created.json'), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503) },
    },
  }, async (request, reply) => {
    const created = await users.createUser(request.params.id, { ...request.body, role: request.body.role ?? 'admin' }, administrator(request))
    return reply.code(201).send(created)
  })

  app.delete<{ Params: { id: number, keyId: number } }>('/v1/admin/issuers/:id/keys/:keyId', {
    schema: {
      tags: ['admin'],
      summary: 'Revoke an API key',
      operationId: 'revokeIssuerApiKey',
      security: [{ adminToken: [] }],
      params: { type: 'object', required: ['id', 'keyId'], properties: { id: recordId, keyId: recordId } },
      response: { 204: { type: 'null', description: 'Revoked: the key is refused from now on' }, ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async (request, reply) => {
    await issuers.revokeApiKey(request.params.id, request.params.keyId, administrator(request))
    return reply.code(204).send()
  })
}
