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
  const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://u@db/ce', PUBLIC_BASE_URL: 'https://cert.hrss.gd.gov.cn/', SIGNING_ALG: 'EdDSA', TRUST_PROXY: '10.0.0.0/8' })
  t.equal(config.http.port, 8080)
  t.equal(config.http.publicBaseUrl, 'https://cert.hrss.gd.gov.cn', 'no trailing slash')
  t.equal(config.database.url, 'postgres://u@db/ce')
  t.equal(config.signing.algorithm, 'EdDSA')
  t.equal(config.http.trustProxy, '10.0.0.0/8')
})

t.test('every bad value is named at once', async t => {
  const error = t.throws(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', SIGNING_ALG: 'RS256', ADMIN_TOKEN: 'short', LOG_LEVEL: 'loud', PUBLIC_BASE_URL: 'ftp://x' })) as ConfigError
  t.ok(error instanceof ConfigError)
  for (const name of ['PORT', 'DATABASE_URL', 'SIGNING_ALG', 'ADMIN_TOKEN', 'LOG_LEVEL', 'PUBLIC_BASE_URL']) {
    t.ok(error.problems.some(p => p.startsWith(name)), `names ${name}`)
  }
})
