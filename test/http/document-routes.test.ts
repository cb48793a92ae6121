import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { PNG } from 'pngjs'
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString } from 'pdf-lib'
import { inflateSync } from 'node:zlib'
import { readPdfSignature } from '../../src/documents/pdf-signature-reader.js'
import { rotateSigningKey } from '../../src/signing/signing-keys.js'
import { build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'
import { compactQrOf } from '../verification/forged-tokens.js'

const run = promisify(execFile)
const now = new Date('2026-03-02T08:00:00Z')
const { app, createIssuer, database, keysDir } = await build(t, { clock: () => now })
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const auth = (key: string) => ({ authorization: `Bearer ${key}` })
const dir = await temporaryDirectory(t, 'ce-pdf-')

async function issue (serial: number, name: string): Promise<{ number: string, jws: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth(tianhe.apiKey), payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json()
}
const download = (number: string, key = tianhe.apiKey) => app.inject({ url: `/v1/certificates/${number}/pdf`, headers: auth(key) })
const verifyPdf = (pdf: Buffer) => app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: pdf })

const first = await issue(1, '欧阳娜娜')
const second = await issue(2, '买买提·艾力')

/** A round red seal with a transparent background. */
function sealPng (side = 240): Buffer {
  const png = new PNG({ width: side, height: side })
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const r = Math.hypot(x - side / 2, y - side / 2)
      const i = (y * side + x) * 4
      const ink = r < side / 2 - 2 && r > side / 2 - 14
      png.data[i] = 200; png.data[i + 1] = 20; png.data[i + 2] = 20; png.data[i + 3] = ink ? 255 : 0
    }
  }
  return PNG.sync.write(png)
}

t.test('the issuer downloads the certificate as a PDF that carries its token and QR code', async t => {
  const response = await download(first.number)
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'downloaded' : response.body)
  t.equal(response.headers['content-type'], 'application/pdf')
  const pdf = response.rawPayload
  t.ok(pdf.subarray(0, 5).equals(Buffer.from('%PDF-')))
  t.ok(pdf.length < 100 * 1024, `${pdf.length} bytes`)
  const file = path.join(dir, `${first.number}.pdf`)
  await writeFile(file, pdf)

  await run('qpdf', ['--check', file])
  const { stdout: signature } = await run('pdfsig', [file])
  t.match(signature, '- Signature Validation: Signature is Valid.')
  t.match(signature, '- Total document signed')
  const jwks = (await app.inject('/.well-known/jwks.json')).json() as { keys: Array<{ kid: string, x: string, y: string }> }
  const kid = JSON.parse(Buffer.from(first.jws.split('.')[0]!, 'base64url').toString()).kid as string
  const reading = readPdfSignature(pdf)
  t.match(reading, { kind: 'signed', signingTime: now, signerPublicJwk: { x: jwks.keys.find(k => k.kid === kid)?.x, y: jwks.keys.find(k => k.kid === kid)?.y } }, 'signed by the key of its token')
  await run('pdfdetach', ['-save', '1', '-o', path.join(dir, 'attached.jws'), file])
  t.equal((await readFile(path.join(dir, 'attached.jws'), 'utf8')).trim(), first.jws, 'the attachment is the issued token')

  await run('pdftoppm', ['-r', '150', '-png', '-singlefile', file, path.join(dir, 'page')])
  const { stdout } = await run('zbarimg', ['--raw', '-q', path.join(dir, 'page.png')])
  t.equal(stdout.trim(), await compactQrOf(keysDir, first.jws), 'the QR code decodes to exactly the verify URL, with the compact token')

  const { stdout: text } = await run('pdftotext', [file, '-'])
  t.match(text, first.number)
  t.match(text, '欧阳娜娜')
})

t.test('the same certificate always renders to the same bytes', async t => {
  const a = await download(first.number)
  const b = await download(first.number)
  t.ok(a.rawPayload.equals(b.rawPayload))
})

t.test('the PDF verifies through POST /v1/verify', async t => {
  const response = await verifyPdf((await download(first.number)).rawPayload)
  t.equal(response.statusCode, 200, response.body)
  t.equal(response.json().verdict, 'valid')
  t.same(response.json().checks.map((c: { name: string }) => c.name), ['pdf-signature', 'document', 'signature', 'payload-schema', 'number-format', 'registry-record', 'registry-match', 'status'])
  t.equal(response.json().certificate.holderName, '欧阳娜娜')
})

