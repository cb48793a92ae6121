import { readFileSync } from 'node:fs'
import { Ajv } from 'ajv'
import t from 'tap'
import { rotateSigningKey } from '../../src/signing/signing-keys.js'
import { createOfflineVerifier, OfflineVerifierError } from '../../src/verification/offline-verifier.js'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { alteredToken, headerOf } from './forged-tokens.js'

const now = new Date('2026-03-02T08:00:00Z')
const { app, database, keysDir, createIssuer } = await build(t, { clock: () => now })
const issuer = await createIssuer('authority', '440106')
const auth = { authorization: `Bearer ${issuer.apiKey}` }
const issue = async (serial: number) => (await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', '19850312', serial) } }) })).json() as { number: string, jws: string }
const valid = await issue(1)
const revoked = await issue(2)
await app.inject({ method: 'POST', url: `/v1/certificates/${revoked.number}/revoke`, headers: auth, payload: { reason: '信息有误' } })
const kid = headerOf(valid.jws).kid
const jwks = (await app.inject('/.well-known/jwks.json')).json()
const crl = (await app.inject(`/.well-known/crl/${kid}.jws`)).body

// The report a program gets is exactly what the API documents: no field the schema does not know.
const ajv = new Ajv({ allErrors: true, formats: { 'date-time': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/ } })
for (const file of ['hours.json', 'verification-report.json']) ajv.addSchema(JSON.parse(readFileSync(new URL(`../../schemas/${file}`, import.meta.url), 'utf8')))
const matchesSchema = ajv.getSchema('verification-report.json')!

t.test('a program verifies tokens with a saved JWKS and revocation list', async t => {
  const verifier = await createOfflineVerifier({ jwks, revocationLists: [crl], clock: () => now })
  t.same(verifier.revocationLists.map(l => [l.kid, l.ctr, l.rids]), [[kid, 1, [revoked.number]]])
  const reports = {
    valid: await verifier.verify({ jws: valid.jws }),
    revoked: await verifier.verify({ qr: `https://cert.example.gov.cn/v/${revoked.number}#${revoked.jws}` }),
    invalid: await verifier.verify({ jws: alteredToken(valid.jws, { yr: 2024 }) }),
  }
  t.equal(reports.valid.verdict, 'valid')
  t.equal(reports.revoked.verdict, 'revoked')
  t.equal(reports.invalid.verdict, 'invalid')
  t.match(reports.valid.checks.find(c => c.name === 'registry-record'), { ok: true, skipped: true })
  for (const [verdict, report] of Object.entries(reports)) t.ok(matchesSchema(report), `${verdict}: ${JSON.stringify(matchesSchema.errors)}`)
})

t.test('with revocation lists that do not cover the certificate\'s key, its status is unknown', async t => {
  const newKid = await rotateSigningKey(keysDir, 'ES256', new Date(now.getTime() + 3600_000), 0)
  const rotated = await build(t, { clock: () => now, database, keysDir })
  const newJwks = (await rotated.app.inject('/.well-known/jwks.json')).json()
  const newKeyList = (await rotated.app.inject(`/.well-known/crl/${newKid}.jws`)).body
  const verifier = await createOfflineVerifier({ jwks: newJwks, revocationLists: [newKeyList], clock: () => now })
  const report = await verifier.verify({ jws: revoked.jws })
  t.equal(report.verdict, 'unknown')
  t.match(report.checks.at(-1), { name: 'status', ok: false })
  const listless = await createOfflineVerifier({ jwks: newJwks, clock: () => now })
  t.equal((await listless.verify({ jws: valid.jws })).verdict, 'unknown', 'without any list nothing says it was not revoked')
  const unchecked = await createOfflineVerifier({ jwks: newJwks, checkRevocation: false, clock: () => now })
  const skipped = await unchecked.verify({ jws: valid.jws })
  t.equal(skipped.verdict, 'unknown', 'knowingly unchecked is still not valid')
  t.match(skipped.checks.at(-1), { name: 'status', ok: false, skipped: true, reasonZh: /未核查撤销状态/ })
})

t.test('a revocation list past its nextUpdate says nothing about revocations since: the state is unknown', async t => {
  const verifier = (at: Date) => createOfflineVerifier({ jwks, revocationLists: [crl], clock: () => at })
  const day = 24 * 3_600_000
  t.equal((await (await verifier(new Date(now.getTime() + day - 1000))).verify({ jws: valid.jws })).verdict, 'valid', 'within the day the list is current')
  const stale = await (await verifier(new Date(now.getTime() + day))).verify({ jws: valid.jws })
  t.equal(stale.verdict, 'unknown', 'after REVOCATION_LIST_VALIDITY_HOURS it is not')
  t.match(stale.checks.at(-1), { name: 'status', ok: false, reason: /download it again/, reasonZh: /已过期，请重新下载/ })
  t.equal((await (await verifier(new Date(now.getTime() + 30 * day))).verify({ jws: revoked.jws })).verdict, 'revoked', 'a revocation on an old list is still a revocation')
  const signed = JSON.parse(Buffer.from(crl.split('.')[1]!, 'base64url').toString('utf8')) as { iat: number, nextUpdate: number }
  t.equal(signed.nextUpdate - signed.iat, 24 * 3600, 'the signed list says until when it may be relied on')
})

t.test('offline, a QR code must point to the service the JWKS came from', async t => {
  t.same(jwks.origins, ['https://cert.example.gov.cn'], 'the JWKS names the service\'s address')
  const verifier = await createOfflineVerifier({ jwks, revocationLists: [crl], clock: () => now })
  t.equal((await verifier.verify({ qr: `https://cert.example.gov.cn/v/${valid.number}#${valid.jws}` })).verdict, 'valid')
  const elsewhere = await verifier.verify({ qr: `https://evil.example/v/${valid.number}#${valid.jws}` })
  t.equal(elsewhere.verdict, 'invalid')
  t.match(elsewhere.checks.at(-1), { name: 'qr-address', code: 'UNTRUSTED_QR_ADDRESS' })
  const { origins: _, ...bare } = jwks as Record<string, unknown>
  const blind = await createOfflineVerifier({ jwks: bare, revocationLists: [crl], clock: () => now })
  t.match((await blind.verify({ qr: `https://cert.example.gov.cn/v/${valid.number}#${valid.jws}` })).checks.at(-1), { name: 'qr-address', ok: false, reasonZh: /未提供本服务的网址/ }, 'an address no one vouches for is not accepted')
  const told = await createOfflineVerifier({ jwks: bare, revocationLists: [crl], trustedBaseUrls: ['https://cert.example.gov.cn'], clock: () => now })
  t.equal((await told.verify({ qr: `https://cert.example.gov.cn/v/${valid.number}#${valid.jws}` })).verdict, 'valid', 'unless the address is given')
})

t.test('a JWKS holding a private key, or a list not signed by a published key, is refused', async t => {
  await t.rejects(createOfflineVerifier({ jwks: { keys: [{ ...jwks.keys[0], d: 'c2VjcmV0' }] } }), OfflineVerifierError)
  await t.rejects(createOfflineVerifier({ jwks: { keys: [] }, revocationLists: [crl] }), OfflineVerifierError)
  await t.rejects(createOfflineVerifier({ jwks: 'not a jwks' }), OfflineVerifierError)
})
