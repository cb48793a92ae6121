// POST /v1/verify with the certificate PDF against the same certificate's JWS alone: verifications per second.
import { emit, median, pairedRounds, progress, round1 } from './bench-result.js'
import { createBenchDatabase } from './bench-database.js'
import { connections, createHolderSource } from './certificate-requests.js'
import { applyLoad, assertAllSucceeded } from './load-generator.js'
import { startService } from './service-process.js'

const rounds = 3
// Long against a PDF verification's latency (~1–2 s at 32 connections since the signature is checked): a 2 s round counted almost none.
const seconds = 5

const database = await createBenchDatabase('PostgreSQL')
// Every connection stands for a client of its own: all of them come from 127.0.0.1, so the per-client cap on PDFs in flight is lifted as the public rate limit is.
const service = await startService(database.env, { PDFS_IN_FLIGHT_PER_CLIENT: String(connections) })
try {
  const apiKey = await service.createIssuer('authority', '440100', '广州市天河区人力资源和社会保障局')
  const auth = { authorization: `Bearer ${apiKey}` }
  const issued = await fetch(`${service.url}/v1/certificates`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify(createHolderSource(3).next('440106')),
  })
  if (issued.status !== 201) throw new Error(`issuing answered ${issued.status}: ${await issued.text()}`)
  const { number, jws } = await issued.json() as { number: string, jws: string }
  const pdfResponse = await fetch(`${service.url}/v1/certificates/${number}/pdf`, { headers: auth })
  if (pdfResponse.status !== 200) throw new Error(`the PDF answered ${pdfResponse.status}`)
  const pdf = Buffer.from(await pdfResponse.arrayBuffer())

  const verifyPdf = () => applyLoad({ url: service.url, connections, seconds, next: () => ({ method: 'POST', path: '/v1/verify', headers: { 'content-type': 'application/pdf' }, body: pdf }) })
  const jwsBody = JSON.stringify({ jws })
  const verifyJws = () => applyLoad({ url: service.url, connections, seconds, next: () => ({ method: 'POST', path: '/v1/verify', headers: { 'content-type': 'application/json' }, body: jwsBody }) })
  progress(`verify: warming up (a ${round1(pdf.byteLength / 1024)} KB PDF, a ${jws.length}-character JWS)`)
  await verifyPdf()
  await verifyJws()
  const pairs = await pairedRounds(rounds,
    async () => assertAllSucceeded('JWS verification', await verifyJws()),
    async () => assertAllSucceeded('PDF verification', await verifyPdf()))
  const ratio = median(pairs.map(p => p.subject.rps / p.baseline.rps))
  progress(`verify: ${Math.round(median(pairs.map(p => p.subject.rps)))} PDFs/s, ratio ${ratio.toFixed(2)}`)
  await emit({
    rows: [{
      path: 'PDF verification `POST /v1/verify` (application/pdf)',
      database: 'PostgreSQL',
      measuredAs: `verifications/s, ${connections} connections, the ${round1(pdf.byteLength / 1024)} KB PDF the service issued`,
      subject: { value: median(pairs.map(p => p.subject.rps)), unit: 'verif/s', detail: `p99 ${median(pairs.map(p => p.subject.p99))} ms` },
      baselineName: 'the same certificate\'s JWS alone `{ "jws": … }`',
      baseline: { value: median(pairs.map(p => p.baseline.rps)), unit: 'verif/s', detail: `p99 ${median(pairs.map(p => p.baseline.p99))} ms` },
      ratio,
      target: '≥ 0.25 of JWS-only',
      met: ratio >= 0.25,
      rounds,
    }],
    notes: [],
  })
} finally {
  await service.cleanUp()
  await database.destroy()
}
