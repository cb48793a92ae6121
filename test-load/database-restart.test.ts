// PostgreSQL crashes and restarts while two service processes issue certificates: 503 meanwhile, never a 500; then service again by itself; nothing lost, no hole.
import t from 'tap'
import pg from 'pg'
import { issueBody, makeIdNumber, temporaryDirectory } from '../test/helper.js'
import { call, createIssuerOver, provisionKeys, startService } from './service-processes.js'
import { startThrowawayCluster } from './throwaway-cluster.js'

type Phase = 'before' | 'outage' | 'after'
interface Outcome { phase: Phase, status: number, code?: string, number?: string, body: string }

/** Waits for `condition`, polling; fails after `seconds`. */
async function until (what: string, condition: () => boolean | Promise<boolean>, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (!await condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`)
    await new Promise(resolve => setTimeout(resolve, 50))
  }
}

t.test('a database crash and restart under load: 503 DATABASE_UNAVAILABLE meanwhile, never a 500; every 201 stored; no hole', async t => {
  const cluster = await startThrowawayCluster(t)
  const keysDir = await temporaryDirectory(t, 'ce-fault-keys-')
  await provisionKeys(keysDir)
  const env = { DATABASE_URL: cluster.url, KEYS_DIR: keysDir, DATABASE_POOL_SIZE: '8', OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' }
  const services = [await startService(t, env), await startService(t, env)]
  const county = await createIssuerOver(services[0]!.url, 'authority', '440106', '天河区人社局')

  let phase: Phase = 'before'
  let running = true
  let next = 0
  const outcomes: Outcome[] = []
  const count = (p: Phase, status?: number) => outcomes.filter(o => o.phase === p && (status === undefined || o.status === status)).length
  // 16 clients issue one certificate after another to new holders, round robin over the two instances.
  const clients = Array.from({ length: 16 }, async () => {
    while (running) {
      const i = next++
      const body = issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', `19${60 + Math.floor(i / 1000)}0202`, i % 1000) } })
      const answer = await call(services[i % 2]!.url, '/v1/certificates', { apiKey: county.apiKey, body })
      outcomes.push({ phase, status: answer.status, code: answer.body?.code, number: answer.body?.number, body: JSON.stringify(answer.body).slice(0, 400) })
      if (answer.status !== 201) await new Promise(resolve => setTimeout(resolve, 25))
    }
  })

  await until('100 certificates before the crash', () => count('before', 201) >= 100)
  await cluster.stop('immediate')
  phase = 'outage'
  await until('60 answers during the outage', () => count('outage') >= 60, 60)
  for (const service of services) {
    const ready = await call(service.url, '/readyz')
    t.match(ready, { status: 503, body: { code: 'DATABASE_UNAVAILABLE' } }, 'not ready while the database is down')
    t.equal((await call(service.url, '/healthz')).status, 200, 'but alive')
  }
  await cluster.start()
  phase = 'after'
  await until('100 certificates after the restart', () => count('after', 201) >= 100)
  running = false
  await Promise.all(clients)
  for (const service of services) t.equal((await call(service.url, '/readyz')).status, 200, 'ready again, without a restart of the service')

  const summary = (p: Phase) => JSON.stringify(outcomes.filter(o => o.phase === p).reduce<Record<string, number>>((s, o) => ({ ...s, [`${o.status} ${o.code ?? ''}`.trim()]: (s[`${o.status} ${o.code ?? ''}`.trim()] ?? 0) + 1 }), {}))
  t.comment(`before: ${summary('before')}; outage: ${summary('outage')}; after: ${summary('after')}`)
  const unexpected = outcomes.filter(o => o.status !== 201 && !(o.status === 503 && o.code === 'DATABASE_UNAVAILABLE'))
  t.same(unexpected, [], 'every answer is 201 or 503 DATABASE_UNAVAILABLE: no 500, no dropped connection')
  t.ok(count('outage', 503) > 0, 'the outage was answered with 503')
  t.notOk(outcomes.some(o => /"stack"|at .+\.(ts|js):\d+/.test(o.body)), 'no stack trace in any answer')

  const db = new pg.Client({ connectionString: cluster.url })
  await db.connect()
  t.teardown(() => db.end())
  const stored = (await db.query<{ number: string }>('select number from certificates order by number')).rows.map(r => r.number)
  const answered = outcomes.filter(o => o.status === 201).map(o => o.number!)
  t.same(answered.filter(n => !stored.includes(n)), [], `every certificate answered 201 (${answered.length}) is stored`)
  t.same(stored, Array.from({ length: stored.length }, (_, i) => `44010625${String(i + 1).padStart(6, '0')}`), `the ${stored.length} stored numbers run 000001… without a hole`)
  const counter = await db.query<{ last_value: number }>(`select last_value from number_sequences where region_code = '440106'`)
  t.equal(counter.rows[0]?.last_value, stored.length, 'the counter matches: no number was lost to a rolled-back issuance')
  const audited = await db.query<{ n: number }>(`select count(*)::int as n from audit_events where action = 'certificate.issued'`)
  t.equal(audited.rows[0]?.n, stored.length, 'each stored certificate has its audit event')
})
