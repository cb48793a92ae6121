// What start-up tells an operator, in a few lines: the database, keys made just now (to back up), the admin API, Redis, the public address.
import path from 'node:path'
import type { Config } from './config.js'
import { holderIdSecretFile } from './signing/signing-keys.js'

/** What only the running start knows, beside the configuration. */
export interface StartupFacts {
  /** The database opened: from the configuration, or one the caller handed over (tests). */
  database: { engine: 'postgresql' | 'pglite', supplied: boolean }
  signingKeys: { count: number, currentKid: string, generatedKid?: string }
  holderIdSecretCreated: boolean
  /** The addresses the server listens on. */
  listeningOn: readonly string[]
}

export interface StartupLine {
  level: 'info' | 'warn'
  /** What the line is about, for log queries. */
  topic: 'database' | 'keys' | 'admin' | 'redis' | 'public-address'
  message: string
}

/** localhost, *.localhost, 127.0.0.0/8 and ::1 (also IPv4-mapped): only this machine reaches them. */
export function isLoopbackHost (host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h)
}

/** Host, port, database and user of a postgres:// URL: never its password, nor its query (which may hold one). */
function describePostgres (url: string): string {
  const parsed = new URL(url)
  const host = parsed.hostname === '' ? (parsed.searchParams.get('host') ?? 'localhost') : parsed.hostname
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(the user\'s default)'
  const user = parsed.username === '' ? '' : ` as ${decodeURIComponent(parsed.username)}`
  return `PostgreSQL at ${host}:${parsed.port === '' ? '5432' : parsed.port}, database ${database}${user}`
}

function describeDatabase (config: Config, database: StartupFacts['database']): string {
  if (database.supplied) return `数据库 Database: ${database.engine === 'pglite' ? 'embedded PostgreSQL (PGlite)' : 'PostgreSQL'}, opened by the caller`
  if (config.database.url !== undefined) return `数据库 Database: ${describePostgres(config.database.url)}`
  if (config.database.dataDir === ':memory:') return '数据库 Database: embedded PostgreSQL (PGlite) in memory: nothing is kept when the process ends'
  return `数据库 Database: embedded PostgreSQL (PGlite) in ${path.resolve(config.database.dataDir)} (DATA_DIR), one process at a time; set DATABASE_URL for a PostgreSQL server`
}

function describeKeys (config: Config, facts: StartupFacts): StartupLine {
  const folder = path.resolve(config.signing.keysDir)
  const { generatedKid, count, currentKid } = facts.signingKeys
  const made = [
    ...(generatedKid === undefined ? [] : [`a signing key (kid ${generatedKid}) certified by the service's root CA`]),
    ...(facts.holderIdSecretCreated ? [`the holder-ID secret (${holderIdSecretFile})`] : []),
  ]
  if (made.length === 0) {
    return { level: 'info', topic: 'keys', message: `密钥 Keys: ${count} signing key${count === 1 ? '' : 's'} in ${folder} (KEYS_DIR), current kid ${currentKid}; the holder-ID secret is there too` }
  }
  return {
    level: 'warn',
    topic: 'keys',
    message: `密钥 Keys: generated just now in ${folder} (KEYS_DIR): ${made.join(' and ')}. ` +
      'Back this folder up now and keep it private (请立即备份并妥善保管): if it is lost, the certificates these keys sign no longer verify here and the one-certificate-per-holder-per-year check cannot match earlier records; whoever reads it can sign certificates.',
  }
}

function describePublicAddress (config: Config, listeningOn: readonly string[]): StartupLine[] {
  const url = config.http.publicBaseUrl
  const lines: StartupLine[] = [{ level: 'info', topic: 'public-address', message: `公开地址 PUBLIC_BASE_URL: ${url}, printed on every certificate and in its QR code` }]
  const reachable = listeningOn.filter(address => !isLoopbackHost(address)).map(address => (address === '0.0.0.0' || address === '::' ? `${address} (every interface)` : address))
  if (isLoopbackHost(new URL(url).hostname) && reachable.length > 0) {
    lines.push({
      level: 'warn',
      topic: 'public-address',
      message: `公开地址 PUBLIC_BASE_URL is ${url}, this machine only, while the service listens on ${reachable.join(', ')}: every certificate and QR code issued now points there and cannot be verified from anywhere else. ` +
        '请将 PUBLIC_BASE_URL 设为公众访问本服务的地址（如 https://zs.example.gov.cn）。',
    })
  }
  return lines
}

/** The lines start-up logs, in order: database, keys, admin API, Redis, public address (with its warning). No secret is in any. */
export function describeStartup (config: Config, facts: StartupFacts): StartupLine[] {
  const redis = config.redisUrl === undefined ? undefined : new URL(config.redisUrl)
  return [
    { level: 'info', topic: 'database', message: describeDatabase(config, facts.database) },
    describeKeys(config, facts),
    {
      level: 'info',
      topic: 'admin',
      message: config.adminToken === undefined
        ? '管理接口 Admin API: off (no ADMIN_TOKEN); the admin command line works on the server (npm run admin)'
        : '管理接口 Admin API: on, /v1/admin with Authorization: Bearer <ADMIN_TOKEN>',
    },
    {
      level: 'info',
      topic: 'redis',
      message: redis === undefined
        ? 'Redis: off (no REDIS_URL): rate limits are counted in this process, so each instance counts its own'
        : `Redis: on, ${redis.hostname}:${redis.port === '' ? '6379' : redis.port}: rate limits are shared by every instance`,
    },
    ...describePublicAddress(config, facts.listeningOn),
  ]
}
