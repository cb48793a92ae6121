// A batch's ZIP prepared on the PDF pool: PDFs per second on two threads against one (same run), and public lookups meanwhile against lookups alone.
import { benchEngines, createBenchDatabase, type Engine } from './bench-database.js'
import { emit, median, progress, round1, type BenchRow } from './bench-result.js'
import { createHolderSource } from './certificate-requests.js'
import { applyLoad, assertAllSucceeded, type LoadResult } from './load-generator.js'
import { startService, type ServiceUnderTest } from './service-process.js'

const certificates = Number(process.env.BENCH_ZIP_CERTIFICATES ?? 600)
const rounds = 2
const lookupConnections = 8

interface Prepared { seconds: number, bytes: number }

/** Issues one batch of `certificates` for a new employer and returns its id and numbers. */
async function issueBatch (service: ServiceUnderTest, salt: number): Promise<{ apiKey: string, batchId: number, numbers: string[] }> {
  const apiKey = await service.createIssuer('employer', '440106', `广州天河软件科技有限公司${salt}`)
  const holders = createHolderSource(salt)
  const response = await fetch(`${service.url}/v1/certificates/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ certificates: Array.from({ length: certificates }, () => holders.next('440106')) }),
  })
  if (response.status !== 201) throw new Error(`the batch answered ${response.status}: ${(await response.text()).slice(0, 300)}`)
  const report = await response.json() as { batchId: number, rows: Array<{ number: string }> }
  return { apiKey, batchId: report.batchId, numbers: report.rows.map(r => r.number) }
}

/** Prepares the batch's archive from nothing and waits until it is ready: how long it took. */
async function prepareArchive (service: ServiceUnderTest, apiKey: string, batchId: number): Promise<Prepared> {
  const headers = { authorization: `Bearer ${apiKey}` }
  const started = performance.now()
  const asked = await fetch(`${service.url}/v1/batches/${batchId}/archive`, { method: 'POST', headers })
  if (asked.status !== 202) throw new Error(`the archive answered ${asked.status}: ${await asked.text()}`)
  for (;;) {
    await new Promise(resolve => setTimeout(resolve, 100))
    const state = await (await fetch(`${service.url}/v1/batches/${batchId}/archive`, { headers })).json() as { status: string, bytes?: number, error?: unknown }
    if (state.status === 'ready') return { seconds: (performance.now() - started) / 1000, bytes: state.bytes ?? 0 }
    if (state.status === 'failed') throw new Error(`the archive failed: ${JSON.stringify(state.error)}`)
  }
}

const lookups = (url: string, numbers: string[], seconds: number): Promise<LoadResult> => applyLoad({
  url,
  connections: lookupConnections,
  seconds,
  next: () => ({ method: 'GET', path: `/v1/certificates/${numbers[Math.floor(Math.random() * numbers.length)]!}` }),
})

async function benchEngine (engine: Engine): Promise<BenchRow[]> {
  const throughput: Array<{ one: number, two: number }> = []
  // Cores the service process (its event loop and PDF threads together) kept busy while the ZIP was prepared.
  const cores: Array<{ one: number, two: number }> = []
  const during: LoadResult[] = []
  const alone: LoadResult[] = []
  for (let round = 0; round < rounds; round++) {
    const pair = { one: Number.NaN, two: Number.NaN }
    const busy = { one: Number.NaN, two: Number.NaN }
    for (const threads of [1, 2]) {
      const database = await createBenchDatabase(engine)
      const service = await startService(database.env, { PDF_WORKERS: String(threads) })
      try {
        const first = await issueBatch(service, round * 3 + threads)
        const cpuBefore = await service.cpuSeconds()
        const { seconds } = await prepareArchive(service, first.apiKey, first.batchId)
        busy[threads === 1 ? 'one' : 'two'] = (await service.cpuSeconds() - cpuBefore) / seconds
        pair[threads === 1 ? 'one' : 'two'] = certificates / seconds
        progress(`zip ${engine}: ${threads} thread${threads === 1 ? '' : 's'}: ${round1(certificates / seconds)} PDFs/s, service busy ${busy[threads === 1 ? 'one' : 'two'].toFixed(2)} cores`)
        if (threads === 2) {
          // Then lookups as fast as they go, alone and while another batch's ZIP is prepared.
          const second = await issueBatch(service, round * 3 + 3)
          alone.push(assertAllSucceeded('lookups alone', await lookups(service.url, first.numbers, 3)))
          const [, loaded] = await Promise.all([prepareArchive(service, second.apiKey, second.batchId), lookups(service.url, first.numbers, Math.max(3, Math.floor(certificates / 80)))])
          during.push(assertAllSucceeded('lookups during the ZIP', loaded))
          progress(`zip ${engine}: lookups during a ZIP p99 ${loaded.p99} ms (alone ${alone.at(-1)!.p99} ms)`)
        }
      } finally {
        await service.cleanUp()
        await database.destroy()
      }
    }
    throughput.push(pair)
    cores.push(busy)
  }
  const ratio = median(throughput.map(t => t.two / t.one))
  const p99 = median(during.map(d => d.p99))
  const p99Target = engine === 'PostgreSQL' ? 50 : 200
  return [{
    path: `batch ZIP, ${certificates} PDFs (\`POST /v1/batches/{id}/archive\`)`,
    database: engine,
    measuredAs: 'PDFs/s from asking to ready, PDF_WORKERS=2 on 2 cores',
    subject: { value: median(throughput.map(t => t.two)), unit: 'PDF/s', detail: `service busy ${median(cores.map(c => c.two)).toFixed(2)} cores` },
    baselineName: 'the same with PDF_WORKERS=1',
    baseline: { value: median(throughput.map(t => t.one)), unit: 'PDF/s', detail: `service busy ${median(cores.map(c => c.one)).toFixed(2)} cores` },
    ratio,
    target: '≥ 1.6× one thread',
    met: ratio >= 1.6,
    rounds,
  }, {
    path: 'public lookup while a ZIP is prepared',
    database: engine,
    measuredAs: `p99 of lookups over ${lookupConnections} connections during the two-thread ZIP`,
    subject: { value: p99, unit: 'ms', detail: `${Math.round(median(during.map(d => d.rps)))} lookups/s` },
    baselineName: 'the same lookups with no ZIP',
    baseline: { value: median(alone.map(a => a.p99)), unit: 'ms', detail: `${Math.round(median(alone.map(a => a.rps)))} lookups/s` },
    ratio: median(alone.map((a, i) => a.p99 / during[i]!.p99)),
    target: `p99 ≤ ${p99Target} ms`,
    met: p99 <= p99Target,
    rounds,
  }]
}

const rows: BenchRow[] = []
for (const engine of benchEngines) rows.push(...await benchEngine(engine))
await emit({ rows, notes: [] })
