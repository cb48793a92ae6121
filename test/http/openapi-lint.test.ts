import t from 'tap'
import { createConfig, lintFromString } from '@redocly/openapi-core'
import { adminToken, build, issueBody } from '../helper.js'
import { publicRoutes } from '../../src/http/request-guards.js'
import { xlsxContentType } from '../../src/spreadsheets/uploaded-table.js'

type Json = Record<string, any>

/**
 * The warnings of Redocly's recommended rules that stay, each for a reason:
 * - three operations answer no 4xx at all: liveness (never limited, never shed), readiness (its only
 *   refusal is 503) and the offline verifier's file (not rate-limited, takes no input);
 * - certificate-payload is the signed content inside every JWS, published for verifiers that decode the
 *   token themselves; no HTTP body is that object, so no operation refers to it.
 */
const allowedWarnings = [
  'no-unused-components #/components/schemas/certificate-payload',
  'operation-4xx-response #/paths/~1downloads~1ce-cert.mjs/get/responses',
  'operation-4xx-response #/paths/~1healthz/get/responses',
  'operation-4xx-response #/paths/~1readyz/get/responses',
]

/** Clients generate code from these names: renaming one breaks them, so a change here is a decision. */
const operationIds: Record<string, string> = {
  'GET /healthz': 'checkLiveness',
  'GET /readyz': 'checkReadiness',
  'GET /.well-known/jwks.json': 'readSigningKeys',
  'GET /.well-known/crl/{kid}.json': 'readRevocationList',
  'GET /.well-known/crl/{kid}.jws': 'readSignedRevocationList',
  'POST /v1/admin/issuers': 'createIssuer',
  'GET /v1/admin/issuers': 'listIssuers',
  'POST /v1/admin/issuers/{id}/keys': 'createIssuerApiKey',
  'POST /v1/admin/issuers/{id}/users': 'createIssuerUser',
  'DELETE /v1/admin/issuers/{id}/keys/{keyId}': 'revokeIssuerApiKey',
  'POST /v1/session': 'signIn',
  'GET /v1/session': 'readSession',
  'DELETE /v1/session': 'signOut',
  'PUT /v1/session/password': 'changePassword',
  'GET /v1/sessions': 'listSessions',
  'DELETE /v1/sessions': 'signOutEverywhere',
  'GET /v1/issuers/me/users': 'listUsers',
  'POST /v1/issuers/me/users': 'createUser',
  'PATCH /v1/issuers/me/users/{id}': 'updateUser',
  'POST /v1/issuers/me/users/{id}/password-reset': 'resetUserPassword',
  'GET /v1/issuers/me/keys': 'listApiKeys',
  'POST /v1/issuers/me/keys': 'createApiKey',
  'DELETE /v1/issuers/me/keys/{keyId}': 'revokeApiKey',
  'PUT /v1/issuers/me/seal': 'uploadSeal',
  'GET /v1/issuers/me/seal': 'downloadSeal',
  'DELETE /v1/issuers/me/seal': 'removeSeal',
  'POST /v1/certificates': 'issueCertificate',
  'GET /v1/certificates/{number}': 'lookupCertificate',
  'POST /v1/certificates/{number}/revoke': 'revokeCertificate',
  'POST /v1/certificates/check': 'checkIssuance',
  'POST /v1/certificates/search': 'searchCertificates',
  'POST /v1/certificates/{number}/holder-pdf': 'downloadOwnCertificatePdf',
  'GET /v1/certificates/{number}/pdf': 'downloadCertificatePdf',
  'POST /v1/certificates/batch': 'issueBatch',
  'GET /v1/certificates/batch/template': 'downloadBatchTemplate',
  'GET /v1/batches/{id}': 'readBatch',
  'GET /v1/batches/{id}/pdfs': 'downloadBatchPdfs',
  'POST /v1/batches/{id}/archive': 'prepareBatchArchive',
  'GET /v1/batches/{id}/archive': 'readBatchArchive',
  'GET /v1/batches/{id}/archive.zip': 'downloadBatchArchive',
  'GET /v1/registers/{regionCode}/{year}': 'readRegister',
  'GET /v1/stats': 'readStats',
  'GET /v1/audit': 'readAuditTrail',
  'POST /v1/verify': 'verifyCertificate',
  'POST /v1/verify/batch': 'verifyBatch',
  'GET /v1/verify/batch/template': 'downloadVerificationTemplate',
  'POST /v1/verify/batch/export': 'exportBatchVerification',
  'POST /v1/verification-reports': 'issueVerificationReport',
  'GET /v1/verification-reports/{number}': 'confirmVerificationReport',
  'GET /v1/verification-reports/{number}/pdf': 'downloadVerificationReportPdf',
  'GET /v': 'showVerificationForm',
  'GET /v/{number}': 'showVerificationPage',
  'GET /v/offline': 'showOfflineVerificationGuide',
  'GET /downloads/ce-cert.mjs': 'downloadOfflineVerifier',
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']

function operationsOf (document: Json): Array<[string, Json]> {
  return Object.entries<Json>(document.paths).flatMap(([path, item]) =>
    Object.entries<Json>(item).filter(([method]) => methods.includes(method)).map(([method, operation]): [string, Json] => [`${method.toUpperCase()} ${path}`, operation]))
}

/** The operation of a route as Fastify names it (`:number`), in the document (`{number}`). */
const documented = (document: Json, method: string, url: string) => document.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()] as Json | undefined

