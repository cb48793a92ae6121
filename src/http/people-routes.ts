// /v1/issuers/me/users and /v1/issuers/me/keys: the organisation's own people and API keys, managed by its 管理员 signed in.
import type { FastifyPluginAsync } from 'fastify'
import { issuerAuditActor } from '../audit/audit-repository.js'
import type { UserChange, UserService } from '../accounts/user-service.js'
import type { IssuerService } from '../issuers/issuer-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { errorResponses, recordId, ref } from './schemas.js'

export interface PeopleRoutesOptions {
  users: UserService
  issuers: IssuerService
  auth: Authentication
}

const administratorSecurity = [{ sessionCookie: [], csrfToken: [] }]
const userParams = { type: 'object', required: ['id'], properties: { id: recordId } } as const
const forAdministrators = 'For the organisation\'s 管理员, signed in (an API key may not manage people or keys).'

export const peopleRoutes: FastifyPluginAsync<PeopleRoutesOptions> = async (app, { users, issuers, auth }) => {
  const administrator = auth.issuer(undefined, { peopleOnly: true })
  app.addHook('onSend', async (_request, reply) => { reply.header('cache-control', 'no-store') })

  app.get('/v1/issuers/me/users', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'The organisation\'s users (用户列表)',
      description: forAdministrators,
      operationId: 'listUsers',
      security: administratorSecurity,
      response: { 200: { type: 'array', description: 'Every user of the organisation, disabled ones too', items: ref('user.json') }, ...errorResponses(401, 403, 429, 503) },
    },
  }, async request => users.listUsers(actorOf(request).issuerId))

  app.post<{ Body: { username: string, displayName: string, role?: string } }>('/v1/issuers/me/users', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'Add a user (新增用户) with a temporary password',
      description: `${forAdministrators} The temporary password is in the answer this once; the person must change it at the first sign-in.`,
      operationId: 'createUser',
      security: administratorSecurity,
      body: ref('create-user-request.json'),
      response: { 201: ref('user-created.json'), ...errorResponses(400, 401, 403, 409, 413, 415, 429, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    const created = await users.createUser(actor.issuerId, { ...request.body, role: request.body.role ?? 'clerk' }, issuerAuditActor(actor))
    return reply.code(201).send(created)
  })

  app.patch<{ Params: { id: number }, Body: UserChange }>('/v1/issuers/me/users/:id', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'Disable or enable a user (停用/启用), change their role or display name',
      description: `${forAdministrators} Disabling ends the person's sessions at once. The organisation keeps at least one active 管理员 (LAST_ADMINISTRATOR).`,
      operationId: 'updateUser',
      security: administratorSecurity,
      params: userParams,
      body: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        properties: {
          disabled: { type: 'boolean' },
          role: { type: 'string', enum: ['admin', 'clerk'] },
          displayName: { type: 'string', maxLength: 64 },
        },
      },
      response: { 200: ref('user.json'), ...errorResponses(400, 401, 403, 404, 409, 413, 415, 429, 503) },
    },
  }, async request => {
    const actor = actorOf(request)
    return users.updateUser(actor.issuerId, request.params.id, request.body, issuerAuditActor(actor))
  })

  app.post<{ Params: { id: number } }>('/v1/issuers/me/users/:id/password-reset', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'Reset a user\'s password (重置密码): a new temporary password, their sessions end',
      description: forAdministrators,
      operationId: 'resetUserPassword',
      security: administratorSecurity,
      params: userParams,
      response: { 200: ref('user-created.json'), ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async request => {
    const actor = actorOf(request)
    return users.resetPassword(actor.issuerId, request.params.id, issuerAuditActor(actor))
  })

  app.get('/v1/issuers/me/keys', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'The organisation\'s API keys, with their last use',
      description: forAdministrators,
      operationId: 'listApiKeys',
      security: administratorSecurity,
      response: { 200: { type: 'array', description: 'The organisation\'s API keys (never the keys themselves), with their last use', items: ref('api-key.json') }, ...errorResponses(401, 403, 429, 503) },
    },
  }, async request => issuers.listApiKeys(actorOf(request).issuerId))

  app.post<{ Body: { expiresAt?: string } | undefined }>('/v1/issuers/me/keys', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'Create an API key for the organisation\'s systems (shown once)',
      description: forAdministrators,
      operationId: 'createApiKey',
      security: administratorSecurity,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { expiresAt: ref('instant.json') } },
      response: { 201: ref('api-key-created.json'), ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    const expiresAt = request.body?.expiresAt
    return reply.code(201).send(await issuers.createApiKey(actor.issuerId, expiresAt === undefined ? undefined : new Date(expiresAt), issuerAuditActor(actor)))
  })

  app.delete<{ Params: { keyId: number } }>('/v1/issuers/me/keys/:keyId', {
    onRequest: administrator,
    schema: {
      tags: ['people'],
      summary: 'Revoke one of the organisation\'s API keys: it is refused from the next request on',
      description: forAdministrators,
      operationId: 'revokeApiKey',
      security: administratorSecurity,
      params: { type: 'object', required: ['keyId'], properties: { keyId: recordId } },
      response: { 204: { type: 'null', description: 'Revoked: the key is refused from now on' }, ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    await issuers.revokeApiKey(actor.issuerId, request.params.keyId, issuerAuditActor(actor))
    return reply.code(204).send()
  })
}
