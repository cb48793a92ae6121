// Real service processes for the load and fault tests: `node --import tsx src/server.ts` on a free loopback port.
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { loadHolderIdSecret, loadSigningKeys } from '../src/signing/signing-keys.js'
import { adminToken, type TestContext } from '../test/helper.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** The shared PostgreSQL of the machine (or CI): each test makes its own database there. */
export const clusterUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

export interface ServiceProcess {
  readonly url: string
  readonly child: ChildProcess
  /** The last lines the process wrote, for a failure message. */
  output (): string
  kill (signal: NodeJS.Signals): Promise<void>
}

/** Starts one service process; resolves once it listens (it logs the address at level info). Killed (SIGKILL) at teardown if still running. */
export async function startService (t: TestContext, env: Record<string, string>): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_TOKEN: adminToken,
      LOG_LEVEL: 'info',
      RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const lines: string[] = []
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = ''
    const keep = (text: string) => { lines.push(...text.split('\n').filter(Boolean)); if (lines.length > 200) lines.splice(0, lines.length - 200) }
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString()
      const parts = buffered.split('\n')
      buffered = parts.pop() ?? ''
      for (const line of parts) {
        keep(line)
        const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)
        if (listening !== null) resolve(listening[1]!)
      }
    })
    child.stderr!.on('data', (chunk: Buffer) => keep(chunk.toString()))
    child.once('exit', code => reject(new Error(`the service exited with ${code} before listening:\n${lines.join('\n')}`)))
    setTimeout(() => reject(new Error(`the service did not listen within 60 s:\n${lines.join('\n')}`)), 60_000).unref()
  })
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    await exited
  }
  t.teardown(() => kill('SIGKILL'))
  return { url, child, output: () => lines.join('\n'), kill }
}

/** A new, empty database on a cluster; dropped at teardown. Returns its URL. */
export async function createDatabase (t: TestContext, cluster = clusterUrl): Promise<string> {
  const name = `ce_load_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: cluster })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  t.teardown(async () => {
    const dropper = new pg.Client({ connectionString: cluster })
    await dropper.connect().catch(() => {})
    await dropper.query(`drop database if exists ${name} with (force)`).catch(() => {})
    await dropper.end().catch(() => {})
  })
  const url = new URL(cluster)
  url.pathname = `/${name}`
  return url.toString()
}

/** Provisions the signing key and the holder-ID secret once, as an operator would before starting several instances. */
export async function provisionKeys (keysDir: string): Promise<void> {
  const ring = await loadSigningKeys(keysDir, 'ES256', () => new Date())
  ring.close()
  await loadHolderIdSecret(keysDir)
}

export interface Answer { status: number, body: any }

/** One HTTP call; a connection failure is status 0 with the error's message. */
export async function call (base: string, path: string, init: { method?: string, apiKey?: string, body?: unknown, idempotencyKey?: string } = {}): Promise<Answer> {
  try {
    const response = await fetch(`${base}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: {
        ...(init.apiKey === undefined ? {} : { authorization: `Bearer ${init.apiKey}` }),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.idempotencyKey === undefined ? {} : { 'idempotency-key': init.idempotencyKey }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(120_000),
    })
    const text = await response.text()
    let body: unknown = text
    try { body = JSON.parse(text) } catch {}
    return { status: response.status, body }
  } catch (error) {
    return { status: 0, body: { error: (error as Error).message } }
  }
}

/** Creates an issuer through the admin API of an instance; returns its id and API key. */
export async function createIssuerOver (base: string, kind: string, regionCode: string, name: string): Promise<{ id: number, apiKey: string }> {
  const response = await fetch(`${base}/v1/admin/issuers`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
    body: JSON.stringify({ name, kind, regionCode }),
  })
  if (response.status !== 201) throw new Error(`could not create issuer: ${response.status} ${await response.text()}`)
  return await response.json() as { id: number, apiKey: string }
}

/** Runs `work` for each item with at most `concurrency` at a time. */
export async function inParallel<T, R> (items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await work(items[index]!, index)
    }
  }))
  return results
}
