// The compact QR token (docs/QR-FORMAT.md) end to end: printed on the PDF, verified by the API and offline, compared with the register.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { Ajv } from 'ajv'
import * as cbor from 'cborg'
import t from 'tap'
import { signCompactToken } from '../../src/signing/certificate-cose.js'
import { bytesToDigits } from '../../src/signing/decimal-bytes.js'
import { createOfflineVerifier } from '../../src/verification/offline-verifier.js'
import { build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'
import { alteredCompactToken, compactPartsOf, compactQrOf, headerOf, signingKeyFromFolder } from './forged-tokens.js'

const run = promisify(execFile)
const now = new Date('2026-03-02T08:00:00Z')
const { app, database, keysDir, createIssuer } = await build(t, { clock: () => now })
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const auth = { authorization: `Bearer ${tianhe.apiKey}` }

async function issue (serial: number, name: string): Promise<{ number: string, jws: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json()
}
const verify = (qr: string) => app.inject({ method: 'POST', url: '/v1/verify', payload: { qr } })
const checkNames = (report: { checks: Array<{ name: string }> }) => report.checks.map(c => c.name)

const ouyang = await issue(1, '欧阳娜娜')
const maimaiti = await issue(2, '买买提·艾力')
const ouyangQr = await compactQrOf(keysDir, ouyang.jws)
const number = ouyang.number
const digitsOf = (qr: string) => qr.slice(qr.indexOf('#') + 1)

t.test('the PDF\'s QR code is the verification address with the compact token, as a 150 dpi render reads it', async t => {
  const dir = await temporaryDirectory(t)
  const pdf = await app.inject({ url: `/v1/certificates/${number}/pdf`, headers: auth })
  await writeFile(path.join(dir, 'c.pdf'), pdf.rawPayload)
  await run('pdftoppm', ['-r', '150', '-png', '-singlefile', path.join(dir, 'c.pdf'), path.join(dir, 'page')])
  const { stdout } = await run('zbarimg', ['--raw', '-q', path.join(dir, 'page.png')])
  const qr = stdout.trim()
  t.match(qr, new RegExp(`^https://cert\\.example\\.gov\\.cn/v/${number}#[0-9]+$`))
  t.equal(qr, ouyangQr, 'derived from the stored JWS by the same key, the same every time')
  t.ok(qr.length < 330, `${qr.length} characters, against ~580 for the address with the JWS`)
})

t.test('a compact QR code verifies as valid: the signed name, and the register\'s issuer once its record matched', async t => {
  const response = await verify(ouyangQr)
  t.equal(response.statusCode, 200, response.body)
  const report = response.json()
  t.equal(report.verdict, 'valid')
  t.same(checkNames(report), ['qr-address', 'signature', 'payload-schema', 'number-format', 'presented-number', 'registry-record', 'registry-match', 'status'])
  t.match(report.checks.find((c: { name: string }) => c.name === 'signature').reasonZh, /二维码签名数据/)
  t.match(report.certificate, { number, holderName: '欧阳娜娜', year: 2025, hours: { public: 20, professional: 44, elective: 12, total: 76 }, region: { code: '440106', name: '广东省广州市天河区' }, issuer: { name: '广州市天河区人力资源和社会保障局' }, kid: headerOf(ouyang.jws).kid })
  t.equal(report.certificate.issuedAt, now.toISOString())
})

t.test('a compact token proves only its own number: another certificate\'s genuine token, or changed claims, fail the signature', async t => {
  const swapped = await verify(`https://cert.example.gov.cn/v/${number}#${digitsOf(await compactQrOf(keysDir, maimaiti.jws))}`)
  t.equal(swapped.statusCode, 422)
  t.equal(swapped.json().code, 'SIGNATURE_INVALID')
  t.notOk(swapped.json().details.certificate, 'nothing of an unverified token is shown')
  const renamed = alteredCompactToken(digitsOf(ouyangQr), claims => { claims.set(1, '欧阳娜拉'); claims.delete(2) })
  const altered = await verify(`https://cert.example.gov.cn/v/${number}#${renamed}`)
  t.equal(altered.json().code, 'SIGNATURE_INVALID')
  const hours = alteredCompactToken(digitsOf(ouyangQr), claims => { claims.set(3, [20, 44, 12, 200]) })
  t.equal((await verify(`https://cert.example.gov.cn/v/${number}#${hours}`)).json().code, 'SIGNATURE_INVALID')
})

t.test('a compact token whose claims differ from the register\'s record is a mismatch', async t => {
  const li = await issue(3, '李四')
  const qr = await compactQrOf(keysDir, li.jws)
  await database.db.updateTable('certificates').set({ hours_elective: 14, hours_total: 78 }).where('number', '=', li.number).execute()
  const response = await verify(qr)
  t.equal(response.statusCode, 422)
  t.equal(response.json().code, 'CERTIFICATE_MISMATCH')
  t.match(response.json().details.checks.at(-1), { name: 'registry-match', ok: false, reasonZh: /学时/ })
  t.notOk(response.json().details.certificate.issuer, 'what the token does not sign is not shown from a record that does not match')
})

t.test('a revoked certificate\'s compact QR code verifies as revoked; one the register lacks is unknown', async t => {
  const wang = await issue(4, '王五')
  await app.inject({ method: 'POST', url: `/v1/certificates/${wang.number}/revoke`, headers: auth, payload: { reason: '重复发证' } })
  const revoked = await verify(await compactQrOf(keysDir, wang.jws))
  t.equal(revoked.json().verdict, 'revoked')
  t.equal(revoked.json().certificate.revokedAt, now.toISOString())
  const elsewhere = await build(t, { clock: () => now, keysDir })
  const unknown = await elsewhere.app.inject({ method: 'POST', url: '/v1/verify', payload: { qr: ouyangQr } })
  t.equal(unknown.statusCode, 200)
  t.equal(unknown.json().verdict, 'unknown')
})

t.test('a compact QR code is checked as an address like any other', async t => {
  for (const qr of [ouyangQr.replace('cert.example.gov.cn', 'evil.example'), ouyangQr.replace('https:', 'http:'), ouyangQr.replace('#', '?x=1#')]) {
    const response = await verify(qr)
    t.equal(response.json().code, 'UNTRUSTED_QR_ADDRESS', qr.slice(0, 60))
  }
})

t.test('hostile compact tokens are refused with a 4xx and a stable code', async t => {
  const key = await signingKeyFromFolder(keysDir, headerOf(ouyang.jws).kid)
  const { protectedHeader, signature } = compactPartsOf(digitsOf(ouyangQr))
  const withHeader = (header: Map<number, unknown>) => bytesToDigits(cbor.encode([cbor.encode(header), new Map(), cbor.encode(new Map([[1, 'x']])), signature]))
  const kid = cbor.decode(protectedHeader, { useMaps: true }).get(4) as Uint8Array
  const claims = { holderName: '欧阳娜娜', hours: { pub: 20, pro: 44, ele: 12, tot: 76 }, iat: now.getTime() / 1000 }
  const cases: Array<[string, string, number, string]> = [
    ['digits that are no bytes', '9'.repeat(17), 400, 'INVALID_TOKEN'],
    ['digits that are not CBOR', '1'.repeat(34), 400, 'INVALID_TOKEN'],
    ['a token of 2,000 digits', '1'.repeat(2000), 413, 'TOKEN_TOO_LARGE'],
    ['an HMAC algorithm', withHeader(new Map<number, unknown>([[1, 5], [4, kid]])), 400, 'UNSUPPORTED_ALGORITHM'],
    ['a key this service never published', withHeader(new Map<number, unknown>([[1, -7], [4, new Uint8Array([1, 2, 3, 4])]])), 422, 'UNKNOWN_SIGNING_KEY'],
    ['an issue time before its key existed, signed with the service\'s key', signCompactToken(key, number, { ...claims, iat: now.getTime() / 1000 - 86_400 }), 422, 'ISSUED_OUTSIDE_KEY_VALIDITY'],
    ['an empty name, signed with the service\'s key', signCompactToken(key, number, { ...claims, holderName: '' }), 422, 'INVALID_CERTIFICATE_PAYLOAD'],
  ]
  for (const [what, digits, status, code] of cases) {
    const response = await verify(`https://cert.example.gov.cn/v/${number}#${digits}`)
    t.equal(response.statusCode, status, `${what}: ${response.body.slice(0, 200)}`)
    t.equal(response.json().code, code, what)
    t.equal(response.json().details?.verdict, 'invalid', what)
  }
  const bare = await app.inject({ method: 'POST', url: '/v1/verify', payload: { jws: digitsOf(ouyangQr) } })
  t.equal(bare.json().code, 'INVALID_TOKEN', 'a compact token without the address that names its number')
  t.match(bare.json().details.checks.at(-1).reasonZh, /二维码的完整内容/)
})

t.test('offline, a compact QR code verifies with the saved JWKS and revocation list; what it does not sign is not shown', async t => {
  const kid = headerOf(ouyang.jws).kid
  const jwks = (await app.inject('/.well-known/jwks.json')).json()
  const crl = (await app.inject(`/.well-known/crl/${kid}.jws`)).body
  const verifier = await createOfflineVerifier({ jwks, revocationLists: [crl], clock: () => now })
  const report = await verifier.verify({ qr: ouyangQr })
  t.equal(report.verdict, 'valid')
  t.match(report.certificate, { number, holderName: '欧阳娜娜', region: { name: '广东省广州市天河区' } })
  t.notOk(report.certificate?.issuer, 'the issuer is not in the QR code')
  t.equal((await verifier.verify({ qr: ouyangQr.replace(/#.*/, `#${digitsOf(await compactQrOf(keysDir, maimaiti.jws))}`) })).verdict, 'invalid')
  const ajv = new Ajv({ allErrors: true, formats: { 'date-time': true } })
  for (const file of ['hours.json', 'verification-report.json']) ajv.addSchema(JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')))
  t.ok(ajv.validate('verification-report.json', report), JSON.stringify(ajv.errors))
})
