// Abuse and access: rate limits per client address (memory and Redis), trusted proxies, security headers, CORS, body limits, timeouts, load shedding.
import { connect } from 'node:net'
import { randomBytes } from 'node:crypto'
import t from 'tap'
import type { InjectOptions } from 'fastify'
import { Redis } from 'ioredis'
import { adminToken, build, issueBody, makeIdNumber, type TestContext } from '../helper.js'
import { findPublicRoute, loggedRequest, publicRoutes, redactedUrl } from '../../src/http/request-guards.js'

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

/** A documentation-range address not used before in this file, so no two cases share a bucket. */
let addresses = 0
const someAddress = () => `198.51.${100 + Math.floor(++addresses / 250)}.${1 + addresses % 250}`
const someIpv6 = () => `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::1`

async function withCertificate (t: TestContext, env: Record<string, string> = {}) {
  const built = await build(t, { env })
  const authority = await built.createIssuer('authority', '440106')
  const issued = await built.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${authority.apiKey}` }, payload: issueBody() })
  if (issued.statusCode !== 201) throw new Error(issued.body)
  return { ...built, authority, number: issued.json().number as string, jws: issued.json().jws as string }
}

t.test('every public route allows RATE_LIMIT_PUBLIC_PER_MINUTE requests per address, then 429 RATE_LIMITED with Retry-After', async t => {
  const { app, number, jws, authority, signInNewUser } = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '3' })
  const kid = (await app.inject({ url: '/.well-known/jwks.json', remoteAddress: someAddress() })).json().keys[0].kid as string
  const person = await signInNewUser(authority.id, 'clerk')
  const report = (await app.inject({ method: 'POST', url: '/v1/verification-reports', headers: { authorization: `Bearer ${authority.apiKey}` }, payload: { rows: [{ number }] } })).json() as { number: string, code: string }
  const calls: Record<string, InjectOptions> = {
    'GET /v1/certificates/:number': { method: 'GET', url: `/v1/certificates/${number}` },
    'POST /v1/verify': { method: 'POST', url: '/v1/verify', payload: { jws } },
    'GET /.well-known/jwks.json': { method: 'GET', url: '/.well-known/jwks.json' },
    'GET /.well-known/crl/:kid.json': { method: 'GET', url: `/.well-known/crl/${kid}.json` },
    'GET /.well-known/crl/:kid.jws': { method: 'GET', url: `/.well-known/crl/${kid}.jws` },
    'GET /v': { method: 'GET', url: '/v' },
    'GET /v/:number': { method: 'GET', url: `/v/${number}` },
    'POST /v1/session': { method: 'POST', url: '/v1/session', payload: { username: person.username, password: person.password } },
    'GET /v1/verification-reports/:number': { method: 'GET', url: `/v1/verification-reports/${report.number}?code=${report.code}` },
    'POST /v1/certificates/:number/holder-pdf': { method: 'POST', url: `/v1/certificates/${number}/holder-pdf`, payload: { name: '张三', idNumber: makeIdNumber('440106', '19850312', 1) } },
  }
  t.same(Object.keys(calls).sort(), publicRoutes.map(r => `${r.method} ${r.url}`).sort(), 'every public route is exercised')
  for (const [name, call] of Object.entries(calls)) {
    const remoteAddress = someAddress()
    for (let i = 1; i <= 3; i++) {
      const ok = await app.inject({ ...call, remoteAddress })
      t.equal(ok.statusCode, 200, `${name}: request ${i} of 3 is served`)
      t.equal(ok.headers['x-ratelimit-limit'], '3')
    }
    const refused = await app.inject({ ...call, remoteAddress })
    t.equal(refused.statusCode, 429, `${name}: the 4th is refused`)
    t.ok(Number(refused.headers['retry-after']) > 0, `${name}: Retry-After says when to come back`)
    if (/^GET \/v(\/:number)?$/.test(name)) t.match(refused.headers['content-type'], /text\/html/, 'the page refuses as a page')
    else t.match(refused.json(), { statusCode: 429, code: 'RATE_LIMITED', requestId: String })
    const other = await app.inject({ ...call, remoteAddress: someAddress() })
    t.equal(other.statusCode, 200, `${name}: another address is not affected`)
  }
  const head = await app.inject({ method: 'HEAD', url: `/v1/certificates/${number}`, remoteAddress: someAddress() })
  t.equal(head.headers['x-ratelimit-limit'], '3', 'HEAD counts like GET')
})

t.test('IPv6 clients are limited per /64, so rotating addresses inside one network does not help', async t => {
  const { app, number } = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '2' })
  const network = someIpv6().replace(/::1$/, '')
  for (const host of ['1', '2']) t.equal((await app.inject({ url: `/v1/certificates/${number}`, remoteAddress: `${network}::${host}` })).statusCode, 200)
  t.equal((await app.inject({ url: `/v1/certificates/${number}`, remoteAddress: `${network}::3` })).statusCode, 429)
})

t.test('issuing, admin and health routes are not public and carry no public rate limit', async t => {
  const { app, authority } = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '1' })
  const remoteAddress = someAddress()
  for (let i = 0; i < 3; i++) {
    t.equal((await app.inject({ url: '/healthz', remoteAddress })).statusCode, 200)
    t.equal((await app.inject({ url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, remoteAddress })).statusCode, 200)
    const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${authority.apiKey}` }, payload: issueBody({}, 10 + i), remoteAddress })
    t.equal(issued.statusCode, 201)
    t.equal(issued.headers['x-ratelimit-limit'], undefined)
  }
  t.equal(findPublicRoute('POST', '/v1/certificates'), undefined)
  t.equal(findPublicRoute('GET', '/v1/certificates/44010625000001/pdf'), undefined)
  t.equal(findPublicRoute('HEAD', '/v1/certificates/44010625000001')?.url, '/v1/certificates/:number')
})

