// The databases benchmarks run on: a throw-away PostgreSQL database or PGlite folder, filled with certificates by SQL.
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, sql } from 'kysely'
import { openDatabase, type DatabaseHandle } from '../src/db/database.js'
import { migrateToLatest } from '../src/db/migrate.js'
import { migratedPgliteTemplate } from '../src/db/migrated-template.js'
import type { Database } from '../src/db/schema.js'
import { childRegions, findRegion } from '../src/regions/region-table.js'
import { processCpuSeconds } from './service-process.js'

/** A maintenance connection; each bench creates and drops its own database next to it. */
export const postgresAdminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export type Engine = 'PostgreSQL' | 'PGlite'

/** The engines to measure: both by default; BENCH_ENGINES=PostgreSQL narrows a run while profiling. */
export const benchEngines = (process.env.BENCH_ENGINES ?? 'PostgreSQL,PGlite').split(',').filter((e): e is Engine => e === 'PostgreSQL' || e === 'PGlite')

export interface BenchDatabase {
  readonly engine: Engine
  /** What the service under test is started with: DATABASE_URL or DATA_DIR. */
  readonly env: Record<string, string>
  /** The PostgreSQL URL of this database (unset for PGlite). */
  readonly url?: string
  /** Opens it from the bench process (PGlite: only while the service is not running). */
  open (): Promise<DatabaseHandle>
  /** Drops the database or removes the folder. */
  destroy (): Promise<void>
}

const created = new Set<BenchDatabase>()
// Interrupted with Ctrl-C: still drop what this process created (only that).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void Promise.allSettled([...created].map(d => d.destroy())).then(() => process.exit(130))
  })
}

async function adminQuery (text: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl })
  await client.connect()
  try {
    await client.query(text)
  } finally {
    await client.end()
  }
}

/**
 * CPU seconds used so far by the PostgreSQL backends connected to this database (from /proc; the
 * server runs on this machine). A backend that has exited since is no longer counted.
 */
export async function postgresBackendCpuSeconds (database: BenchDatabase): Promise<number> {
  const client = new pg.Client({ connectionString: postgresAdminUrl })
  await client.connect()
  try {
    const name = new URL(database.url!).pathname.slice(1)
    const { rows } = await client.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1', [name])
    const seconds = await Promise.all(rows.map(row => processCpuSeconds(row.pid)))
    return seconds.reduce((sum, s) => sum + (Number.isNaN(s) ? 0 : s), 0)
  } finally {
    await client.end()
  }
}

/** A new, migrated database: `ce_bench_<random>` on PostgreSQL, or a PGlite folder in the temp directory. */
export async function createBenchDatabase (engine: Engine): Promise<BenchDatabase> {
  let database: BenchDatabase
  if (engine === 'PostgreSQL') {
    const name = `ce_bench_${randomBytes(5).toString('hex')}`
    await adminQuery(`create database ${name}`)
    const url = new URL(postgresAdminUrl)
    url.pathname = `/${name}`
    database = {
      engine,
      url: url.toString(),
      env: { DATABASE_URL: url.toString() },
      open: () => openDatabase({ url: url.toString(), dataDir: '', poolSize: 4 }),
      destroy: async () => {
        created.delete(database)
        await adminQuery(`drop database if exists ${name} with (force)`)
      },
    }
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), 'ce-bench-pglite-'))
    // Much faster than initdb: a dump of a migrated PGlite, made once per set of migrations and kept in the temp folder.
    const pglite = new PGlite(dir, { loadDataDir: await migratedPgliteTemplate() })
    await pglite.close()
    database = {
      engine,
      env: { DATA_DIR: dir },
      open: () => openDatabase({ dataDir: dir, poolSize: 1 }),
      destroy: async () => {
        created.delete(database)
        await rm(dir, { recursive: true, force: true })
      },
    }
  }
  created.add(database)
  // The PGlite dump is migrated already.
  if (engine === 'PostgreSQL') {
    const handle = await database.open()
    try {
      await migrateToLatest(handle.db)
    } finally {
      await handle.close()
    }
  }
  return database
}

/** The first `count` county-level codes of Guangdong, in code order. */
export function guangdongCounties (count: number): string[] {
  const counties: string[] = []
  const visit = (code: string) => {
    const region = findRegion(code)!
    for (const child of childRegions(region)) {
      if (child.level === 'county') counties.push(child.code)
      else visit(child.code)
    }
  }
  visit('440000')
  const sorted = [...new Set(counties)].sort()
  if (sorted.length < count) throw new Error(`Guangdong has only ${sorted.length} counties`)
  return sorted.slice(0, count)
}

/** The issuer every generated certificate names: the provincial department, as a real register would. */
export async function createSeedIssuer (db: Kysely<Database>): Promise<{ id: number, name: string }> {
  const name = '广东省人力资源和社会保障厅'
  const row = await db.insertInto('issuers').values({ name, kind: 'authority', region_code: '440000' }).returning('id').executeTakeFirstOrThrow()
  return { id: row.id, name }
}

