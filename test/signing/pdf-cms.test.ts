import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { temporaryDirectory } from '../helper.js'
import { fixtureSigner } from '../fixtures/certificate-pdf-input.js'
import { checkPdfCms } from '../../src/signing/pdf-cms-check.js'
import { cmsOids, createPdfCms } from '../../src/signing/pdf-cms.js'
import { certificatesToPem } from '../../src/signing/signing-certificates.js'

const run = promisify(execFile)
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest()
const content = new TextEncoder().encode('%PDF-1.7 the signed byte ranges of a certificate')
const cms = createPdfCms(fixtureSigner, content)
const signedDataOf = (der: Uint8Array) => new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(der)).content })
const encoded = (signedData: pkijs.SignedData) =>
  new Uint8Array(new pkijs.ContentInfo({ contentType: cmsOids.signedData, content: signedData.toSchema(true) }).toSchema().toBER())

t.test('the CMS is PAdES baseline B-B: content type, message digest and ESS signing-certificate-v2, no signing time', async t => {
  const signedData = signedDataOf(cms)
  t.equal(signedData.version, 1)
  t.same(signedData.digestAlgorithms.map(a => [a.algorithmId, a.algorithmParams]), [['2.16.840.1.101.3.4.2.1', undefined]], 'SHA-256, no parameters')
  t.equal(signedData.encapContentInfo.eContentType, '1.2.840.113549.1.7.1')
  t.equal(signedData.encapContentInfo.eContent, undefined, 'detached')
  t.same((signedData.certificates as pkijs.Certificate[]).map(c => Buffer.from(c.toSchema().toBER())), fixtureSigner.certificateChain.map(der => Buffer.from(der)), 'the chain, leaf first')
  t.equal(signedData.signerInfos.length, 1)
  const signer = signedData.signerInfos[0]!
  const leaf = pkijs.Certificate.fromBER(new Uint8Array(fixtureSigner.certificateChain[0]!))
  t.ok(signer.sid instanceof pkijs.IssuerAndSerialNumber && signer.sid.issuer.isEqual(leaf.issuer) && signer.sid.serialNumber.isEqual(leaf.serialNumber), 'signer by issuer and serial number')
  t.equal(signer.signatureAlgorithm.algorithmId, '1.2.840.10045.4.3.2', 'ecdsa-with-SHA256')
  t.equal(signer.unsignedAttrs, undefined)
  const attributes = signer.signedAttrs!.attributes
  t.same(attributes.map(a => a.type), ['1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4', '1.2.840.113549.1.9.16.2.47'], 'in DER order')
  t.notOk(attributes.some(a => a.type === '1.2.840.113549.1.9.5'), 'no signingTime')
  t.same(Buffer.from((attributes[1]!.values[0] as asn1js.OctetString).valueBlock.valueHexView), sha256(content))
  // SigningCertificateV2 { certs: [ ESSCertIDv2 { certHash (SHA-256 by default), issuerSerial } ] }
  const certId = ((attributes[2]!.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence
  const [certHash, issuerSerial] = certId.valueBlock.value
  t.ok(certHash instanceof asn1js.OctetString, 'the default hash algorithm is left out')
  t.same(Buffer.from((certHash as asn1js.OctetString).valueBlock.valueHexView), sha256(fixtureSigner.certificateChain[0]!))
  t.ok(new pkijs.IssuerSerial({ schema: issuerSerial }).serialNumber.isEqual(leaf.serialNumber))
})

t.test('openssl verifies the CMS over the content against the root', async t => {
  const dir = await temporaryDirectory(t)
  await writeFile(path.join(dir, 'content'), content)
  await writeFile(path.join(dir, 'cms.der'), cms)
  await writeFile(path.join(dir, 'root.pem'), certificatesToPem([fixtureSigner.certificateChain.at(-1)!]))
  const { stderr } = await run('openssl', ['cms', '-verify', '-binary', '-inform', 'DER', '-in', path.join(dir, 'cms.der'), '-content', path.join(dir, 'content'),
    '-CAfile', path.join(dir, 'root.pem'), '-purpose', 'any', '-out', '/dev/null'])
  t.match(stderr, 'Verification successful')
})

t.test('the same key and content always give the same CMS', async t => {
  t.same(Buffer.from(createPdfCms(fixtureSigner, content)), Buffer.from(cms))
  t.notSame(Buffer.from(createPdfCms(fixtureSigner, new TextEncoder().encode('other'))), Buffer.from(cms))
})

t.test('an EdDSA key cannot sign a PDF: PDF readers cannot check Ed25519', async t => {
  t.throws(() => createPdfCms({ ...fixtureSigner, alg: 'EdDSA' }, content), /ES256/)
})

t.test('the check accepts the CMS and names its signer', async t => {
  const result = checkPdfCms(cms, [content.subarray(0, 10), content.subarray(10)])
  t.match(result, { ok: true, signerPublicJwk: { kty: 'EC', crv: 'P-256', x: fixtureSigner.privateJwk.x, y: fixtureSigner.privateJwk.y } })
  t.same(result.ok && Buffer.from(result.signerCertificate), Buffer.from(fixtureSigner.certificateChain[0]!))
})

t.test('a CMS that does not check out is refused as data, never thrown', async t => {
  const flipped = cms.slice()
  flipped[flipped.length - 1]! ^= 1
  const twoSigners = signedDataOf(cms)
  twoSigners.signerInfos.push(twoSigners.signerInfos[0]!)
  const withSigningTime = signedDataOf(cms)
  withSigningTime.signerInfos[0]!.signedAttrs!.attributes.push(new pkijs.Attribute({ type: '1.2.840.113549.1.9.5', values: [new asn1js.UTCTime({ valueDate: new Date() })] }))
  const unbound = signedDataOf(cms)
  unbound.signerInfos[0]!.signedAttrs!.attributes.pop()
  const withoutCertificates = signedDataOf(cms)
  withoutCertificates.certificates = []
  // SEQUENCE { SEQUENCE { … NULL } }, 15,000 deep: each level a four-byte header.
  const nested = new Uint8Array(4 * 15_000 + 2)
  nested.set([0x05, 0x00], nested.length - 2)
  for (let level = 0; level < 15_000; level++) nested.set([0x30, 0x82, (nested.length - 4 * level - 4) >> 8, (nested.length - 4 * level - 4) & 0xff], 4 * level)
  const cases: Array<[string, Uint8Array, string]> = [
    ['other content', createPdfCms(fixtureSigner, new TextEncoder().encode('the same size, other bytes!')), 'digest-mismatch'],
    ['a flipped signature byte', flipped, 'bad-signature'],
    ['cut short', cms.subarray(0, cms.length - 40), 'unreadable'],
    ['junk', new TextEncoder().encode('junk'.repeat(100)), 'unreadable'],
    ['15,000 nested sequences', nested, 'unreadable'],
    ['70 KB', new Uint8Array(70 * 1024), 'too-large'],
    ['two signers', encoded(twoSigners), 'signer-count'],
    ['a signing-time attribute', encoded(withSigningTime), 'signing-time-attribute'],
    ['no ESS signing-certificate-v2', encoded(unbound), 'certificate-binding'],
    ['no certificates', encoded(withoutCertificates), 'signer-certificate-missing'],
  ]
  for (const [what, candidate, failure] of cases) {
    const started = performance.now()
    t.match(checkPdfCms(candidate, [content]), { ok: false, failure, reason: /\w/, reasonZh: /\p{Script=Han}/u }, what)
    t.ok(performance.now() - started < 100, `${what}: refused in milliseconds`)
  }
})
