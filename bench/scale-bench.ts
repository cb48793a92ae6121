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

const probes = 20_000

/**
 * The lookup's own cost inside PostgreSQL, free of HTTP and of most of the machine's noise: a PL/pgSQL
 * loop runs the lookup's join for `probes` random stored numbers as one prepared plan; µs per lookup.
 * (The number goes through a char(14) variable: random() in the WHERE clause would be evaluated per row,
 * and a text value would not match the char(14) index.)
 */
async function timeLookupsInDatabase (plan: SeedPlan): Promise<number> {
  const perCounty = plan.to / plan.counties.length
  const yy = String(plan.year % 100).padStart(2, '0')
  const counties = `array[${plan.counties.map(c => `'${c}'`).join(',')}]`
  const started = performance.now()
  await sql.raw(`do $$ declare counties text[] := ${counties}; n char(14); begin
    for i in 1..${probes} loop
      n := counties[1 + floor(random() * ${plan.counties.length})::int] || '${yy}' || lpad((1 + floor(random() * ${perCounty}))::int::text, 6, '0');
      perform c.number, c.status, c.holder_name, c.hours_total, c.issued_at, s.name from certificates c join issuers s on s.id = c.issuer_id where c.number = n;
    end loop;
  end $$`).execute(handle.db)
  return (performance.now() - started) * 1000 / probes
}

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
        const reached = scale.at(-1)?.stored === plan.to ? 'stopped there' : `measured at ${plan.to.toLocaleString('en')} instead`
        notes.push(`Scale: generating ${target.toLocaleString('en')} certificates did not fit the ${seedBudgetSeconds} s budget (BENCH_SCALE_SEED_SECONDS) on this machine; ${reached}.`)
        if (scale.at(-1)?.stored === plan.to) break
      }
      // Dirty pages written now, not by a checkpoint in the middle of the measurement.
      await sql`checkpoint`.execute(handle.db)
      const size = await sql<{ mb: number }>`select pg_total_relation_size('certificates') / 1048576 as mb`.execute(handle.db)
      progress(`scale: ${plan.to.toLocaleString('en')} stored (${size.rows[0]?.mb} MB with indexes; generated in ${round1(took)} s); measuring`)
      const inDatabaseUs = await timeLookupsInDatabase(plan)
      // Warm-up (longer before the first point, when the service has served nothing yet).
      const warmUp = scale.length === 0 ? 2 : 1
      await lookupLoad(service.url, plan, plan.to, warmUp)
      await issueLoad({ url: service.url, apiKey, holders, regions: plan.counties, seconds: warmUp })
      const lookup = await lookupLoad(service.url, plan, plan.to, seconds)
      const issue = await issueLoad({ url: service.url, apiKey, holders, regions: plan.counties, seconds })
      scale.push({ stored: plan.to, lookupInDatabaseUs: inDatabaseUs, lookupRps: lookup.rps, lookupP50: lookup.p50, lookupP99: lookup.p99, issueRps: issue.rps, issueP99: issue.p99, seedSeconds: took })
      progress(`scale: ${plan.to.toLocaleString('en')}: ${Math.round(inDatabaseUs)} µs per lookup inside PostgreSQL; lookup ${Math.round(lookup.rps)}/s p99 ${lookup.p99} ms; issuing ${Math.round(issue.rps)}/s`)
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
