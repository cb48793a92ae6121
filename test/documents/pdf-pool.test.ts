import { execFile } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { deflateSync } from 'node:zlib'
import { PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString } from 'pdf-lib'
import t from 'tap'
import { createPdfPool, renderCertificatePdf } from '../../src/documents/index.js'
import { certificateInput, fakeJws } from '../fixtures/certificate-pdf-input.js'

const run = promisify(execFile)
const pool = createPdfPool({ threads: 2, readTimeoutMs: 2_000 })
t.teardown(() => pool.close())
/** Each read for a client of its own: the per-client limit has a test of its own below. */
const readCertificateJws = (pdf: Uint8Array) => pool.readToken(pdf, { client: randomUUID() })

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

t.test('a file that pdf-lib would parse for many seconds is given up on, and reading goes on', async (t) => {
  // pdf-lib needs ~9 s per MB of junk behind a PDF header: this one is stopped at the time limit.
  const junk = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(3 * 1024 * 1024)])
  const input = certificateInput()
  const [rejected, next] = await Promise.allSettled([readCertificateJws(junk),
    renderCertificatePdf(input).then(readCertificateJws)])
  t.match(rejected, { status: 'rejected', reason: { code: 'INVALID_PDF', message: /could not be read within 2 s/ } })
  t.same(next, { status: 'fulfilled', value: input.jws }, 'the next PDF is read by a fresh worker')
})

t.test('a certificate rendered on the pool is the same PDF as rendered here, and its refusals keep their code', async (t) => {
  const input = certificateInput({ number: '44010625000401' })
  t.same(Buffer.from(await pool.render(input, { client: randomUUID() })), Buffer.from(await renderCertificatePdf(input)), 'byte for byte')
  await t.rejects(pool.render(certificateInput({ holderName: '张\u{323AF}' }), { client: randomUUID() }), { code: 'UNRENDERABLE_CHARACTER' })
})

t.test('one client has at most two PDFs in flight; the queue is bounded; work for a client who left is dropped', async (t) => {
  const small = createPdfPool({ threads: 1, maxQueue: 2, perClient: 2, readTimeoutMs: 10_000 })
  t.teardown(() => small.close())
  const slow = () => Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(1024 * 1024)])
  const one = { client: 'one' }
  const first = small.readToken(slow(), one)
  const second = small.readToken(slow(), one)
  await t.rejects(small.readToken(slow(), one), { code: 'RATE_LIMITED', status: 429 }, 'a third from the same client waits its turn')
  const others = [small.readToken(slow(), { client: 'two' }), small.readToken(slow(), { client: 'three' })]
  await t.rejects(small.readToken(slow(), { client: 'four' }), { code: 'OVERLOADED', status: 503 }, 'a full queue refuses at once')
  await Promise.allSettled([first, second, ...others])

  const busy = small.readToken(slow(), { client: 'six' })
  const gone = new AbortController()
  const abandoned = small.readToken(slow(), { client: 'five', signal: gone.signal }).catch((error: unknown) => error)
  t.equal(small.load().queued, 1, 'queued behind the busy thread')
  gone.abort()
  t.match(await abandoned, { name: 'AbortError' }, 'the client left: its PDF is dropped')
  t.equal(small.load().queued, 0, 'and no longer waits for a thread')
  await busy.catch(() => {})
})

t.test('an encrypted certificate is INVALID_PDF', async (t) => {
  const directory = t.testdir()
  const plain = join(directory, 'plain.pdf')
  const encrypted = join(directory, 'encrypted.pdf')
  await writeFile(plain, await renderCertificatePdf(certificateInput()))
  await run('qpdf', ['--encrypt', 'u', 'o', '256', '--', plain, encrypted])
  await t.rejects(readCertificateJws(await readFile(encrypted)), { code: 'INVALID_PDF', message: 'The PDF is encrypted.' })
})
