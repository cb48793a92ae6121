// /v1/session: signing in and out, the session's person, their password; /v1/sessions: their sessions, and signing out everywhere.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { LiveSession, SessionPolicy, SessionService, StartedSession } from '../accounts/session-service.js'
import { roleNames } from '../accounts/user-service.js'
import { clientKey } from '../limits/rate-limits.js'
import { sessionCookieName, sessionOf, type Authentication } from './authentication.js'
import { errorResponses, ref } from './schemas.js'

export interface SessionRoutesOptions {
  sessions: SessionService
  auth: Authentication
  /** Secure cookies when the service is reached over HTTPS (PUBLIC_BASE_URL https, or the request itself). */
  publicBaseUrl: string
  policy: SessionPolicy
}

const sessionSecurity = [{ sessionCookie: [], csrfToken: [] }]

export const sessionRoutes: FastifyPluginAsync<SessionRoutesOptions> = async (app, { sessions, auth, publicBaseUrl, policy }) => {
  const minutes = (ms: number) => Math.round(ms / 60_000)
  const lifetimeSeconds = Math.round(policy.lifetimeMs / 1000)
  const signedIn = auth.session()
  const secure = (request: FastifyRequest) => publicBaseUrl.startsWith('https:') || request.protocol === 'https'

  /** The session as its person sees it, with a fresh CSRF token (made by @fastify/csrf-protection from the session's secret). */
  function view (request: FastifyRequest, reply: FastifyReply, session: LiveSession) {
    request.session = { _csrf: session.csrfSecret }
    const { actor } = session
    reply.header('cache-control', 'no-store')
    return {
      user: { id: actor.user.id, username: actor.user.username, displayName: actor.user.displayName, role: actor.user.role, roleName: roleNames[actor.user.role] },
      organisation: { id: actor.issuerId, name: actor.name, kind: actor.kind, regionCode: actor.region.code, regionName: actor.region.fullName },
      csrfToken: reply.generateCsrf(),
      mustChangePassword: session.mustChangePassword,
      authenticatedBy: session.authenticatedBy,
      signedInAt: session.signedInAt.toISOString(),
      idleEndsAt: session.idleEndsAt.toISOString(),
      expiresAt: session.expiresAt.toISOString(),
    }
  }

  function started (request: FastifyRequest, reply: FastifyReply, { cookieValue, session }: StartedSession) {
    reply.setCookie(sessionCookieName, cookieValue, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(request), maxAge: lifetimeSeconds })
    return view(request, reply, session)
  }

  const endCookie = (request: FastifyRequest, reply: FastifyReply) =>
    reply.clearCookie(sessionCookieName, { path: '/', httpOnly: true, sameSite: 'strict', secure: secure(request) })

  app.post<{ Body: { username: string, password: string } }>('/v1/session', {
    schema: {
      tags: ['sessions'],
      summary: 'Sign in (登录) with a username and password',
      description: `Starts a session: the HttpOnly cookie ce_session, and in the answer the CSRF token to send as X-CSRF-Token with every change. An unknown username and a wrong password get the same answer (SIGN_IN_FAILED). After ${policy.failuresPerUser} failures for a username, or ${policy.failuresPerAddress} from an address, within ${minutes(policy.failureWindowMs)} minutes, sign-in is locked for them (SIGN_IN_LOCKED, with Retry-After) until the oldest failure is ${minutes(policy.failureWindowMs)} minutes old. A session ends after ${minutes(policy.idleMs)} minutes unused, and ${minutes(policy.lifetimeMs) / 60} hours after sign-in at the latest. A temporary password (mustChangePassword) must be changed before anything else.`,
      operationId: 'signIn',
      security: [],
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['username', 'password'],
        properties: { username: { type: 'string', maxLength: 64 }, password: { type: 'string', maxLength: 256 } },
      },
      response: { 200: ref('session.json'), ...errorResponses(400, 401, 403, 413, 415, 429, 503) },
    },
  }, async (request, reply) => {
    const session = await sessions.signIn({ username: request.body.username, password: request.body.password, address: clientKey(request.ip), requestId: request.id })
    return started(request, reply, session)
  })

  app.get('/v1/session', {
    onRequest: signedIn,
    schema: {
      tags: ['sessions'],
      summary: 'The signed-in person, their organisation and the session (with a fresh CSRF token)',
      operationId: 'readSession',
      security: sessionSecurity,
      response: { 200: ref('session.json'), ...errorResponses(401, 503) },
    },
  }, async (request, reply) => view(request, reply, sessionOf(request)))

  app.delete('/v1/session', {
    onRequest: signedIn,
    schema: {
      tags: ['sessions'],
      summary: 'Sign out (退出登录): this session ends',
      operationId: 'signOut',
      security: sessionSecurity,
      response: { 204: { type: 'null', description: 'Signed out; the cookie is cleared' }, ...errorResponses(401, 403, 503) },
    },
  }, async (request, reply) => {
    await sessions.signOut(sessionOf(request), request.id)
    return endCookie(request, reply).code(204).send()
  })

  app.put<{ Body: { currentPassword: string, newPassword: string } }>('/v1/session/password', {
    onRequest: signedIn,
    schema: {
      tags: ['sessions'],
      summary: 'Change the password (修改密码): every session of the person ends, and a new one starts here',
      operationId: 'changePassword',
      description: 'At least 10 characters, not containing the username, and not among the most common or easily guessed passwords (English and Chinese lists, pinyin names, dates, keyboard patterns). A wrong current password counts as a failed sign-in.',
      security: sessionSecurity,
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['currentPassword', 'newPassword'],
        properties: { currentPassword: { type: 'string', maxLength: 256 }, newPassword: { type: 'string', maxLength: 256 } },
      },
      response: { 200: ref('session.json'), ...errorResponses(400, 401, 403, 413, 415, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const session = await sessions.changePassword(sessionOf(request), { ...request.body, address: clientKey(request.ip), requestId: request.id })
    return started(request, reply, session)
  })

  app.get('/v1/sessions', {
    onRequest: signedIn,
    schema: {
      tags: ['sessions'],
      summary: 'The person\'s live sessions (where and when they signed in)',
      operationId: 'listSessions',
      security: sessionSecurity,
      response: {
        200: {
          type: 'array',
          description: 'The person\'s sessions that have not ended, this one marked current',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['current', 'signedInAt', 'lastSeenAt', 'expiresAt', 'address', 'authenticatedBy'],
            properties: {
              current: { type: 'boolean' },
              signedInAt: { type: 'string', format: 'date-time' },
              lastSeenAt: { type: 'string', format: 'date-time' },
              expiresAt: { type: 'string', format: 'date-time' },
              address: { type: 'string' },
              authenticatedBy: { type: 'string' },
            },
          },
        },
        ...errorResponses(401, 503),
      },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    return sessions.listSessions(sessionOf(request))
  })

  app.delete('/v1/sessions', {
    onRequest: signedIn,
    schema: {
      tags: ['sessions'],
      summary: 'Sign out everywhere (退出所有设备): every session of the person ends, this one too',
      operationId: 'signOutEverywhere',
      security: sessionSecurity,
      response: { 204: { type: 'null', description: 'Every session ended; the cookie is cleared' }, ...errorResponses(401, 403, 503) },
    },
  }, async (request, reply) => {
    await sessions.signOutEverywhere(sessionOf(request), request.id)
    return endCookie(request, reply).code(204).send()
  })
}
