import t from 'tap'
import { sql } from 'kysely'
import { createIdempotencyService, hashRequest, type IdempotencyClaim } from '../../src/idempotency/idempotency-service.js'
import { build } from '../helper.js'

const built = await build(t)
const issuer = await built.createIssuer('authority', '440106')
const db = built.database.db
let now = new Date('2025-12-01T08:00:00Z')
const idempotency = createIdempotencyService({ db, clock: () => now, leaseMs: 60_000 })
const claim = (key: string): IdempotencyClaim => ({ issuerId: issuer.id, key, requestHash: hashRequest('POST', '/v1/things', { key }) })

// A stand-in for an issuing transaction: it writes a marker row and records the response in the same transaction.
await sql`create table effects (key text not null)`.execute(db)
const effect = (key: string) => async (record: Parameters<Parameters<typeof idempotency.run>[1]>[0]) =>
  db.transaction().execute(async trx => {
    await sql`insert into effects (key) values (${key})`.execute(trx)
    await record(trx, { status: 201, body: { key } })
    return { status: 201, body: { key } }
  })
const effects = async (key: string) => (await sql<{ n: number }>`select count(*)::int as n from effects where key = ${key}`.execute(db)).rows[0]!.n

t.test('the response is recorded in the transaction of the effect: if it rolls back, neither exists', async t => {
  await t.rejects(idempotency.run(claim('crash'), async record => db.transaction().execute(async trx => {
    await sql`insert into effects (key) values ('crash')`.execute(trx)
    await record(trx, { status: 201, body: {} })
    throw new Error('the process dies before commit')
  })), /dies/)
  t.equal(await effects('crash'), 0)
  t.equal(await db.selectFrom('idempotency_keys').select('key').where('key', '=', 'crash').executeTakeFirst(), undefined, 'the key is free again')
  const retried = await idempotency.run(claim('crash'), effect('crash'))
  t.same(retried, { status: 201, body: { key: 'crash' }, replayed: false })
  t.equal(await effects('crash'), 1)
})

t.test('a holder whose lease ran out cannot commit after a retry took its key over', async t => {
  let resume!: () => void
  const paused = new Promise<void>(resolve => { resume = resolve })
  const slow = idempotency.run(claim('slow'), async record => { await paused; return effect('slow')(record) })
  await new Promise(resolve => setTimeout(resolve, 50))
  now = new Date(now.getTime() + 61_000)
  const retry = await idempotency.run(claim('slow'), effect('slow'))
  t.equal(retry.replayed, false, 'the retry ran it')
  resume()
  await t.rejects(slow, { code: 'IDEMPOTENCY_IN_PROGRESS' })
  t.equal(await effects('slow'), 1, 'the effect happened once')
  const replay = await idempotency.run(claim('slow'), effect('slow'))
  t.same(replay, { status: 201, body: { key: 'slow' }, replayed: true })
})

t.test('an operation that records nothing itself is recorded right after it returns', async t => {
  const first = await idempotency.run(claim('plain'), async () => ({ status: 200, body: { ok: true } }))
  t.equal(first.replayed, false)
  const again = await idempotency.run(claim('plain'), async () => { throw new Error('must not run again') })
  t.same(again, { status: 200, body: { ok: true }, replayed: true })
})

t.test('records are kept for the retention period, then deleted; a key used after that runs anew', async t => {
  const retained = createIdempotencyService({ db, clock: () => now, leaseMs: 60_000, retentionMs: 24 * 3_600_000 })
  await retained.run(claim('old'), effect('old'))
  const abandoned = await db.insertInto('idempotency_keys')
    .values({ issuer_id: issuer.id, key: 'abandoned', request_hash: 'x', state: 'running', lock_token: 't', locked_until: new Date(now.getTime() + 60_000) })
    .returning('key').executeTakeFirstOrThrow()
  now = new Date(now.getTime() + 23 * 3_600_000)
  await retained.run(claim('recent'), effect('recent'))
  t.equal(await retained.purgeExpired(), 0, 'nothing is 24 hours old yet')
  t.same((await retained.run(claim('old'), effect('old'))).replayed, true, 'a retry within the period is replayed')

  now = new Date(now.getTime() + 2 * 3_600_000)
  const before = (await db.selectFrom('idempotency_keys').select('key').execute()).map(r => r.key)
  const purged = await retained.purgeExpired()
  const after = (await db.selectFrom('idempotency_keys').select('key').execute()).map(r => r.key)
  t.ok(purged >= 2, `${purged} deleted`)
  t.notOk(after.includes('old'), 'the completed record past retention is gone')
  t.notOk(after.includes(abandoned.key), 'so is a key a dead process left running')
  t.ok(after.includes('recent'), 'a record within retention stays')
  t.ok(before.includes('old'))
  const again = await retained.run(claim('old'), effect('old'))
  t.equal(again.replayed, false, 'the forgotten key runs as a new request')
  t.equal(await effects('old'), 2)
})
