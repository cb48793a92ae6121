// What stands before every route: request id, security headers, CORS for public reads, rate limits on public routes, load shedding.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet, { type HelmetOptions } from 'helmet'
import cors from '@fastify/cors'
import rateLimit from '@fastify/rate-limit'
import underPressure, { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure'
import type { Config } from '../config.js'
import { ServiceError } from '../errors.js'

/** A route anyone may call without a key. `cors`: a browser on another origin may read it too. */
export interface PublicRoute { method: 'GET' | 'POST', url: string, cors: boolean }

/**
 * Every public route: each is rate-limited per client address. The public reads a relying party's
 * web page may call (lookup, verify, JWKS, revocation lists) also allow CORS; the HTML pages do not.
 * Health probes, the API documentation and static assets are public but not limited.
 */
export const publicRoutes: readonly PublicRoute[] = [
  { method: 'GET', url: '/v1/certificates/:number', cors: true },
  { method: 'POST', url: '/v1/verify', cors: true },
  { method: 'GET', url: '/.well-known/jwks.json', cors: true },
  { method: 'GET', url: '/.well-known/crl/:kid.json', cors: true },
  { method: 'GET', url: '/.well-known/crl/:kid.jws', cors: true },
  { method: 'GET', url: '/v', cors: false },
  { method: 'GET', url: '/v/:number', cors: false },
]

/** Liveness answers even under pressure: an overloaded process is busy, not dead. */
const neverShed = new Set(['/healthz'])

// API answers are data: nothing in them may load, run or be framed.
const apiContentSecurityPolicy = { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] } }
// Swagger UI at /docs loads its own script and the OpenAPI document from this origin, and nothing else; it sets inline styles.
const docsContentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"], scriptSrc: ["'self'"], styleSrc: ["'self'", "'unsafe-inline'"], imgSrc: ["'self'", 'data:'], fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"], objectSrc: ["'none'"], baseUri: ["'self'"], frameAncestors: ["'none'"], formAction: ["'self'"],
  },
}

const corsForPublicReads = {
  origin: '*',
  methods: 'GET,HEAD,POST',
  allowedHeaders: ['Content-Type', 'If-None-Match'],
  exposedHeaders: ['ETag', 'Retry-After', 'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'],
  credentials: false,
  maxAge: 600,
}

/**
 * The headers helmet sets for a policy, computed once. (@fastify/helmet builds helmet's middleware
 * again on every request — ~5 % of a lookup's CPU — though the headers never change.)
 */
function securityHeaders (options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {}
  const response = { setHeader (name: string, value: string) { headers[name.toLowerCase()] = value }, removeHeader () {} }
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, error => { if (error !== undefined) throw error })
  return headers
}

const apiSecurityHeaders = securityHeaders({ contentSecurityPolicy: apiContentSecurityPolicy, crossOriginResourcePolicy: { policy: 'same-site' } })
const docsSecurityHeaders = securityHeaders({ contentSecurityPolicy: docsContentSecurityPolicy, crossOriginResourcePolicy: { policy: 'same-site' } })

function pathPattern (url: string): RegExp {
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')
  return new RegExp(`^${escaped}$`)
}

const compiled = publicRoutes.map(route => ({ ...route, pattern: pathPattern(route.url) }))

/** The public route a method and route pattern (or concrete path) belong to; HEAD counts as GET. */
export function findPublicRoute (method: string, url: string): PublicRoute | undefined {
  const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase()
  const path = url.split('?')[0]!
  return compiled.find(route => route.method === m && (route.url === path || route.pattern.test(path)))
}

export interface RequestGuardOptions {
  limits: Config['limits']
  redisUrl?: string
}

