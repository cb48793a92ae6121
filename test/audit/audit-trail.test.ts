// The audit trail: every issuance, revocation, API key and issuer change recorded with actor, time, request id and status; append-only; read within scope.
import t from 'tap'
import { sql } from 'kysely'
import { PNG } from 'pngjs'
import { adminToken, build, issueBody, makeIdNumber } from '../helper.js'
import { createIssuerService } from '../../src/issuers/issuer-service.js'
import { loadPrintableCharacters } from '../../src/documents/index.js'

const now = new Date('2026-03-15T02:00:00Z')
const admin = { authorization: `Bearer ${adminToken}` }
const bearer = (who: { apiKey: string }) => ({ authorization: `Bearer ${who.apiKey}` })

function sealPng (): Buffer {
  const png = new PNG({ width: 8, height: 8 })
  png.data.fill(200)
  return PNG.sync.write(png)
}

t.test('each change is recorded with who, when, which request and the status before and after', async t => {
  const { app, createIssuer } = await build(t, { clock: () => now })
  const province = await createIssuer('authority', '440000', '广东省人力资源和社会保障厅')
  const county = await createIssuer('authority', '440106', '天河区人社局')
  const employer = await createIssuer('employer', '440106', '甲公司')

  const single = await app.inject({ method: 'POST', url: '/v1/certificates', headers: bearer(county), payload: issueBody() })
  t.equal(single.statusCode, 201)
  const batch = await app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: bearer(employer), payload: { certificates: [issueBody({}, 2), issueBody({}, 3), issueBody({ year: 1999 }, 4)] } })
  t.equal(batch.statusCode, 201)
  const revoke = await app.inject({ method: 'POST', url: '/v1/certificates/44010625000002/revoke', headers: bearer(employer), payload: { reason: '信息有误' } })
  t.equal(revoke.statusCode, 200)
  const key = await app.inject({ method: 'POST', url: '/v1/admin/issuers/3/keys', headers: admin, payload: {} })
  t.equal(key.statusCode, 201)
  const keyRevoked = await app.inject({ method: 'DELETE', url: `/v1/admin/issuers/3/keys/${key.json().keyId as number}`, headers: admin })
  t.equal(keyRevoked.statusCode, 204)
  const seal = await app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...bearer(county), 'content-type': 'image/png' }, payload: sealPng() })
  t.equal(seal.statusCode, 200)
  const unsealed = await app.inject({ method: 'DELETE', url: '/v1/issuers/me/seal', headers: bearer(county) })
  t.equal(unsealed.statusCode, 204)

  const trail = await app.inject({ url: '/v1/audit', headers: bearer(province) })
  t.equal(trail.statusCode, 200)
  const events = trail.json().events as Array<Record<string, any>>
  const byAction = (action: string) => events.filter(e => e.action === action)
  t.same(events.map(e => e.id), [...events.map(e => e.id)].sort((a, b) => a - b), 'in recording order')
  t.equal(byAction('issuer.created').length, 3, 'three issuers created through the admin API')
  t.match(byAction('issuer.created')[1], { subject: '2', regionCode: '440106', statusBefore: null, statusAfter: 'active', actor: { type: 'admin' }, details: { kind: 'authority' } })
  t.equal(byAction('api_key.created').length, 4, 'three first keys and one added')

  const [issuedSingle, ...issuedBatch] = byAction('certificate.issued')
  t.match(issuedSingle, { subject: '44010625000001', regionCode: '440106', statusBefore: null, statusAfter: 'valid', actor: { type: 'issuer', issuerId: 2, name: '天河区人社局' }, occurredAt: now.toISOString() })
  t.equal(issuedSingle!.requestId, single.headers['x-request-id'], 'the request id the caller was told')
  t.equal(issuedBatch.length, 2, 'both issued rows of the batch; the refused row is not an issuance')
  t.same(issuedBatch.map(e => e.subject), ['44010625000002', '44010625000003'])
  t.ok(issuedBatch.every(e => e.requestId === batch.headers['x-request-id'] && e.details.batchId === batch.json().batchId && e.actor.issuerId === 3))
  t.match(byAction('certificate.revoked'), [{ subject: '44010625000002', statusBefore: 'valid', statusAfter: 'revoked', details: { reason: '信息有误' }, requestId: revoke.headers['x-request-id'], actor: { type: 'issuer', issuerId: 3 } }])
  t.match(byAction('api_key.revoked'), [{ subject: String(key.json().keyId), statusBefore: 'active', statusAfter: 'revoked', actor: { type: 'admin' }, requestId: keyRevoked.headers['x-request-id'] }])
  t.match(byAction('issuer.seal_changed'), [
    { subject: '2', statusBefore: 'without-seal', statusAfter: 'with-seal', requestId: seal.headers['x-request-id'] },
    { subject: '2', statusBefore: 'with-seal', statusAfter: 'without-seal', requestId: unsealed.headers['x-request-id'] },
  ])
})

