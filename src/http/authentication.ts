// Who is calling: a machine by its API key (Bearer), a person by their session cookie (with a CSRF token on every
// change), or the administrator (Bearer ADMIN_TOKEN). One set of hooks for every route; wrong keys are throttled per address.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import { ServiceError } from '../errors.js'
import type { IssuerKind } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import type { IssuerService } from '../issuers/issuer-service.js'
import type { LiveSession, SessionService } from '../accounts/session-service.js'
import { roleNames } from '../accounts/user-service.js'
import { clientKey, type Limit, type Limiter, type LimitState } from '../limits/rate-limits.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The organisation (and person) behind the request, set by an authentication hook. */
    actor: Actor | null
    /** The signed-in session the request came with, when it came with one. */
    signedIn: LiveSession | null
    /** What @fastify/csrf-protection reads the CSRF secret from (it expects a session object). */
    session: { _csrf?: string }
  }
}

/** The session cookie: HttpOnly, SameSite=Strict, Secure behind HTTPS; its value is a random 256-bit id. */
export const sessionCookieName = 'ce_session'

/** A route's onRequest hooks: who is calling, then (for a session's change) its CSRF token. */
type Hooks = onRequestHookHandler[]

export interface IssuerRequirements {
  /** A person must be the organisation's 管理员 (an API key is the organisation itself and may). */
  administrator?: boolean
  /** Only a signed-in 管理员: the organisation's people and keys are not managed by a machine's key. */
  peopleOnly?: boolean
}

export interface Authentication {
  /** Hooks admitting an organisation of one of `kinds` by its API key or one of its people by a session. Run them onRequest: before the body is read. */
  issuer (kinds?: readonly IssuerKind[], requirements?: IssuerRequirements): Hooks
  /** Hooks admitting any signed-in person, a temporary password too (the session's own routes). */
  session (): Hooks
  /** A hook admitting the administrator (Bearer ADMIN_TOKEN). */
  admin (): onRequestHookHandler
}

export interface AuthenticationDeps {
  issuers: IssuerService
  sessions: SessionService
  adminToken?: string
  limiter: Limiter
  /** Failed authentications per client address. */
  failures: Limit
  /** @fastify/csrf-protection's check of the request's token against `request.session._csrf`. */
  csrfProtection: (request: FastifyRequest, reply: FastifyReply, done: () => void) => void
}

function bearerToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? ''
}

const digest = (s: string) => createHash('sha256').update(s).digest()
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

function throttled (state: LimitState): ServiceError {
  return new ServiceError('AUTHENTICATION_THROTTLED', {
    en: `Too many failed authentications from this address; try again in ${state.retryAfterSeconds} s.`,
    zh: `该地址认证失败次数过多，请 ${state.retryAfterSeconds} 秒后再试。`,
  }, { retryAfterSeconds: state.retryAfterSeconds })
}

export const kindNames: Readonly<Record<IssuerKind, string>> = { authority: '人力资源社会保障部门', employer: '用人单位', verifier: '职称评审委员会' }

/**
 * Authentication of API keys, sessions and the admin token. A Bearer header decides when present (a
 * session cookie beside it is ignored). After `failures.max` wrong keys from an address within the window,
 * every key from it is refused with 429 AUTHENTICATION_THROTTLED, a right one too, until the window ends:
 * so guessing costs time, whichever route or instance is asked. A session id is 256 random bits: an
 * unknown one is SESSION_EXPIRED, like an ended one.
 */
