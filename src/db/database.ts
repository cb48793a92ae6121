// Opens the database: PostgreSQL through pg when a URL is given, otherwise the embedded PGlite.
import { mkdir } from 'node:fs/promises'
import { Kysely, PostgresDialect, PGliteDialect } from 'kysely'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import type { Database } from './schema.js'

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded database is used. */
  url?: string
  /** PGlite data directory, or ':memory:' for a throw-away database. */
  dataDir: string
  poolSize: number
}

export interface DatabaseHandle {
  readonly db: Kysely<Database>
  readonly engine: 'postgresql' | 'pglite'
  close (): Promise<void>
}

// bigint (count(*), sum of integers) as a JS number: our counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, value => Number(value))

/** Opens (and for PGlite, creates) the database. Migrations are run separately by migrateToLatest. */
export async function openDatabase (options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url !== undefined) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize, connectionTimeoutMillis: 5_000 })
    // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
    pool.on('error', () => {})
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
    return { db, engine: 'postgresql', close: () => db.destroy() }
  }
  if (options.dataDir !== ':memory:') await mkdir(options.dataDir, { recursive: true })
  const pglite = options.dataDir === ':memory:' ? new PGlite() : new PGlite(options.dataDir)
  await pglite.waitReady
  const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) })
  return { db, engine: 'pglite', close: () => db.destroy() }
}
