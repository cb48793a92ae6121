// Issuing one certificate per request from 32 clients, to one hot county and over 100 counties, against the bare SQL transaction.
import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import pg from 'pg'
import { emit, median, pairedRounds, progress, type BenchRow } from './bench-result.js'
import { benchEngines, createBenchDatabase, postgresBackendCpuSeconds, guangdongCounties, type BenchDatabase, type Engine } from './bench-database.js'
import { connections, createHolderSource, issueLoad, type HolderSource } from './certificate-requests.js'
import { startService } from './service-process.js'

const seconds = 2
/** The service's default DATABASE_POOL_SIZE; the baseline gets the same number of connections. */
const poolSize = 20

const sequenceSql = `insert into number_sequences (region_code, year, last_value) values ($1, $2, 1)
  on conflict (region_code, year) do update set last_value = number_sequences.last_value + 1 returning last_value`
const insertSql = `insert into certificates (number, region_code, year, sequence, holder_name, holder_id_hmac, employer_name, series, rule_set,
  hours_public, hours_professional, hours_elective, hours_self_study, hours_total, declared_hours, issuer_id, issued_at, kid, jws)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`
// A token of the length the service signs (header with a 43-character kid, ~270-byte payload, ES256 signature).
const jwsLike = `${randomBytes(66).toString('base64url')}.${randomBytes(270).toString('base64url')}.${randomBytes(64).toString('base64url')}`

