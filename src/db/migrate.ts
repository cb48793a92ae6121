// Runs the migrations in src/db/migrations with Kysely's Migrator; the same on PostgreSQL and PGlite.
import { promises as fs } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Kysely } from 'kysely'
import { FileMigrationProvider, Migrator } from 'kysely/migration'

const migrationFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations')

function createMigrator (db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: new FileMigrationProvider({ fs, path, migrationFolder }) })
}

/** Applies every pending migration; throws with the failing migration's name. */
export async function migrateToLatest (db: Kysely<any>): Promise<string[]> {
  const { error, results = [] } = await createMigrator(db).migrateToLatest()
  const failed = results.find(r => r.status === 'Error')
  if (error !== undefined) {
    throw new Error(`migration ${failed?.migrationName ?? '(unknown)'} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })
  }
  return results.filter(r => r.status === 'Success').map(r => r.migrationName)
}

/** Names of migrations not yet applied (empty when the schema is current). */
export async function pendingMigrations (db: Kysely<any>): Promise<string[]> {
  const migrations = await createMigrator(db).getMigrations()
  return migrations.filter(m => m.executedAt === undefined).map(m => m.name)
}