export function createAuthentication ({ issuers, sessions, adminToken, limiter, failures, csrfProtection }: AuthenticationDeps): Authentication {
  const expectedAdmin = adminToken === undefined ? undefined : digest(adminToken)

  async function byApiKey (request: FastifyRequest, token: string): Promise<Actor> {
    const address = clientKey(request.ip)
    const before = await limiter.peek(failures, address)
    if (!before.allowed) throw throttled(before)
    // A random 256-bit key cannot be guessed: the throttle bounds the noise and the load of trying.
    const actor = token === '' ? undefined : await issuers.authenticate(token)
    if (actor === undefined) {
      const after = await limiter.take(failures, address)
      throw after.allowed ? new ServiceError('INVALID_API_KEY') : throttled(after)
    }
    return actor
  }

  async function bySession (request: FastifyRequest): Promise<LiveSession | undefined> {
    const cookie = request.cookies[sessionCookieName]
    if (cookie === undefined || cookie === '') return undefined
    const session = await sessions.resolve(cookie)
    if (session === undefined) throw new ServiceError('SESSION_EXPIRED')
    request.signedIn = session
    request.session = { _csrf: session.csrfSecret }
    return session
  }

  /** A change made with a session carries the session's CSRF token (X-CSRF-Token); the plugin answers 403 otherwise. */
  const csrf: onRequestHookHandler = function (request, reply, done) {
    if (request.signedIn === null || safeMethods.has(request.method)) { done(); return }
    csrfProtection(request, reply, done)
  }

  function checkKind (actor: Actor, kinds?: readonly IssuerKind[]) {
    if (kinds !== undefined && !kinds.includes(actor.kind)) {
      throw new ServiceError('FORBIDDEN_ROLE', {
        en: `A ${actor.kind} account may not do this; it needs one of: ${kinds.join(', ')}.`,
        zh: `${kindNames[actor.kind]}账户无权执行此操作，须为：${kinds.map(k => kindNames[k]).join('、')}。`,
      })
    }
  }

  return {
    issuer (kinds, requirements = {}) {
      const authenticate: onRequestHookHandler = async request => {
        const token = bearerToken(request)
        if (token !== undefined) {
          const actor = await byApiKey(request, token)
          checkKind(actor, kinds)
          if (requirements.peopleOnly === true) throw new ServiceError('SESSION_REQUIRED')
          request.actor = { ...actor, requestId: request.id }
          return
        }
        const session = await bySession(request)
        if (session === undefined) throw new ServiceError('AUTHENTICATION_REQUIRED')
        if (session.mustChangePassword) throw new ServiceError('PASSWORD_CHANGE_REQUIRED')
        const { actor } = session
        checkKind(actor, kinds)
        if ((requirements.administrator === true || requirements.peopleOnly === true) && actor.user.role !== 'admin') {
          throw new ServiceError('FORBIDDEN_ROLE', {
            en: `A ${actor.user.role} may not do this; it is for the organisation's administrator.`,
            zh: `${roleNames[actor.user.role]}无权执行此操作，须由本单位${roleNames.admin}办理。`,
          })
        }
        request.actor = { ...actor, requestId: request.id }
      }
      return [authenticate, csrf]
    },

    session () {
      const authenticate: onRequestHookHandler = async request => {
        const session = await bySession(request)
        if (session === undefined) throw new ServiceError('AUTHENTICATION_REQUIRED', { en: 'This request needs a signed-in session.', zh: '此请求需要先登录。' })
        request.actor = { ...session.actor, requestId: request.id }
      }
      return [authenticate, csrf]
    },

    admin () {
      return async request => {
        if (expectedAdmin === undefined) throw new ServiceError('ADMIN_DISABLED')
        const token = bearerToken(request)
        if (token === undefined) throw new ServiceError('AUTHENTICATION_REQUIRED')
        const address = clientKey(request.ip)
        // Counted before the comparison and given back when it succeeds, so that many guesses sent at
        // once are counted as exactly as guesses sent one after another.
        const state = await limiter.take(failures, address)
        if (!state.allowed) throw throttled(state)
        if (!timingSafeEqual(digest(token), expectedAdmin)) throw new ServiceError('INVALID_ADMIN_TOKEN')
        await limiter.giveBack(failures, address)
      }
    },
  }
}

/** The actor an authentication hook has set; routes call this only behind `issuer()` or `session()`. */
export function actorOf (request: FastifyRequest): Actor {
  if (request.actor === null) throw new ServiceError('AUTHENTICATION_REQUIRED')
  return request.actor
}

/** The session an authentication hook has found; routes call this only behind `session()`. */
export function sessionOf (request: FastifyRequest): LiveSession {
  if (request.signedIn === null) throw new ServiceError('AUTHENTICATION_REQUIRED')
  return request.signedIn
}
