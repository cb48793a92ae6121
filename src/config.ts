// The only reader of process.env: configuration parsed once, typed, validated and frozen.
import { availableParallelism } from 'node:os'
import path from 'node:path'

export type SigningAlgorithm = 'ES256' | 'EdDSA'

export interface Config {
  readonly http: {
    readonly port: number
    readonly host: string
    readonly publicBaseUrl: string
    /** Addresses the service was reached at before (a service that moved): QR codes printed with them still verify. */
    readonly formerBaseUrls: readonly string[]
    /** Whose X-Forwarded-For to believe: false (nobody), true (anyone), or comma-separated addresses/CIDRs. */
    readonly trustProxy: boolean | string
    /** Longest time to receive a whole request (slow clients are cut off); 0 for none. */
    readonly requestTimeoutMs: number
    /** Longest time a connection may stay idle; 0 for none. */
    readonly connectionTimeoutMs: number
  }
  /** `url` set: PostgreSQL through pg; otherwise the embedded PGlite in `dataDir` (or in memory for ':memory:'). */
  readonly database: { readonly url?: string, readonly dataDir: string, readonly poolSize: number }
  readonly signing: { readonly keysDir: string, readonly algorithm: SigningAlgorithm }
  readonly adminToken?: string
  readonly redisUrl?: string
  readonly logLevel: string
  /** How long a completed Idempotency-Key keeps its response (which holds names) before it is deleted. */
  readonly idempotencyRetentionHours: number
  /** How long an offline verifier may rely on a signed revocation list (its nextUpdate). */
  readonly revocationListValidityHours: number
  /** Worker threads that render and read PDFs (the cores by default), and how many PDFs one client (address or account) may have in flight. */
  readonly pdfWorkers: number
  readonly pdfsInFlightPerClient: number
  /** Batch archives: where their ZIPs are written (shared storage when there are several instances), and for how long they are kept. */
  readonly archives: { readonly directory: string, readonly retentionHours: number }
  /** People's sessions: idle and absolute ends; sign-in failures that lock a username or an address for the window. */
  readonly sessions: {
    readonly idleMinutes: number
    readonly lifetimeHours: number
    readonly signInFailuresPerUser: number
    readonly signInFailuresPerAddress: number
    readonly signInLockMinutes: number
  }
  /** Abuse and overload protection: rate limits per client address, name-check budgets, and when to shed load. */
  readonly limits: {
    readonly publicPerMinute: number
    /** Holder names checked (?name=, page, any route) per client address per hour. */
    readonly nameChecksPerHour: number
    /** Wrong names a bulk-verifying account may send per 24 hours before its names go unchecked. */
    readonly nameMismatchesPerAccountPerDay: number
    /** Failed authentications (admin token, API keys) per client address per 15 minutes. */
    readonly authFailuresPer15Minutes: number
    /** 0 turns a check off. Sampled every `sampleIntervalMs`. */
    readonly overload: { readonly maxEventLoopDelayMs: number, readonly maxEventLoopUtilization: number, readonly maxHeapUsedMb: number, readonly sampleIntervalMs: number }
  }
}

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`)
    this.name = 'ConfigError'
  }
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

/** Reads configuration from an environment (process.env by default); throws ConfigError listing every problem. */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  const problems: string[] = []
  const read = (name: string) => {
    const value = env[name]?.trim()
    return value === undefined || value === '' ? undefined : value
  }
  const integer = (name: string, fallback: number, min: number, max: number) => {
    const raw = read(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${name} must be a whole number from ${min} to ${max}; got '${raw}'`)
    return value
  }
  const fraction = (name: string, fallback: number) => {
    const raw = read(name)
    if (raw === undefined) return fallback
    const value = Number(raw)
    if (!Number.isFinite(value) || value < 0 || value > 1) problems.push(`${name} must be a number from 0 to 1; got '${raw}'`)
    return value
  }

  const port = integer('PORT', 3000, 0, 65535)
  const host = read('HOST') ?? '127.0.0.1'
  const baseUrl = (name: string, raw: string) => {
    const value = raw.replace(/\/+$/, '')
    try {
      const url = new URL(value)
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol')
    } catch {
      problems.push(`${name} must be an http(s) URL; got '${value}'`)
    }
    return value
  }
  const publicBaseUrl = baseUrl('PUBLIC_BASE_URL', read('PUBLIC_BASE_URL') ?? `http://localhost:${port}`)
  const formerBaseUrls = (read('FORMER_PUBLIC_BASE_URLS') ?? '').split(',').map(s => s.trim()).filter(Boolean).map(url => baseUrl('FORMER_PUBLIC_BASE_URLS', url))
  const databaseUrl = read('DATABASE_URL')
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('DATABASE_URL must start with postgres:// or postgresql://')
  const algorithm = read('SIGNING_ALG') ?? 'ES256'
  // EdDSA tokens still verify, but new keys must sign PDFs too, and PDF readers (pdfsig, Acrobat) check ECDSA, not Ed25519.
  if (algorithm === 'EdDSA') problems.push('SIGNING_ALG must be ES256: new keys sign the certificate PDFs too, and PDF readers cannot check Ed25519 signatures (EdDSA tokens signed before still verify)')
  else if (algorithm !== 'ES256') problems.push(`SIGNING_ALG must be ES256; got '${algorithm}'`)
  const adminToken = read('ADMIN_TOKEN')
  if (adminToken !== undefined && adminToken.length < 16) problems.push('ADMIN_TOKEN must be at least 16 characters long')
  const logLevel = read('LOG_LEVEL') ?? 'info'
  if (!logLevels.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${logLevels.join(', ')}; got '${logLevel}'`)
  const redisUrl = read('REDIS_URL')
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) problems.push('REDIS_URL must start with redis:// or rediss://')
  const trustProxyRaw = read('TRUST_PROXY')
  const trustProxy = trustProxyRaw === undefined || trustProxyRaw === 'false' ? false : trustProxyRaw === 'true' ? true : trustProxyRaw
  const requestTimeoutMs = integer('REQUEST_TIMEOUT_MS', 30_000, 0, 3_600_000)
  const connectionTimeoutMs = integer('CONNECTION_TIMEOUT_MS', 120_000, 0, 3_600_000)
  const limits = {
    publicPerMinute: integer('RATE_LIMIT_PUBLIC_PER_MINUTE', 300, 1, 1_000_000),
    nameChecksPerHour: integer('RATE_LIMIT_NAME_CHECKS_PER_HOUR', 30, 1, 1_000_000),
    nameMismatchesPerAccountPerDay: integer('NAME_CHECK_MISMATCHES_PER_ACCOUNT_PER_DAY', 100, 0, 1_000_000),
    authFailuresPer15Minutes: integer('RATE_LIMIT_AUTH_FAILURES_PER_15_MINUTES', 10, 1, 1_000_000),
    overload: Object.freeze({
      maxEventLoopDelayMs: integer('OVERLOAD_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
      maxEventLoopUtilization: fraction('OVERLOAD_MAX_EVENT_LOOP_UTILIZATION', 0),
      maxHeapUsedMb: integer('OVERLOAD_MAX_HEAP_USED_MB', 0, 0, 1_000_000),
      sampleIntervalMs: integer('OVERLOAD_SAMPLE_INTERVAL_MS', 1000, 10, 60_000),
    }),
  }

  const poolSize = integer('DATABASE_POOL_SIZE', 20, 1, 1000)
  const idempotencyRetentionHours = integer('IDEMPOTENCY_RETENTION_HOURS', 24, 1, 24 * 366)
  const revocationListValidityHours = integer('REVOCATION_LIST_VALIDITY_HOURS', 24, 1, 24 * 31)
  const pdfWorkers = integer('PDF_WORKERS', availableParallelism(), 1, 64)
  const pdfsInFlightPerClient = integer('PDFS_IN_FLIGHT_PER_CLIENT', 2, 1, 1000)
  const dataDir = read('DATA_DIR') ?? './data'
  const archives = Object.freeze({ directory: path.resolve(read('ARCHIVE_DIR') ?? path.join(dataDir, 'archives')), retentionHours: integer('ARCHIVE_RETENTION_HOURS', 24, 1, 24 * 31) })
  const sessions = Object.freeze({
    idleMinutes: integer('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
    lifetimeHours: integer('SESSION_LIFETIME_HOURS', 12, 1, 24 * 31),
    signInFailuresPerUser: integer('SIGN_IN_FAILURES_PER_USER', 5, 1, 1_000_000),
    signInFailuresPerAddress: integer('SIGN_IN_FAILURES_PER_ADDRESS', 20, 1, 1_000_000),
    signInLockMinutes: integer('SIGN_IN_LOCK_MINUTES', 15, 1, 24 * 60),
  })
  if (problems.length > 0) throw new ConfigError(problems)
  return Object.freeze({
    http: Object.freeze({ port, host, publicBaseUrl, formerBaseUrls: Object.freeze(formerBaseUrls), trustProxy, requestTimeoutMs, connectionTimeoutMs }),
    database: Object.freeze({ url: databaseUrl, dataDir, poolSize }),
    signing: Object.freeze({ keysDir: read('KEYS_DIR') ?? './keys', algorithm: algorithm as SigningAlgorithm }),
    adminToken,
    redisUrl,
    logLevel,
    idempotencyRetentionHours,
    revocationListValidityHours,
    pdfWorkers,
    pdfsInFlightPerClient,
    archives,
    sessions,
    limits: Object.freeze(limits),
  })
}