t.test('with REDIS_URL, two instances share one limit per address; without it each counts alone', async t => {
  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
  await probe.connect()
  t.equal(await probe.ping(), 'PONG', `Redis answers at ${redisUrl}`)
  const first = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '3', REDIS_URL: redisUrl })
  const second = await build(t, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '3', REDIS_URL: redisUrl } })
  const url = '/.well-known/jwks.json'
  const modes = async () => Promise.all([first, second].map(async ({ app }) => (await app.inject({ url: '/readyz' })).json().rateLimits as string))
  // A Redis command slower than 25 ms (a loaded machine) is counted in the process for 2 s, by design, and /readyz
  // says so: such an attempt proves nothing either way and is made again; a miss while both stayed shared fails.
  let statuses: number[] = []
  let refused
  for (let attempt = 1; attempt <= 5; attempt++) {
    while ((await modes()).some(mode => mode !== 'shared')) await new Promise(resolve => setTimeout(resolve, 100))
    // Random within 2^32 networks: counters of earlier runs (kept for a minute in Redis) cannot collide.
    const remoteAddress = someIpv6()
    statuses = []
    for (const { app } of [first, second, first]) statuses.push((await app.inject({ url, remoteAddress })).statusCode)
    refused = await second.app.inject({ url, remoteAddress })
    statuses.push(refused.statusCode)
    if (refused.statusCode === 429 || (await modes()).every(mode => mode === 'shared')) break
  }
  t.same(statuses, [200, 200, 200, 429], 'the 4th request, on the other instance, is over the shared limit')
  t.equal(refused!.json().code, 'RATE_LIMITED')
  const keys = await probe.keys('ce-limit:*')
  t.ok(keys.length > 0, 'the counters live in Redis')
  await probe.quit()

  const alone = [await build(t, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '3' } }), await build(t, { env: { RATE_LIMIT_PUBLIC_PER_MINUTE: '3' } })]
  const address = someAddress()
  for (let i = 0; i < 3; i++) {
    for (const { app } of alone) t.equal((await app.inject({ url, remoteAddress: address })).statusCode, 200)
  }
})

