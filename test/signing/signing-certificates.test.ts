import { execFile } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readdir, readFile, stat, unlink } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { temporaryDirectory } from '../helper.js'
import { createTestCa } from '../fixtures/test-ca.js'
import { certificatesFromPem, rootCertificateFile, rootKeyFile } from '../../src/signing/signing-certificates.js'
import { importSigningKey, loadSigningKeys, rotateSigningKey } from '../../src/signing/signing-keys.js'

const run = promisify(execFile)
const years = (from: Date, to: Date) => (to.getTime() - from.getTime()) / (365.25 * 86_400_000)
const chainFiles = async (dir: string) => (await readdir(dir)).filter(name => name.startsWith('signing-') && name.endsWith('.pem'))

t.test('the root CA is made once in KEYS_DIR, its private key readable by the owner only', async t => {
  const dir = await temporaryDirectory(t)
  const now = new Date('2025-12-01T08:00:00Z')
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  keys.close()
  t.equal((await stat(path.join(dir, rootKeyFile))).mode & 0o777, 0o600)
  const pem = await readFile(path.join(dir, rootCertificateFile), 'utf8')
  const root = new X509Certificate(pem)
  t.equal(root.subject, 'CN=专业技术人员继续教育证书服务 根证书')
  t.match((await run('openssl', ['asn1parse', '-in', path.join(dir, rootCertificateFile)])).stdout, /UTF8STRING/, 'the name is a UTF8String')
  t.ok(root.ca, 'basicConstraints CA')
  t.match((await run('openssl', ['x509', '-in', path.join(dir, rootCertificateFile), '-noout', '-ext', 'keyUsage'])).stdout, /critical\n\s+Certificate Sign, CRL Sign/)
  t.ok(Math.abs(years(new Date(root.validFrom), new Date(root.validTo)) - 30) < 0.01, 'valid for 30 years')
  t.ok(new Date(root.validFrom) < now, 'valid from before the first key')

  await rotateSigningKey(dir, 'ES256', new Date('2026-01-01T00:00:00Z'))
  const again = await loadSigningKeys(dir, 'ES256', () => now)
  again.close()
  t.equal(await readFile(path.join(dir, rootCertificateFile), 'utf8'), pem, 'a later key and a restart keep the root')
  t.same(again.jwks().keys.map(key => key.x5c.at(-1)), again.jwks().keys.map(() => root.raw.toString('base64')))
})

t.test('each signing key has a certificate from the root for its own public key', async t => {
  const dir = await temporaryDirectory(t)
  const created = new Date('2025-12-01T08:00:00Z')
  const keys = await loadSigningKeys(dir, 'ES256', () => created)
  keys.close()
  const [name] = await chainFiles(dir)
  t.ok(name !== undefined && name.replace(/\.pem$/, '.json') === (await readdir(dir)).find(file => file.endsWith('.json')), 'beside the key file')
  const key = keys.current(created)
  const [leaf, root] = key.certificateChain.map(der => new X509Certificate(Buffer.from(der)))
  t.match(leaf!.publicKey.export({ format: 'jwk' }), { kty: 'EC', crv: 'P-256', x: key.publicJwk.x, y: key.publicJwk.y })
  t.ok(leaf!.checkIssued(root!) && leaf!.verify(root!.publicKey), 'issued by the root')
  t.notOk(leaf!.ca)
  t.match(leaf!.subject, key.kid)
  const { stdout } = await run('openssl', ['x509', '-in', path.join(dir, name!), '-noout', '-ext', 'keyUsage'])
  t.match(stdout, /critical\n\s+Digital Signature, Non Repudiation\n/)
  t.ok(new Date(leaf!.validFrom) < created && created.getTime() - new Date(leaf!.validFrom).getTime() <= 3_600_000, 'valid from a little before the key')
  t.ok(Math.abs(years(created, new Date(leaf!.validTo)) - 30) < 0.01, 'for about 30 years')
  await run('openssl', ['verify', '-CAfile', path.join(dir, rootCertificateFile), path.join(dir, name!)])
})

