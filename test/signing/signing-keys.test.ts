import t from 'tap'
import { readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { X509Certificate } from 'node:crypto'
import { createLocalJWKSet, compactVerify } from 'jose'
import { temporaryDirectory } from '../helper.js'
import { loadHolderIdSecret, loadSigningKeys, rotateSigningKey } from '../../src/signing/signing-keys.js'
import { signCertificatePayload, verifyCertificateSignature, type CertificatePayload } from '../../src/signing/certificate-jws.js'

const payload = (iat: number): CertificatePayload => ({
  v: 1, num: '44010625000001', nam: '张三', yr: 2025, hrs: { pub: 20, pro: 44, ele: 12, tot: 76 },
  rs: 'guangdong', reg: '440106', isi: 1, iss: '天河区人社局', emp: '某公司', iat,
})
const seconds = (d: Date) => d.getTime() / 1000

t.test('a first key is generated with mode 0600 and a thumbprint kid', async t => {
  const dir = await temporaryDirectory(t)
  const now = new Date('2025-12-01T08:00:00Z')
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  t.teardown(() => keys.close())
  const files = (await readdir(dir)).filter(f => f.startsWith('signing-') && f.endsWith('.json'))
  t.equal(files.length, 1)
  t.equal((await stat(path.join(dir, files[0]!))).mode & 0o777, 0o600)
  const jwks = keys.jwks()
  t.equal(jwks.keys.length, 1)
  t.match(jwks.keys[0], { kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', iat: seconds(now) })
  t.notOk('d' in jwks.keys[0]!, 'no private part is published')
  t.match(jwks.keys[0]!.kid, /^[\w-]{43}$/)
  t.equal(keys.generatedKid, jwks.keys[0]!.kid, 'it says it made the key')
  const again = await loadSigningKeys(dir, 'ES256', () => now)
  again.close()
  t.equal(again.jwks().keys[0]!.kid, jwks.keys[0]!.kid, 'a restart reuses the key')
  t.equal(again.generatedKid, undefined, 'and made none')
})

t.test('ES256 and EdDSA tokens verify against the published JWKS', async t => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const dir = await temporaryDirectory(t)
    const now = new Date('2025-12-01T08:00:00Z')
    const keys = await loadSigningKeys(dir, alg, () => now)
    t.teardown(() => keys.close())
    const jws = await signCertificatePayload(keys.current(now), payload(seconds(now)))
    const { protectedHeader } = await compactVerify(jws, createLocalJWKSet(keys.jwks()))
    t.equal(protectedHeader.alg, alg)
    t.equal(protectedHeader.typ, 'cec+jws')
    const result = await verifyCertificateSignature(jws, kid => keys.find(kid))
    t.equal(result.ok, true, alg)
  }
})

t.test('every published key carries its certificate chain, the first certificate for the key itself', async t => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const dir = await temporaryDirectory(t)
    const now = new Date('2025-12-01T08:00:00Z')
    const keys = await loadSigningKeys(dir, alg, () => now)
    t.teardown(() => keys.close())
    await rotateSigningKey(dir, alg, new Date('2025-12-02T08:00:00Z'))
    await keys.reload()
    for (const jwk of keys.jwks().keys) {
      t.equal(jwk.x5c.length, 2, `${alg}: the key's certificate and the root`)
      const [leaf, root] = jwk.x5c.map(der => new X509Certificate(Buffer.from(der, 'base64')))
      t.match(leaf!.publicKey.export({ format: 'jwk' }), { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y === undefined ? {} : { y: jwk.y }) })
      t.ok(leaf!.verify(root!.publicKey), 'issued by the root')
      t.ok(root!.ca && root!.checkIssued(root!), 'the root is a self-signed CA')
    }
  }
})

