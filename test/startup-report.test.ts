import { spawn } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { loadConfig } from '../src/config.js'
import { describeStartup, isLoopbackHost, type StartupFacts } from '../src/startup-report.js'
import { temporaryDirectory } from './helper.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const kid = 'Ux5phIfxFORFMC_RfAwCfYlHpZJAe7KqTo37PnPRims'
const facts = (overrides: Partial<StartupFacts> = {}): StartupFacts => ({
  database: { engine: 'pglite', supplied: false },
  signingKeys: { count: 1, currentKid: kid },
  holderIdSecretCreated: false,
  listeningOn: ['127.0.0.1'],
  ...overrides,
})
const linesOf = (env: Record<string, string>, overrides?: Partial<StartupFacts>) => describeStartup(loadConfig(env), facts(overrides))
const about = (lines: ReturnType<typeof describeStartup>, topic: string) => lines.filter(line => line.topic === topic)

t.test('the embedded database is named with its folder, PostgreSQL with host, port, database and user — never a password', async t => {
  const [embedded] = about(linesOf({ DATA_DIR: 'var/ce-data' }), 'database')
  t.match(embedded, { level: 'info', message: /embedded PostgreSQL \(PGlite\) in .*var\/ce-data \(DATA_DIR\)/ })
  t.ok(embedded!.message.includes(path.resolve('var/ce-data')), 'as an absolute path')
  t.match(about(linesOf({ DATA_DIR: ':memory:' }), 'database')[0]!.message, /in memory: nothing is kept/)
  const [server] = about(linesOf({ DATABASE_URL: 'postgres://ce_app:s3cret-P%40ss@db.internal:5433/certificates?sslmode=require&password=also-secret' }), 'database')
  t.equal(server!.message, '数据库 Database: PostgreSQL at db.internal:5433, database certificates as ce_app')
  t.notMatch(server!.message, /s3cret|also-secret|sslmode/)
  t.match(about(linesOf({ DATABASE_URL: 'postgresql://db.internal/ce' }), 'database')[0]!.message, /db\.internal:5432, database ce$/)
  t.match(about(linesOf({}, { database: { engine: 'pglite', supplied: true } }), 'database')[0]!.message, /opened by the caller/)
})

t.test('keys and the ID secret made just now are a warning to back up their folder; found ones are one line of information', async t => {
  const [made] = about(linesOf({ KEYS_DIR: 'var/keys' }, { signingKeys: { count: 1, currentKid: kid, generatedKid: kid }, holderIdSecretCreated: true }), 'keys')
  t.equal(made!.level, 'warn')
  t.match(made!.message, /generated just now in .*var\/keys \(KEYS_DIR\): a signing key \(kid Ux5p.*\) .* and the holder-ID secret \(holder-id\.secret\)\. Back this folder up now/)
  t.match(made!.message, /请立即备份/)
  const [secretOnly] = about(linesOf({}, { holderIdSecretCreated: true }), 'keys')
  t.match(secretOnly, { level: 'warn', message: /generated just now .*: the holder-ID secret/ })
  t.notMatch(secretOnly!.message, /signing key \(kid/)
  const [found] = about(linesOf({}, { signingKeys: { count: 2, currentKid: kid } }), 'keys')
  t.match(found, { level: 'info', message: new RegExp(`2 signing keys in .* current kid ${kid}`) })
  t.notMatch(found!.message, /generated|back/i)
})

t.test('the admin API and Redis are said to be on or off, without the token or the Redis password', async t => {
  const on = linesOf({ ADMIN_TOKEN: 'a-very-secret-admin-token', REDIS_URL: 'redis://:redis-password@cache.internal:6380/2' })
  t.match(about(on, 'admin')[0]!.message, /Admin API: on/)
  t.equal(about(on, 'redis')[0]!.message, 'Redis: on, cache.internal:6380: rate limits are shared by every instance')
  const off = linesOf({})
  t.match(about(off, 'admin')[0]!.message, /Admin API: off \(no ADMIN_TOKEN\)/)
  t.match(about(off, 'redis')[0]!.message, /Redis: off \(no REDIS_URL\)/)
  t.notMatch(JSON.stringify(on), /a-very-secret-admin-token|redis-password/)
})

t.test('PUBLIC_BASE_URL is always said; a loopback one is a warning only when the service listens beyond this machine', async t => {
  const local = linesOf({ PUBLIC_BASE_URL: 'http://localhost:3000' })
  t.same(about(local, 'public-address').map(line => line.level), ['info'], 'listening on loopback: fine for a try on one machine')
  t.match(about(local, 'public-address')[0]!.message, 'PUBLIC_BASE_URL: http://localhost:3000, printed on every certificate and in its QR code')
  for (const [url, listening] of [['http://localhost:3000', '0.0.0.0'], ['http://127.0.0.1:3000', '::'], ['http://[::1]:3000', '192.168.1.20'], ['http://app.localhost', '10.0.0.5']] as const) {
    const warning = about(linesOf({ PUBLIC_BASE_URL: url }, { listeningOn: ['127.0.0.1', listening] }), 'public-address')[1]
    t.match(warning, { level: 'warn', message: new RegExp(`PUBLIC_BASE_URL is ${url.replace(/[[\].]/g, '\\$&')}, this machine only, while the service listens on ${listening}`) }, `${url} on ${listening}`)
    t.match(warning!.message, /设为公众访问本服务的地址/)
  }
  const publicUrl = linesOf({ PUBLIC_BASE_URL: 'https://zs.hrss.gd.gov.cn' }, { listeningOn: ['0.0.0.0'] })
  t.same(about(publicUrl, 'public-address').map(line => line.level), ['info'], 'a real address listening everywhere: no warning')
  t.ok(isLoopbackHost('127.8.9.10') && isLoopbackHost('::ffff:127.0.0.1') && !isLoopbackHost('128.0.0.1') && !isLoopbackHost('localhost.example.cn'))
})

/** Starts src/server.ts as `npm run dev` does; resolves with everything it printed once it has said where PUBLIC_BASE_URL points, then stops it. */
async function startServer (env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { cwd: root, env: { PATH: process.env.PATH ?? '', PORT: '0', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
  try {
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        // Its warning, if any, comes in the same turn: a moment is enough.
        if (output.includes('"startup":"public-address"')) setTimeout(resolve, 300)
      })
      void exited.then(code => reject(new Error(`the server exited with ${code}:\n${output}`)))
    })
  } finally {
    child.kill('SIGTERM')
    await exited
  }
  return output
}

