// Three service processes on one PostgreSQL and one key folder issue 1,000 certificates to one county at once: 000001…001000, nothing twice.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import pg from 'pg'
import { issueBody, makeIdNumber, temporaryDirectory } from '../test/helper.js'
import { call, createDatabase, createIssuerOver, inParallel, provisionKeys, startService, type Answer } from './service-processes.js'

const certificates = 1000
const instances = 3

t.test('1,000 certificates for 天河区 through three instances at once are numbered 44010625000001…44010625001000', async t => {
  const databaseUrl = await createDatabase(t)
  const keysDir = await temporaryDirectory(t, 'ce-load-keys-')
  await provisionKeys(keysDir)
  // All three start together: they migrate the same new database at the same moment, too.
  const services = await Promise.all(Array.from({ length: instances }, () => startService(t, {
    DATABASE_URL: databaseUrl, KEYS_DIR: keysDir, DATABASE_POOL_SIZE: '10',
  })))
  t.equal(new Set(services.map(s => s.url)).size, instances, `${instances} processes listening`)

  const county = await createIssuerOver(services[0]!.url, 'authority', '440106', '广州市天河区人力资源和社会保障局')
  const bodies = Array.from({ length: certificates }, (_, i) => issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', `19${60 + Math.floor(i / 1000)}0101`, i % 1000) } }))

  const started = Date.now()
  const answers = await inParallel(bodies, 48, async (body, i): Promise<Answer & { attempts: number }> => {
    // Round robin over the instances; a retry (same Idempotency-Key) only on 503 or a refused connection.
    const key = randomUUID()
    let answer: Answer = { status: 0, body: null }
    for (let attempt = 1; attempt <= 20; attempt++) {
      answer = await call(services[(i + attempt - 1) % instances]!.url, '/v1/certificates', { apiKey: county.apiKey, body, idempotencyKey: key })
      if (answer.status !== 503 && answer.status !== 0) return { ...answer, attempts: attempt }
      await new Promise(resolve => setTimeout(resolve, 100 * attempt))
    }
    return { ...answer, attempts: 20 }
  })
  const seconds = (Date.now() - started) / 1000
  const statuses = answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {})
  t.same(statuses, { 201: certificates }, `every issuance answered 201 (${seconds.toFixed(1)} s, ${(certificates / seconds).toFixed(0)}/s, ${answers.filter(a => a.attempts > 1).length} retried)`)

  const numbers = answers.map(a => a.body.number as string).sort()
  const expected = Array.from({ length: certificates }, (_, i) => `44010625${String(i + 1).padStart(6, '0')}`)
  t.same(numbers, expected, 'exactly 000001…001000: no duplicate, no hole')

  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  t.teardown(() => db.end())
  const stored = await db.query<{ n: number, first: string, last: string }>(`select count(*)::int as n, min(number) as first, max(number) as last from certificates`)
  t.same(stored.rows[0], { n: certificates, first: expected[0], last: expected.at(-1) }, 'the register holds exactly those')
  const sequence = await db.query<{ last_value: number }>(`select last_value from number_sequences where region_code = '440106' and year = 2025`)
  t.equal(sequence.rows[0]?.last_value, certificates, 'the county counter stands at 1,000')
  const audit = await db.query<{ n: number, requests: number }>(`select count(*)::int as n, count(distinct request_id)::int as requests from audit_events where action = 'certificate.issued'`)
  t.same(audit.rows[0], { n: certificates, requests: certificates }, 'one audit event per issuance, each with its own request id')

  // Any instance verifies what any other signed.
  for (const [i, service] of services.entries()) {
    const sample = answers[i * 300]!.body as { jws: string, number: string }
    const report = await call(service.url, '/v1/verify', { body: { jws: sample.jws } })
    t.equal(report.status, 200, `instance ${i + 1} verifies ${sample.number}`)
    t.equal(report.body.verdict, 'valid')
  }
})
