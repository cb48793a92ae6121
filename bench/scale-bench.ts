// Lookup latency and issuing throughput as the register grows from 10,000 to 1,000,000 certificates (PostgreSQL).
import { sql } from 'kysely'
import { emit, progress, round1, type ScalePoint } from './bench-result.js'
import { createBenchDatabase, createSeedIssuer, guangdongCounties, seedCertificates, type SeedPlan } from './bench-database.js'
import { createHolderSource, issueLoad, lookupLoad } from './certificate-requests.js'
import { startService } from './service-process.js'

const points = [10_000, 100_000, 1_000_000]
const chunk = 100_000
/** Generation stops when it has taken this long; the points not reached are reported as such. */
const seedBudgetSeconds = Number(process.env.BENCH_SCALE_SEED_SECONDS ?? 60)
const seconds = 2

const database = await createBenchDatabase('PostgreSQL')
const handle = await database.open()
const notes: string[] = []
try {
  // Generated certificates are of 2024; the service issues for 2025, so the two never share a number sequence.
  const plan: SeedPlan = { issuer: await createSeedIssuer(handle.db), counties: guangdongCounties(100), year: 2024, from: 1, to: 0 }
  const service = await startService(database.env)
  try {
    const apiKey = await service.createIssuer('authority', '440000', '广东省人力资源和社会保障厅')
    const holders = createHolderSource(4)
    const scale: ScalePoint[] = []
    let seedSeconds = 0
    for (const target of points) {
      const started = performance.now()
      while (plan.to < target && seedSeconds + (performance.now() - started) / 1000 < seedBudgetSeconds) {
        const next = Math.min(target, plan.to + chunk)
        await seedCertificates(handle.db, { ...plan, from: plan.to + 1, to: next })
        plan.to = next
      }
      const took = (performance.now() - started) / 1000
      seedSeconds += took
      if (plan.to < target) {
        notes.push(`Scale: generating ${target.toLocaleString('en')} certificates did not fit the ${seedBudgetSeconds} s budget on this machine; measured at ${plan.to.toLocaleString('en')} instead.`)
      }
      // Dirty pages written now, not by a checkpoint in the middle of the measurement.
      await sql`checkpoint`.execute(handle.db)
      const size = await sql<{ mb: number }>`select pg_total_relation_size('certificates') / 1048576 as mb`.execute(handle.db)
      progress(`scale: ${plan.to.toLocaleString('en')} stored (${size.rows[0]?.mb} MB with indexes; generated in ${round1(took)} s); measuring`)
      // Warm-up (longer before the first point, when the service has served nothing yet).
      const warmUp = scale.length === 0 ? 2 : 1
      await lookupLoad(service.url, plan, plan.to, warmUp)
      await issueLoad({ url: service.url, apiKey, holders, regions: plan.counties, seconds: warmUp })
      const lookup = await lookupLoad(service.url, plan, plan.to, seconds)
      const issue = await issueLoad({ url: service.url, apiKey, holders, regions: plan.counties, seconds })
      scale.push({ stored: plan.to, lookupRps: lookup.rps, lookupP50: lookup.p50, lookupP99: lookup.p99, issueRps: issue.rps, issueP99: issue.p99, seedSeconds: took })
      progress(`scale: ${plan.to.toLocaleString('en')}: lookup ${Math.round(lookup.rps)}/s p99 ${lookup.p99} ms; issuing ${Math.round(issue.rps)}/s`)
      if (plan.to < target) break
    }
    await emit({ rows: [], scale, notes })
  } finally {
    await service.cleanUp()
  }
} finally {
  await handle.close()
  await database.destroy()
}
