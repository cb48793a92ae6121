// A dump of a freshly migrated PGlite, cached per migration set: loading it takes well under a second where initdb takes several.
import { createHash } from 'node:crypto'
import { readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite } from '@electric-sql/pglite'
import { Kysely, PGliteDialect } from 'kysely'
import { migrateToLatest } from './migrate.js'

const migrationsFolder = fileURLToPath(new URL('./migrations/', import.meta.url))

/**
 * The migrated template for `openDatabase({ dataDir: ':memory:', template })`, cached in the temp folder
 * under a hash of the migrations, so tests and benchmarks start a database quickly. Written atomically.
 */
export async function migratedPgliteTemplate (): Promise<Blob> {
  const hash = createHash('sha256')
  for (const file of (await readdir(migrationsFolder)).sort()) hash.update(file).update(await readFile(path.join(migrationsFolder, file)))
  const cached = path.join(tmpdir(), `ce-pglite-template-${hash.digest('hex').slice(0, 16)}.tar`)
  try {
    return new Blob([await readFile(cached)])
  } catch {
    const pglite = new PGlite()
    const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) })
    await migrateToLatest(db)
    const dump = await pglite.dumpDataDir('none')
    await db.destroy()
    const temporary = `${cached}.${process.pid}.tmp`
    await writeFile(temporary, Buffer.from(await dump.arrayBuffer()))
    await rename(temporary, cached)
    return dump
  }
}
