// Builds the app for a test on a fresh database: PGlite in memory, or a new PostgreSQL database when TEST_DATABASE_URL is set.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/app.js'
import { loadConfig } from '../src/config.js'
import { openDatabase, type DatabaseHandle } from '../src/db/database.js'
import { migratedPgliteTemplate } from '../src/db/migrated-template.js'
import { idCheckCharacter } from '../src/certificates/id-number.js'

/** Minimal view of a tap test, so helpers work with any `t`. */
export interface TestContext { teardown (fn: () => unknown): void }

export const adminToken = 'test-admin-token-0123456789'
export const testDatabaseUrl = process.env.TEST_DATABASE_URL

/** A fresh, empty database for one test; dropped (PostgreSQL) or discarded (PGlite) at teardown. */
export async function createTestDatabase (t: TestContext, poolSize = 20): Promise<DatabaseHandle & { url?: string }> {
  if (testDatabaseUrl === undefined) {
    const handle = await openDatabase({ dataDir: ':memory:', poolSize, template: await migratedPgliteTemplate() })
    t.teardown(() => handle.close())
    return handle
  }
  const name = `ce_test_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = new pg.Client({ connectionString: testDatabaseUrl })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(testDatabaseUrl)
  url.pathname = `/${name}`
  const handle = await openDatabase({ url: url.toString(), dataDir: '', poolSize })
  t.teardown(async () => {
    await handle.close()
    const dropper = new pg.Client({ connectionString: testDatabaseUrl })
    await dropper.connect()
    await dropper.query(`drop database if exists ${name} with (force)`)
    await dropper.end()
  })
  return { ...handle, url: url.toString() }
}

/** A temporary folder removed at teardown. */
export async function temporaryDirectory (t: TestContext, prefix = 'ce-test-'): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export interface BuildOptions {
  clock?: () => Date
  env?: Record<string, string>
  database?: DatabaseHandle
  keysDir?: string
  /** Receives the log lines (set LOG_LEVEL in `env` too). */
  logStream?: { write (line: string): void }
}

/** A person signed in: the headers their browser would send (the session cookie, and the CSRF token for changes). */
export interface SignedIn {
  userId: number
  username: string
  password: string
  cookie: string
  csrfToken: string
  headers: { cookie: string, 'x-csrf-token': string }
}

export interface TestApp {
  app: FastifyInstance
  database: DatabaseHandle
  keysDir: string
  /** Creates an issuer through the admin API and returns its id and API key. */
  createIssuer (kind: 'authority' | 'employer' | 'verifier', regionCode: string, name?: string): Promise<{ id: number, apiKey: string }>
  /** Creates a user of an issuer through the admin API (a temporary password), signs them in and changes the password: their session. */
  signInNewUser (issuerId: number, role?: 'admin' | 'clerk', username?: string): Promise<SignedIn>
}

let userSerial = 0

/** The `name=value` of a Set-Cookie header, as a browser would send it back. */
export function cookieOf (setCookie: string | string[] | undefined): string {
  const header = [setCookie ?? []].flat().find(c => c.startsWith('ce_session='))
  if (header === undefined) throw new Error('no session cookie was set')
  return header.split(';')[0]!
}

/** Signs in through POST /v1/session; throws unless it succeeds. */
export async function signIn (app: FastifyInstance, username: string, password: string, remoteAddress?: string): Promise<{ cookie: string, csrfToken: string, body: Record<string, unknown> }> {
  const response = await app.inject({ method: 'POST', url: '/v1/session', payload: { username, password }, ...(remoteAddress === undefined ? {} : { remoteAddress }) })
  if (response.statusCode !== 200) throw new Error(`could not sign in: ${response.body}`)
  return { cookie: cookieOf(response.headers['set-cookie']), csrfToken: response.json().csrfToken as string, body: response.json() }
}

/** The app on a fresh database and key folder, closed at teardown. */
export async function build (t: TestContext, options: BuildOptions = {}): Promise<TestApp> {
  const database = options.database ?? await createTestDatabase(t)
  const keysDir = options.keysDir ?? await temporaryDirectory(t, 'ce-keys-')
  const archiveDir = await temporaryDirectory(t, 'ce-archives-')
  const config = loadConfig({
    ARCHIVE_DIR: archiveDir,
    ADMIN_TOKEN: adminToken,
    KEYS_DIR: keysDir,
    LOG_LEVEL: 'silent',
    PUBLIC_BASE_URL: 'https://cert.example.gov.cn',
    // Tests make many public requests from one address; the rate-limit tests set their own limit.
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
    RATE_LIMIT_NAME_CHECKS_PER_HOUR: '1000000',
    RATE_LIMIT_AUTH_FAILURES_PER_15_MINUTES: '1000000',
    // Start-up and the embedded database keep the event loop busy on a shared test machine: no shedding unless a test asks.
    OVERLOAD_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...options.env,
  })
  const app = await buildApp(config, { clock: options.clock, database, logStream: options.logStream })
  t.teardown(() => app.close())
  return {
    app,
    database,
    keysDir,
    async createIssuer (kind, regionCode, name = `${regionCode} ${kind}`) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/admin/issuers',
        headers: { authorization: `Bearer ${adminToken}` },
        payload: { name, kind, regionCode },
      })
      if (response.statusCode !== 201) throw new Error(`could not create issuer: ${response.body}`)
      const body = response.json() as { id: number, apiKey: string }
      return { id: body.id, apiKey: body.apiKey }
    },
    async signInNewUser (issuerId, role = 'clerk', username = `user${++userSerial}.${randomBytes(3).toString('hex')}`) {
      const created = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${issuerId}/users`, headers: { authorization: `Bearer ${adminToken}` }, payload: { username, displayName: '测试用户', role } })
      if (created.statusCode !== 201) throw new Error(`could not create user: ${created.body}`)
      const first = await signIn(app, username, created.json().temporaryPassword)
      const password = `Tested-${randomBytes(6).toString('hex')}-口令`
      const changed = await app.inject({
        method: 'PUT', url: '/v1/session/password', headers: { cookie: first.cookie, 'x-csrf-token': first.csrfToken },
        payload: { currentPassword: created.json().temporaryPassword, newPassword: password },
      })
      if (changed.statusCode !== 200) throw new Error(`could not change the password: ${changed.body}`)
      const cookie = cookieOf(changed.headers['set-cookie'])
      const csrfToken = changed.json().csrfToken as string
      return { userId: created.json().user.id as number, username, password, cookie, csrfToken, headers: { cookie, 'x-csrf-token': csrfToken } }
    },
  }
}

/** A valid ID number (correct check digit) for a region, birth date and serial (0-999). */
export function makeIdNumber (regionCode = '440106', birth = '19850312', serial = 1): string {
  const first17 = `${regionCode}${birth}${String(serial % 1000).padStart(3, '0')}`
  return first17 + idCheckCharacter(first17)
}

/** A request body meeting the Guangdong requirement (72: 18 / 42 / 12). */
export function issueBody (overrides: Record<string, unknown> = {}, serial = 1): Record<string, unknown> {
  return {
    holder: { name: '张三', idNumber: makeIdNumber('440106', '19850312', serial) },
    employer: { name: '广州天河软件科技有限公司' },
    year: 2025,
    hours: { public: 20, professional: 44, elective: 12 },
    ...overrides,
  }
}
