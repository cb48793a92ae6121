import t from 'tap'
import { build } from '../helper.js'
import { errorTable } from '../../src/errors.js'

t.test('health, readiness, OpenAPI, Swagger UI and the JWKS', async t => {
  const { app } = await build(t)
  t.same((await app.inject({ url: '/healthz' })).json(), { status: 'ok' })
  t.same((await app.inject({ url: '/readyz' })).json(), { status: 'ready', rateLimits: 'process' })
  const openapi = await app.inject({ url: '/openapi.json' })
  t.equal(openapi.statusCode, 200)
  const document = openapi.json()
  t.equal(document.openapi, '3.1.0')
  for (const route of ['/v1/certificates', '/v1/certificates/{number}', '/v1/certificates/{number}/revoke', '/v1/admin/issuers', '/.well-known/jwks.json']) {
    t.ok(document.paths[route], `documents ${route}`)
  }
  t.ok(document.components.schemas['issue-certificate-request'], 'shared schemas keep their names')
  const docs = await app.inject({ url: '/docs/' })
  t.equal(docs.statusCode, 200)
  t.match(docs.headers['content-type'], /html/)
  const jwks = await app.inject({ url: '/.well-known/jwks.json' })
  t.equal(jwks.headers['access-control-allow-origin'], '*')
  t.equal(jwks.json().keys.length, 1)
  t.ok(jwks.json().keys[0].x5c.length >= 1, 'with its certificate chain')
})

t.test('readiness fails with 503 when the database is gone', async t => {
  const testApp = await build(t)
  await testApp.database.close()
  const response = await testApp.app.inject({ url: '/readyz' })
  t.equal(response.statusCode, 503)
  t.equal(response.json().code, 'DATABASE_UNAVAILABLE')
})

t.test('an unknown address answers in the error shape', async t => {
  const { app } = await build(t)
  const response = await app.inject({ url: '/v1/nothing' })
  t.equal(response.statusCode, 404)
  t.match(response.json(), { statusCode: 404, code: 'NOT_FOUND', error: 'Not Found', messageZh: /地址 GET \/v1\/nothing 不存在/ })
})
