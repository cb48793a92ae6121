// A PostgreSQL cluster of the test's own, in a temporary folder on a free loopback port, that the test may stop, crash and restart.
import { execFile } from 'node:child_process'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import type { TestContext } from '../test/helper.js'
import { freePort } from '../test/free-port.js'

const run = promisify(execFile)
const binaries = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin'

export interface ThrowawayCluster {
  readonly url: string
  /** Stops the server: 'fast' (clients cut off, clean shutdown) or 'immediate' (as if it crashed). */
  stop (mode: 'fast' | 'immediate'): Promise<void>
  start (): Promise<void>
}

/** initdb + pg_ctl start; stopped and removed at teardown. As root, the server runs as the postgres user. */
export async function startThrowawayCluster (t: TestContext): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ce-pg-'))
  const dataDir = path.join(dir, 'data')
  const port = await freePort()
  const asRoot = process.getuid?.() === 0
  const pgUser = asRoot ? await run('id', ['-u', 'postgres']).then(r => Number(r.stdout.trim())) : undefined
  if (pgUser !== undefined) await chown(dir, pgUser, pgUser)
  const postgres = async (program: string, args: string[]) => {
    const command = path.join(binaries, program)
    return asRoot ? run('runuser', ['-u', 'postgres', '--', command, ...args]) : run(command, args)
  }
  await postgres('initdb', ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'])
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`
  const start = async () => { await postgres('pg_ctl', ['-D', dataDir, '-o', options, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start']) }
  const stop = async (mode: 'fast' | 'immediate') => { await postgres('pg_ctl', ['-D', dataDir, '-m', mode, '-w', '-t', '60', 'stop']) }
  await start()
  t.teardown(async () => {
    await stop('immediate').catch(() => {})
    await rm(dir, { recursive: true, force: true })
  })
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, start }
}
