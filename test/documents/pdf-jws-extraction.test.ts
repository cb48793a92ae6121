import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { deflateSync } from 'node:zlib'
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib'
// The token in a PDF: the certificate.jws attachment, else the /CertificateJWS metadata; bombs, junk and locks are refused.
import t from 'tap'
import { renderCertificatePdf } from '../../src/documents/index.js'
import { extractCertificateJws } from '../../src/documents/pdf-jws-extraction.js'
import { tokenOf } from '../../src/documents/pdf-reading.js'
import { certificateInput, fakeJws } from '../fixtures/certificate-pdf-input.js'

const run = promisify(execFile)
/** What a reader of a signed PDF does next (src/documents/pdf-reader.ts): the token, or the reason there is none. */
const readCertificateJws = async (pdf: Uint8Array) => tokenOf(await extractCertificateJws(pdf))

/** A one-page PDF made by other software, with whatever `build` adds. */
async function otherPdf (build: (doc: PDFDocument) => Promise<void> | void = () => {}): Promise<Uint8Array> {
  const doc = await PDFDocument.create()
  doc.addPage().drawText('Scanned certificate', { x: 50, y: 700 })
  await build(doc)
  return await doc.save()
}

function setInfo (doc: PDFDocument, key: string, value: string): void {
  doc.setTitle('other')
  doc.context.lookup(doc.context.trailerInfo.Info, PDFDict).set(PDFName.of(key), PDFString.of(value))
}

t.test('the JWS comes back out of a rendered certificate', async (t) => {
  const input = certificateInput({ holderName: '𠮷田', jws: fakeJws('round-trip', 760) })
  input.verifyUrl = `https://zs.rsj.example.gov.cn/v/${input.number}#${input.jws}`
  t.equal(await readCertificateJws(await renderCertificatePdf(input)), input.jws)
})

t.test('several PDFs read at once each get their own JWS', async (t) => {
  const inputs = ['44010625000301', '44010625000302', '44010625000303', '44010625000304']
    .map((number) => certificateInput({ number }))
  const pdfs = await Promise.all(inputs.map(renderCertificatePdf))
  t.same(await Promise.all(pdfs.map(readCertificateJws)), inputs.map((input) => input.jws))
})

t.test('without the attachment the JWS is read from the /CertificateJWS metadata', async (t) => {
  const jws = fakeJws('info-only')
  t.equal(await readCertificateJws(await otherPdf((doc) => { setInfo(doc, 'CertificateJWS', jws) })), jws)
})

t.test('an attachment of that name that holds no JWS is passed over', async (t) => {
  const jws = fakeJws('metadata')
  const pdf = await otherPdf(async (doc) => {
    await doc.attach(new TextEncoder().encode('not a token'), 'certificate.jws', { mimeType: 'application/jose' })
    setInfo(doc, 'CertificateJWS', jws)
  })
  t.equal(await readCertificateJws(pdf), jws)
  await t.rejects(readCertificateJws(await otherPdf(async (doc) => {
    await doc.attach(new TextEncoder().encode('not a token'), 'certificate.jws', { mimeType: 'application/jose' })
  })), { code: 'PDF_WITHOUT_CERTIFICATE' })
})

t.test('a compression bomb posing as certificate.jws is not inflated', async (t) => {
  const jws = fakeJws('behind-the-bomb')
  const pdf = await otherPdf((doc) => {
    const { context } = doc
    const bomb = context.register(PDFRawStream.of(context.obj({ Type: 'EmbeddedFile', Filter: 'FlateDecode' }),
      deflateSync(Buffer.alloc(64 * 1024 * 1024, 'a'))))
    const spec = context.register(context.obj({
      Type: 'Filespec', F: PDFString.of('certificate.jws'), UF: PDFHexString.fromText('certificate.jws'), EF: { F: bomb },
    }))
    doc.catalog.set(PDFName.of('Names'), context.obj({ EmbeddedFiles: { Names: [PDFHexString.fromText('certificate.jws'), spec] } }))
    setInfo(doc, 'CertificateJWS', jws)
  })
  t.ok(pdf.length < 1024 * 1024, `${pdf.length} bytes that inflate to 64 MB`)
  t.equal(await readCertificateJws(pdf), jws)
})

t.test('a PDF without a certificate is PDF_WITHOUT_CERTIFICATE', async (t) => {
  await t.rejects(readCertificateJws(await otherPdf()), { code: 'PDF_WITHOUT_CERTIFICATE' })
  await t.rejects(readCertificateJws(await otherPdf((doc) => { setInfo(doc, 'CertificateJWS', 'abc.def') })),
    { code: 'PDF_WITHOUT_CERTIFICATE' }, 'metadata that is no compact JWS')
})

t.test('bytes that are not a PDF are INVALID_PDF', async (t) => {
  for (const [what, bytes] of [
    ['nothing', new Uint8Array()],
    ['a PNG', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['text', new TextEncoder().encode('hello, this is not a certificate')],
    ['2 MB of noise', randomBytes(2 * 1024 * 1024)],
    ['a PDF header over noise', Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(64 * 1024)])],
  ] as const) {
    await t.rejects(readCertificateJws(bytes), { code: 'INVALID_PDF' }, what)
  }
})

t.test('an encrypted certificate is INVALID_PDF', async (t) => {
  const directory = t.testdir()
  const plain = join(directory, 'plain.pdf')
  const encrypted = join(directory, 'encrypted.pdf')
  await writeFile(plain, await renderCertificatePdf(certificateInput()))
  await run('qpdf', ['--encrypt', 'u', 'o', '256', '--', plain, encrypted])
  await t.rejects(readCertificateJws(await readFile(encrypted)), { code: 'INVALID_PDF', message: 'The PDF is encrypted.' })
})

t.test('two certificate.jws attachments are a conflict, not the first one read', async (t) => {
  const pdf = await otherPdf(async (doc) => {
    await doc.attach(new TextEncoder().encode(fakeJws('first')), 'certificate.jws', { mimeType: 'application/jose' })
    await doc.attach(new TextEncoder().encode(fakeJws('second')), 'certificate.jws', { mimeType: 'application/jose' })
  })
  t.same(await extractCertificateJws(pdf), { outcome: 'conflicting' })
  await t.rejects(readCertificateJws(pdf), { code: 'INVALID_PDF' })
})
