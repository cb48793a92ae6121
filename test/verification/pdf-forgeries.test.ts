// A PDF whose page says something else must never verify as valid: the three forgeries, through the API, bulk verification and the offline CLI.
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'
import { newPdfCarrying, repaintName, withSecondAttachment } from '../fixtures/pdf-forgeries.js'

const run = promisify(execFile)
const cli = fileURLToPath(new URL('../../bin/ce-cert.js', import.meta.url))
const { app, createIssuer } = await build(t)
const tianhe = await createIssuer('authority', '440106', '天河区人社局')
const committee = await createIssuer('verifier', '440000', '评审委员会')
const auth = { authorization: `Bearer ${tianhe.apiKey}` }
const issue = async (serial: number, name: string) => {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json() as { number: string, jws: string }
}
const real = await issue(1, '张小三')
const other = await issue(2, '李四')
const genuine = (await app.inject({ url: `/v1/certificates/${real.number}/pdf`, headers: auth })).rawPayload
const forgeries: Record<string, Uint8Array> = {
  'a genuine PDF with an incremental update that repaints the name': await repaintName(genuine, 'ZHANG DA SAN'),
  'a brand-new document printing another name and 200 hours, carrying the genuine certificate.jws': await newPdfCarrying(real.jws),
  'the genuine PDF with a second certificate.jws attachment': await withSecondAttachment(genuine, other.jws),
}

t.test('POST /v1/verify: the genuine PDF is valid, every forgery 422 PDF_ALTERED (伪造或被篡改), showing nothing of the token', async t => {
  const verify = (pdf: Uint8Array) => app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.from(pdf) })
  t.equal((await verify(genuine)).json().verdict, 'valid')
  for (const [what, pdf] of Object.entries(forgeries)) {
    const response = await verify(pdf)
    t.equal(response.statusCode, 422, what)
    t.equal(response.json().code, 'PDF_ALTERED', what)
    t.equal(response.json().details.verdict, 'altered', what)
    t.match(response.json().messageZh, /^伪造或被篡改/, what)
    t.notOk(response.body.includes('张小三') || response.body.includes('李四'), `${what}: no name from a forgery`)
  }
})

t.test('bulk PDF verification: each forgery is its own row, altered — never valid beside the real one', async t => {
  const boundary = '----ce-forgeries'
  const files = [['genuine.pdf', genuine], ...Object.entries(forgeries).map(([, pdf], i) => [`forged-${i + 1}.pdf`, pdf] as const)] as Array<readonly [string, Uint8Array]>
  const payload = Buffer.concat([
    ...files.flatMap(([filename, pdf]) => [Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`), Buffer.from(pdf), Buffer.from('\r\n')]),
    Buffer.from(`--${boundary}--\r\n`),
  ])
  const response = await app.inject({ method: 'POST', url: '/v1/verify/batch', headers: { authorization: `Bearer ${committee.apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
  t.equal(response.statusCode, 200, response.body.slice(0, 300))
  const rows = response.json().rows as Array<{ verdict: string, reasonZh: string, certificate?: { maskedName: string } }>
  t.same(rows.map(r => r.verdict), ['valid', 'altered', 'altered', 'altered'])
  t.ok(rows.slice(1).every(r => r.certificate === undefined && /伪造或被篡改/.test(r.reasonZh)), 'no forged row shows 张*三 as if it were the real one')
})

t.test('the offline CLI: exit 1 and 伪造或被篡改 for each forgery', async t => {
  const dir = await temporaryDirectory(t, 'ce-forged-')
  const jwks = path.join(dir, 'jwks.json')
  await writeFile(jwks, (await app.inject('/.well-known/jwks.json')).body)
  for (const [i, pdf] of Object.values(forgeries).entries()) {
    const file = path.join(dir, `forged-${i}.pdf`)
    await writeFile(file, pdf)
    const result = await run(process.execPath, [cli, 'verify', file, '--jwks', jwks, '--no-revocation-check'], { cwd: dir }).then(r => ({ code: 0, ...r }), (e: { code: number, stdout: string }) => e)
    t.equal(result.code, 1, `forgery ${i + 1} exits 1`)
    t.match(result.stdout, '伪造或被篡改 ALTERED')
  }
})
