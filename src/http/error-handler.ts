// One JSON shape for every error: status, stable code, English and Chinese message; never a stack trace.
import { STATUS_CODES } from 'node:http'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { errorTable, isServiceError, ServiceError, type ErrorCode } from '../errors.js'

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
}

/** Maps anything thrown to a ServiceError; unknown errors become INTERNAL_ERROR. */
export function toServiceError (error: unknown): ServiceError {
  if (isServiceError(error)) return error
  const e = error as Partial<FastifyError> & { code?: string, validation?: Array<{ instancePath: string, message?: string, params?: Record<string, unknown> }> }
  if (e.validation !== undefined) {
    const details = e.validation.map(v => ({
      field: [e.validationContext, v.instancePath.replace(/^\//, '').replace(/\//g, '.'), v.params?.missingProperty ?? v.params?.additionalProperty].filter(Boolean).join('.'),
      reason: v.message ?? 'invalid',
    }))
    return new ServiceError('VALIDATION_FAILED', `The request is not valid: ${details.map(d => `${d.field} ${d.reason}`).join('; ')}.`, details)
  }
  if (e.code !== undefined && frameworkCodes[e.code] !== undefined) return new ServiceError(frameworkCodes[e.code]!, e.message)
  if (error instanceof SyntaxError && e.statusCode === 400) return new ServiceError('MALFORMED_JSON', 'The request body is not valid JSON.')
  if ((e.code !== undefined && unavailableCodes.has(e.code)) || unavailableMessages.test(e.message ?? '')) return new ServiceError('DATABASE_UNAVAILABLE')
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const byStatus = (Object.keys(errorTable) as ErrorCode[]).find(code => errorTable[code].status === e.statusCode)
    return new ServiceError(byStatus ?? 'VALIDATION_FAILED', e.message)
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

export function installErrorHandling (app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const serviceError = toServiceError(error)
    // A 503 is expected during an outage or overload: one warning line each, not a stack trace per request.
    if (serviceError.status === 503) request.log.warn({ code: serviceError.code, cause: (error as Error | null)?.message }, 'request refused: service unavailable')
    else if (serviceError.status >= 500) request.log.error({ err: error }, 'request failed')
    if (serviceError.status === 429 || serviceError.status === 503) reply.header('retry-after', retryAfterOf(serviceError, reply))
    return reply.code(serviceError.status).type('application/json; charset=utf-8').send(errorBody(serviceError, request.id))
  })
  app.setNotFoundHandler((request, reply) => {
    const error = new ServiceError('NOT_FOUND', `There is nothing at ${request.method} ${request.url.split('?')[0]}.`)
    return reply.code(404).send(errorBody(error, request.id))
  })
}
