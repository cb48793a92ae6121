import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { writeFile } from 'node:fs/promises'
import { temporaryDirectory } from '../helper.js'
import { createTestCa } from '../fixtures/test-ca.js'

const run = promisify(execFile)
const root = path.resolve(import.meta.dirname, '..', '..')

async function admin (env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], { cwd: root, env: { ...process.env, ...env } })
    return { code: 0, stdout, stderr: '' }
  } catch (error) {
    const e = error as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

t.test('the admin CLI creates and lists issuers and rotates the signing key, as JSON', async t => {
  const dir = await temporaryDirectory(t)
  const env = { DATA_DIR: path.join(dir, 'data'), KEYS_DIR: path.join(dir, 'keys'), DATABASE_URL: '' }
  const created = await admin(env, 'create-issuer', '--name', '广州市天河区人力资源和社会保障局', '--kind', 'authority', '--region', '440106')
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

  const bad = await admin(env, 'create-issuer', '--name', 'x', '--kind', 'employer', '--region', '440100')
  t.equal(bad.code, 1)
  t.equal(JSON.parse(bad.stderr).error.code, 'INVALID_ISSUER_REGION')
  const usage = await admin(env, 'fly')
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
