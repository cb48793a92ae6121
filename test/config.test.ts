import t from 'tap'
import { ConfigError, loadConfig } from '../src/config.js'

t.test('defaults make a service that runs on the embedded database', async t => {
  const config = loadConfig({})
  t.match(config, {
    http: { port: 3000, host: '127.0.0.1', publicBaseUrl: 'http://localhost:3000', trustProxy: false },
    database: { url: undefined, dataDir: './data', poolSize: 20 },
    signing: { keysDir: './keys', algorithm: 'ES256' },
    adminToken: undefined,
    logLevel: 'info',
  })
  t.ok(Object.isFrozen(config) && Object.isFrozen(config.http), 'frozen')
})

t.test('values are read and normalised', async t => {
  const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@db/ce', PUBLIC_BASE_URL: 'https://cert.hrss.gd.gov.cn/', SIGNING_ALG: 'ES256', TRUST_PROXY: '10.0.0.0/8', FORMER_PUBLIC_BASE_URLS: 'https://old.example.gov.cn/, http://localhost:3000' })
  t.equal(config.http.port, 8080)
  t.equal(config.http.publicBaseUrl, 'https://cert.hrss.gd.gov.cn', 'no trailing slash')
  t.equal(config.database.url, 'postgres://u@db/ce')
  t.equal(config.signing.algorithm, 'ES256')
  t.same(config.http.formerBaseUrls, ['https://old.example.gov.cn', 'http://localhost:3000'])
  const eddsa = t.throws(() => loadConfig({ SIGNING_ALG: 'EdDSA' })) as ConfigError
  t.match(eddsa.problems[0], /PDF readers cannot check Ed25519/, 'EdDSA keys could not sign the PDFs')
  t.equal(config.http.trustProxy, '10.0.0.0/8')
})

t.test('every bad value is named at once', async t => {
  const error = t.throws(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SIGNING_ALG: 'RS256', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud', PUBLIC_BASE_URL: 'ftp://x', DATABASE_POOL_SIZE: '0' })) as ConfigError
  t.ok(error instanceof ConfigError)
  for (const name of ['PORT', 'DATABASE_POOL_SIZE', 'DATABASE_URL', 'SIGNING_ALG', 'ADMIN_TOKEN', 'LOG_LEVEL', 'PUBLIC_BASE_URL']) {
    t.ok(error.problems.some(p => p.startsWith(name)), `names ${name}`)
  }
})

t.test('limits and timeouts: defaults, values, and bad values named', async t => {
  t.match(loadConfig({}), {
    http: { requestTimeoutMs: 30_000, connectionTimeoutMs: 120_000 },
    limits: { publicPerMinute: 300, overload: { maxEventLoopDelayMs: 1000, maxEventLoopUtilization: 0, maxHeapUsedMb: 0, sampleIntervalMs: 1000 } },
  })
  const config = loadConfig({ RATE_LIMIT_PUBLIC_PER_MINUTE: '60', REQUEST_TIMEOUT_MS: '5000', CONNECTION_TIMEOUT_MS: '0', OVERLOAD_MAX_EVENT_LOOP_UTILIZATION: '0.9', OVERLOAD_MAX_HEAP_USED_MB: '1024' })
  t.match(config, { http: { requestTimeoutMs: 5000, connectionTimeoutMs: 0 }, limits: { publicPerMinute: 60, overload: { maxEventLoopUtilization: 0.9, maxHeapUsedMb: 1024 } } })
  t.ok(Object.isFrozen(config.limits) && Object.isFrozen(config.limits.overload))
  const error = t.throws(() => loadConfig({ RATE_LIMIT_PUBLIC_PER_MINUTE: '0', REQUEST_TIMEOUT_MS: '-1', OVERLOAD_MAX_EVENT_LOOP_UTILIZATION: '1.5', OVERLOAD_SAMPLE_INTERVAL_MS: '1' })) as ConfigError
  for (const name of ['RATE_LIMIT_PUBLIC_PER_MINUTE', 'REQUEST_TIMEOUT_MS', 'OVERLOAD_MAX_EVENT_LOOP_UTILIZATION', 'OVERLOAD_SAMPLE_INTERVAL_MS']) {
    t.ok(error.problems.some(p => p.startsWith(name)), `names ${name}`)
  }
})
