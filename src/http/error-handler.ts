// One JSON shape for every error: status, stable code, English and Chinese message; never a stack trace.
import { randomUUID } from 'node:crypto'
import { STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorTable, isServiceError, ServiceError, type ErrorCode } from '../errors.js'
import { describeSchemaFailures, type SchemaFailure } from '../text/field-names.js'
import { isPagePath, type VerificationPages } from './verification-page-replies.js'

export interface ErrorBody {
  statusCode: number
  code: ErrorCode
  error: string
  message: string
  messageZh: string
  details?: unknown
  requestId: string
}

// Connection-level failures (server gone, restarting, pool exhausted) mean "try again", not "bug".
const unavailableCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006'])
const unavailableMessages = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|PGlite is closed/i

const frameworkCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'MALFORMED_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'VALIDATION_FAILED',
  FST_ERR_CTP_INVALID_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_BAD_URL: 'MALFORMED_URL',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
  FST_CSRF_INVALID_TOKEN: 'CSRF_TOKEN_INVALID',
  FST_CSRF_MISSING_SECRET: 'CSRF_TOKEN_INVALID',
}

/** Maps anything thrown to a ServiceError; unknown errors become INTERNAL_ERROR. */
export function toServiceError (error: unknown): ServiceError {
  if (isServiceError(error)) return error
  const e = error as Partial<FastifyError> & { code?: string, validation?: SchemaFailure[] }
  if (e.validation !== undefined) {
    const { wording, problems } = describeSchemaFailures(e.validationContext ?? 'body', e.validation)
    return new ServiceError('VALIDATION_FAILED', wording, problems)
  }
  if (e.code !== undefined && frameworkCodes[e.code] !== undefined) return new ServiceError(frameworkCodes[e.code]!)
  if (error instanceof SyntaxError && e.statusCode === 400) return new ServiceError('MALFORMED_JSON')
  if ((e.code !== undefined && unavailableCodes.has(e.code)) || unavailableMessages.test(e.message ?? '')) return new ServiceError('DATABASE_UNAVAILABLE')
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const byStatus = (Object.keys(errorTable) as ErrorCode[]).find(code => errorTable[code].status === e.statusCode)
    return new ServiceError(byStatus ?? 'VALIDATION_FAILED', e.message === undefined ? undefined : { en: e.message, zh: errorTable[byStatus ?? 'VALIDATION_FAILED'].zh })
  }
  return new ServiceError('INTERNAL_ERROR')
}

export function errorBody (error: ServiceError, requestId: string): ErrorBody {
  return {
    statusCode: error.status,
    code: error.code,
    error: STATUS_CODES[error.status] ?? 'Error',
    message: error.message,
    messageZh: error.messageZh,
    ...(error.details === undefined ? {} : { details: error.details }),
    requestId,
  }
}

/** Seconds a client should wait after a 429 or 503: the error's own figure, a header already set, or 5. */
export function retryAfterOf (error: ServiceError, reply: FastifyReply): number | string {
  const own = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds
  if (typeof own === 'number') return own
  const set = reply.getHeader('retry-after')
  return typeof set === 'number' || typeof set === 'string' ? set : 5
}

/** Answers with the error: the verification page for a /v address, the one JSON shape everywhere else. */
function replyWithError (error: unknown, request: FastifyRequest, reply: FastifyReply, pages: VerificationPages): FastifyReply {
  const serviceError = toServiceError(error)
  // A 503 is expected during an outage or overload: one warning line each, not a stack trace per request.
  if (serviceError.status === 503) request.log.warn({ code: serviceError.code, cause: (error as Error | null)?.message }, 'request refused: service unavailable')
  else if (serviceError.status >= 500) request.log.error({ err: error }, 'request failed')
  if (serviceError.status === 429 || serviceError.status === 503) reply.header('retry-after', retryAfterOf(serviceError, reply))
  if (isPagePath(request.url)) return pages.sendFailure(request, reply, serviceError)
  return reply.code(serviceError.status).type('application/json; charset=utf-8').send(errorBody(serviceError, request.id))
}

/** Fastify's own refusals before routing (a URL that does not decode, a parameter too long), in the same shape: Fastify's `frameworkErrors`. */
export function frameworkErrorHandler (pages: VerificationPages) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => replyWithError(error, request, reply, pages)
}

const socketErrors: Record<string, ErrorCode> = { HPE_HEADER_OVERFLOW: 'HEADERS_TOO_LARGE', ERR_HTTP_REQUEST_TIMEOUT: 'REQUEST_TIMEOUT' }

/** Node's refusals of a request it could not even read (headers too large, too slow, not HTTP), in the same JSON shape: Fastify's `clientErrorHandler`. */
export function clientErrorHandler (error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const serviceError = new ServiceError(socketErrors[error.code ?? ''] ?? 'MALFORMED_REQUEST')
  const body = JSON.stringify(errorBody(serviceError, randomUUID()))
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${serviceError.status} ${STATUS_CODES[serviceError.status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`)
  }
  socket.destroy(error)
}

export function installErrorHandling (app: FastifyInstance, pages: VerificationPages): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => replyWithError(error, request, reply, pages))
  app.setNotFoundHandler((request, reply) => {
    const error = new ServiceError('NOT_FOUND', {
      en: `There is nothing at ${request.method} ${request.url.split('?')[0]}.`,
      zh: `地址 ${request.method} ${request.url.split('?')[0]} 不存在。`,
    })
    return replyWithError(error, request, reply, pages)
  })
}
