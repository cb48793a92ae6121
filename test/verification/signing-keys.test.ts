import t from 'tap'
import { rotateSigningKey } from '../../src/signing/signing-keys.js'
import { build, issueBody } from '../helper.js'
import { headerOf, payloadOf, resign, signingKeyFromFolder } from './forged-tokens.js'

const issuedAt = new Date('2026-01-10T02:00:00Z')
const rotatedAt = new Date('2026-02-01T00:00:00Z')
const later = new Date('2026-03-01T00:00:00Z')

// Issued before the rotation, verified after it by a fresh process on the same register and key folder.
const before = await build(t, { clock: () => issuedAt })
const issuer = await before.createIssuer('authority', '440106')
const issued = await before.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${issuer.apiKey}` }, payload: issueBody() })
if (issued.statusCode !== 201) throw new Error(issued.body)
const { jws } = issued.json() as { jws: string }
const oldKid = headerOf(jws).kid
await rotateSigningKey(before.keysDir, 'ES256', rotatedAt, 0)
const { app, keysDir } = await build(t, { clock: () => later, database: before.database, keysDir: before.keysDir })
const verify = (token: string) => app.inject({ method: 'POST', url: '/v1/verify', payload: { jws: token } })

t.test('a certificate signed before its key was retired still verifies', async t => {
  const jwks = (await app.inject('/.well-known/jwks.json')).json() as { keys: Array<{ kid: string, exp?: number }> }
  t.equal(jwks.keys.length, 2)
  t.equal(jwks.keys.find(k => k.kid === oldKid)?.exp, rotatedAt.getTime() / 1000, 'the JWKS publishes when the old key retired')
  const response = await verify(jws)
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().verdict, 'valid')
  t.match(response.json().checks[0], { name: 'signature', ok: true, reason: /retired on 2026-02-01/ })
})

t.test('a token claiming an issue time after its key retired does not verify', async t => {
  const oldKey = await signingKeyFromFolder(keysDir, oldKid)
  const backdated = await resign(oldKey, { ...payloadOf(jws), iat: later.getTime() / 1000 })
  const response = await verify(backdated)
  t.equal(response.statusCode, 422, response.body)
  t.equal(response.json().code, 'ISSUED_OUTSIDE_KEY_VALIDITY')
})

t.test('signed content that is not a well-formed certificate is invalid', async t => {
  const key = await signingKeyFromFolder(keysDir, oldKid)
  const payload = payloadOf(jws)
  const extraField = await resign(key, { ...payload, idn: '440106198503120011' } as typeof payload)
  const extra = await verify(extraField)
  t.equal(extra.statusCode, 422, extra.body)
  t.equal(extra.json().code, 'INVALID_CERTIFICATE_PAYLOAD')
  t.match(extra.json().details.checks.at(-1), { name: 'payload-schema', ok: false })

  const wrongRegion = await verify(await resign(key, { ...payload, reg: '440104' }))
  t.equal(wrongRegion.statusCode, 422, wrongRegion.body)
  t.equal(wrongRegion.json().code, 'INVALID_CERTIFICATE_PAYLOAD')
  t.match(wrongRegion.json().details.checks.at(-1), { name: 'number-format', ok: false })
})

t.test('a signed revocation list is never taken for a certificate', async t => {
  const list = await app.inject(`/.well-known/crl/${oldKid}.jws`)
  t.equal(list.statusCode, 200)
  const response = await verify(list.body)
  t.equal(response.statusCode, 400, response.body)
  t.equal(response.json().code, 'INVALID_TOKEN')
})
