// Behaviour under abuse: how long a genuine request waits while one client floods the service with junk, or while Redis is gone.
import { createServer } from 'node:net'
import { randomBytes } from 'node:crypto'
import { createBenchDatabase } from './bench-database.js'
import { emit, median, progress, round1, type BenchRow } from './bench-result.js'
import { createHolderSource } from './certificate-requests.js'
import { applyLoad } from './load-generator.js'
import { freePort } from '../test/free-port.js'
import { startService, type ServiceUnderTest } from './service-process.js'

const genuineRequests = 20

/** Latencies (ms) of `count` requests sent one after another, and the statuses of those refused with a 5xx (a refusal is data, not a crash). */
async function timedWithRefusals (count: number, send: () => Promise<Response>): Promise<{ latencies: number[], refused: number[] }> {
  const latencies: number[] = []
  const refused: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    const response = await send()
    await response.arrayBuffer()
    if (response.status >= 500) refused.push(response.status)
    latencies.push(performance.now() - started)
  }
  return { latencies, refused }
}

/** The same where no refusal is expected (no flood): a 5xx there is the bench's problem. */
async function timed (count: number, send: () => Promise<Response>): Promise<number[]> {
  const { latencies, refused } = await timedWithRefusals(count, send)
  if (refused.length > 0) throw new Error(`a genuine request answered ${refused.join(', ')} with no flood`)
  return latencies
}

const p = (values: number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!

/** A port where nothing listens (and nothing will): a Redis that cannot be reached. */
async function deadPort (): Promise<number> {
  const port = await freePort()
  const blocker = createServer(socket => socket.destroy()).listen(port, '127.0.0.1')
  blocker.close()
  return port
}

async function issueOne (service: ServiceUnderTest): Promise<{ apiKey: string, number: string, pdf: Buffer }> {
  const apiKey = await service.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  const auth = { authorization: `Bearer ${apiKey}` }
  const issued = await fetch(`${service.url}/v1/certificates`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(createHolderSource(7).next('440106')) })
  if (issued.status !== 201) throw new Error(`issuing answered ${issued.status}`)
  const { number } = await issued.json() as { number: string }
  const pdf = Buffer.from(await (await fetch(`${service.url}/v1/certificates/${number}/pdf`, { headers: auth })).arrayBuffer())
  return { apiKey, number, pdf }
}

const rows: BenchRow[] = []
const database = await createBenchDatabase('PostgreSQL')
// The flood and the genuine client are told apart as they would be behind the proxy: by X-Forwarded-For.
const service = await startService(database.env, { TRUST_PROXY: '127.0.0.1' })
const genuineClient = { 'x-forwarded-for': '203.0.113.9' }
const attacker = { 'x-forwarded-for': '198.51.100.7' }
try {
  const { number, pdf } = await issueOne(service)
  const verifyGenuine = () => fetch(`${service.url}/v1/verify`, { method: 'POST', headers: { ...genuineClient, 'content-type': 'application/pdf' }, body: new Uint8Array(pdf) })
  const alone = await timed(genuineRequests, verifyGenuine)

  const floods: Array<[string, Buffer, number, string]> = [
    ['`%PDF-1.7` + 2 MB of `a`, 8 connections without pause', Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024, 'a')]), 8, 'a genuine verification took 61 s at 12 junk uploads a minute'],
    ['30 connections each sending 5 MB of junk after a PDF header', Buffer.concat([Buffer.from('%PDF-1.7\n/ByteRange [0 1 2 3]\n'), randomBytes(5 * 1024 * 1024 - 40)]), 30, 'no answer at all (connection closed at ~120 s)'],
  ]
  for (const [what, junk, connections, before] of floods) {
    const flood = applyLoad({ url: service.url, connections, seconds: 12, next: () => ({ method: 'POST', path: '/v1/verify', headers: { ...attacker, 'content-type': 'application/pdf' }, body: junk }) })
    await new Promise(resolve => setTimeout(resolve, 1000))
    const { latencies: during, refused } = await timedWithRefusals(genuineRequests, verifyGenuine)
    const load = await flood
    const refusedText = refused.length === 0 ? 'none refused' : `${refused.length} refused (${refused.join(', ')})`
    progress(`abuse: ${what}: genuine p50 ${round1(median(during))} ms, max ${round1(Math.max(...during))} ms, ${refusedText} (alone ${round1(median(alone))} ms); junk answered ${load.failed} times`)
    rows.push({
      path: `genuine PDF verification during a flood: ${what}`,
      database: 'PostgreSQL',
      measuredAs: `${genuineRequests} genuine \`POST /v1/verify\` one after another while the flood runs; before this change: ${before}`,
      subject: { value: median(during), unit: 'ms', detail: `p95 ${round1(p(during, 0.95))} ms, max ${round1(Math.max(...during))} ms; genuine ${refusedText}; ${load.failed} junk uploads refused meanwhile` },
      baselineName: 'the same genuine verifications with no flood',
      baseline: { value: median(alone), unit: 'ms', detail: `max ${round1(Math.max(...alone))} ms` },
      ratio: median(alone) / median(during),
      target: 'every one answered; max ≤ 1 s',
      met: refused.length === 0 && Math.max(...during) <= 1000,
      rounds: 1,
    })
  }

  const lookupOnce = (url: string) => fetch(`${url}/v1/certificates/${number}`)
  const plainLookups = await timed(200, () => lookupOnce(service.url))
  const redisless = await startService(database.env, { REDIS_URL: `redis://127.0.0.1:${await deadPort()}` })
  try {
    const withDeadRedis = await timed(200, () => lookupOnce(redisless.url))
    progress(`abuse: Redis unreachable: lookup p99 ${round1(p(withDeadRedis, 0.99))} ms (no Redis configured: ${round1(p(plainLookups, 0.99))} ms)`)
    rows.push({
      path: 'public lookup while the configured Redis is unreachable',
      database: 'PostgreSQL',
      measuredAs: '200 lookups one after another, REDIS_URL pointing at a port nothing listens on (from start-up on); before this change: 6-10 s each',
      subject: { value: p(withDeadRedis, 0.99), unit: 'ms', detail: `median ${round1(median(withDeadRedis))} ms` },
      baselineName: 'the same lookups on an instance without REDIS_URL',
      baseline: { value: p(plainLookups, 0.99), unit: 'ms', detail: `median ${round1(median(plainLookups))} ms` },
      ratio: p(plainLookups, 0.99) / p(withDeadRedis, 0.99),
      target: 'p99 within a few ms of no Redis',
      met: p(withDeadRedis, 0.99) <= p(plainLookups, 0.99) + 5,
      rounds: 1,
    })
  } finally {
    await redisless.cleanUp()
  }
} finally {
  await service.cleanUp()
  await database.destroy()
}
await emit({ rows, notes: [] })