t.test('a Redis that cannot be reached does not take the public routes down', async t => {
  const { app, number } = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '3', REDIS_URL: 'redis://127.0.0.1:1' })
  const response = await app.inject({ url: `/v1/certificates/${number}`, remoteAddress: someAddress() })
  t.equal(response.statusCode, 200)
})

t.test('X-Forwarded-For is ignored unless TRUST_PROXY names the proxy', async t => {
  const untrusting = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '2' })
  const url = `/v1/certificates/${untrusting.number}`
  const proxy = someAddress()
  const statuses = []
  for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
    statuses.push((await untrusting.app.inject({ url, remoteAddress: proxy, headers: { 'x-forwarded-for': client } })).statusCode)
  }
  t.same(statuses, [200, 200, 429], 'a client cannot buy a fresh limit by inventing X-Forwarded-For')

  const trusting = await withCertificate(t, { RATE_LIMIT_PUBLIC_PER_MINUTE: '2', TRUST_PROXY: proxy })
  const url2 = `/v1/certificates/${trusting.number}`
  const behindProxy = []
  for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
    behindProxy.push((await trusting.app.inject({ url: url2, remoteAddress: proxy, headers: { 'x-forwarded-for': client } })).statusCode)
  }
  t.same(behindProxy, [200, 200, 200], 'behind the trusted proxy each client has its own limit')
  const same = []
  for (let i = 0; i < 3; i++) same.push((await trusting.app.inject({ url: url2, remoteAddress: proxy, headers: { 'x-forwarded-for': '203.0.113.9' } })).statusCode)
  t.same(same, [200, 200, 429], 'and one client behind it is still limited')
  const spoofed = []
  const stranger = someAddress()
  for (let i = 0; i < 3; i++) spoofed.push((await trusting.app.inject({ url: url2, remoteAddress: stranger, headers: { 'x-forwarded-for': `203.0.113.${20 + i}` } })).statusCode)
  t.same(spoofed, [200, 200, 429], 'an address that is not the trusted proxy cannot forward for others')
})

t.test('security headers on API answers; the verification page and Swagger UI keep their own policies', async t => {
  const { app, number } = await withCertificate(t)
  const api = await app.inject({ url: `/v1/certificates/${number}` })
  t.match(api.headers['content-security-policy'], /default-src 'none'/)
  t.match(api.headers['content-security-policy'], /frame-ancestors 'none'/)
  t.equal(api.headers['x-content-type-options'], 'nosniff')
  t.equal(api.headers['x-frame-options'], 'SAMEORIGIN')
  t.match(api.headers['strict-transport-security'], /max-age=\d+/)
  t.equal(api.headers['referrer-policy'], 'no-referrer')
  t.equal(api.headers['x-powered-by'], undefined)
  const missing = await app.inject({ url: '/nothing-here' })
  t.match(missing.headers['content-security-policy'], /default-src 'none'/, 'error answers too')

  const page = await app.inject({ url: `/v/${number}` })
  t.match(page.headers['content-security-policy'], /script-src 'self'/, "the page's own strict policy")
  t.notMatch(page.headers['content-security-policy'], /unsafe-inline/)
  t.equal(page.headers['x-content-type-options'], 'nosniff')

  const docs = await app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-security-policy'], /script-src 'self'/, 'Swagger UI may run its own script')
  t.notMatch(docs.headers['content-security-policy'], /script-src[^;]*unsafe|unsafe-eval/, 'but no inline or evaluated script')
})

