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
