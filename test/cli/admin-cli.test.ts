import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import path from 'node:path'
import { temporaryDirectory } from '../helper.js'

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
