// The counters behind every rate limit: windows in the process, shared in Redis, and a Redis that dies or comes back.
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import t from 'tap'
import { Redis } from 'ioredis'
import { createCounterStore, createProcessCounters } from '../../src/limits/counter-store.js'
import { clientKey, createLimiter } from '../../src/limits/rate-limits.js'
import { build, type TestContext } from '../helper.js'
import { freePort } from '../free-port.js'

t.test('a process counter counts within its window, gives back, and starts again after it', async t => {
  let now = 1_000_000
  const counters = createProcessCounters(() => now)
  t.same(await counters.add('a', 1, 60_000), { count: 1, resetInMs: 60_000 })
  now += 10_000
  t.same(await counters.add('a', 2, 60_000), { count: 3, resetInMs: 50_000 }, 'the window started with the first change')
  t.same(await counters.add('a', -1, 60_000), { count: 2, resetInMs: 50_000 })
  t.same(await counters.add('a', -5, 60_000), { count: 0, resetInMs: 50_000 }, 'never below zero')
  t.same(await counters.read('b'), { count: 0, resetInMs: 0 })
  now += 50_000
  t.same(await counters.read('a'), { count: 0, resetInMs: 0 }, 'the window is over')
  t.same(await counters.add('a', 1, 60_000), { count: 1, resetInMs: 60_000 })
})

t.test('a limiter allows max in a window, peeks without counting, and says how long to wait', async t => {
  const limiter = createLimiter({ ...createProcessCounters(), mode: () => 'process', close: () => {} })
  const limit = { name: 'test', max: 2, windowMs: 30_000 }
  t.match(await limiter.peek(limit, 'x'), { allowed: true, remaining: 2 })
  t.match(await limiter.take(limit, 'x'), { allowed: true, remaining: 1 })
  t.match(await limiter.take(limit, 'x'), { allowed: true, remaining: 0 })
  t.match(await limiter.peek(limit, 'x'), { allowed: false, retryAfterSeconds: 30 })
  t.match(await limiter.take(limit, 'x'), { allowed: false, remaining: 0, retryAfterSeconds: 30 })
  await limiter.giveBack(limit, 'x', 2)
  t.match(await limiter.peek(limit, 'x'), { allowed: true })
  t.match(await limiter.take(limit, 'y'), { allowed: true }, 'another key counts alone')
  t.match(await limiter.take({ ...limit, name: 'other' }, 'x'), { allowed: true, remaining: 1 }, 'and so does another limit')
})

t.test('addresses are counted per IPv4 address and per IPv6 /64', async t => {
  t.equal(clientKey('203.0.113.7'), '203.0.113.7')
  t.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7', 'IPv4-mapped IPv6 is the IPv4 address')
  t.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  t.equal(clientKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64', 'the same network, spelt out')
  t.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64')
  t.equal(clientKey('::1'), '0:0:0:0::/64')
  t.not(clientKey('2001:db8:1:3::1'), clientKey('2001:db8:1:2::1'), 'the next /64 is another client')
})

/** A Redis of this test's own on `port`, stopped at teardown. */
async function startRedis (t: TestContext, port: number): Promise<ChildProcess> {
  const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  server.stdout?.on('data', chunk => { output = (output + String(chunk)).slice(-2000) })
  server.stderr?.on('data', chunk => { output = (output + String(chunk)).slice(-2000) })
  t.teardown(() => { server.kill('SIGKILL') })
  const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  for (let attempt = 0; ; attempt++) {
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      return server
    } catch {
      probe.disconnect()
      if (attempt > 100) throw new Error(`redis-server did not start on port ${port}: ${output.trim()}`)
      await new Promise(resolve => setTimeout(resolve, 100))
    }
  }
}

const waitFor = async (condition: () => boolean, what: string) => {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise(resolve => setTimeout(resolve, 50))
  if (!condition()) throw new Error(`timed out waiting for ${what}`)
}

t.test('Redis killed under load: counting moves to the process at once, one warning; back when Redis returns', async t => {
  const port = await freePort()
  let redis = await startRedis(t, port)
  const logged: Array<{ level: string, message: string }> = []
  const log = { warn: (_: object, message: string) => logged.push({ level: 'warn', message }), info: (_: object, message: string) => logged.push({ level: 'info', message }) }
  const store = await createCounterStore({ redisUrl: `redis://127.0.0.1:${port}`, log, prefix: 'test:' })
  t.teardown(() => store.close())
  await waitFor(() => store.mode() === 'shared', 'the first connection')
  t.same(await store.add('k', 1, 60_000), { count: 1, resetInMs: 60_000 })
  const probe = new Redis(port, '127.0.0.1')
  t.equal(await probe.get('test:k'), '1', 'the counter is in Redis')
  probe.disconnect()

  // Load while Redis dies: every call answers (from the process once Redis is gone), none fails.
  const load = Array.from({ length: 2000 }, (_, i) => store.add(`load-${i % 7}`, 1, 60_000))
  // Gone for good before the store tries again: a Redis still dying could answer one reconnection and make it two outages.
  redis.kill('SIGKILL')
  await once(redis, 'exit')
  const results = await Promise.allSettled(load)
  t.equal(results.filter(r => r.status === 'rejected').length, 0, 'no call failed')
  await waitFor(() => store.mode() === 'degraded', 'the loss to be seen')
  const during = await Promise.all(Array.from({ length: 100 }, () => store.add('after', 1, 60_000)))
  t.equal(during.at(-1)?.count, 100, 'counted in the process meanwhile')
  t.equal(logged.filter(l => l.level === 'warn').length, 1, 'exactly one warning for the outage')

  redis = await startRedis(t, port)
  await waitFor(() => store.mode() === 'shared', 'the reconnection')
  t.same(await store.add('back', 1, 60_000), { count: 1, resetInMs: 60_000 })
  const again = new Redis(port, '127.0.0.1')
  t.equal(await again.get('test:back'), '1', 'counted in Redis again')
  again.disconnect()
  t.equal(logged.filter(l => l.level === 'info').length, 1, 'one line says the shared counters are back')
})

t.test('a service whose Redis is unreachable from the start serves, limits per process and says so in /readyz', async t => {
  const port = await freePort()
  const { app } = await build(t, { env: { REDIS_URL: `redis://127.0.0.1:${port}`, RATE_LIMIT_PUBLIC_PER_MINUTE: '3' } })
  const statuses = []
  for (let i = 0; i < 4; i++) statuses.push((await app.inject({ url: '/.well-known/jwks.json', remoteAddress: '192.0.2.77' })).statusCode)
  t.same(statuses, [200, 200, 200, 429], 'the limit still holds, counted in the process')
  const ready = await app.inject({ url: '/readyz' })
  t.equal(ready.statusCode, 200, 'still ready to serve')
  t.same(ready.json(), { status: 'degraded', rateLimits: 'degraded' })

  await startRedis(t, port)
  for (let i = 0; i < 100 && (await app.inject({ url: '/readyz' })).json().rateLimits !== 'shared'; i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.same((await app.inject({ url: '/readyz' })).json(), { status: 'ready', rateLimits: 'shared' }, 'shared again once Redis answers')
})