t.test('CORS: public reads answer any origin, issuing and admin routes none', async t => {
  const { app, number } = await withCertificate(t)
  const origin = 'https://hr.example.com'
  const preflight = (url: string, method: string) => app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' } })

  const verify = await preflight('/v1/verify', 'POST')
  t.equal(verify.statusCode, 204)
  t.equal(verify.headers['access-control-allow-origin'], '*')
  t.match(verify.headers['access-control-allow-headers'], /Content-Type/i)
  t.equal(verify.headers['access-control-allow-credentials'], undefined, 'never with credentials')
  for (const url of [`/v1/certificates/${number}`, '/.well-known/jwks.json', '/.well-known/crl/some-kid.json']) {
    const read = await app.inject({ url, headers: { origin } })
    t.equal(read.headers['access-control-allow-origin'], '*', `${url} may be read cross-origin`)
  }

  const issuing = await preflight('/v1/certificates', 'POST')
  t.equal(issuing.headers['access-control-allow-origin'], undefined, 'no preflight for issuing')
  t.equal(issuing.statusCode, 404)
  for (const [method, url] of [['POST', `/v1/certificates/${number}/revoke`], ['POST', '/v1/admin/issuers'], ['POST', '/v1/certificates/batch'], ['GET', `/v1/certificates/${number}/pdf`], ['GET', '/v1/audit']]) {
    t.equal((await preflight(url!, method!)).headers['access-control-allow-origin'], undefined, `no CORS for ${method} ${url}`)
  }
  const admin = await app.inject({ url: '/v1/admin/issuers', headers: { origin, authorization: `Bearer ${adminToken}` } })
  t.equal(admin.statusCode, 200)
  t.equal(admin.headers['access-control-allow-origin'], undefined)
  const page = await app.inject({ url: `/v/${number}`, headers: { origin } })
  t.equal(page.headers['access-control-allow-origin'], undefined, 'the HTML page is for people, not scripts')
})

t.test('body limits per route: small JSON by default, more where files are sent', async t => {
  const { app, authority } = await withCertificate(t)
  const auth = { authorization: `Bearer ${authority.apiKey}` }
  const padded = JSON.stringify({ ...issueBody(), padding: 'x'.repeat(80 * 1024) })
  const single = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { ...auth, 'content-type': 'application/json' }, payload: padded })
  t.equal(single.statusCode, 413)
  t.equal(single.json().code, 'PAYLOAD_TOO_LARGE')
  const anonymous = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { 'content-type': 'application/json' }, payload: padded })
  t.ok([401, 413].includes(anonymous.statusCode), 'a large anonymous body is refused')
  const rows = Array.from({ length: 400 }, (_, i) => issueBody({}, 100 + i))
  const batch = await app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: auth, payload: { certificates: rows } })
  t.ok(Buffer.byteLength(JSON.stringify({ certificates: rows })) > 64 * 1024, 'the batch body is over the default limit')
  t.equal(batch.statusCode, 201, 'the batch route takes it')
  const pdf = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024)]) })
  t.not(pdf.statusCode, 413, 'a 2 MB PDF may be sent for verification')
  const tenMegabytes = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(10 * 1024 * 1024) })
  t.equal(tenMegabytes.statusCode, 413)
})

t.test('a connection that sends nothing is closed; a request that trickles in is cut off with 408', async t => {
  const idle = await build(t, { env: { CONNECTION_TIMEOUT_MS: '300', REQUEST_TIMEOUT_MS: '0' } })
  await idle.app.listen({ port: 0, host: '127.0.0.1' })
  const idlePort = (idle.app.server.address() as { port: number }).port
  const closed = await new Promise<boolean>(resolve => {
    const socket = connect(idlePort, '127.0.0.1')
    socket.on('close', () => resolve(true))
    socket.on('error', () => {})
  })
  t.ok(closed, 'the idle connection was closed by the server')

  const slow = await build(t, { env: { CONNECTION_TIMEOUT_MS: '0', REQUEST_TIMEOUT_MS: '400' } })
  await slow.app.listen({ port: 0, host: '127.0.0.1' })
  const slowPort = (slow.app.server.address() as { port: number }).port
  const answer = await new Promise<string>(resolve => {
    const socket = connect(slowPort, '127.0.0.1')
    let received = ''
    const request = 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ' + 'a'.repeat(10_000)
    let sent = 0
    const trickle = setInterval(() => { if (sent < request.length) socket.write(request[sent++]!) }, 50)
    socket.on('data', chunk => { received += chunk.toString() })
    socket.on('close', () => { clearInterval(trickle); resolve(received) })
    socket.on('error', () => {})
  })
  t.match(answer, /^HTTP\/1\.1 408/, 'the slow client got 408 Request Timeout')
})