t.test('Redocly\'s recommended rules find no error in the OpenAPI document, and only the warnings justified above', async t => {
  const { app } = await build(t)
  const document = (await app.inject({ url: '/openapi.json' })).json() as Json
  const config = await createConfig({ extends: ['recommended'] })
  const problems = await lintFromString({ source: JSON.stringify(document, null, 2), absoluteRef: 'openapi.json', config })
  const errors = problems.filter(p => p.severity === 'error').map(p => `${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`)
  t.same(errors, [], 'no errors')
  const warnings = problems.filter(p => p.severity === 'warn').map(p => `${p.ruleId} ${p.location[0]?.pointer ?? ''}`).sort()
  t.comment(`Redocly recommended: ${errors.length} errors, ${warnings.length} warnings`)
  t.same(warnings, allowedWarnings, 'only the allowed warnings')
})

t.test('every operation has its stable camelCase operationId, and the public ones need no credentials', async t => {
  const { app } = await build(t)
  const document = (await app.inject({ url: '/openapi.json' })).json() as Json
  const operations = operationsOf(document)
  t.same(Object.fromEntries(operations.map(([name, operation]) => [name, operation.operationId])), operationIds)
  for (const [name, operation] of operations) {
    t.match(operation.operationId, /^[a-z][a-zA-Z0-9]*$/, `${name} is camelCase`)
    t.ok(Array.isArray(operation.security), `${name} says what it needs`)
  }
  for (const route of publicRoutes) t.same(documented(document, route.method, route.url)?.security, [], `${route.method} ${route.url} is public`)
  t.same(documented(document, 'POST', '/v1/certificates')?.security, [{ apiKey: [] }, { sessionCookie: [], csrfToken: [] }])
})

