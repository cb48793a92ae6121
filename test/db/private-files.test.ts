// The embedded database's files hold names in clear text: the folder is the owner's alone, and so is every file, WAL included.
import { chmod, mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { temporaryDirectory } from '../helper.js'

async function modesUnder (dir: string): Promise<Array<[string, number]>> {
  const found: Array<[string, number]> = [[dir, (await stat(dir)).mode & 0o777]]
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const file = path.join(entry.parentPath, entry.name)
    if (!entry.isSymbolicLink()) found.push([file, (await stat(file)).mode & 0o777])
  }
  return found
}

t.test('DATA_DIR is 0700 and its files 0600, and an existing folder is tightened at start', async t => {
  const root = await temporaryDirectory(t)
  const dataDir = path.join(root, 'data')
  // A folder left open by an earlier version, with a file anyone could read.
  await mkdir(path.join(dataDir, 'old'), { recursive: true })
  await writeFile(path.join(dataDir, 'old', 'leftover'), 'names')
  await chmod(path.join(dataDir, 'old', 'leftover'), 0o666)
  await chmod(path.join(dataDir, 'old'), 0o777)
  await chmod(dataDir, 0o777)

  const database = await openDatabase({ dataDir, poolSize: 1 })
  await migrateToLatest(database.db)
  await database.db.insertInto('issuers').values({ name: '天河区人社局', kind: 'authority', region_code: '440106' }).execute()
  // Files made while it runs: a new table and enough rows for more WAL.
  await database.db.schema.createTable('scratch').addColumn('text', 'text').execute()
  for (let i = 0; i < 20; i++) await database.db.insertInto('scratch' as never).values(Array.from({ length: 500 }, () => ({ text: '欧阳娜娜'.repeat(50) })) as never).execute()
  await database.close()

  const modes = await modesUnder(dataDir)
  t.ok(modes.length > 20, `${modes.length} paths, the database's own files and WAL among them`)
  t.ok(modes.some(([file]) => file.includes('pg_wal')), 'the WAL is there')
  const open = modes.filter(([, mode]) => (mode & 0o077) !== 0)
  t.same(open, [], 'no folder or file can be read by anyone but the owner')
})

