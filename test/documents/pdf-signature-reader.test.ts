import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { PDFArray, PDFDict, PDFDocument, PDFName, PDFRef } from 'pdf-lib'
import { loadCertificateFonts, renderCertificatePdf } from '../../src/documents/index.js'
import { extractCertificateJws } from '../../src/documents/pdf-jws-extraction.js'
import { readPdfSignature, type PdfSignatureReading } from '../../src/documents/pdf-signature-reader.js'
import { signCertificatePdf } from '../../src/documents/pdf-signature.js'
import { loadSigningKeys } from '../../src/signing/signing-keys.js'
import { temporaryDirectory } from '../helper.js'
import { certificateInput, fixtureSigner } from '../fixtures/certificate-pdf-input.js'
import { appendIncrementalUpdate, lastCrossReference, newPdfCarrying, repaintName } from '../fixtures/pdf-forgeries.js'

const run = promisify(execFile)
const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1')

await loadCertificateFonts()
const input = certificateInput()
const genuine = await renderCertificatePdf(input)
const dir = await temporaryDirectory(t, 'ce-forgeries-')

/** Reads the signature, timed: the reader is meant to run before anything expensive. */
function timedRead (pdf: Uint8Array): { reading: PdfSignatureReading, ms: number } {
  const started = performance.now()
  const reading = readPdfSignature(pdf)
  return { reading, ms: performance.now() - started }
}

async function pdfsig (name: string, pdf: Uint8Array): Promise<string> {
  const file = path.join(dir, `${name}.pdf`)
  await writeFile(file, pdf)
  return (await run('pdfsig', [file]).catch((error: { stdout: string }) => error)).stdout
}

const lastXref = lastCrossReference(genuine)
const withUpdate = appendIncrementalUpdate

const document = await PDFDocument.load(genuine, { updateMetadata: false })
const page = document.getPage(0)
// pdf-lib forgets the object and xref streams it reads, so their numbers come from the trailer.
const nextNumber = lastXref.size
const refOf = (number: number) => `${number} 0 R`

t.test('a genuine certificate PDF reads as signed by its own signing key, at its issue time', async t => {
  const { reading, ms } = timedRead(genuine)
  t.match(reading, { kind: 'signed', signingTime: input.issuedAt })
  if (reading.kind !== 'signed') return
  const { kty, crv, x, y } = fixtureSigner.privateJwk
  t.same(reading.signerPublicJwk, { kty, crv, x, y }, 'the signing key\'s public JWK')
  t.same(Buffer.from(reading.signerCertificate), Buffer.from(fixtureSigner.certificateChain[0]!))
  t.comment(`read in ${ms.toFixed(1)} ms`)
})

t.test('a name repainted in an incremental update: the file changed after it was signed', async t => {
  const forged = await repaintName(genuine)
  const file = path.join(dir, 'repainted.pdf')
  await writeFile(file, forged)
  t.match((await run('pdftotext', [file, '-'])).stdout, 'LI SI', 'a reader shows the new name')
  const signature = await pdfsig('repainted', forged)
  t.match(signature, 'Signature is Valid', 'the old signature still checks out over its range…')
  t.notMatch(signature, 'Total document signed', '…which no longer covers the file')
  const { reading, ms } = timedRead(forged)
  t.match(reading, { kind: 'invalid', failure: 'appended' })
  t.comment(`read in ${ms.toFixed(1)} ms`)
})

t.test('a flipped byte inside the signed range: the signature does not match the content', async t => {
  const forged = genuine.slice()
  forged[Math.floor(forged.length * 0.7)]! ^= 0x01
  t.match(await pdfsig('flipped', forged), 'Digest Mismatch')
  const { reading, ms } = timedRead(forged)
  t.match(reading, { kind: 'invalid', failure: 'digest-mismatch' })
  t.comment(`read in ${ms.toFixed(1)} ms`)
})

