import t from 'tap'
import { importJwks } from '../../src/signing/jwks-keys.js'
import { verifyRevocationList } from '../../src/signing/revocation-list-jws.js'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { headerOf } from './forged-tokens.js'

const now = new Date('2026-03-02T08:00:00Z')
const { app, createIssuer } = await build(t, { clock: () => now })
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const auth = { authorization: `Bearer ${tianhe.apiKey}` }

async function issue (serial: number): Promise<{ number: string, jws: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json()
}
const revoke = (number: string) => app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: auth, payload: { reason: '信息有误' } })

const first = await issue(1)
const kid = headerOf(first.jws).kid
const crl = (headers: Record<string, string> = {}) => app.inject({ url: `/.well-known/crl/${kid}.json`, headers })

t.test('a key with nothing revoked has an empty list at counter 0', async t => {
  const response = await crl()
  t.equal(response.statusCode, 200)
  t.same(response.json(), { kid, method: 'rid', ctr: 0, rids: [] })
  t.equal(response.headers['cache-control'], 'public, no-cache')
  t.match(response.headers.etag, /^"0-/)
  const again = await crl({ 'if-none-match': String(response.headers.etag) })
  t.equal(again.statusCode, 304, 'a cache holding the current copy gets 304')
})

t.test('the counter changes when, and only when, a certificate under the key is revoked', async t => {
  const before = await crl()
  const second = await issue(2)
  const afterIssuing = await crl()
  t.equal(afterIssuing.json().ctr, 0, 'issuing does not change the list')
  t.equal(afterIssuing.headers.etag, before.headers.etag)

  t.equal((await revoke(second.number)).statusCode, 200)
  const afterRevoking = await crl({ 'if-none-match': String(before.headers.etag) })
  t.equal(afterRevoking.statusCode, 200, 'the cached copy is stale')
  t.same(afterRevoking.json(), { kid, method: 'rid', ctr: 1, rids: [second.number] })
  t.not(afterRevoking.headers.etag, before.headers.etag)

  const refused = await revoke(second.number)
  t.equal(refused.json().code, 'CERTIFICATE_ALREADY_REVOKED')
  t.equal((await crl()).json().ctr, 1, 'a refused revocation counts nothing')

  t.equal((await revoke(first.number)).statusCode, 200)
  t.same((await crl()).json(), { kid, method: 'rid', ctr: 2, rids: [first.number, second.number].sort() })
  t.notMatch((await crl()).body, '张三', 'the list never names holders')
})

t.test('the signed list verifies with the published JWKS', async t => {
  const response = await app.inject({ url: `/.well-known/crl/${kid}.jws` })
  t.equal(response.statusCode, 200)
  t.match(response.headers['content-type'], /^application\/jose/)
  t.match(response.headers.etag, /^W\/"2-/)
  const keys = await importJwks((await app.inject('/.well-known/jwks.json')).json())
  const result = await verifyRevocationList(response.body, async k => keys.get(k))
  t.ok(result.ok, JSON.stringify(result))
  if (result.ok) {
    t.same({ ...result.list, iat: undefined, nextUpdate: undefined }, { ...(await crl()).json(), iat: undefined, nextUpdate: undefined })
    t.equal(result.list.iat, now.getTime() / 1000)
    t.equal(result.list.nextUpdate, now.getTime() / 1000 + 24 * 3600, 'to be replaced within REVOCATION_LIST_VALIDITY_HOURS')
  }
  const [header, , signature] = response.body.split('.')
  const altered = `${header}.${Buffer.from(JSON.stringify({ kid, method: 'rid', ctr: 2, rids: [] })).toString('base64url')}.${signature}`
  t.notOk((await verifyRevocationList(altered, async k => keys.get(k))).ok, 'a list with revocations removed does not verify')
})

t.test('there is no list for a key that was never published', async t => {
  const unknown = await app.inject('/.well-known/crl/no-such-key.json')
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'REVOCATION_LIST_NOT_FOUND')
  const malformed = await app.inject('/.well-known/crl/not%20a%20kid.jws')
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 'VALIDATION_FAILED')
})