/** Runs BEGIN; next number; INSERT; COMMIT — the service's issuing transaction without HTTP, checks or signing. */
type RunTransaction = (statements: (query: (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>) => Promise<void>) => Promise<void>

function issueTransaction (issuerId: number, regionCode: string) {
  return async (query: (text: string, values: unknown[]) => Promise<Array<Record<string, unknown>>>) => {
    const [row] = await query(sequenceSql, [regionCode, 2025])
    const sequence = Number(row!.last_value)
    const number = `${regionCode}25${String(sequence).padStart(6, '0')}`
    await query(insertSql, [number, regionCode, 2025, sequence, '张伟', randomBytes(32).toString('hex'), '广州天河软件科技有限公司', null, 'guangdong',
      20, 44, 12, 0, 76, '{"public":20,"professional":44,"elective":12}', issuerId, new Date(), 'bench-baseline-key', jwsLike])
  }
}

/** `connections` concurrent callers running the transaction for `seconds`; transactions per second. */
async function baselineLoad (run: RunTransaction, issuerId: number, regions: string[]): Promise<number> {
  const until = performance.now() + seconds * 1000
  let done = 0
  let turn = 0
  await Promise.all(Array.from({ length: connections }, async () => {
    while (performance.now() < until) {
      await run(issueTransaction(issuerId, regions[turn++ % regions.length]!))
      done++
    }
  }))
  return done / seconds
}

async function openBaseline (database: BenchDatabase): Promise<{ run: RunTransaction, close: () => Promise<void> }> {
  if (database.engine === 'PostgreSQL') {
    const pool = new pg.Pool({ connectionString: database.url, max: poolSize })
    return {
      run: async statements => {
        const client = await pool.connect()
        try {
          await client.query('begin')
          await statements(async (text, values) => (await client.query(text, values)).rows)
          await client.query('commit')
        } catch (error) {
          await client.query('rollback')
          throw error
        } finally {
          client.release()
        }
      },
      close: () => pool.end(),
    }
  }
  // PGlite runs in the caller's process: the baseline is the same transaction on an in-process PGlite.
  const pglite = new PGlite(database.env.DATA_DIR)
  return {
    run: async statements => { await pglite.transaction(async tx => { await statements(async (text, values) => (await tx.query<Record<string, unknown>>(text, values)).rows) }) },
    close: () => pglite.close(),
  }
}

async function measure (engine: Engine, rounds: number): Promise<BenchRow[]> {
  // PGlite allows one process per folder: the service and the baseline each get a database of their own.
  const serviceDatabase = await createBenchDatabase(engine)
  const baselineDatabase = engine === 'PGlite' ? await createBenchDatabase(engine) : serviceDatabase
  const service = await startService(serviceDatabase.env)
  const baseline = await openBaseline(baselineDatabase)
  try {
    const apiKey = await service.createIssuer('authority', '440000', '广东省人力资源和社会保障厅')
    // The baseline's rows need an issuer too: on PostgreSQL the service's (id 1), on PGlite one of its own (also id 1).
    if (baselineDatabase !== serviceDatabase) {
      await baseline.run(async query => { await query(`insert into issuers (name, kind, region_code) values ('基准', 'authority', '440000')`, []) })
    }
    const issuerId = 1
    const holders = createHolderSource(engine === 'PostgreSQL' ? 0 : 1)
    const rows: BenchRow[] = []
    const modes: Array<[string, string[]]> = [['one hot county', ['440106']], ['spread over 100 counties', guangdongCounties(100)]]
    for (const [mode, regions] of modes) {
      progress(`issuing on ${engine}, ${mode}`)
      // Warm-up: JIT, pool connections, and each county's sequence row created.
      await issueLoad({ url: service.url, apiKey, holders, regions, seconds: 1 })
      await baselineLoad(baseline.run, issuerId, regions)
      // CPU per certificate: PostgreSQL's backends (both sides), the service process, and the baseline's own client side.
      const databaseCpu = engine === 'PostgreSQL' ? () => postgresBackendCpuSeconds(serviceDatabase) : async () => 0
      const pairs = await pairedRounds(rounds,
        async () => {
          const [database0, client0] = [await databaseCpu(), process.cpuUsage()]
          const rps = await baselineLoad(baseline.run, issuerId, regions)
          const client = process.cpuUsage(client0)
          return { rps, p99: Number.NaN, databaseCpuMs: (await databaseCpu() - database0) * 1000 / (rps * seconds), clientCpuMs: (client.user + client.system) / 1000 / (rps * seconds) }
        },
        async () => {
          const [database0, service0] = [await databaseCpu(), await service.cpuSeconds()]
          const result = await issueLoad({ url: service.url, apiKey, holders, regions, seconds })
          return { ...result, databaseCpuMs: (await databaseCpu() - database0) * 1000 / result.ok, clientCpuMs: (await service.cpuSeconds() - service0) * 1000 / result.ok }
        })
      const ratio = median(pairs.map(p => p.subject.rps / p.baseline.rps))
      const cpu = (side: 'subject' | 'baseline', key: 'databaseCpuMs' | 'clientCpuMs') => median(pairs.map(p => p[side][key])).toFixed(2)
      const databaseText = (side: 'subject' | 'baseline') => engine === 'PostgreSQL' ? `, PostgreSQL ${cpu(side, 'databaseCpuMs')} ms` : ''
      progress(`issuing on ${engine}, ${mode}: ${Math.round(median(pairs.map(p => p.subject.rps)))}/s, ratio ${ratio.toFixed(2)}; CPU per certificate: service ${cpu('subject', 'clientCpuMs')} ms${databaseText('subject')}; baseline client ${cpu('baseline', 'clientCpuMs')} ms${databaseText('baseline')}`)
      rows.push({
        path: `issuing one certificate \`POST /v1/certificates\`, ${mode}`,
        database: engine,
        measuredAs: `certificates/s, ${connections} concurrent clients`,
        subject: { value: median(pairs.map(p => p.subject.rps)), unit: 'cert/s', detail: `p99 ${median(pairs.map(p => p.subject.p99))} ms; CPU per certificate: service ${cpu('subject', 'clientCpuMs')} ms${databaseText('subject')}` },
        baselineName: `the same transaction (sequence row + insert) with ${engine === 'PostgreSQL' ? `pg, pool of ${poolSize}` : 'PGlite in-process'}, ${connections} callers`,
        baseline: { value: median(pairs.map(p => p.baseline.rps)), unit: 'tx/s', detail: `CPU per transaction: client ${cpu('baseline', 'clientCpuMs')} ms${databaseText('baseline')}` },
        ratio,
        target: '≥ 0.5 of baseline',
        met: ratio >= 0.5,
        rounds,
      })
    }
    if (engine === 'PostgreSQL') notes.push(await checkTwoInstances(serviceDatabase, service.url, apiKey, holders))
    return rows
  } finally {
    await baseline.close()
    await service.cleanUp()
    await serviceDatabase.destroy()
    if (baselineDatabase !== serviceDatabase) await baselineDatabase.destroy()
  }
}

/**
 * Not a timing: a second service process on the same PostgreSQL, both issuing into one fresh county at
 * once, and the county's numbers checked afterwards for gaps and duplicates.
 */
async function checkTwoInstances (database: BenchDatabase, firstUrl: string, apiKey: string, holders: HolderSource): Promise<string> {
  // A county the spread rounds did not use: its numbers are this check's alone.
  const county = guangdongCounties(101)[100]!
  const second = await startService(database.env)
  try {
    progress('issuing on PostgreSQL: two service processes, one county')
    const loads = await Promise.all([firstUrl, second.url].map(url => issueLoad({ url, apiKey, holders, regions: [county], seconds, connections: connections / 2 })))
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      const { rows } = await client.query<{ count: number, distinct: number, max: number }>(
        'select count(*)::int as count, count(distinct sequence)::int as distinct, max(sequence) as max from certificates where region_code = $1 and year = 2025', [county])
      const { count, distinct, max } = rows[0]!
      const gapless = count === max && distinct === max
      return `Two service processes on one PostgreSQL, ${connections / 2} clients each, issuing into ${county} at once for ${seconds} s: ${count} certificates ` +
        `(${loads.map(l => l.ok).join(' + ')} answered within the time, the rest in flight), numbered ` +
        `${gapless ? `000001…${String(max).padStart(6, '0')} with no gap and no duplicate` : `WITH A GAP OR DUPLICATE (distinct ${distinct}, highest ${max})`}; ` +
        `${Math.round(loads.reduce((sum, l) => sum + l.rps, 0))} cert/s together on this 2-core machine.`
    } finally {
      await client.end()
    }
  } finally {
    await second.cleanUp()
  }
}

const rows: BenchRow[] = []
const notes: string[] = []
// One round per mode on PGlite, for context: the targets are PostgreSQL's, and each round costs seconds.
for (const engine of benchEngines) rows.push(...await measure(engine, engine === 'PostgreSQL' ? 3 : 1))
await emit({ rows, notes })
