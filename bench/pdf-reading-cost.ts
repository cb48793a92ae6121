// Where the time of reading one uploaded certificate PDF goes, in this thread: the signature, then the token. By hand: npx tsx bench/pdf-reading-cost.ts
import { renderCertificatePdf } from '../src/documents/index.js'
import { extractCertificateJws } from '../src/documents/pdf-jws-extraction.js'
import { readPdfSignature } from '../src/documents/pdf-signature-reader.js'
import { readPdfHere } from '../src/documents/pdf-reader.js'
import { kidOfPublicKey } from '../src/signing/certificate-jws.js'
import { certificateInput, fixtureSigner } from '../test/fixtures/certificate-pdf-input.js'
import { median } from './bench-result.js'

const pdf = await renderCertificatePdf(certificateInput())
const kid = await kidOfPublicKey(fixtureSigner.privateJwk as JsonWebKey)

/** Median ms of `count` calls after 20 to warm up. */
async function msEach (count: number, work: () => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await work()
  const times: number[] = []
  for (let i = 0; i < count; i++) {
    const started = performance.now()
    await work()
    times.push(performance.now() - started)
  }
  return median(times)
}

const parts = {
  'signature (readPdfSignature)': await msEach(200, () => readPdfSignature(pdf)),
  'token (extractCertificateJws, pdf-lib)': await msEach(200, () => extractCertificateJws(pdf)),
  'the whole read (readPdfHere)': await msEach(200, () => readPdfHere(pdf, [kid])),
}
for (const [what, ms] of Object.entries(parts)) process.stdout.write(`${what}: ${ms.toFixed(2)} ms median\n`)
