import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { alteredToken, hmacToken, payloadOf, strangerToken, unsignedToken } from './forged-tokens.js'

const now = new Date('2026-03-02T08:00:00Z')
const { app, database, keysDir, createIssuer } = await build(t, { clock: () => now })
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const auth = { authorization: `Bearer ${tianhe.apiKey}` }

async function issue (serial: number, name = '张三'): Promise<{ number: string, jws: string }> {
  const payload = issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } })
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json()
}

const verify = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/verify', payload })

const first = await issue(1, '欧阳娜娜')
const second = await issue(2, '买买提·艾力')

t.test('a genuine token verifies as valid and shows the signed full name', async t => {
  const response = await verify({ jws: first.jws })
  t.equal(response.statusCode, 200, response.body)
  const report = response.json()
  t.equal(report.verdict, 'valid')
  t.same(report.checks.map((c: { name: string }) => c.name), ['signature', 'payload-schema', 'number-format', 'registry-record', 'registry-match', 'status'])
  t.ok(report.checks.every((c: { ok: boolean, reasonZh: string }) => c.ok && c.reasonZh.length > 0))
  t.match(report.certificate, { number: first.number, holderName: '欧阳娜娜', year: 2025, region: { code: '440106' }, issuer: { name: '广州市天河区人力资源和社会保障局' } })
})

t.test('the text of the QR code verifies, and its number must be the signed one', async t => {
  const qr = `https://cert.example.gov.cn/v/${first.number}#${first.jws}`
  const response = await verify({ qr })
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().verdict, 'valid')
  t.ok(response.json().checks.some((c: { name: string, ok: boolean }) => c.name === 'presented-number' && c.ok))

  const relabelled = await verify({ qr: `https://cert.example.gov.cn/v/${second.number}#${first.jws}` })
  t.equal(relabelled.statusCode, 422)
  t.equal(relabelled.json().code, 'CERTIFICATE_MISMATCH')
  t.equal(relabelled.json().details.verdict, 'invalid')

  const noToken = await verify({ qr: `https://cert.example.gov.cn/v/${first.number}` })
  t.equal(noToken.statusCode, 400)
  t.equal(noToken.json().code, 'INVALID_TOKEN')

  const escaped = await verify({ qr: `https://cert.example.gov.cn/v/%E0%A4#${first.jws}` })
  t.equal(escaped.statusCode, 422)
  t.equal(escaped.json().code, 'CERTIFICATE_MISMATCH')
})

t.test('a QR code that points anywhere but this service\'s verification page is not valid, whatever token it carries', async t => {
  const genuine = `/v/${first.number}#${first.jws}`
  const foreign = [
    `https://evil.example${genuine}`,
    `https://cert.example.gov.cn.evil.example${genuine}`,
    `https://evil.example/https://cert.example.gov.cn${genuine}`,
    `http://cert.example.gov.cn${genuine}`,
    `https://cert.example.gov.cn:8443${genuine}`,
    `https://cert.example.gov.cn/elsewhere${genuine}`,
    `https://cert.example.gov.cn/v/${first.number}/extra#${first.jws}`,
    `https://cert.example.gov.cn/v/${first.number}?next=https://evil.example#${first.jws}`,
    `https://user@cert.example.gov.cn${genuine}`,
    `javascript:alert(1)//${genuine}`,
    `data:text/html,x#${first.jws}`,
    `ftp://cert.example.gov.cn${genuine}`,
  ]
  for (const qr of foreign) {
    const response = await verify({ qr })
    t.equal(response.statusCode, 422, qr)
    t.equal(response.json().code, 'UNTRUSTED_QR_ADDRESS', qr)
    t.match(response.json().details, { verdict: 'invalid', checks: [{ name: 'qr-address', ok: false, reasonZh: /二维码指向的不是本服务的网址/ }] })
    t.equal((await verify({ jws: qr })).json().code, 'UNTRUSTED_QR_ADDRESS', `${qr} sent as jws`)
  }
  t.equal((await verify({ qr: `https://cert.example.gov.cn${genuine}` })).json().verdict, 'valid', 'the genuine address verifies')
  t.equal((await verify({ qr: `HTTPS://CERT.EXAMPLE.GOV.CN${genuine}` })).json().verdict, 'valid', 'in any case, as URLs are')
})

t.test('a service that moved keeps verifying the QR codes printed with its former address', async t => {
  const moved = await build(t, { database, keysDir, clock: () => now, env: { PUBLIC_BASE_URL: 'https://verify.hrss.gd.gov.cn/ce', FORMER_PUBLIC_BASE_URLS: 'https://cert.example.gov.cn, http://localhost:3000' } })
  const ask = (qr: string) => moved.app.inject({ method: 'POST', url: '/v1/verify', payload: { qr } })
  t.equal((await ask(`https://cert.example.gov.cn/v/${first.number}#${first.jws}`)).json().verdict, 'valid', 'the former address')
  t.equal((await ask(`https://verify.hrss.gd.gov.cn/ce/v/${first.number}#${first.jws}`)).json().verdict, 'valid', 'the new one, with its path')
  t.equal((await ask(`https://verify.hrss.gd.gov.cn/v/${first.number}#${first.jws}`)).json().code, 'UNTRUSTED_QR_ADDRESS', 'the new host without its path')
  t.equal((await ask(`http://localhost:3000/v/${first.number}#${first.jws}`)).json().verdict, 'valid', 'http on loopback, when it was the address')
  t.equal((await ask(`https://evil.example/v/${first.number}#${first.jws}`)).json().code, 'UNTRUSTED_QR_ADDRESS')
})