t.test('a new PDF carrying a genuine certificate.jws but no signature has none', async t => {
  const forged = await newPdfCarrying(input.jws)
  t.match(await extractCertificateJws(forged), { outcome: 'found', jws: input.jws }, 'the token alone would pass for the certificate')
  const { reading, ms } = timedRead(forged)
  t.same(reading, { kind: 'absent' })
  t.comment(`read in ${ms.toFixed(1)} ms`)
})

t.test('a genuine PDF signed again by someone else has two signatures', async t => {
  const keys = await loadSigningKeys(await temporaryDirectory(t, 'ce-keys-'), 'ES256', () => new Date('2026-01-01T00:00:00Z'))
  keys.close()
  const { kid, alg, privateJwk, certificateChain } = keys.current(new Date('2026-01-01T00:00:00Z'))
  const form = document.catalog.get(PDFName.of('AcroForm')) as PDFRef
  const [widget] = document.context.lookup(form, PDFDict).lookup(PDFName.of('Fields'), PDFArray).asArray()
  const annotations = page.node.Annots()!.asArray().map(String)
  const [signature, secondWidget] = [nextNumber, nextNumber + 1]
  const placeholder = '/**********'
  const unsigned = withUpdate(genuine, new Map([
    [signature, `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ${placeholder} ${placeholder} ${placeholder}] /Contents <${'0'.repeat(8192)}> /M (D:20260101000000Z) >>`],
    [secondWidget, `<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /V ${refOf(signature)} /T (Signature2) /F 4 /P ${String(page.ref)} >>`],
    [form.objectNumber, `<< /Fields [${String(widget)} ${refOf(secondWidget)}] /SigFlags 3 >>`],
    [page.ref.objectNumber, (() => {
      const resigned = page.node.clone(document.context)
      resigned.set(PDFName.of('Annots'), document.context.obj([...annotations.map(ref => PDFRef.of(Number(ref.split(' ')[0]))), PDFRef.of(secondWidget)]))
      return resigned.toString()
    })()],
  ]))
  const forged = await signCertificatePdf(unsigned, { kid, alg, privateJwk, certificateChain })
  const report = await pdfsig('two-signatures', forged)
  t.match(report, /Signature #2:[\s\S]*Total document signed[\s\S]*Signature is Valid/, 'the second signature covers the whole file')
  const { reading, ms } = timedRead(forged)
  t.match(reading, { kind: 'invalid', failure: 'several-signatures' })
  t.comment(`read in ${ms.toFixed(1)} ms`)
})

t.test('a CMS cut short is invalid', async t => {
  const text = latin1(genuine)
  const [, a, b] = /\/ByteRange \[0 (\d+) (\d+) \d+\]/.exec(text)!.map(Number) as [number, number, number]
  const hex = text.slice(a + 1, b - 1)
  const cmsHex = hex.replace(/(00)+$/, '')
  const halved = cmsHex.slice(0, cmsHex.length / 2)
  const forged = Buffer.concat([Buffer.from(text.slice(0, a + 1), 'latin1'), Buffer.from(halved.padEnd(hex.length, '0'), 'latin1'), Buffer.from(text.slice(b - 1), 'latin1')])
  t.equal(forged.length, genuine.length)
  const { reading, ms } = timedRead(forged)
  t.match(reading, { kind: 'invalid', failure: 'unreadable' })
  t.comment(`read in ${ms.toFixed(1)} ms`)
})

t.test('junk after a PDF header has no signature, and a huge file is not read', async t => {
  const junk = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024, 'a')])
  const { reading, ms } = timedRead(junk)
  t.same(reading, { kind: 'absent' })
  t.comment(`read in ${ms.toFixed(1)} ms`)
  const byteRanges = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from('/ByteRange [0 1 2 3] '.repeat(200_000))])
  t.match(timedRead(byteRanges.subarray(0, 4 * 1024 * 1024)).reading, { kind: 'invalid', failure: 'several-signatures' })
  t.match(timedRead(Buffer.alloc(6 * 1024 * 1024)).reading, { kind: 'invalid', failure: 'too-large' })
})