t.test('requests Node refuses before Fastify sees them get the one error shape too: 431, 400, 408', async t => {
  const { app } = await build(t, { env: { REQUEST_TIMEOUT_MS: '400', CONNECTION_TIMEOUT_MS: '0' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as { port: number }).port
  const exchange = (request: string, trickle = false) => new Promise<string>(resolve => {
    const socket = connect(port, '127.0.0.1')
    let received = ''
    socket.on('data', chunk => { received += chunk.toString() })
    socket.on('close', () => resolve(received))
    socket.on('error', () => {})
    if (trickle) socket.write(request.slice(0, 20))
    else socket.write(request)
  })
  const bodyOf = (answer: string) => JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { statusCode: number, code: string, messageZh: string, requestId: string }
  const huge = await exchange(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`)
  t.match(huge, /^HTTP\/1\.1 431 /)
  t.match(bodyOf(huge), { statusCode: 431, code: 'HEADERS_TOO_LARGE', messageZh: '请求头过大。', requestId: /^[0-9a-f-]{36}$/ })
  const junk = await exchange('NOT HTTP AT ALL\r\n\r\n')
  t.match(junk, /^HTTP\/1\.1 400 /)
  t.equal(bodyOf(junk).code, 'MALFORMED_REQUEST')
  const slow = await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\n', true)
  t.match(slow, /^HTTP\/1\.1 408 /)
  t.equal(bodyOf(slow).code, 'REQUEST_TIMEOUT')
})

t.test('under pressure the service sheds load with 503 OVERLOADED; liveness still answers', async t => {
  const { app } = await build(t, { env: { OVERLOAD_MAX_HEAP_USED_MB: '1', OVERLOAD_SAMPLE_INTERVAL_MS: '10' } })
  let shed
  for (let attempt = 0; attempt < 200; attempt++) {
    shed = await app.inject({ url: '/v1/certificates/44010625000001' })
    if (shed.statusCode === 503) break
    await new Promise(resolve => setTimeout(resolve, 20))
  }
  t.equal(shed?.statusCode, 503, 'a heap over 1 MB is pressure')
  t.match(shed?.json(), { code: 'OVERLOADED', statusCode: 503 })
  t.ok(Number(shed?.headers['retry-after']) > 0)
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 503, 'not ready: take it out of the load balancer')
  t.equal((await app.inject({ url: '/healthz' })).statusCode, 200, 'but alive: do not restart it')
})

t.test('a fresh instance does not shed for its own start-up; a loop stalled afterwards does shed', async t => {
  const sampleIntervalMs = 500
  const { app } = await build(t, { env: { OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '5', OVERLOAD_SAMPLE_INTERVAL_MS: String(sampleIntervalMs) } })
  const stall = (ms: number) => { const until = performance.now() + ms; while (performance.now() < until); }
  // A start-up step longer than a sample interval: the first readings after it measure start-up.
  await app.register(async () => { stall(sampleIntervalMs * 1.5) })
  await app.ready()
  await new Promise(resolve => setTimeout(resolve, 50))
  t.ok(app.memoryUsage().eventLoopDelay > 5, 'the reading does include the start-up stall')
  t.equal((await app.inject({ url: '/v1/certificates/44010625000001' })).statusCode, 404, 'served, not shed')

  // Once the start-up readings are behind it, a stalled loop is load.
  await new Promise(resolve => setTimeout(resolve, 2 * sampleIntervalMs))
  let answer
  for (let attempt = 0; attempt < 10 && answer?.statusCode !== 503; attempt++) {
    stall(sampleIntervalMs * 1.5)
    await new Promise(resolve => setTimeout(resolve, 20))
    answer = await app.inject({ url: '/v1/certificates/44010625000001' })
  }
  t.equal(answer?.statusCode, 503, 'a loop stalled under load sheds')
  t.match(answer?.json(), { code: 'OVERLOADED' })
})

t.test('the service\'s own log keeps no name typed to check a certificate, however "name" is spelt', async t => {
  const lines: string[] = []
  const logging = await build(t, { env: { LOG_LEVEL: 'info' }, logStream: { write: line => { lines.push(line) } } })
  const county = await logging.createIssuer('authority', '440106')
  const issued = await logging.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${county.apiKey}` }, payload: issueBody({ holder: { name: '欧阳娜娜', idNumber: '11010519491231002X' } }) })
  const own = issued.json().number as string
  lines.length = 0
  for (const query of [`?name=${encodeURIComponent('欧阳娜娜')}`, `?%6Eame=${encodeURIComponent('欧阳娜娜')}`, `?%6E%61%6D%65=${encodeURIComponent('欧阳')}`]) {
    t.equal((await logging.app.inject({ url: `/v1/certificates/${own}${query}` })).statusCode, 200)
    t.equal((await logging.app.inject({ url: `/v/${own}${query}` })).statusCode, 200)
  }
  t.ok(lines.length >= 6, `the requests were logged (${lines.length} lines)`)
  for (const secret of ['欧阳', encodeURIComponent('欧阳'), '%E6%AC%A7']) t.notOk(lines.some(line => line.includes(secret)), `no log line holds ${secret}`)
})

