// Health, readiness and the public key set.
import type { FastifyPluginAsync } from 'fastify'
import { sql, type Kysely } from 'kysely'
import { ServiceError } from '../errors.js'
import { pendingMigrations } from '../db/migrate.js'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import type { Limiter } from '../limits/rate-limits.js'
import { errorResponses, ref } from './schemas.js'

export interface SystemRoutesOptions {
  db: Kysely<any>
  keys: SigningKeyRing
  limiter: Limiter
  /** PUBLIC_BASE_URL and the former addresses, published with the keys. */
  origins: readonly string[]
}

export const systemRoutes: FastifyPluginAsync<SystemRoutesOptions> = async (app, { db, keys, limiter, origins }) => {
  const status = { type: 'object', description: 'The process is up', required: ['status'], properties: { status: { type: 'string' } } } as const
  const readiness = {
    type: 'object',
    description: 'The service can serve',
    required: ['status', 'rateLimits'],
    properties: {
      status: { type: 'string', enum: ['ready', 'degraded'] },
      rateLimits: { type: 'string', enum: ['shared', 'process', 'degraded'], description: 'shared: counted in Redis for all instances; process: in this process (no REDIS_URL); degraded: in this process because Redis is unreachable' },
    },
  } as const

  app.get('/healthz', {
    schema: { tags: ['system'], summary: 'The process is up', operationId: 'checkLiveness', security: [], response: { 200: status } },
  }, async () => ({ status: 'ok' }))

  app.get('/readyz', {
    schema: {
      tags: ['system'],
      summary: 'The database is reachable and migrated',
      operationId: 'checkReadiness',
      security: [],
      description: 'Answers 200 while the service can serve: `status` is `degraded` when Redis is configured but unreachable (rate limits are then counted per process until it is back).',
      response: { 200: readiness, ...errorResponses(503) },
    },
  }, async () => {
    try {
      await sql`select 1`.execute(db)
    } catch {
      throw new ServiceError('DATABASE_UNAVAILABLE', { en: 'Not ready: the database cannot be reached.', zh: '服务未就绪：无法连接数据库。' })
    }
    const pending = await pendingMigrations(db)
    if (pending.length > 0) throw new ServiceError('DATABASE_UNAVAILABLE', { en: `Not ready: migrations pending: ${pending.join(', ')}.`, zh: `服务未就绪：数据库尚有未执行的迁移（${pending.join('、')}）。` })
    const rateLimits = limiter.mode()
    return { status: rateLimits === 'degraded' ? 'degraded' : 'ready', rateLimits }
  })

  app.get('/.well-known/jwks.json', {
    schema: {
      tags: ['verification'],
      summary: 'Public signing keys (JWKS), retired ones included',
      operationId: 'readSigningKeys',
      security: [],
      response: { 200: ref('jwks.json'), ...errorResponses(429, 503) },
    },
  }, async (_request, reply) => {
    reply.header('access-control-allow-origin', '*').header('cache-control', 'public, max-age=300')
    return { ...keys.jwks(), origins }
  })
}
