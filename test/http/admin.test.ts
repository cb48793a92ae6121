import t from 'tap'
import { adminToken, build, issueBody } from '../helper.js'

t.test('the administrator creates issuers; the API key works once shown and is never stored in clear', async t => {
  const { app, database } = await build(t)
  const created = await app.inject({
    method: 'POST', url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` },
    payload: { name: '广州市人力资源和社会保障局', kind: 'authority', regionCode: '440100' },
  })
  t.equal(created.statusCode, 201)
  const body = created.json()
  t.match(body, { id: 1, name: '广州市人力资源和社会保障局', kind: 'authority', regionCode: '440100', regionName: '广东省广州市', keyId: 1 })
  t.match(body.apiKey, /^cek_[\w-]{43}$/)
  const stored = await database.db.selectFrom('api_keys').selectAll().execute()
  t.notOk(JSON.stringify(stored).includes(body.apiKey), 'only a hash is stored')
  const list = await app.inject({ url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` } })
  t.notOk(list.body.includes('apiKey'))
})

t.test('issuer creation is checked', async t => {
  const { app } = await build(t)
  const create = (payload: Record<string, unknown>, token = adminToken) =>
    app.inject({ method: 'POST', url: '/v1/admin/issuers', headers: { authorization: `Bearer ${token}` }, payload })
  t.equal((await create({ name: 'x', kind: 'employer', regionCode: '440100' })).json().code, 'INVALID_ISSUER_REGION', 'an employer belongs to a county')
  t.equal((await create({ name: 'x', kind: 'authority', regionCode: '440199' })).json().code, 'UNKNOWN_REGION')
  t.equal((await create({ name: 'x', kind: 'king', regionCode: '440106' })).json().code, 'VALIDATION_FAILED')
  t.equal((await create({ name: 'x', kind: 'authority', regionCode: '440106' }, 'wrong-token-wrong-token')).json().code, 'INVALID_ADMIN_TOKEN')
  const none = await app.inject({ method: 'POST', url: '/v1/admin/issuers', payload: { name: 'x', kind: 'authority', regionCode: '440106' } })
  t.equal(none.statusCode, 401)
  t.equal(none.json().code, 'AUTHENTICATION_REQUIRED')
  const issuerKey = (await create({ name: '天河', kind: 'authority', regionCode: '440106' })).json().apiKey
  t.equal((await create({ name: 'x', kind: 'authority', regionCode: '440106' }, issuerKey)).statusCode, 401, 'an issuer key is no admin token')
})

t.test('without ADMIN_TOKEN the admin API is disabled', async t => {
  const { app } = await build(t, { env: { ADMIN_TOKEN: '' } })
  const response = await app.inject({ method: 'POST', url: '/v1/admin/issuers', headers: { authorization: 'Bearer anything-at-all-here' }, payload: { name: 'x', kind: 'authority', regionCode: '440106' } })
  t.equal(response.statusCode, 403)
  t.equal(response.json().code, 'ADMIN_DISABLED')
})

t.test('API keys can be added, revoked, and expire', async t => {
  let now = new Date('2026-01-10T00:00:00Z')
  const { app, createIssuer } = await build(t, { clock: () => now })
  const { id, apiKey } = await createIssuer('authority', '440106')
  const admin = { authorization: `Bearer ${adminToken}` }
  const second = (await app.inject({ method: 'POST', url: `/v1/admin/issuers/${id}/keys`, headers: admin, payload: { expiresAt: '2026-02-01T00:00:00Z' } })).json()
  const issue = (key: string, serial: number) => app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${key}` }, payload: issueBody({}, serial) })
  t.equal((await issue(second.apiKey, 1)).statusCode, 201)
  now = new Date('2026-02-02T00:00:00Z')
  t.equal((await issue(second.apiKey, 2)).json().code, 'INVALID_API_KEY', 'an expired key stops working')
  const revoked = await app.inject({ method: 'DELETE', url: `/v1/admin/issuers/${id}/keys/1`, headers: admin })
  t.equal(revoked.statusCode, 204)
  t.equal((await issue(apiKey, 3)).json().code, 'INVALID_API_KEY', 'a revoked key stops working')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/admin/issuers/${id}/keys/1`, headers: admin })).statusCode, 404)
})
