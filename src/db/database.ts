// Opens the database: PostgreSQL through pg when a URL is given, otherwise the embedded PGlite.
import { createHash } from 'node:crypto'
import { readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Kysely, PostgresDialect, PGliteDialect } from 'kysely'
import pg from 'pg'
import type { Database } from './schema.js'
import { makePrivateDirectory } from './private-files.js'

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded database is used. */
  url?: string
  /** PGlite data directory, or ':memory:' for a throw-away database. */
  dataDir: string
  poolSize: number
  /** For ':memory:': start from this PGlite dump (dumpDataDir) instead of an empty cluster — much faster than initdb. */
  template?: Blob
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>
  readonly engine: 'postgresql' | 'pglite'
  close (): Promise<void>
}

// bigint (count(*), sum of integers) as a JS number: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, value => Number(value))

const preparedNames = new Map<string, string>()
const maxPreparedParameters = 32

/**
 * A pg client that sends the statements of the hot paths as named prepared statements, which PostgreSQL
 * parses and plans once per connection instead of on every call. Only statements with at most 32
 * parameters (lookups, number allocation, single inserts, authentication) — batch inserts and long IN
 * lists stay unnamed so that their many shapes do not pile up in the server — and none that selects
 * `*`: after a migration adds a column, a prepared `select *` fails with "cached plan must not change
 * result type" on every instance still running.
 */
class PreparingClient extends pg.Client {
  override query (...args: any[]): any {
    const [text, values] = args
    if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length <= maxPreparedParameters && !text.includes('*')) {
      let name = preparedNames.get(text)
      if (name === undefined && preparedNames.size < 1000) {
        name = `ce_${createHash('sha1').update(text).digest('hex')}`
        preparedNames.set(text, name)
      }
      if (name !== undefined) return super.query({ name, text, values })
    }
    return (super.query as (...rest: any[]) => any)(...args)
  }
}

/** Opens (and for PGlite, creates) the database. Migrations are run separately by migrateToLatest. */
export async function openDatabase (options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url !== undefined) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, connectionTimeoutMillis: 5_000, Client: PreparingClient })
    // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {})
    // Nor may one in use (say, mid-transaction while a certificate is signed): its query fails with a
    // connection error (answered 503), and the pool drops the broken client when it is released.
    pool.on('connect', client => { client.on('error', () => {}) })
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, engine: 'postgresql', close: () => db.destroy() }
  }
  // Loaded only when used: the PGlite module alone adds ~40 MB to the resident memory of a PostgreSQL deployment.
  const { PGlite } = await import('@electric-sql/pglite')
  if (options.dataDir === ':memory:') {
    const pglite = new PGlite(options.template === undefined ? {} : { loadDataDir: options.template })
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })
    return { db, engine: 'pglite', close: () => db.destroy() }
  }
  await makePrivateDirectory(options.dataDir)
  const releaseLock = await lockDataDir(options.dataDir)
  try {
    const pglite = new PGlite(options.dataDir)
    await pglite.waitReady
    // A new cluster's files come from PGlite's image with open modes: closed again once it has written them.
    await makePrivateDirectory(options.dataDir)
    const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })
    return { db, engine: 'pglite', close: async () => { await db.destroy(); await releaseLock() } }
  } catch (error) {
    await releaseLock()
    throw error
  }
}

/** PGlite is single-process: a second process on the same folder would corrupt it, so one holds a pid lock. */
async function lockDataDir (dataDir: string): Promise<() => Promise<void>> {
  const lockFile = path.join(dataDir, 'ce-service.pid')
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx' })
      return () => unlink(lockFile).catch(() => {})
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      const holder = Number(await readFile(lockFile, 'utf8').catch(() => ''))
      if (Number.isInteger(holder) && holder > 0 && processIsAlive(holder)) {
        throw new Error(`the embedded database in ${dataDir} is in use by process ${holder}; stop it first, or use the HTTP admin API`)
      }
      await unlink(lockFile).catch(() => {})
    }
  }
  throw new Error(`could not lock the embedded database in ${dataDir}`)
}

function processIsAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
