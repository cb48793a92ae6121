import t from 'tap'
import { hashRequest } from '../../src/idempotency/idempotency-service.js'
import { build, issueBody, makeIdNumber } from '../helper.js'

// One app for the whole file (the machine is small); each test has its own issuer and holders.
const built = await build(t)
const counties = ['440103', '440104', '440105', '440106', '440111', '440112', '440113', '440114', '440115', '440117', '440118']
const newAuthority = () => built.createIssuer('authority', counties.shift()!)
let serial = 0
/** A request for a holder no other request of this file uses. */
const holderBody = (overrides: Record<string, unknown> = {}) =>
  issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', '19850312', ++serial) }, ...overrides })

const auth = (apiKey: string, key?: string) => ({ authorization: `Bearer ${apiKey}`, ...(key === undefined ? {} : { 'idempotency-key': key }) })
const issue = (apiKey: string, key: string | undefined, payload: Record<string, unknown>) =>
  built.app.inject({ method: 'POST', url: '/v1/certificates', headers: auth(apiKey, key), payload })

async function certificateCount (issuerId: number): Promise<number> {
  const row = await built.database.db.selectFrom('certificates').select(eb => eb.fn.countAll<number>().as('n')).where('issuer_id', '=', issuerId).executeTakeFirstOrThrow()
  return Number(row.n)
}

t.test('a retried issuance with the same Idempotency-Key gets the first certificate back and nothing is issued twice', async t => {
  const authority = await newAuthority()
  const body = holderBody()
  const first = await issue(authority.apiKey, 'issue-zhang-san-2025', body)
  t.equal(first.statusCode, 201, first.body)
  t.equal(first.headers['idempotent-replayed'], undefined)
  const retry = await issue(authority.apiKey, 'issue-zhang-san-2025', body)
  t.equal(retry.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.headers.location, first.headers.location)
  t.equal(retry.body, first.body, 'the very same response body')
  t.equal(await certificateCount(authority.id), 1)

  const next = await issue(authority.apiKey, 'issue-li-si-2025', holderBody())
  t.equal(next.json().number, `${(first.json().number as string).slice(0, 8)}000002`, 'the replay used no number')
})

t.test('the same key with a different body is refused and changes nothing', async t => {
  const authority = await newAuthority()
  await issue(authority.apiKey, 'k-1', holderBody())
  const other = await issue(authority.apiKey, 'k-1', holderBody())
  t.equal(other.statusCode, 422)
  t.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED')
  t.equal(await certificateCount(authority.id), 1)
})

t.test('the same body with its fields in another order is the same request', async t => {
  const authority = await newAuthority()
  const body = holderBody()
  await issue(authority.apiKey, 'k-order', body)
  const retry = await issue(authority.apiKey, 'k-order', Object.fromEntries(Object.entries(body).reverse()))
  t.equal(retry.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
})

t.test('an Idempotency-Key must be 1 to 128 printable ASCII characters', async t => {
  const authority = await newAuthority()
  const body = holderBody()
  for (const key of ['', 'a'.repeat(129), 'clé-1', 'tab\there']) {
    const response = await issue(authority.apiKey, key, body)
    t.equal(response.statusCode, 400, JSON.stringify(key))
    t.equal(response.json().code, 'INVALID_IDEMPOTENCY_KEY')
  }
  t.equal(await certificateCount(authority.id), 0)
  const longest = await issue(authority.apiKey, `${'a'.repeat(127)}~`, body)
  t.equal(longest.statusCode, 201)
})

t.test('concurrent duplicates with one key issue exactly one certificate', async t => {
  const authority = await newAuthority()
  const body = holderBody()
  const responses = await Promise.all(Array.from({ length: 8 }, () => issue(authority.apiKey, 'burst', body)))
  const fresh = responses.filter(r => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined)
  t.equal(fresh.length, 1, 'one request ran')
  for (const r of responses) {
    if (r === fresh[0]) continue
    if (r.statusCode === 201) t.equal(r.body, fresh[0]!.body, 'a replay of the one that ran')
    else t.match(r.json(), { statusCode: 409, code: 'IDEMPOTENCY_IN_PROGRESS' })
  }
  t.equal(await certificateCount(authority.id), 1)
})

t.test('a failed request stores nothing, so the corrected request may use its key', async t => {
  const authority = await newAuthority()
  const body = holderBody()
  const short = await issue(authority.apiKey, 'fix-me', { ...body, hours: { public: 1, professional: 1, elective: 1 } })
  t.equal(short.json().code, 'HOURS_REQUIREMENT_NOT_MET')
  const fixed = await issue(authority.apiKey, 'fix-me', body)
  t.equal(fixed.statusCode, 201)
  t.equal(fixed.headers['idempotent-replayed'], undefined)
})

t.test('a key held by a running request answers 409; one whose holder crashed is taken over', async t => {
  const authority = await newAuthority()
  const body = holderBody()
  const running = { issuer_id: authority.id, request_hash: hashRequest('POST', '/v1/certificates', body), state: 'running' as const, lock_token: 'someone-else' }
  await built.database.db.insertInto('idempotency_keys').values([
    { ...running, key: 'still-running', locked_until: new Date(Date.now() + 60_000) },
    { ...running, key: 'crashed', locked_until: new Date(Date.now() - 1_000) },
  ]).execute()
  const busy = await issue(authority.apiKey, 'still-running', body)
  t.equal(busy.statusCode, 409)
  t.equal(busy.json().code, 'IDEMPOTENCY_IN_PROGRESS')
  t.equal(await certificateCount(authority.id), 0)
  const resumed = await issue(authority.apiKey, 'crashed', body)
  t.equal(resumed.statusCode, 201, resumed.body)
  t.equal(await certificateCount(authority.id), 1)
})

t.test('keys belong to one issuer: another issuer may use the same key', async t => {
  const first = await newAuthority()
  const second = await newAuthority()
  const a = await issue(first.apiKey, 'shared', holderBody())
  const b = await issue(second.apiKey, 'shared', holderBody())
  t.equal(a.statusCode, 201)
  t.equal(b.statusCode, 201)
  t.equal(b.headers['idempotent-replayed'], undefined)
  t.equal(await certificateCount(second.id), 1)
})

t.test('a retried revocation gets the first answer; without a key the second is refused as already revoked', async t => {
  const authority = await newAuthority()
  const issued = await issue(authority.apiKey, undefined, holderBody())
  const url = `/v1/certificates/${issued.json().number as string}/revoke`
  const revoke = (key?: string) => built.app.inject({ method: 'POST', url, headers: auth(authority.apiKey, key), payload: { reason: '材料造假' } })
  const first = await revoke('revoke-1')
  t.equal(first.statusCode, 200, first.body)
  t.equal(first.json().status, 'revoked')
  const retry = await revoke('revoke-1')
  t.equal(retry.statusCode, 200)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.body, first.body)
  const otherRoute = await issue(authority.apiKey, 'revoke-1', holderBody())
  t.equal(otherRoute.json().code, 'IDEMPOTENCY_KEY_REUSED', 'a key names one request, whatever the route')
  const again = await revoke()
  t.equal(again.json().code, 'CERTIFICATE_ALREADY_REVOKED')
})