t.test('the real server says what it did at start-up, in log lines, and no secret', async t => {
  const dataDir = await temporaryDirectory(t, 'ce-data-')
  const keysDir = await temporaryDirectory(t, 'ce-keys-')
  const adminToken = 'start-up-admin-token-0123456789'
  const env = { DATA_DIR: dataDir, KEYS_DIR: keysDir, ARCHIVE_DIR: path.join(dataDir, 'archives'), ADMIN_TOKEN: adminToken, PUBLIC_BASE_URL: 'http://localhost:3000' }

  const first = await startServer({ ...env, HOST: '0.0.0.0' })
  const messages = (output: string) => output.split('\n').filter(line => line.includes('"startup"')).map(line => JSON.parse(line) as { level: number, startup: string, msg: string })
  const started = messages(first)
  t.same(started.map(line => line.startup), ['database', 'keys', 'admin', 'redis', 'public-address', 'public-address'])
  t.match(started, [
    { level: 30, msg: new RegExp(`embedded PostgreSQL \\(PGlite\\) in ${dataDir}`) },
    { level: 40, msg: new RegExp(`generated just now in ${keysDir} .*signing key .*holder-ID secret.*Back this folder up`) },
    { level: 30, msg: /Admin API: on/ },
    { level: 30, msg: /Redis: off/ },
    { level: 30, msg: /PUBLIC_BASE_URL: http:\/\/localhost:3000/ },
    { level: 40, msg: /listens on 0\.0\.0\.0 \(every interface\)/ },
  ])
  const secrets = [adminToken, (await readFile(path.join(keysDir, 'holder-id.secret'), 'utf8')).trim()]
  for (const file of (await readdir(keysDir)).filter(name => /^signing-.*\.json$/.test(name))) secrets.push((JSON.parse(await readFile(path.join(keysDir, file), 'utf8')) as { privateJwk: { d: string } }).privateJwk.d)
  for (const secret of secrets) t.notOk(first.includes(secret), 'no secret in the output')

  const again = messages(await startServer({ ...env, HOST: '127.0.0.1' }))
  t.same(again.map(line => line.startup), ['database', 'keys', 'admin', 'redis', 'public-address'], 'on loopback: no warning about the address')
  t.match(again[1], { level: 30, msg: /1 signing key in .* current kid/ })
  t.notMatch(again[1]!.msg, /generated/, 'a restart generates nothing')
})