t.test('a PDF whose attachment was swapped for another certificate\'s token does not verify as the printed certificate', async t => {
  const doc = await PDFDocument.load((await download(first.number)).rawPayload)
  // Replace the attached certificate.jws (and the copy in the document information) with the second certificate's token.
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (object instanceof PDFRawStream && object.dict.get(PDFName.of('Type')) === PDFName.of('EmbeddedFile')) {
      const content = object.dict.get(PDFName.of('Filter')) === undefined ? object.contents : inflateSync(object.contents)
      if (Buffer.from(content).toString('utf8') === first.jws) doc.context.assign(ref, doc.context.flateStream(second.jws, { Type: 'EmbeddedFile', Subtype: 'application/jose' }))
    }
  }
  const forged = Buffer.from(await doc.save())
  const file = path.join(dir, 'forged.pdf')
  await writeFile(file, forged)
  await run('pdfdetach', ['-save', '1', '-o', path.join(dir, 'forged.jws'), file])
  t.equal((await readFile(path.join(dir, 'forged.jws'), 'utf8')).trim(), second.jws, 'the forgery carries the other token')
  const { stdout: printed } = await run('pdftotext', [file, '-'])
  t.match(printed, first.number, 'the page still shows the first certificate')

  const response = await verifyPdf(forged)
  t.equal(response.statusCode, 422, 'the document is no longer the one this service signed')
  t.equal(response.json().code, 'PDF_ALTERED')
  t.match(response.json(), { details: { verdict: 'altered', checks: [{ name: 'pdf-signature', ok: false }] }, messageZh: /伪造或被篡改/ })
  t.notOk('certificate' in response.json().details, 'nothing is shown from a forgery')

  // A forger who also rewrites the metadata fares no better: the PDF's own signature no longer holds.
  const info = doc.context.lookup(doc.context.trailerInfo.Info) as PDFDict
  info.set(PDFName.of('CertificateJWS'), PDFString.of(second.jws))
  const both = await verifyPdf(Buffer.from(await doc.save()))
  t.equal(both.statusCode, 422)
  t.equal(both.json().code, 'PDF_ALTERED')
  t.notOk(both.body.includes('买买提·艾力'), 'the other certificate is not shown either')
})

t.test('only issuers whose scope covers the certificate may download it', async t => {
  const guangzhou = await createIssuer('authority', '440100', '广州市人力资源和社会保障局')
  const yuexiu = await createIssuer('authority', '440104', '广州市越秀区人力资源和社会保障局')
  const committee = await createIssuer('verifier', '440000', '广东省职称评审委员会')
  t.equal((await download(first.number, guangzhou.apiKey)).statusCode, 200, 'the city covers its districts')
  const outside = await download(first.number, yuexiu.apiKey)
  t.equal(outside.statusCode, 403)
  t.equal(outside.json().code, 'OUT_OF_SCOPE')
  const verifier = await download(first.number, committee.apiKey)
  t.equal(verifier.statusCode, 403)
  t.equal(verifier.json().code, 'FORBIDDEN_ROLE')
  const anonymous = await app.inject({ url: `/v1/certificates/${first.number}/pdf` })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'AUTHENTICATION_REQUIRED')
  const missing = await download('44010625999999')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().code, 'CERTIFICATE_NOT_FOUND')
  const malformed = await download('4401062500001X')
  t.equal(malformed.statusCode, 400)
  t.equal(malformed.json().code, 'MALFORMED_CERTIFICATE_NUMBER')
})

t.test('an issuer uploads its seal, certificates print it, and removing it restores the plain certificate', async t => {
  const plain = (await download(second.number)).rawPayload
  const seal = sealPng()
  const put = (payload: Buffer, type = 'image/png') => app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...auth(tianhe.apiKey), 'content-type': type }, payload })

  const uploaded = await put(seal)
  t.equal(uploaded.statusCode, 200, uploaded.body)
  t.same(uploaded.json(), { issuerId: tianhe.id, bytes: seal.length, width: 240, height: 240 })
  const stored = await app.inject({ url: '/v1/issuers/me/seal', headers: auth(tianhe.apiKey) })
  t.ok(stored.rawPayload.equals(seal))

  const sealed = (await download(second.number)).rawPayload
  t.notOk(sealed.equals(plain), 'the seal changes the page')
  const sealedDoc = await PDFDocument.load(sealed)
  t.ok([...sealedDoc.context.enumerateIndirectObjects()].some(([, o]) => o instanceof PDFRawStream && o.dict.get(PDFName.of('Subtype')) === PDFName.of('Image')), 'the PDF holds an image')
  t.equal((await verifyPdf(sealed)).json().verdict, 'valid')

  const removed = await app.inject({ method: 'DELETE', url: '/v1/issuers/me/seal', headers: auth(tianhe.apiKey) })
  t.equal(removed.statusCode, 204)
  t.ok((await download(second.number)).rawPayload.equals(plain), 'without the seal the bytes are as before')
  t.equal((await app.inject({ url: '/v1/issuers/me/seal', headers: auth(tianhe.apiKey) })).statusCode, 404)
})