t.test('keys made before certificates get theirs when the ring loads', async t => {
  const dir = await temporaryDirectory(t)
  const first = new Date('2024-03-01T00:00:00Z')
  const before = await loadSigningKeys(dir, 'ES256', () => first)
  before.close()
  await rotateSigningKey(dir, 'EdDSA', new Date('2024-09-01T00:00:00Z'), 0)
  // A key folder as it was before this change: key files only.
  for (const name of await readdir(dir)) if (name.endsWith('.pem')) await unlink(path.join(dir, name))

  const keys = await loadSigningKeys(dir, 'ES256', () => new Date('2025-12-01T00:00:00Z'))
  keys.close()
  t.equal((await chainFiles(dir)).length, 2, 'a certificate beside each key')
  const root = new X509Certificate(await readFile(path.join(dir, rootCertificateFile)))
  t.ok(new Date(root.validFrom) < first, 'the new root covers the oldest key')
  for (const { kid, alg, x5c } of keys.jwks().keys) {
    const leaf = new X509Certificate(Buffer.from(x5c[0]!, 'base64'))
    t.ok(leaf.verify(root.publicKey), `${alg} key ${kid} is certified by the root`)
    t.equal(leaf.publicKey.asymmetricKeyType, alg === 'ES256' ? 'ec' : 'ed25519')
  }
  const reloaded = await loadSigningKeys(dir, 'ES256', () => new Date('2026-01-01T00:00:00Z'))
  reloaded.close()
  t.same(reloaded.jwks().keys.map(key => key.x5c), keys.jwks().keys.map(key => key.x5c), 'and keep them')
})

t.test('an operator\'s P-256 key with a chain from a CA becomes the current key', async t => {
  const dir = await temporaryDirectory(t)
  const ca = await createTestCa(await temporaryDirectory(t))
  // openssl dates a certificate to the second it runs: the clock is read after it, or the import could precede it.
  const issued = await ca.issue('广州市人社局签名')
  const now = new Date()
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  t.teardown(() => keys.close())
  const previous = keys.current(now).kid
  const kid = await importSigningKey(dir, { privateKeyPem: issued.privateKeyPem, certificateChainPem: issued.certificatePem + ca.certificatePem }, now, 0)
  await keys.reload()
  const key = keys.current(now)
  t.equal(key.kid, kid)
  t.same(key.certificateChain.map(der => Buffer.from(der)), certificatesFromPem(issued.certificatePem + ca.certificatePem).map(der => Buffer.from(der)))
  const published = keys.jwks().keys
  t.equal(published.find(k => k.kid === previous)?.exp, Math.ceil(now.getTime() / 1000), 'the previous key retires')
  t.match(new X509Certificate(Buffer.from(published.find(k => k.kid === kid)!.x5c[0]!, 'base64')).publicKey.export({ format: 'jwk' }), { x: key.publicJwk.x, y: key.publicJwk.y })
})

t.test('a chain that does not belong to the key, or is out of order, and a key other than P-256 are refused', async t => {
  const dir = await temporaryDirectory(t)
  const ca = await createTestCa(await temporaryDirectory(t))
  const mine = await ca.issue('mine')
  const other = await ca.issue('other')
  const ed25519 = await ca.issue('ed25519', 'Ed25519')
  const now = new Date()
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  keys.close()
  const files = await readdir(dir)
  const cases: Array<[string, string, string]> = [
    ['another key\'s certificate', mine.privateKeyPem, other.certificatePem + ca.certificatePem],
    ['the CA first', mine.privateKeyPem, ca.certificatePem + mine.certificatePem],
    ['no certificate', mine.privateKeyPem, 'not a certificate'],
    ['an Ed25519 key', ed25519.privateKeyPem, ed25519.certificatePem + ca.certificatePem],
    ['no key', 'not a key', mine.certificatePem],
  ]
  for (const [what, privateKeyPem, certificateChainPem] of cases) {
    await t.rejects(importSigningKey(dir, { privateKeyPem, certificateChainPem }, now), { name: 'SigningCertificateError' }, what)
  }
  await importSigningKey(dir, { privateKeyPem: mine.privateKeyPem, certificateChainPem: mine.certificatePem }, now)
  await t.rejects(importSigningKey(dir, { privateKeyPem: mine.privateKeyPem, certificateChainPem: mine.certificatePem }, now), { name: 'SigningCertificateError' }, 'the same key twice')
  t.equal((await readdir(dir)).length, files.length + 2, 'only the one good import wrote files')
})
