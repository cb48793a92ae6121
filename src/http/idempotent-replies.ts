// The Idempotency-Key header of issuing and revoking routes: read, checked, and the (first) response sent.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ServiceError } from '../errors.js'
import type { Actor } from '../actors/actor.js'
import { hashRequest, idempotencyKeyPattern, type IdempotencyClaim, type IdempotencyService, type IdempotentResponse, type RecordResponse } from '../idempotency/idempotency-service.js'

/** The request-headers schema of a route that accepts Idempotency-Key. */
export const idempotencyKeyHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': {
      type: 'string',
      description: '1-128 printable ASCII characters, unique per request of this account (a UUID is fine). A retry with the same key and body returns the first response (header Idempotent-Replayed: true) and does nothing again; the same key with another body is refused (422 IDEMPOTENCY_KEY_REUSED); while the first still runs, 409 IDEMPOTENCY_IN_PROGRESS. Only a success is kept: a request answered with an error changed nothing, so its key is free again (fix the request and send it with the same key).',
    },
  },
} as const

/** The idempotency claim of a request, or undefined when it has no Idempotency-Key. */
export function idempotencyClaimOf (request: FastifyRequest, actor: Actor): IdempotencyClaim | undefined {
  const key = request.headers['idempotency-key']
  if (key === undefined) return undefined
  if (typeof key !== 'string' || !idempotencyKeyPattern.test(key)) {
    throw new ServiceError('INVALID_IDEMPOTENCY_KEY', { en: 'The Idempotency-Key header must be 1 to 128 printable ASCII characters.', zh: '请求头 Idempotency-Key 须为 1 至 128 个可打印 ASCII 字符。' })
  }
  return { issuerId: actor.issuerId, key, requestHash: hashRequest(request.method, request.url, request.body) }
}

/**
 * Runs an issuing or revoking operation once per Idempotency-Key and sends its response, or the
 * first one again (with Idempotent-Replayed: true). `location` gives a Location header for a body.
 */
export async function replyIdempotently (
  idempotency: IdempotencyService,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: Actor,
  operation: (record: RecordResponse) => Promise<IdempotentResponse>,
  location?: (body: any) => string,
): Promise<FastifyReply> {
  const outcome = await idempotency.run(idempotencyClaimOf(request, actor), operation)
  if (outcome.replayed) reply.header('idempotent-replayed', 'true')
  if (location !== undefined) reply.header('location', location(outcome.body))
  return reply.code(outcome.status).send(outcome.body)
}