t.test('the request log keeps no name typed to check a certificate', async t => {
  const request = (url: string) => ({ method: 'GET', url, host: 'cert.example.gov.cn', ip: '203.0.113.5', socket: { remotePort: 4321 } }) as unknown as Parameters<typeof loggedRequest>[0]
  t.same(loggedRequest(request(`/v1/certificates/44010625000001?name=${encodeURIComponent('欧阳娜娜')}`)), {
    method: 'GET', url: '/v1/certificates/44010625000001?name=[redacted]', host: 'cert.example.gov.cn', remoteAddress: '203.0.113.5', remotePort: 4321,
  })
  t.equal(loggedRequest(request('/v?lang=en&name=Anne&number=44010625000001')).url, '/v?lang=en&name=[redacted]&number=44010625000001')
  t.equal(loggedRequest(request('/v/44010625000001?NAME=x')).url, '/v/44010625000001?NAME=[redacted]')
  t.equal(loggedRequest(request('/v1/registers/440106/2025?limit=10')).url, '/v1/registers/440106/2025?limit=10', 'other queries stay')
  for (const spelling of ['%6Eame', '%6E%61%6D%65', 'Name', '%4E%41%4D%45', '%EF%BD%8E%EF%BD%81%EF%BD%8D%EF%BD%85', 'name%20', '+name']) {
    const url = loggedRequest(request(`/v1/certificates/44010625000001?${spelling}=${encodeURIComponent('张小三')}&lang=en`)).url as string
    t.notOk(url.includes(encodeURIComponent('张小三')) || url.includes('张小三'), `?${spelling}= is redacted too: ${url}`)
  }
  t.equal(loggedRequest(request(`/v?name=${encodeURIComponent('张小三')}&name=${encodeURIComponent('张大三')}`)).url, '/v?name=[redacted]&name=[redacted]', 'every value of a repeated key')
  t.match(redactedUrl(`/v?na%ZZme=${encodeURIComponent('张小三')}`), /%E5%BC%A0/, 'a key that does not decode to name is kept as it decodes')
})
