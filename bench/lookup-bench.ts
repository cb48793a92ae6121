// Public lookup GET /v1/certificates/:number with 100,000 stored certificates, against a bare Fastify route; peak RSS.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { emit, median, pairedRounds, progress, round1, type BenchRow } from './bench-result.js'
import { benchEngines, createBenchDatabase, createSeedIssuer, guangdongCounties, postgresBackendCpuSeconds, seedCertificates, seededNumber, type BenchDatabase, type Engine, type SeedPlan } from './bench-database.js'
import { applyLoad, assertAllSucceeded, type LoadResult } from './load-generator.js'
import { connections, lookupLoad } from './certificate-requests.js'
import { startProcess, startService, type RunningProcess } from './service-process.js'

const stored = 100_000
const rounds = 3
const seconds = 3

interface Round extends LoadResult {
  /** CPU milliseconds per answered request: of the server process, and of the PostgreSQL backends. */
  serverCpuMs: number
  databaseCpuMs: number
}

/** Runs a load and charges the CPU time the server (and the database) used meanwhile to its requests. */
async function withCpu (server: RunningProcess, load: () => Promise<LoadResult>, databaseCpu?: () => Promise<number>): Promise<Round> {
  const [server0, database0] = await Promise.all([server.cpuSeconds(), databaseCpu?.() ?? 0])
  const result = await load()
  const [server1, database1] = await Promise.all([server.cpuSeconds(), databaseCpu?.() ?? 0])
  return { ...result, serverCpuMs: (server1 - server0) * 1000 / result.ok, databaseCpuMs: (database1 - database0) * 1000 / result.ok }
}

async function measureEngine (engine: Engine, baseline: () => Promise<RunningProcess>, constantFile: string): Promise<BenchRow[]> {
  progress(`lookup on ${engine}: generating ${stored.toLocaleString('en')} certificates with SQL`)
  const database = await createBenchDatabase(engine)
  try {
    return await measureOn(engine, database, baseline, constantFile)
  } finally {
    await database.destroy()
  }
}

async function measureOn (engine: Engine, database: BenchDatabase, baseline: () => Promise<RunningProcess>, constantFile: string): Promise<BenchRow[]> {
  const plan: SeedPlan = { issuer: { id: 0, name: '' }, counties: guangdongCounties(100), year: 2025, from: 1, to: stored }
  const handle = await database.open()
  const seedStarted = performance.now()
  try {
    plan.issuer = await createSeedIssuer(handle.db)
    await seedCertificates(handle.db, plan)
  } finally {
    await handle.close()
  }
  progress(`lookup on ${engine}: generated in ${round1((performance.now() - seedStarted) / 1000)} s; starting the service`)
  const service = await startService(database.env)
  try {
    const sample = await fetch(`${service.url}/v1/certificates/${seededNumber(plan, 4242)}`)
    if (sample.status !== 200) throw new Error(`lookup of a stored certificate answered ${sample.status}`)
    const body = await sample.text()
    await writeFile(constantFile, body)
    const bare = await baseline()
    try {
      const randomPath = () => `/v1/certificates/${seededNumber(plan, 1 + Math.floor(Math.random() * stored))}`
      const bareLoad = async (duration: number) => assertAllSucceeded('bare route', await applyLoad({ url: bare.url, connections, seconds: duration, next: () => ({ method: 'GET', path: randomPath() }) }))
      // Warm both: JIT, the pool's connections, PostgreSQL's buffers.
      await lookupLoad(service.url, plan, stored, 1)
      await bareLoad(1)
      const peakResetWorks = await service.resetPeakMemory()
      const databaseCpu = engine === 'PostgreSQL' ? () => postgresBackendCpuSeconds(database) : undefined
      const pairs = await pairedRounds(rounds,
        () => withCpu(bare, () => bareLoad(seconds)),
        () => withCpu(service, () => lookupLoad(service.url, plan, stored, seconds), databaseCpu))
      const peakMb = await service.peakMemoryMb()
      const ratio = median(pairs.map(p => p.subject.rps / p.baseline.rps))
      const p99 = median(pairs.map(p => p.subject.p99))
      const cpu = {
        service: median(pairs.map(p => p.subject.serverCpuMs)),
        database: median(pairs.map(p => p.subject.databaseCpuMs)),
        bare: median(pairs.map(p => p.baseline.serverCpuMs)),
      }
      const databaseCpuText = engine === 'PostgreSQL' ? `, PostgreSQL ${cpu.database.toFixed(2)} ms` : ' (PGlite runs inside it)'
      progress(`lookup on ${engine}: ${Math.round(median(pairs.map(p => p.subject.rps)))} req/s, ratio ${ratio.toFixed(2)}, p99 ${p99} ms, peak RSS ${Math.round(peakMb)} MB; CPU per request: service ${cpu.service.toFixed(2)} ms${databaseCpuText}, bare ${cpu.bare.toFixed(2)} ms`)
      return [{
        path: 'public lookup `GET /v1/certificates/:number`',
        database: engine,
        measuredAs: `req/s and p99, ${connections} connections, ${stored.toLocaleString('en')} stored, ${Buffer.byteLength(body)} B answer`,
        subject: {
          value: median(pairs.map(p => p.subject.rps)),
          unit: 'req/s',
          detail: `p50 ${median(pairs.map(p => p.subject.p50))} ms, p99 ${p99} ms; CPU per request: service ${cpu.service.toFixed(2)} ms${databaseCpuText}`,
        },
        baselineName: 'bare Fastify route, same body',
        baseline: { value: median(pairs.map(p => p.baseline.rps)), unit: 'req/s', detail: `p99 ${median(pairs.map(p => p.baseline.p99))} ms; CPU ${cpu.bare.toFixed(2)} ms per request` },
        ratio,
        target: '≥ 0.5 of baseline req/s; p99 ≤ 20 ms',
        met: ratio >= 0.5 && p99 <= 20,
        rounds,
      }, {
        path: 'memory: peak RSS of the service during the lookup run',
        database: engine,
        measuredAs: peakResetWorks ? 'VmHWM, reset just before the measured rounds' : 'VmHWM since start (the kernel refused a reset)',
        subject: { value: peakMb, unit: 'MB' },
        baselineName: '—',
        target: '≤ 200 MB',
        met: peakMb <= 200,
        rounds,
      }]
    } finally {
      await bare.stop()
    }
  } finally {
    await service.cleanUp()
  }
}

const scratch = await mkdtemp(path.join(tmpdir(), 'ce-bench-lookup-'))
const constantFile = path.join(scratch, 'lookup-answer.json')
const baseline = () => startProcess('bench/baseline-server.ts', { BENCH_CONSTANT_BODY_FILE: constantFile }, '/readyz')
try {
  const rows: BenchRow[] = []
  for (const engine of benchEngines) rows.push(...await measureEngine(engine, baseline, constantFile))
  await emit({ rows, notes: [] })
} finally {
  await rm(scratch, { recursive: true, force: true })
}
