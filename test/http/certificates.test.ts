import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'

t.test('an authority issues a certificate and anyone looks it up', async t => {
  const { app, createIssuer } = await build(t)
  const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${tianhe.apiKey}` }, payload: issueBody() })
  t.equal(issued.statusCode, 201, issued.body)
  const body = issued.json()
  t.equal(body.number, '44010625000001')
  t.equal(body.status, 'valid')
  t.equal(body.ruleSet, 'guangdong')
  t.match(body.jws, /^[\w-]+\.[\w-]+\.[\w-]+$/)
  t.equal(issued.headers.location, '/v1/certificates/44010625000001')

  const lookup = await app.inject({ url: '/v1/certificates/44010625000001' })
  t.equal(lookup.statusCode, 200)
  t.match(lookup.json(), {
    number: '44010625000001',
    status: 'valid',
    holder: { maskedName: '张*' },
    year: 2025,
    region: { code: '440106', name: '广东省广州市天河区' },
    issuer: { name: '广州市天河区人力资源和社会保障局' },
    hours: { public: 20, professional: 44, elective: 12, total: 76 },
  })
  t.notOk(lookup.body.includes(makeIdNumber()), 'no ID number in the public answer')
})

t.test('the issued JWS verifies against the published JWKS and holds no ID number', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('employer', '440106', '广州天河软件科技有限公司')
  const body = issueBody({ holder: { name: '欧阳娜娜', idNumber: makeIdNumber('440106', '19900101', 7) } })
  const issued = (await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: body })).json()
  const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json()
  const { compactVerify, createLocalJWKSet } = await import('jose')
  const { payload, protectedHeader } = await compactVerify(issued.jws, createLocalJWKSet(jwks))
  t.equal(protectedHeader.alg, 'ES256')
  t.equal(protectedHeader.kid, issued.kid)
  const claims = JSON.parse(new TextDecoder().decode(payload))
  t.match(claims, { v: 1, num: issued.number, nam: '欧阳娜娜', yr: 2025, rs: 'guangdong', reg: '440106', emp: '广州天河软件科技有限公司' })
  t.notOk(JSON.stringify(claims).includes(makeIdNumber('440106', '19900101', 7)))
  t.ok(issued.jws.length < 900, `the JWS has ${issued.jws.length} characters`)
})

t.test('the lookup answers whether a name matches, without revealing it', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: issueBody({ holder: { name: '买买提·艾力', idNumber: makeIdNumber() } }) })
  const match = await app.inject({ url: '/v1/certificates/44010625000001', query: { name: '买买提•艾力' } })
  t.equal(match.json().nameMatches, true, 'middle-dot variants are the same name')
  t.equal(match.json().holder.maskedName, '买****力')
  const mismatch = await app.inject({ url: '/v1/certificates/44010625000001', query: { name: '买买提' } })
  t.equal(mismatch.json().nameMatches, false)
  t.notOk(mismatch.body.includes('买买提·艾力'))
})

t.test('malformed and unknown numbers', async t => {
  const { app } = await build(t)
  const malformed = await app.inject({ url: '/v1/certificates/4401062500000X' })
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 'MALFORMED_CERTIFICATE_NUMBER')
  t.ok(malformed.json().messageZh)
  const unknown = await app.inject({ url: '/v1/certificates/44010625000001' })
  t.equal(unknown.statusCode, 404)
  t.equal(unknown.json().code, 'CERTIFICATE_NOT_FOUND')
})

t.test('bad requests get a 4xx with a stable code and change nothing', async t => {
  const { app, createIssuer, database } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}`, ...headers }, payload: payload as Record<string, unknown> })
  const cases: Array<[string, unknown, number, string]> = [
    ['wrong check digit', issueBody({ holder: { name: '张三', idNumber: '110105194912310021' } }), 400, 'INVALID_ID_NUMBER'],
    ['a future year', issueBody({ year: 2099 }), 400, 'INVALID_YEAR'],
    ['too few hours', issueBody({ hours: { public: 10, professional: 20, elective: 0 } }), 422, 'HOURS_REQUIREMENT_NOT_MET'],
    ['an unknown field', { ...issueBody(), extra: 1 }, 400, 'VALIDATION_FAILED'],
    ['a missing holder', { ...issueBody(), holder: undefined }, 400, 'VALIDATION_FAILED'],
    ['negative hours', issueBody({ hours: { public: -1, professional: 50, elective: 30 } }), 400, 'VALIDATION_FAILED'],
    ['an unknown region', issueBody({ regionCode: '440199' }), 400, 'UNKNOWN_REGION'],
    ['an unknown rule set', issueBody({ ruleSet: 'mars' }), 400, 'VALIDATION_FAILED'],
    ['Sichuan rules picked to pass in Guangdong', issueBody({ ruleSet: 'sichuan', hours: { public: 0, professional: 60, elective: 0, selfStudy: 30 } }), 422, 'RULE_SET_NOT_ALLOWED'],
    ['national rules picked for an accountant', issueBody({ series: '会计', ruleSet: 'national', hours: { public: 0, professional: 90, elective: 0 } }), 422, 'RULE_SET_NOT_ALLOWED'],
    ['a right-to-left override in the name', issueBody({ holder: { name: '张\u202e三', idNumber: makeIdNumber() } }), 400, 'VALIDATION_FAILED'],
    ['digits in the name', issueBody({ holder: { name: "张三'; drop table certificates; --", idNumber: makeIdNumber() } }), 400, 'VALIDATION_FAILED'],
  ]
  for (const [what, payload, status, code] of cases) {
    const response = await post(payload)
    t.equal(response.statusCode, status, what)
    t.equal(response.json().code, code, what)
    t.notMatch(response.body, /at .*\.ts:\d+/, `${what}: no stack trace`)
  }
  const notJson = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, payload: '{"holder":' })
  t.equal(notJson.statusCode, 400)
  t.equal(notJson.json().code, 'MALFORMED_JSON')
  const wrongType = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'text/plain' }, payload: 'hello' })
  t.equal(wrongType.statusCode, 415)
  t.equal(wrongType.json().code, 'UNSUPPORTED_MEDIA_TYPE')
  const count = await database.db.selectFrom('certificates').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
  t.equal(Number(count.n), 0, 'nothing was issued')
  const sequences = await database.db.selectFrom('number_sequences').selectAll().execute()
  t.same(sequences, [], 'no number was taken')
  t.equal((await post(issueBody())).json().number, '44010625000001', 'the first good request still gets 000001')
})