t.test('a seal that is not a sound PNG is refused and nothing is stored', async t => {
  const seal = sealPng(64)
  const put = (payload: Buffer, type = 'image/png') => app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...auth(tianhe.apiKey), 'content-type': type }, payload })
  const corrupted = Buffer.from(seal)
  corrupted[corrupted.length - 20] = corrupted[corrupted.length - 20]! ^ 0xff
  const cases: Array<[string, Buffer, string, number, string]> = [
    ['a JPEG', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46]), 'image/png', 400, 'INVALID_SEAL_IMAGE'],
    ['a PNG cut short', seal.subarray(0, seal.length - 30), 'image/png', 400, 'INVALID_SEAL_IMAGE'],
    ['a PNG with damaged image data', corrupted, 'image/png', 400, 'INVALID_SEAL_IMAGE'],
    ['a file over 512 KB', Buffer.concat([seal, Buffer.alloc(600 * 1024)]), 'image/png', 413, 'PAYLOAD_TOO_LARGE'],
    ['a PNG sent as octet-stream', seal, 'application/octet-stream', 415, 'UNSUPPORTED_MEDIA_TYPE'],
  ]
  for (const [what, payload, type, status, code] of cases) {
    const response = await put(payload, type)
    t.equal(response.statusCode, status, `${what}: ${response.body}`)
    t.equal(response.json().code, code, what)
  }
  t.equal((await app.inject({ url: '/v1/issuers/me/seal', headers: auth(tianhe.apiKey) })).statusCode, 404, 'no seal was stored')
  const committee = await createIssuer('verifier', '440000', '广东省职称评审委员会（二）')
  const refused = await app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...auth(committee.apiKey), 'content-type': 'image/png' }, payload: seal })
  t.equal(refused.statusCode, 403)
})

t.test('after a rotation the retired key still signs the PDFs of its own certificates, to the same bytes', async t => {
  const before = (await download(first.number)).rawPayload
  const oldKid = JSON.parse(Buffer.from(first.jws.split('.')[0]!, 'base64url').toString()).kid as string
  const rotatedAt = new Date(now.getTime() + 3_600_000)
  await rotateSigningKey(keysDir, 'ES256', rotatedAt, 0)
  const later = await build(t, { clock: () => new Date(rotatedAt.getTime() + 3_600_000), database, keysDir })
  const jwks = (await later.app.inject('/.well-known/jwks.json')).json() as { keys: Array<{ kid: string, x: string, exp?: number }> }
  t.ok(jwks.keys.find(k => k.kid === oldKid)?.exp !== undefined, 'the old key is retired')
  const after = await later.app.inject({ url: `/v1/certificates/${first.number}/pdf`, headers: auth(tianhe.apiKey) })
  t.equal(after.statusCode, 200, after.body)
  t.match(readPdfSignature(after.rawPayload), { kind: 'signed', signerPublicJwk: { x: jwks.keys.find(k => k.kid === oldKid)!.x } })
  t.ok(after.rawPayload.equals(before), 'byte for byte')
})

t.test('a seal larger than 1024 pixels a side is refused before it is decoded, whatever its file size', async t => {
  const { app, createIssuer } = await build(t)
  const county = await createIssuer('authority', '440106')
  // 4096×4096 at 16 bits, of one colour: a small file that would take seconds to decode for every PDF.
  const huge = new PNG({ width: 4096, height: 4096, bitDepth: 16, colorType: 6, inputHasAlpha: true })
  const file = PNG.sync.write(huge, { bitDepth: 16, colorType: 6 })
  t.ok(file.length < 512 * 1024, `${file.length} bytes, within the file limit`)
  const refused = await app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { authorization: `Bearer ${county.apiKey}`, 'content-type': 'image/png' }, payload: file })
  t.equal(refused.statusCode, 400)
  t.equal(refused.json().code, 'INVALID_SEAL_IMAGE')
  t.match(refused.json().messageZh, /4096×4096 像素，最大允许 1024×1024/)
  const fine = new PNG({ width: 1024, height: 1024 })
  const accepted = await app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { authorization: `Bearer ${county.apiKey}`, 'content-type': 'image/png' }, payload: PNG.sync.write(fine) })
  t.equal(accepted.statusCode, 200, 'a seal of 1024 pixels a side is fine')
})
