// What stands before every route: request id, security headers, CORS for public reads, rate limits on public routes, load shedding.
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import helmet, { type HelmetOptions } from 'helmet'
import cors from '@fastify/cors'
import underPressure, { TYPE_EVENT_LOOP_DELAY } from '@fastify/under-pressure'
import type { Config } from '../config.js'
import { ServiceError } from '../errors.js'
import { clientKey, type Limit, type Limiter } from '../limits/rate-limits.js'

/** A route anyone may call without a key. `cors`: a browser on another origin may read it too. */
export interface PublicRoute { method: 'GET' | 'POST', url: string, cors: boolean }

/**
 * Every public route: together rate-limited per client address (one count for all of them and every
 * method, so that another route or HEAD buys no fresh limit). The public reads a relying party's
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
  // A holder's own PDF: besides the name-check budgets, it counts among the public requests.
  { method: 'POST', url: '/v1/certificates/:number/holder-pdf', cors: false },
  // Confirming a verification report: its code is six characters of 32, so guessing is limited like any public read.
  { method: 'GET', url: '/v1/verification-reports/:number', cors: true },
  // Signing in: besides its own budgets per username and address, it counts among the public requests.
  { method: 'POST', url: '/v1/session', cors: false },
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
  overload: Config['limits']['overload']
  limiter: Limiter
  /** Requests to public routes per client address. */
  publicRequests: Limit
}

/** Throws RATE_LIMITED (with Retry-After) unless the client may make one more public request; sets the X-RateLimit headers. */
async function limitPublicRequest (limiter: Limiter, limit: Limit, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const state = await limiter.take(limit, clientKey(request.ip))
  reply.header('x-ratelimit-limit', state.max).header('x-ratelimit-remaining', state.remaining).header('x-ratelimit-reset', state.retryAfterSeconds)
  if (state.allowed) return
  reply.header('retry-after', state.retryAfterSeconds)
  throw new ServiceError('RATE_LIMITED', {
    en: `Too many requests from this address; try again in ${state.retryAfterSeconds} s.`,
    zh: `来自该地址的请求过于频繁，请 ${state.retryAfterSeconds} 秒后再试。`,
  })
}

/**
 * The gate every holder-name check passes on its way to the certificate's budget: HEAD never checks a
 * name (its Content-Length would tell the answer), and each client address may check only so many.
 */
export function createNameCheckGate (limiter: Limiter, limit: Limit) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.method === 'HEAD') {
      throw new ServiceError('METHOD_NOT_ALLOWED', { en: 'HEAD never checks a name: send GET to check one.', zh: 'HEAD 请求不核对姓名，请用 GET 请求核对。' })
    }
    const state = await limiter.take(limit, clientKey(request.ip))
    if (state.allowed) return
    throw new ServiceError('RATE_LIMITED', {
      en: `This address has checked ${state.max} names in the last hour; try again in ${state.retryAfterSeconds} s. The status of a certificate can still be looked up without a name.`,
      zh: `该地址一小时内已核对姓名 ${state.max} 次，请 ${state.retryAfterSeconds} 秒后再试；不填姓名仍可查询证书状态。`,
    }, { retryAfterSeconds: state.retryAfterSeconds })
  }
}

export type NameCheckGate = ReturnType<typeof createNameCheckGate>

async function requestGuards (app: FastifyInstance, { overload, limiter, publicRequests }: RequestGuardOptions): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = [route.method].flat()
    const isPublic = methods.some(method => findPublicRoute(method, route.url) !== undefined)
    const extra: Record<string, unknown> = {}
    if (isPublic) {
      const limit = (request: FastifyRequest, reply: FastifyReply) => limitPublicRequest(limiter, publicRequests, request, reply)
      route.onRequest = [limit, ...[route.onRequest ?? []].flat()]
    }
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
 * Whether a query key, however it was spelt (%6Eame, NAME, full-width ｎａｍｅ), carries what a log must not keep:
 * a holder's name, a verification report's code (with the report's number, it shows the whole report), and what a
 * console form sent as a GET would put there (an ID number, a password).
 */
const secretKeys = new Set(['name', 'code', 'idnumber', 'password', 'currentpassword', 'newpassword'])
const isSecretKey = (key: string) => secretKeys.has(key.normalize('NFKC').trim().toLowerCase())

/** A URL as the log keeps it: the query decoded as the router decodes it, every holder's name and report code replaced. */
export function redactedUrl (url: string): string {
  const at = url.indexOf('?')
  if (at === -1) return url
  const fragment = url.indexOf('#', at)
  const query = url.slice(at + 1, fragment === -1 ? undefined : fragment)
  const pairs = [...new URLSearchParams(query)].map(([key, value]) => `${encodeURIComponent(key)}=${isSecretKey(key) ? '[redacted]' : encodeURIComponent(value)}`)
  return `${url.slice(0, at)}?${pairs.join('&')}`
}

/**
 * The request as the log records it (Fastify's fields), without the name someone typed to check a
 * certificate (?name= of the lookup and the verification page, in any spelling): that is personal
 * data, and logs keep it for no reason; nor the code that opens a verification report (?code=).
 */
export function loggedRequest (request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: redactedUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}