t.test('the database itself refuses to alter or remove an audit event', async t => {
  const { app, database, createIssuer } = await build(t)
  await createIssuer('authority', '440106')
  const count = async () => Number((await sql<{ n: number }>`select count(*)::int as n from audit_events`.execute(database.db)).rows[0]!.n)
  const before = await count()
  t.ok(before > 0)
  await t.rejects(sql`update audit_events set actor_name = 'someone else'`.execute(database.db), /append-only/, 'UPDATE refused')
  await t.rejects(sql`delete from audit_events`.execute(database.db), /append-only/, 'DELETE refused')
  await t.rejects(sql`truncate audit_events`.execute(database.db), /append-only/, 'TRUNCATE refused')
  t.equal(await count(), before, 'every event still there')
  const names = await sql<{ actor_name: string }>`select actor_name from audit_events`.execute(database.db)
  t.notOk(names.rows.some(r => r.actor_name === 'someone else'))
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200)
})

t.test('a change whose record cannot be written does not happen: same transaction', async t => {
  const { app, database, createIssuer } = await build(t)
  const county = await createIssuer('authority', '440106')
  await sql`create function audit_events_fail() returns trigger language plpgsql as $$ begin raise exception 'audit store broken'; end $$`.execute(database.db)
  await sql`create trigger audit_events_fail before insert on audit_events for each row execute function audit_events_fail()`.execute(database.db)
  const failed = await app.inject({ method: 'POST', url: '/v1/certificates', headers: bearer(county), payload: issueBody() })
  t.equal(failed.statusCode, 500)
  const stored = await database.db.selectFrom('certificates').select('number').execute()
  t.same(stored, [], 'no certificate without its audit event')
  const sequences = await database.db.selectFrom('number_sequences').selectAll().execute()
  t.same(sequences, [], 'and its number went back')
  await sql`drop trigger audit_events_fail on audit_events`.execute(database.db)
  const next = await app.inject({ method: 'POST', url: '/v1/certificates', headers: bearer(county), payload: issueBody() })
  t.equal(next.json().number, '44010625000001', 'no hole')
})

