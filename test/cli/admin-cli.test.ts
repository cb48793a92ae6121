import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { writeFile } from 'node:fs/promises'
import { temporaryDirectory } from '../helper.js'
import { createTestCa } from '../fixtures/test-ca.js'
import { adminCommand } from '../../src/cli/admin-commands.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..', '..')

/** A command as `npm run admin -- …args` runs it, here in this process (a process of its own costs seconds). */
async function admin (env: Record<string, string>, ...args: string[]) {
  const outcome = await adminCommand(args, { ...process.env, ...env })
  return { code: outcome.exitCode, stdout: outcome.stdout, stderr: outcome.stderr }
}

/** The same command in a process of its own: what reaches stdout and stderr, and the exit code. */
async function adminProcess (env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], { cwd: root, env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('the admin CLI creates and lists issuers and rotates the signing key, as JSON', async t => {
  const dir = await temporaryDirectory(t)
  const env = { DATA_DIR: path.join(dir, 'data'), KEYS_DIR: path.join(dir, 'keys'), DATABASE_URL: '' }
  const created = await adminProcess(env, 'create-issuer', '--name', '广州市天河区人力资源和社会保障局', '--kind', 'authority', '--region', '440106')
  t.equal(created.stderr, '', 'the process prints the issuer as JSON on stdout, nothing on stderr')
  t.equal(created.code, 0, created.stderr)
  const issuer = JSON.parse(created.stdout)
  t.match(issuer, { id: 1, kind: 'authority', regionCode: '440106', regionName: '广东省广州市天河区' })
  t.match(issuer.apiKey, /^cek_/)
  const listed = JSON.parse((await admin(env, 'list-issuers')).stdout)
  t.equal(listed.length, 1)
  t.notOk(JSON.stringify(listed).includes(issuer.apiKey))

  const before = JSON.parse((await admin(env, 'list-keys')).stdout)
  const rotated = JSON.parse((await admin(env, 'rotate-key', '--grace-seconds', '0')).stdout)
  const after = JSON.parse((await admin(env, 'list-keys')).stdout)
  t.equal(after.keys.length, before.keys.length + 1)
  t.ok(after.keys.some((k: { kid: string }) => k.kid === rotated.kid))
  t.ok(after.keys.find((k: { kid: string }) => k.kid === before.keys[0].kid).exp, 'the old key has retired')

  const bad = await adminProcess(env, 'create-issuer', '--name', 'x', '--kind', 'employer', '--region', '440100')
  t.equal(bad.code, 1)
  t.equal(JSON.parse(bad.stderr).error.code, 'INVALID_ISSUER_REGION')
  const usage = await adminProcess(env, 'fly')
  t.equal(usage.code, 2)
  t.match(usage.stderr, /Usage: npm run admin/)
})

t.test('the admin CLI imports a CA-issued signing key, and refuses a chain that is not the key\'s', async t => {
  const dir = await temporaryDirectory(t)
  const env = { DATA_DIR: path.join(dir, 'data'), KEYS_DIR: path.join(dir, 'keys'), DATABASE_URL: '' }
  const ca = await createTestCa(dir)
  const issued = await ca.issue('ce-signing')
  const other = await ca.issue('someone-else')
  const files = { key: path.join(dir, 'key.pem'), chain: path.join(dir, 'chain.pem'), wrong: path.join(dir, 'wrong.pem') }
  await writeFile(files.key, issued.privateKeyPem)
  await writeFile(files.chain, issued.certificatePem + ca.certificatePem)
  await writeFile(files.wrong, other.certificatePem + ca.certificatePem)
  const before = JSON.parse((await admin(env, 'list-keys')).stdout)
  const refused = await admin(env, 'import-key', '--key', files.key, '--chain', files.wrong)
  t.equal(refused.code, 2, 'a chain for another key is refused')
  t.equal(JSON.parse((await admin(env, 'list-keys')).stdout).keys.length, before.keys.length, 'and nothing was added')
  const imported = await admin(env, 'import-key', '--key', files.key, '--chain', files.chain, '--grace-seconds', '0')
  t.equal(imported.code, 0, imported.stderr)
  const { kid } = JSON.parse(imported.stdout)
  const after = JSON.parse((await admin(env, 'list-keys')).stdout)
  const published = after.keys.find((k: { kid: string }) => k.kid === kid)
  t.ok(published, 'the imported key is published')
  t.equal(published.x5c.length, 2, 'with the CA\'s chain as x5c')
  t.equal(Buffer.from(published.x5c[1], 'base64').toString('base64'), ca.certificatePem.replace(/-----[^-]+-----|\s/g, ''), 'ending in the CA certificate')
})

t.test('the admin CLI creates an organisation\'s first 管理员, who signs in with the temporary password; and resets it', async t => {
  const dir = await temporaryDirectory(t)
  const env = { DATA_DIR: path.join(dir, 'data'), KEYS_DIR: path.join(dir, 'keys'), DATABASE_URL: '' }
  const issuer = JSON.parse((await admin(env, 'create-issuer', '--name', '甲公司', '--kind', 'employer', '--region', '440106')).stdout)
  const created = await admin(env, 'create-user', '--issuer', String(issuer.id), '--username', 'hr.admin', '--display-name', '陈静')
  t.equal(created.code, 0, created.stderr)
  const { user, temporaryPassword } = JSON.parse(created.stdout)
  t.match(user, { username: 'hr.admin', displayName: '陈静', role: 'admin', mustChangePassword: true })
  const listed = JSON.parse((await admin(env, 'list-users', '--issuer', String(issuer.id))).stdout)
  t.same(listed.map((u: { username: string }) => u.username), ['hr.admin'])
  t.notOk(JSON.stringify(listed).includes(temporaryPassword), 'a listing never shows a password')
  const reset = JSON.parse((await admin(env, 'reset-password', '--issuer', String(issuer.id), '--user', String(user.id))).stdout)
  t.not(reset.temporaryPassword, temporaryPassword)
  const taken = await admin(env, 'create-user', '--issuer', String(issuer.id), '--username', 'HR.Admin', '--display-name', '某人')
  t.equal(taken.code, 1)
  t.equal(JSON.parse(taken.stderr).error.code, 'USERNAME_TAKEN')

  // The embedded database is one process's at a time: the service opens it once the command line is done.

  const { build } = await import('../helper.js')
  const { openDatabase } = await import('../../src/db/database.js')
  const database = await openDatabase({ dataDir: env.DATA_DIR, poolSize: 1 })
  t.teardown(() => database.close())
  const { app } = await build(t, { database, keysDir: env.KEYS_DIR })
  const old = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'hr.admin', password: temporaryPassword } })
  t.equal(old.json().code, 'SIGN_IN_FAILED', 'the reset password replaced the first')
  const signedIn = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'hr.admin', password: reset.temporaryPassword } })
  t.equal(signedIn.statusCode, 200)
  t.match(signedIn.json(), { mustChangePassword: true, user: { role: 'admin' }, organisation: { id: issuer.id, name: '甲公司' } })
  const audit = await database.db.selectFrom('audit_events').select(['action', 'actor_type']).where('action', 'like', 'user.%').orderBy('id').execute()
  t.same(audit, [{ action: 'user.created', actor_type: 'cli' }, { action: 'user.password_reset', actor_type: 'cli' }], 'both are in the audit trail, by the command line')

})
