// Who is calling: issuer API keys and the administrator token, both as Bearer tokens.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'
import { ServiceError } from '../errors.js'
import type { IssuerKind } from '../db/schema.js'
import type { Actor } from '../issuers/issuer-scope.js'
import type { IssuerService } from '../issuers/issuer-service.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** The issuer behind the request's API key, set by an authentication preHandler. */
    actor: Actor | null
  }
}

function bearerToken (request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (header === undefined) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match?.[1] ?? ''
}

/** The issuer account behind the Bearer key; any of `kinds` when given. */
export function requireIssuer (issuers: IssuerService, kinds?: readonly IssuerKind[]) {
  return async (request: FastifyRequest): Promise<void> => {
    const token = bearerToken(request)
    if (token === undefined) throw new ServiceError('AUTHENTICATION_REQUIRED')
    const actor = token === '' ? undefined : await issuers.authenticate(token)
    if (actor === undefined) throw new ServiceError('INVALID_API_KEY')
    if (kinds !== undefined && !kinds.includes(actor.kind)) {
      throw new ServiceError('FORBIDDEN_ROLE', `A ${actor.kind} account may not do this; it needs one of: ${kinds.join(', ')}.`)
    }
    request.actor = { ...actor, requestId: request.id }
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest()

/** The administrator, by the ADMIN_TOKEN of the configuration (compared in constant time). */
export function requireAdmin (adminToken: string | undefined) {
  return async (request: FastifyRequest): Promise<void> => {
    if (adminToken === undefined) throw new ServiceError('ADMIN_DISABLED')
    const token = bearerToken(request)
    if (token === undefined) throw new ServiceError('AUTHENTICATION_REQUIRED')
    if (!timingSafeEqual(digest(token), digest(adminToken))) throw new ServiceError('INVALID_ADMIN_TOKEN')
  }
}

/** The actor a preHandler has set; routes call this only behind requireIssuer. */
export function actorOf (request: FastifyRequest): Actor {
  if (request.actor === null) throw new ServiceError('AUTHENTICATION_REQUIRED')
  return request.actor
}