t.test('authorities read the trail of their own area and below; nobody else reads it', async t => {
  let clock = new Date('2026-01-10T00:00:00Z')
  const { app, createIssuer, database } = await build(t, { clock: () => clock })
  const province = await createIssuer('authority', '440000')
  const guangzhou = await createIssuer('authority', '440100')
  const tianhe = await createIssuer('authority', '440106')
  const futian = await createIssuer('authority', '440304')
  const employer = await createIssuer('employer', '440106')
  const verifier = await createIssuer('verifier', '440000')
  const issue = async (who: { apiKey: string }, region: string, serial: number) => {
    const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: bearer(who), payload: issueBody({ holder: { name: '李四', idNumber: makeIdNumber(region, '19800101', serial) } }, serial) })
    t.equal(response.statusCode, 201)
  }
  await issue(tianhe, '440106', 1)
  clock = new Date('2026-02-10T00:00:00Z')
  await issue(tianhe, '440106', 2)
  await issue(futian, '440304', 3)
  const read = (who: { apiKey: string }, query = '') => app.inject({ url: `/v1/audit${query}`, headers: bearer(who) })
  const issued = async (who: { apiKey: string }, query = '') => {
    const response = await read(who, `${query}${query === '' ? '?' : '&'}action=certificate.issued`)
    return (response.json().events as Array<{ subject: string }>).map(e => e.subject)
  }

  t.same(await issued(tianhe), ['44010625000001', '44010625000002'], 'the county: its own certificates')
  t.same(await issued(guangzhou), ['44010625000001', '44010625000002'], 'the city: its counties')
  t.same(await issued(province), ['44010625000001', '44010625000002', '44030425000001'], 'the province: everything in it')
  t.same(await issued(province, '?regionCode=440304'), ['44030425000001'], 'narrowed to one county')
  t.same(await issued(tianhe, '?from=2026-02-01T00:00:00Z'), ['44010625000002'], 'from is inclusive')
  t.same(await issued(tianhe, '?to=2026-02-01T00:00:00Z'), ['44010625000001'], 'to is exclusive')
  const tianheTrail = (await read(tianhe)).json().events as Array<{ action: string, subject: string }>
  t.ok(tianheTrail.some(e => e.action === 'issuer.created' && e.subject === String(employer.id)), 'the county sees the accounts created in it')
  t.notOk(tianheTrail.some(e => e.action === 'issuer.created' && e.subject === String(futian.id)), 'but not those of another county')

  const first = (await read(province, '?limit=2')).json()
  t.equal(first.events.length, 2)
  const second = (await read(province, `?limit=2&after=${first.nextAfter as number}`)).json()
  t.ok(second.events[0].id > first.events[1].id, 'the next page follows')
  const all = (await read(province, '?limit=1000')).json()
  t.equal(all.nextAfter, null, 'the last page says so')

  const refusals: Array<[string, { apiKey: string }, string, number, string]> = [
    ['a county reads a neighbour', tianhe, '?regionCode=440304', 403, 'OUT_OF_SCOPE'],
    ['a county reads its city', tianhe, '?regionCode=440100', 403, 'OUT_OF_SCOPE'],
    ['a city reads another city', guangzhou, '?regionCode=440300', 403, 'OUT_OF_SCOPE'],
    ['an employer', employer, '', 403, 'FORBIDDEN_ROLE'],
    ['a verifier', verifier, '', 403, 'FORBIDDEN_ROLE'],
    ['an unknown region', province, '?regionCode=449999', 400, 'UNKNOWN_REGION'],
    ['a malformed time', province, '?from=yesterday', 400, 'VALIDATION_FAILED'],
    ['an unknown action', province, '?action=certificate.deleted', 400, 'VALIDATION_FAILED'],
  ]
  for (const [what, who, query, status, code] of refusals) {
    const response = await read(who, query)
    t.equal(response.statusCode, status, what)
    t.equal(response.json().code, code, what)
  }
  t.equal((await app.inject({ url: '/v1/audit' })).statusCode, 401)
  t.equal((await app.inject({ url: '/v1/audit', headers: admin })).json().code, 'INVALID_API_KEY', 'the administrator token is not an issuer key')
  void database
})

t.test('the command line is recorded as such', async t => {
  const { app, database, createIssuer } = await build(t)
  const province = await createIssuer('authority', '440000')
  const issuers = createIssuerService({ db: database.db, clock: () => now, printable: await loadPrintableCharacters() })
  const created = await issuers.createIssuer({ name: '越秀区人社局', kind: 'authority', regionCode: '440104' })
  const events = (await app.inject({ url: '/v1/audit?regionCode=440104', headers: bearer(province) })).json().events
  t.match(events, [
    { action: 'issuer.created', subject: String(created.id), actor: { type: 'cli', name: /command line/ }, requestId: null },
    { action: 'api_key.created', subject: String(created.keyId), actor: { type: 'cli' } },
  ])
})
