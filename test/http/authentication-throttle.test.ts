// Guessing credentials costs time: after a handful of failures an address is refused, whichever route, method or instance it asks.
import { randomBytes } from 'node:crypto'
import t from 'tap'
import { adminToken, build, issueBody } from '../helper.js'

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const throttle = { RATE_LIMIT_AUTH_FAILURES_PER_15_MINUTES: '5' }
let next = 0
/** A documentation-range address of its own for each case. */
const someAddress = () => `203.0.113.${++next}`

t.test('after 5 wrong admin tokens an address gets 429 AUTHENTICATION_THROTTLED, even with the right one', async t => {
  const { app } = await build(t, { env: throttle })
  const remoteAddress = someAddress()
  const admin = (token: string, method: 'GET' | 'DELETE' = 'GET', url = '/v1/admin/issuers') => app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, remoteAddress })
  for (let i = 0; i < 5; i++) t.equal((await admin(`guess-${i}-0123456789abcdef`)).json().code, 'INVALID_ADMIN_TOKEN')
  const refused = await admin('guess-5-0123456789abcdef')
  t.equal(refused.statusCode, 429)
  t.equal(refused.json().code, 'AUTHENTICATION_THROTTLED')
  t.ok(Number(refused.headers['retry-after']) > 800, 'Retry-After says to wait out the 15 minutes')
  t.match(refused.json().messageZh, /认证失败次数过多/)
  t.equal((await admin(adminToken)).statusCode, 429, 'a right token from the throttled address confirms nothing')
  t.equal((await admin(adminToken, 'DELETE', '/v1/admin/issuers/1/keys/1')).statusCode, 429, 'nor on another route or method')
  t.equal((await app.inject({ url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, remoteAddress: someAddress() })).statusCode, 200, 'another address is not affected')
})

t.test('right tokens do not count, and guesses sent all at once are counted exactly', async t => {
  const { app } = await build(t, { env: throttle })
  const remoteAddress = someAddress()
  for (let i = 0; i < 20; i++) t.equal((await app.inject({ url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, remoteAddress })).statusCode, 200)
  const burst = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    app.inject({ url: '/v1/admin/issuers', headers: { authorization: `Bearer burst-${i}-0123456789abcdef` }, remoteAddress })))
  t.equal(burst.filter(r => r.statusCode === 401).length, 5, 'only 5 of 60 simultaneous guesses were judged')
  t.equal(burst.filter(r => r.statusCode === 429).length, 55)
})

t.test('wrong API keys on any route count together; a valid key from that address is then refused too', async t => {
  const { app, createIssuer } = await build(t, { env: throttle })
  const county = await createIssuer('authority', '440106')
  const remoteAddress = someAddress()
  const wrong = `cek_${randomBytes(32).toString('base64url')}`
  const tries = [
    () => app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${wrong}` }, payload: issueBody(), remoteAddress }),
    () => app.inject({ url: '/v1/stats', headers: { authorization: `Bearer ${wrong}` }, remoteAddress }),
    () => app.inject({ method: 'HEAD', url: '/v1/registers/440106/2025', headers: { authorization: `Bearer ${wrong}` }, remoteAddress }),
    () => app.inject({ url: '/v1/audit', headers: { authorization: 'Bearer x' }, remoteAddress }),
    () => app.inject({ method: 'POST', url: '/v1/verify/batch', headers: { authorization: `Bearer ${wrong}` }, payload: { rows: [] }, remoteAddress }),
  ]
  for (const attempt of tries) t.equal((await attempt()).statusCode, 401)
  const refused = await app.inject({ url: '/v1/stats', headers: { authorization: `Bearer ${wrong}` }, remoteAddress })
  t.equal(refused.json().code, 'AUTHENTICATION_THROTTLED')
  t.equal((await app.inject({ url: '/v1/stats', headers: { authorization: `Bearer ${county.apiKey}` }, remoteAddress })).statusCode, 429)
  t.equal((await app.inject({ url: '/v1/stats', headers: { authorization: `Bearer ${county.apiKey}` }, remoteAddress: someAddress() })).statusCode, 200)
  t.equal((await app.inject({ url: '/v1/stats', remoteAddress: someAddress() })).json().code, 'AUTHENTICATION_REQUIRED', 'no key at all is not a guess')
})

t.test('with Redis, failures on one instance count on the other', async t => {
  const env = { ...throttle, REDIS_URL: redisUrl }
  const first = await build(t, { env })
  const second = await build(t, { env })
  // A fresh IPv6 network per run: counters of earlier runs live on in Redis for 15 minutes.
  const remoteAddress = `2001:db8:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}::9`
  for (const { app } of [first, second, first, second, first]) {
    t.equal((await app.inject({ url: '/v1/admin/issuers', headers: { authorization: 'Bearer wrong-wrong-wrong-wrong' }, remoteAddress })).statusCode, 401)
  }
  t.equal((await second.app.inject({ url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, remoteAddress })).statusCode, 429)
})