t.test('a revoked certificate verifies as revoked, with the date', async t => {
  const third = await issue(3)
  const revoked = await app.inject({ method: 'POST', url: `/v1/certificates/${third.number}/revoke`, headers: auth, payload: { reason: '重复发证' } })
  t.equal(revoked.statusCode, 200, revoked.body)
  const response = await verify({ jws: third.jws })
  t.equal(response.statusCode, 200)
  const report = response.json()
  t.equal(report.verdict, 'revoked')
  t.match(report.checks.at(-1), { name: 'status', ok: false })
  t.equal(report.certificate.revokedAt, now.toISOString())
})

t.test('a token signed by this service but missing from the register is unknown', async t => {
  // The same keys over an empty database: a register that lost the record, or another instance's.
  const elsewhere = await build(t, { clock: () => now, keysDir })
  const response = await elsewhere.app.inject({ method: 'POST', url: '/v1/verify', payload: { jws: first.jws } })
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().verdict, 'unknown')
  t.match(response.json().checks.at(-1), { name: 'registry-record', ok: false })
})

t.test('a register record that differs from the signed certificate makes it invalid', async t => {
  const fourth = await issue(4, '李四')
  await database.db.updateTable('certificates').set({ holder_name: '王五' }).where('number', '=', fourth.number).execute()
  const response = await verify({ jws: fourth.jws })
  t.equal(response.statusCode, 422)
  t.equal(response.json().code, 'CERTIFICATE_MISMATCH')
  t.match(response.json().details.checks.at(-1), { name: 'registry-match', ok: false, code: 'CERTIFICATE_MISMATCH' })
  t.equal(response.json().details.certificate.holderName, '李四', 'the report shows what was signed')
})

t.test('hostile tokens are refused with a 4xx, a stable code and the report', async t => {
  const cases: Array<[string, string, number, string]> = [
    ['alg: none', unsignedToken(first.jws), 400, 'UNSUPPORTED_ALGORITHM'],
    ['alg: none with a made-up signature', `${unsignedToken(first.jws)}c2ln`, 400, 'UNSUPPORTED_ALGORITHM'],
    ['an HMAC algorithm (HS256)', await hmacToken(first.jws), 400, 'UNSUPPORTED_ALGORITHM'],
    ['a key this service never published', await strangerToken(first.jws), 422, 'UNKNOWN_SIGNING_KEY'],
    ['a name altered after signing', alteredToken(first.jws, { nam: '欧阳娜' }), 422, 'SIGNATURE_INVALID'],
    ['hours altered after signing', alteredToken(first.jws, { hrs: { ...payloadOf(first.jws).hrs, tot: 200 } }), 422, 'SIGNATURE_INVALID'],
    ['a signature cut short', first.jws.slice(0, -12), 422, 'SIGNATURE_INVALID'],
    ['a token cut in half', first.jws.slice(0, Math.floor(first.jws.length / 2)), 400, 'INVALID_TOKEN'],
    ['a token of 5,000 characters', `${first.jws}${'A'.repeat(5000)}`, 413, 'TOKEN_TOO_LARGE'],
    ['not a token at all', '证书编号 44010625000001', 400, 'INVALID_TOKEN'],
    ['base64 that is not JSON', 'bm90IGpzb24.bm90IGpzb24.c2ln', 400, 'INVALID_TOKEN'],
  ]
  for (const [what, jws, status, code] of cases) {
    const response = await verify({ jws })
    t.equal(response.statusCode, status, `${what}: ${response.body.slice(0, 200)}`)
    t.equal(response.json().code, code, what)
    t.equal(response.json().details?.verdict, 'invalid', what)
    t.equal(response.json().details?.checks.at(-1)?.code, code, what)
    t.notOk(response.json().details?.certificate, `${what}: no certificate is shown for an unverified token`)
  }
})

t.test('requests that cannot be understood are refused before verification', async t => {
  const both = await verify({ jws: first.jws, qr: first.jws })
  t.equal(both.statusCode, 400)
  t.equal(both.json().code, 'VALIDATION_FAILED')
  const plain = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'text/plain' }, payload: first.jws })
  t.equal(plain.statusCode, 415)
  t.equal(plain.json().code, 'UNSUPPORTED_MEDIA_TYPE')
  const empty = await app.inject({ method: 'POST', url: '/v1/verify' })
  t.ok(empty.statusCode >= 400 && empty.statusCode < 500, `no body: ${empty.statusCode}`)
  const huge = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ jws: 'A'.repeat(2 * 1024 * 1024) }) })
  t.equal(huge.statusCode, 413)
  t.equal(huge.json().code, 'PAYLOAD_TOO_LARGE')
})

t.test('a file that is not a PDF is invalid; a PDF this service did not sign is altered, whatever it holds', async t => {
  const notPdf = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.from('GIF89a not a pdf at all') })
  t.equal(notPdf.statusCode, 400, notPdf.body)
  t.equal(notPdf.json().code, 'INVALID_PDF')
  t.match(notPdf.json().details.checks, [{ name: 'document', ok: false }])

  const { PDFDocument } = await import('pdf-lib')
  const blank = await PDFDocument.create()
  blank.addPage()
  const empty = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.from(await blank.save()) })
  t.equal(empty.statusCode, 422, empty.body)
  t.equal(empty.json().code, 'PDF_ALTERED')
  t.equal(empty.json().details.verdict, 'altered')

  const oversized = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.alloc(6 * 1024 * 1024, 0x25) })
  t.equal(oversized.statusCode, 413)
  t.equal(oversized.json().code, 'PAYLOAD_TOO_LARGE')
})