export interface SeedPlan {
  issuer: { id: number, name: string }
  counties: string[]
  year: number
  /** Generated certificates `from`…`to` (1-based, inclusive); certificate i is county i mod n, sequence ⌈i / n⌉. */
  from: number
  to: number
}

const base64url = (text: string) => Buffer.from(text).toString('base64url')
// base64 → base64url in SQL (encode() pads and breaks lines every 76 characters); replace() is several times faster than translate().
const toBase64url = (bytes: ReturnType<typeof sql>) =>
  sql`replace(replace(replace(rtrim(encode(${bytes}, 'base64'), '='), E'\n', ''), '+', '-'), '/', '_')`

/**
 * Inserts certificates `from`…`to` with one INSERT … SELECT generate_series: valid-looking rows (real
 * county codes, Chinese names, hours meeting the Guangdong rules, a JWS-shaped token of realistic length
 * whose payload is the row's own data), then moves each county's number sequence past them.
 */
export async function seedCertificates (db: Kysely<Database>, plan: SeedPlan): Promise<void> {
  const header = base64url(JSON.stringify({ alg: 'ES256', kid: 'bench-seed-key-0000000000000000000000000000', typ: 'cec+jws' }))
  const yy = String(plan.year % 100).padStart(2, '0')
  const surnames = sql.raw(`array['张','王','李','赵','陈','刘','杨','黄','周','吴','徐','孙','胡','朱','高','林','何','郭','马','罗','欧阳','司马']`)
  const givenNames = sql.raw(`array['伟','芳','娜','秀英','敏','静','丽','强','磊','军','洋','勇','艳','杰','娟','涛','明','超','秀兰','霞','平','刚','桂英','建华','志强','晓东','婷婷','海燕','国庆','文博']`)
  const employers = sql.raw(`array['广州天河软件科技有限公司','深圳市福田区人民医院','佛山市顺德区第一中学','东莞市建筑设计研究院有限公司','珠海格力电器股份有限公司','广东省农业科学院','汕头大学附属第一医院','中山市会计师事务所有限公司']`)
  await sql`
    insert into certificates (number, region_code, year, sequence, holder_name, holder_id_hmac, employer_name, series, rule_set,
      hours_public, hours_professional, hours_elective, hours_self_study, hours_total, declared_hours, issuer_id, issued_at, kid, jws)
    select r.number, r.code, ${plan.year}::int, r.seq, r.name, encode(sha256(('bench-holder-' || r.i)::bytea), 'hex'), r.employer, null, 'guangdong',
      20, 44, 12, 0, 76, '{"public":20,"professional":44,"elective":12}'::jsonb, ${plan.issuer.id}::int, r.issued_at,
      'bench-seed-key-0000000000000000000000000000',
      ${header}::text || '.' || ${toBase64url(sql`convert_to('{"v":1,"num":"' || r.number || '","nam":"' || r.name || '","yr":' || ${plan.year}::int
        || ',"hrs":{"pub":20,"pro":44,"ele":12,"tot":76},"rs":"guangdong","reg":"' || r.code || '","isi":' || ${plan.issuer.id}::int
        || ',"iss":' || to_json(${plan.issuer.name}::text)::text || ',"emp":"' || r.employer || '","iat":' || extract(epoch from r.issued_at)::bigint || '}', 'UTF8')`)}
        || '.' || ${toBase64url(sql`sha512(('bench-signature-' || r.i)::bytea)`)}
    from (
      select i, c.code, s.seq, c.code || ${yy}::text || lpad(s.seq::text, 6, '0') as number,
        (${surnames})[1 + i % 22] || (${givenNames})[1 + (i / 22) % 30] as name,
        (${employers})[1 + i % 8] as employer,
        make_timestamptz(${plan.year}::int, 1, 1, 0, 0, 0, 'UTC') + make_interval(days => i % 300, secs => i % 86400) as issued_at
      from generate_series(${plan.from}::int, ${plan.to}::int) as i
      cross join lateral (select (${plan.counties}::text[])[1 + (i - 1) % ${plan.counties.length}::int] as code) c
      cross join lateral (select (i - 1) / ${plan.counties.length}::int + 1 as seq) s
    ) r`.execute(db)
  await sql`
    insert into number_sequences (region_code, year, last_value)
    select region_code, year, max(sequence) from certificates where year = ${plan.year}::int group by region_code, year
    on conflict (region_code, year) do update set last_value = excluded.last_value`.execute(db)
  await sql`analyze certificates`.execute(db)
}

/** A certificate number that the seed plan generated (the i-th, 1-based). */
export function seededNumber (plan: Pick<SeedPlan, 'counties' | 'year'>, i: number): string {
  const code = plan.counties[(i - 1) % plan.counties.length]!
  const seq = Math.floor((i - 1) / plan.counties.length) + 1
  return `${code}${String(plan.year % 100).padStart(2, '0')}${String(seq).padStart(6, '0')}`
}
