// Who is calling: issuer API keys and the administrator token, both as Bearer tokens; failed attempts are throttled per address.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ServiceError } from '../errors.js'
import type { IssuerKind } from '../db/schema.js'
import type { Actor } from '../issuers/issuer-scope.js'
import type { IssuerService } from '../issuers/issuer-service.js'
import { clientKey, type Limit, type Limiter, type LimitState } from '../limits/rate-limits.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The issuer behind the request's API key, set by an authentication hook. */
    actor: Actor | null
  }
}

type Hook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>

export interface Authentication {
  /** A hook admitting the issuer account behind the Bearer key; any of `kinds` when given. Run it onRequest: before the body is read. */
  issuer (kinds?: readonly IssuerKind[]): Hook
  /** A hook admitting the administrator (Bearer ADMIN_TOKEN). */
  admin (): Hook
}

export interface AuthenticationDeps {
  issuers: IssuerService
  adminToken?: string
  limiter: Limiter
  /** Failed authentications per client address. */
  failures: Limit
}

function bearerToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? ''
}

const digest = (s: string) => createHash('sha256').update(s).digest()

function throttled (state: LimitState): ServiceError {
  return new ServiceError('AUTHENTICATION_THROTTLED', {
    en: `Too many failed authentications from this address; try again in ${state.retryAfterSeconds} s.`,
    zh: `该地址认证失败次数过多，请 ${state.retryAfterSeconds} 秒后再试。`,
  }, { retryAfterSeconds: state.retryAfterSeconds })
}

/**
 * Authentication of API keys and the admin token. After `failures.max` wrong ones from an address
 * within the window, every attempt from it is refused with 429 AUTHENTICATION_THROTTLED, a right
 * one too, until the window ends: so guessing costs time, whichever route or instance is asked.
 */
export function createAuthentication ({ issuers, adminToken, limiter, failures }: AuthenticationDeps): Authentication {
  const expectedAdmin = adminToken === undefined ? undefined : digest(adminToken)
  return {
    issuer (kinds) {
      return async request => {
        const token = bearerToken(request)
        if (token === undefined) throw new ServiceError('AUTHENTICATION_REQUIRED')
        const address = clientKey(request.ip)
        const before = await limiter.peek(failures, address)
        if (!before.allowed) throw throttled(before)
        // A random 256-bit key cannot be guessed: the throttle bounds the noise and the load of trying.
        const actor = token === '' ? undefined : await issuers.authenticate(token)
        if (actor === undefined) {
          const after = await limiter.take(failures, address)
          throw after.allowed ? new ServiceError('INVALID_API_KEY') : throttled(after)
        }
        if (kinds !== undefined && !kinds.includes(actor.kind)) {
          throw new ServiceError('FORBIDDEN_ROLE', {
            en: `A ${actor.kind} account may not do this; it needs one of: ${kinds.join(', ')}.`,
            zh: `${kindNames[actor.kind]}账户无权执行此操作，须为：${kinds.map(k => kindNames[k]).join('、')}。`,
          })
        }
        request.actor = { ...actor, requestId: request.id }
      }
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

export const kindNames: Readonly<Record<IssuerKind, string>> = { authority: '人力资源社会保障部门', employer: '用人单位', verifier: '职称评审委员会' }

/** The actor an authentication hook has set; routes call this only behind `issuer()`. */
export function actorOf (request: FastifyRequest): Actor {
  if (request.actor === null) throw new ServiceError('AUTHENTICATION_REQUIRED')
  return request.actor
}