async function requestGuards (app: FastifyInstance, { limits, redisUrl }: RequestGuardOptions): Promise<void> {
  // Runs before the rate-limit plugin's own onRoute hook, which reads config.rateLimit.
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat()
    const isPublic = methods.some(method => findPublicRoute(method, route.url) !== undefined)
    const extra: Record<string, unknown> = {}
    if (isPublic) extra.rateLimit = {}
    if (neverShed.has(route.url ?? '')) extra.pressureHandler = () => undefined
    if ((route.url ?? '').startsWith('/docs')) extra.securityHeaders = docsSecurityHeaders
    if (Object.keys(extra).length > 0) route.config = { ...route.config, ...extra }
  })

  // Every answer names its request (the id in the log and in the audit trail) and carries the security headers.
  app.addHook('onRequest', (request, reply, done) => {
    const config = request.routeOptions.config as { securityHeaders?: Record<string, string> }
    reply.headers(config.securityHeaders ?? apiSecurityHeaders).header('x-request-id', request.id)
    done()
  })

  await app.register(cors, {
    delegator: (request: FastifyRequest, callback: (error: Error | null, options: object) => void) => {
      const method = request.method === 'OPTIONS' ? String(request.headers['access-control-request-method'] ?? '') : request.method
      callback(null, findPublicRoute(method, request.url)?.cors === true ? corsForPublicReads : { origin: false })
    },
  })

  // ioredis is loaded only when a store is configured: a single instance keeps its limits in memory.
  const redis = redisUrl === undefined ? undefined : new (await import('ioredis')).Redis(redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, lazyConnect: true })
  if (redis !== undefined) {
    // A Redis outage must not take verification down with it: the limit is skipped, the error logged.
    redis.on('error', error => { app.log.warn({ err: error }, 'rate-limit store unavailable') })
    app.addHook('onClose', async () => { redis.disconnect() })
    // Connected before the first request, so the shared limit holds from the start.
    await redis.connect().catch((error: unknown) => { app.log.warn({ err: error }, 'rate-limit store unavailable at start; limits apply once it is back') })
  }
  await app.register(rateLimit, {
    global: false,
    max: limits.publicPerMinute,
    timeWindow: 60_000,
    ...(redis === undefined ? {} : { redis, nameSpace: 'ce-rate-limit:' }),
    skipOnError: true,
    errorResponseBuilder: (_request: FastifyRequest, context: { after: string }) =>
      new ServiceError('RATE_LIMITED', `Too many requests from this address; try again in ${context.after}.`),
  })

  const { overload } = limits
  // Event-loop readings taken up to two samples after start-up still cover it (migrations, schema
  // compilation, a neighbour process starting on the same cores): that is not load, so it sheds nothing.
  let measuresLoadFrom = Infinity
  app.addHook('onReady', async () => { measuresLoadFrom = performance.now() + 2 * overload.sampleIntervalMs })
  await app.register(underPressure, {
    maxEventLoopDelay: overload.maxEventLoopDelayMs,
    maxEventLoopUtilization: overload.maxEventLoopUtilization,
    eventLoopUtilizationMode: 'interval',
    maxHeapUsedBytes: overload.maxHeapUsedMb * 1024 * 1024,
    sampleInterval: overload.sampleIntervalMs,
    pressureHandler: async (_request: FastifyRequest, reply: FastifyReply, type: string) => {
      if (type === TYPE_EVENT_LOOP_DELAY && performance.now() < measuresLoadFrom) return
      reply.header('retry-after', 10)
      throw new ServiceError('OVERLOADED')
    },
  })
}

/** Registers the guards; routes registered after it are covered. */
export const requestGuardsPlugin = fp(requestGuards, { name: 'request-guards', fastify: '5.x' })

/** Node's own limits for receiving a request: all headers and the body within `requestTimeoutMs`, checked often enough to matter. */
export function requestTimeouts (requestTimeoutMs: number): { requestTimeout: number, headersTimeout?: number, connectionsCheckingInterval?: number } {
  if (requestTimeoutMs === 0) return { requestTimeout: 0 }
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(60_000, requestTimeoutMs),
    connectionsCheckingInterval: Math.max(100, Math.min(30_000, Math.floor(requestTimeoutMs / 4))),
  }
}

/**
 * The request as the log records it (Fastify's fields), without the name someone typed to check a
 * certificate (?name= of the lookup and the verification page): that is personal data, and logs keep it for no reason.
 */
export function loggedRequest (request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: request.url.replace(/([?&]name=)[^&#]*/gi, '$1[redacted]'),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}
