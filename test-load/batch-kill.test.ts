// A service process SIGKILLed in the middle of a 10,000-row batch leaves the whole batch or none of it; a retry then issues it exactly once.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import pg from 'pg'
import { issueBody, makeIdNumber, temporaryDirectory } from '../test/helper.js'
import { call, createDatabase, createIssuerOver, provisionKeys, startService } from './service-processes.js'

const rows = 10_000

t.test('SIGKILL during a 10,000-row batch: all of it or none of it, and a retry issues it exactly once', async t => {
  const databaseUrl = await createDatabase(t)
  const keysDir = await temporaryDirectory(t, 'ce-kill-keys-')
  await provisionKeys(keysDir)
  const applicationName = `ce-batch-${randomUUID().slice(0, 8)}`
  const victimUrl = new URL(databaseUrl)
  victimUrl.searchParams.set('application_name', applicationName)
  const victim = await startService(t, { DATABASE_URL: victimUrl.toString(), KEYS_DIR: keysDir, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' })
  const employer = await createIssuerOver(victim.url, 'employer', '440106', '广州天河软件科技有限公司')
  const certificates = Array.from({ length: rows }, (_, i) => issueBody({ holder: { name: '李四', idNumber: makeIdNumber('440106', `19${60 + Math.floor(i / 1000)}0303`, i % 1000) } }))
  const key = randomUUID()

  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  t.teardown(() => db.end())
  // The statement the batch transaction is running, once it is storing certificates or their audit events (uncommitted).
  const storing = async () => (await db.query<{ query: string }>(
    `select left(query, 40) as query from pg_stat_activity where application_name = $1 and backend_xid is not null and (query like 'insert into "certificates"%' or query like 'insert into "audit_events"%')`,
    [applicationName])).rows[0]?.query

  let answered = false
  const pending = call(victim.url, '/v1/certificates/batch', { apiKey: employer.apiKey, body: { certificates }, idempotencyKey: key }).finally(() => { answered = true })
  const deadline = Date.now() + 120_000
  let statement: string | undefined
  while ((statement = await storing()) === undefined && !answered) {
    if (Date.now() > deadline) throw new Error(`the batch never reached its inserts:\n${victim.output()}`)
    await new Promise(resolve => setTimeout(resolve, 2))
  }
  await victim.kill('SIGKILL')
  t.comment(statement === undefined ? 'the batch committed before it could be caught: killed after its answer' : `killed in the batch transaction, during: ${statement}…`)
  const answer = await pending
  if (statement !== undefined) t.equal(answer.status, 0, 'the client saw the connection drop, not an answer')
  // PostgreSQL notices the dead client and rolls its transaction back (or it had just committed).
  while ((await db.query('select 1 from pg_stat_activity where application_name = $1', [applicationName])).rowCount! > 0) {
    if (Date.now() > deadline) throw new Error('the killed process still has a session')
    await new Promise(resolve => setTimeout(resolve, 20))
  }

  const state = async () => {
    const one = async (query: string) => Number((await db.query<{ n: number }>(query)).rows[0]?.n ?? 0)
    return {
      certificates: await one('select count(*)::int as n from certificates'),
      batches: await one('select count(*)::int as n from batches'),
      counter: await one(`select last_value as n from number_sequences where region_code = '440106'`),
      audited: await one(`select count(*)::int as n from audit_events where action = 'certificate.issued'`),
    }
  }
  const afterKill = await state()
  t.comment(`after SIGKILL: ${JSON.stringify(afterKill)}`)
  t.ok(afterKill.certificates === 0 || afterKill.certificates === rows, `all or nothing: ${afterKill.certificates} certificates`)
  const whole = afterKill.certificates === rows
  t.same(afterKill, whole ? { certificates: rows, batches: 1, counter: rows, audited: rows } : { certificates: 0, batches: 0, counter: 0, audited: 0 }, 'the batch row, the county counter and the audit trail agree')

  const restarted = await startService(t, { DATABASE_URL: databaseUrl, KEYS_DIR: keysDir, OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0' })
  const sameKey = await call(restarted.url, '/v1/certificates/batch', { apiKey: employer.apiKey, body: { certificates }, idempotencyKey: key })
  if (whole) t.equal(sameKey.status, 201, 'the committed batch is replayed under its key')
  else t.match(sameKey, { status: 409, body: { code: 'IDEMPOTENCY_IN_PROGRESS' } }, 'the killed attempt holds its key until its lease runs out: no second run under it')
  t.same(await state(), afterKill, 'and nothing was issued by that retry')

  const retry = await call(restarted.url, '/v1/certificates/batch', { apiKey: employer.apiKey, body: { certificates }, idempotencyKey: randomUUID() })
  if (whole) {
    t.match(retry, { status: 422, body: { code: 'BATCH_NOTHING_ISSUED', details: { summary: { issued: 0, rejected: rows, rejectedByCode: { CERTIFICATE_EXISTS: rows } } } } }, 'a new key finds every holder already issued: nothing to issue, no second batch')
  } else {
    t.equal(retry.status, 201)
    t.match(retry.body, { summary: { issued: rows, rejected: 0 }, ranges: [{ first: '44010625000001', last: '44010625010000', count: rows }] }, 'a new key issues the batch: 000001…010000')
  }
  t.same(await state(), { certificates: rows, batches: 1, counter: rows, audited: rows }, 'each holder issued exactly once, numbers without a hole, one batch')
})