t.test('one valid certificate per holder per year; after revocation a new one with a new number', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  const headers = { authorization: `Bearer ${apiKey}` }
  const first = await app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody() })
  t.equal(first.statusCode, 201)
  const again = await app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody({ holder: { name: '张三', idNumber: makeIdNumber().toLowerCase() } }) })
  t.equal(again.statusCode, 409)
  t.equal(again.json().code, 'CERTIFICATE_EXISTS')
  t.equal(again.json().details.existingNumber, '44010625000001')
  t.equal((await app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody({ year: 2024 }) })).statusCode, 201, 'another year is fine')

  const revoked = await app.inject({ method: 'POST', url: '/v1/certificates/44010625000001/revoke', headers, payload: { reason: '学时申报不实' } })
  t.equal(revoked.statusCode, 200)
  t.equal(revoked.json().status, 'revoked')
  t.ok(revoked.json().revokedAt)
  const lookup = (await app.inject({ url: '/v1/certificates/44010625000001' })).json()
  t.equal(lookup.status, 'revoked')
  t.equal(lookup.revokedAt, revoked.json().revokedAt)
  const twice = await app.inject({ method: 'POST', url: '/v1/certificates/44010625000001/revoke', headers, payload: { reason: 'again' } })
  t.equal(twice.json().code, 'CERTIFICATE_ALREADY_REVOKED')

  const reissued = await app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody() })
  t.equal(reissued.statusCode, 201)
  t.equal(reissued.json().number, '44010625000002')
})

t.test('the rule set follows the province and the series', async t => {
  const { app, createIssuer } = await build(t)
  const henan = await createIssuer('authority', '410105')
  const post = (apiKey: string, payload: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload })
  const short = await post(henan.apiKey, issueBody({ hours: { public: 20, professional: 44, elective: 12 } }))
  t.equal(short.statusCode, 422, 'Guangdong hours fall short in Henan')
  t.same(short.json().details.shortfalls, [
    { category: 'public', required: 30, given: 20 },
    { category: 'professional', required: 60, given: 44 },
    { category: 'total', required: 90, given: 76 },
  ])
  const ok = await post(henan.apiKey, issueBody({ hours: { public: 30, professional: 60, elective: 0 } }))
  t.equal(ok.statusCode, 201)
  t.equal(ok.json().ruleSet, 'henan')
  t.equal(ok.json().number, '41010525000001')
  const tianhe = await createIssuer('authority', '440106')
  const accountant = await post(tianhe.apiKey, issueBody({ series: '会计', hours: { public: 30, professional: 60, elective: 0 } }, 2))
  t.equal(accountant.json().ruleSet, 'accounting')
})