t.test('after rotation the retired key still verifies its certificates but cannot back a later one', async t => {
  const dir = await temporaryDirectory(t)
  const created = new Date('2025-01-01T00:00:00Z')
  const keys = await loadSigningKeys(dir, 'ES256', () => created)
  t.teardown(() => keys.close())
  const oldKey = keys.current(created)
  const beforeRotation = await signCertificatePayload(oldKey, payload(seconds(new Date('2025-06-01T00:00:00Z'))))

  const rotatedAt = new Date('2025-07-01T00:00:00Z')
  const newKid = await rotateSigningKey(dir, 'ES256', rotatedAt, 0)
  await keys.reload()
  t.equal(keys.current(rotatedAt).kid, newKid, 'the new key signs from now on')
  t.equal(keys.jwks().keys.length, 2, 'both keys are published')
  t.equal(keys.jwks().keys.find(k => k.kid === oldKey.kid)!.exp, seconds(rotatedAt))

  t.match(await verifyCertificateSignature(beforeRotation, kid => keys.find(kid)), { ok: true, kid: oldKey.kid })
  const backdated = await signCertificatePayload(oldKey, payload(seconds(new Date('2025-08-01T00:00:00Z'))))
  t.match(await verifyCertificateSignature(backdated, kid => keys.find(kid)), { ok: false, failure: 'outside-key-validity' })
  const beforeCreation = await signCertificatePayload(keys.current(rotatedAt), payload(seconds(new Date('2025-03-01T00:00:00Z'))))
  t.match(await verifyCertificateSignature(beforeCreation, kid => keys.find(kid)), { ok: false, failure: 'outside-key-validity' })
})

t.test('hostile tokens are refused as data, never thrown', async t => {
  const dir = await temporaryDirectory(t)
  const now = new Date('2025-12-01T08:00:00Z')
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  t.teardown(() => keys.close())
  const jws = await signCertificatePayload(keys.current(now), payload(seconds(now)))
  const [header, body, signature] = jws.split('.') as [string, string, string]
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const find = (kid: string) => keys.find(kid)
  const kid = keys.current(now).kid
  const typ = 'cec+jws'
  const cases: Array<[string, string, string]> = [
    ['alg none', `${b64({ alg: 'none', kid, typ })}.${body}.`, 'unsupported-algorithm'],
    ['alg none with a signature part', `${b64({ alg: 'none', kid, typ })}.${body}.${signature}`, 'unsupported-algorithm'],
    ['HS256', `${b64({ alg: 'HS256', kid, typ })}.${body}.${signature}`, 'unsupported-algorithm'],
    ['another kind of token', `${b64({ alg: 'ES256', kid, typ: 'JWT' })}.${body}.${signature}`, 'malformed'],
    ['unknown kid', `${b64({ alg: 'ES256', kid: 'nope', typ })}.${body}.${signature}`, 'unknown-kid'],
    ['no kid', `${b64({ alg: 'ES256', typ })}.${body}.${signature}`, 'unknown-kid'],
    ['altered payload', `${header}.${b64({ ...payload(seconds(now)), nam: '李四' })}.${signature}`, 'bad-signature'],
    ['truncated', jws.slice(0, -10), 'bad-signature'],
    ['broken base64', `${header}.${body}!.${signature}`, 'malformed'],
    ['one part only', header, 'malformed'],
    ['1 MB', 'a'.repeat(1024 * 1024), 'too-large'],
  ]
  for (const [what, token, failure] of cases) {
    const result = await verifyCertificateSignature(token, find)
    t.match(result, { ok: false, failure }, what)
  }
})

t.test('the holder-ID secret is created once and kept', async t => {
  const dir = await temporaryDirectory(t)
  const [a, b] = await Promise.all([loadHolderIdSecret(dir), loadHolderIdSecret(dir)])
  t.equal(a.secret.length, 32)
  t.same(a.secret, b.secret, 'two processes starting together agree on one secret')
  t.same([a.created, b.created].sort(), [false, true], 'and exactly one of them made it')
  t.same(await loadHolderIdSecret(dir), { secret: a.secret, created: false }, 'a restart reads it')
  t.equal((await stat(path.join(dir, 'holder-id.secret'))).mode & 0o777, 0o600)
})

t.test('a key rotated before the first start (no keys folder yet) becomes the first key', async t => {
  const dir = path.join(await temporaryDirectory(t), 'keys')
  const now = new Date('2025-12-01T08:00:00Z')
  const kid = await rotateSigningKey(dir, 'ES256', now)
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  t.teardown(() => keys.close())
  t.equal(keys.current(now).kid, kid)
  t.equal((await stat(dir)).mode & 0o777, 0o700, 'the folder is private')
})