t.test('uploads are documented as they are sent: CSV text, .xlsx and PDFs as files', async t => {
  const { app } = await build(t)
  const document = (await app.inject({ url: '/openapi.json' })).json() as Json
  for (const url of ['/v1/certificates/batch', '/v1/verify/batch']) {
    const content = document.paths[url].post.requestBody.content as Json
    t.match(content['application/json'].schema, { $ref: /^#\/components\/schemas\// }, `${url}: JSON by its schema`)
    t.match(content['text/csv'].schema, { type: 'string' }, `${url}: CSV as text`)
    t.match(content[xlsxContentType].schema, { type: 'string', format: 'binary' }, `${url}: .xlsx as a file`)
  }
  t.match(document.paths['/v1/verify/batch'].post.requestBody.content['multipart/form-data'].schema, { type: 'object', additionalProperties: { type: 'string', format: 'binary' } })
  t.match(document.paths['/v1/verify'].post.requestBody.content['application/pdf'].schema, { type: 'string', format: 'binary' })
  t.match(document.paths['/v1/issuers/me/seal'].put.requestBody.content['image/png'].schema, { type: 'string', format: 'binary' })
})

t.test('errors are shared responses in the one JSON shape, whatever the route produces; pages answer their failures as pages', async t => {
  const { app } = await build(t)
  const document = (await app.inject({ url: '/openapi.json' })).json() as Json
  const pdf = document.paths['/v1/certificates/{number}/pdf'].get.responses as Json
  t.same(pdf['404'], { $ref: '#/components/responses/NotFound' })
  t.same(document.components.responses.NotFound.content, { 'application/json': { schema: { $ref: '#/components/schemas/error' } } })
  t.match(document.components.responses.TooManyRequests, { description: /AUTHENTICATION_THROTTLED/, headers: { 'Retry-After': {} } })
  const page = document.paths['/v/{number}'].get.responses as Json
  for (const status of ['200', '400', '404', '429', '503']) t.ok(page[status]?.content?.['text/html'], `/v/{number} answers ${status} as a page`)
  t.ok(document.paths['/v'].get.responses['303'], '/v redirects a typed number')
})

t.test('what routes answer is documented, and the bodies of newly documented statuses are unchanged', async t => {
  const { app, createIssuer } = await build(t, { env: { RATE_LIMIT_AUTH_FAILURES_PER_15_MINUTES: '1' } })
  const document = (await app.inject({ url: '/openapi.json' })).json() as Json
  const { apiKey } = await createIssuer('authority', '440106')
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: issueBody() })
  const number = issued.json().number as string
  const key = { authorization: `Bearer ${apiKey}` }
  const samples: Array<{ method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, url: string, status: number, headers?: Record<string, string>, payload?: string | object }> = [
    { method: 'GET', route: '/v/:number', url: `/v/${number}`, status: 200 },
    { method: 'GET', route: '/v/:number', url: '/v/4401062500000X', status: 400 },
    { method: 'GET', route: '/v/:number', url: '/v/44010625999999', status: 404 },
    { method: 'GET', route: '/v', url: `/v?number=${number}`, status: 303 },
    { method: 'GET', route: '/v1/certificates/:number', url: '/v1/certificates/44010625999999', status: 404 },
    { method: 'POST', route: '/v1/verify', url: '/v1/verify', status: 415, headers: { 'content-type': 'text/plain' }, payload: 'eyJ' },
    { method: 'POST', route: '/v1/verify', url: '/v1/verify', status: 400, payload: { jws: 'not-a-token' } },
    { method: 'POST', route: '/v1/certificates', url: '/v1/certificates', status: 413, headers: key, payload: { ...issueBody(), padding: 'x'.repeat(70_000) } },
    { method: 'POST', route: '/v1/certificates/:number/revoke', url: `/v1/certificates/${number}/revoke`, status: 415, headers: { ...key, 'content-type': 'text/plain' }, payload: 'revoke' },
    { method: 'GET', route: '/v1/certificates/:number/pdf', url: `/v1/certificates/${number}/pdf`, status: 401 },
    { method: 'DELETE', route: '/v1/admin/issuers/:id/keys/:keyId', url: '/v1/admin/issuers/1/keys/0', status: 400, headers: { authorization: `Bearer ${adminToken}` } },
    { method: 'GET', route: '/v1/stats', url: '/v1/stats', status: 401, headers: { authorization: 'Bearer cek_wrong' } },
    { method: 'GET', route: '/v1/stats', url: '/v1/stats', status: 429, headers: { authorization: 'Bearer cek_wrong' } },
    { method: 'GET', route: '/v1/batches/:id', url: '/v1/batches/1', status: 429, headers: key },
  ]
  for (const sample of samples) {
    const response = await app.inject({ method: sample.method, url: sample.url, headers: sample.headers, payload: sample.payload })
    const what = `${sample.method} ${sample.url.slice(0, 40)}`
    t.equal(response.statusCode, sample.status, what)
    t.ok(documented(document, sample.method, sample.route)?.responses?.[String(sample.status)], `${what}: ${sample.status} is documented`)
  }
  // A status newly in a route's schema is serialised by error.json: every field, details too, as before.
  const throttled = await app.inject({ url: '/v1/batches/1', headers: key })
  t.equal(throttled.statusCode, 429)
  t.same(Object.keys(throttled.json()).sort(), ['code', 'details', 'error', 'message', 'messageZh', 'requestId', 'statusCode'])
  t.match(throttled.json(), { code: 'AUTHENTICATION_THROTTLED', details: { retryAfterSeconds: Number }, requestId: throttled.headers['x-request-id'] })
  t.ok(throttled.headers['retry-after'])
})
