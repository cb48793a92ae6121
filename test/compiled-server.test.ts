// `npm start` runs what `npm run build` compiled to dist/: that server must find schemas/, the page's assets and the PDF reader's worker.
import { execFile, spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { adminToken, createTestDatabase, issueBody, temporaryDirectory } from './helper.js'

const root = fileURLToPath(new URL('..', import.meta.url))

t.test('the compiled server issues, answers the page with its assets, documents its API, renders a PDF and verifies it', async t => {
  await promisify(execFile)('npm', ['run', '--silent', 'build'], { cwd: root })
  const database = process.env.TEST_DATABASE_URL === undefined
    ? { DATA_DIR: await temporaryDirectory(t, 'ce-data-') }
    : { DATABASE_URL: (await createTestDatabase(t, 2)).url! }
  const child = spawn(process.execPath, ['dist/src/server.js'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ADMIN_TOKEN: adminToken, KEYS_DIR: await temporaryDirectory(t, 'ce-keys-'), LOG_LEVEL: 'info', ...database },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<number | null>(resolve => child.once('exit', resolve))
  t.teardown(() => { child.kill('SIGKILL') })
  let output = ''
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const listening = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output)
      if (listening !== null) resolve(listening[1]!)
    })
    void exited.then(code => reject(new Error(`the compiled server exited with ${code}:\n${output}`)))
  })
  const post = (path: string, body: unknown, authorization: string) =>
    fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${authorization}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })

  const issuer = await post('/v1/admin/issuers', { name: '广州市天河区人力资源和社会保障局', kind: 'authority', regionCode: '440106' }, adminToken)
  t.equal(issuer.status, 201)
  const { apiKey } = await issuer.json() as { apiKey: string }
  const issued = await post('/v1/certificates', issueBody(), apiKey)
  t.equal(issued.status, 201, 'request and response schemas loaded')
  const { number } = await issued.json() as { number: string }

  const page = await fetch(`${base}/v/${number}`)
  t.equal(page.status, 200)
  const assets = (await page.text()).match(/\/assets\/[\w.-]+\?v=\w+/g) ?? []
  t.ok(assets.length >= 2, 'the page links its stylesheet and script')
  for (const asset of assets) t.equal((await fetch(base + asset)).status, 200, asset)
  const openapi = await (await fetch(`${base}/openapi.json`)).json() as { components: { schemas: Record<string, unknown> } }
  t.ok(openapi.components.schemas['issue-certificate-request'], 'the shared schemas are documented')

  const pdf = await fetch(`${base}/v1/certificates/${number}/pdf`, { headers: { authorization: `Bearer ${apiKey}` } })
  t.equal(pdf.status, 200)
  const verified = await fetch(`${base}/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/pdf' }, body: await pdf.arrayBuffer() })
  t.equal((await verified.json() as { verdict: string }).verdict, 'valid', 'the PDF reader worker started')

  const verifier = Buffer.from(await (await fetch(`${base}/downloads/ce-cert.mjs`)).arrayBuffer())
  t.ok(verifier.equals(await readFile(path.join(root, 'dist/ce-cert.mjs'))), 'it serves the offline verifier npm run build bundled')
  t.match(await (await fetch(`${base}/verify-sw.js`)).text(), /^const precache = /, 'and the page\'s service worker')

  child.kill('SIGTERM')
  t.equal(await exited, 0, 'closed gracefully')
})
