import { execFile } from 'node:child_process'
import { copyFile, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import t from 'tap'
import { build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'
import { alteredToken, compactQrOf, headerOf } from './forged-tokens.js'
import { bundleOfflineVerifier } from '../../src/verification/offline-verifier-bundle.js'

const cli = fileURLToPath(new URL('../../bin/ce-cert.js', import.meta.url))
// The CLI runs on the real clock: the certificates were issued two days ago, the current list is signed now.
let now = new Date(Date.now() - 2 * 24 * 3_600_000)
const built = await build(t, { clock: () => now })
const { app, createIssuer } = built
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const auth = { authorization: `Bearer ${tianhe.apiKey}` }
const dir = await temporaryDirectory(t, 'ce-offline-')

async function issue (serial: number, name: string): Promise<{ number: string, jws: string }> {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json()
}

// What an offline verifier saves while it still has a connection: the JWKS, the signed revocation list, a PDF.
const valid = await issue(1, '欧阳娜娜')
const revoked = await issue(2, '买买提·艾力')
await app.inject({ method: 'POST', url: `/v1/certificates/${revoked.number}/revoke`, headers: auth, payload: { reason: '重复发证' } })
const kid = headerOf(valid.jws).kid
const jwksFile = path.join(dir, 'jwks.json')
const crlFile = path.join(dir, `${kid}.jws`)
const pdfFile = path.join(dir, `${valid.number}.pdf`)
const staleFile = path.join(dir, 'stale.jws')
await writeFile(staleFile, (await app.inject(`/.well-known/crl/${kid}.jws`)).body)
now = new Date()
await writeFile(jwksFile, (await app.inject('/.well-known/jwks.json')).body)
await writeFile(crlFile, (await app.inject(`/.well-known/crl/${kid}.jws`)).body)
const crlFolder = path.join(dir, 'crl')
await mkdir(crlFolder)
await copyFile(crlFile, path.join(crlFolder, `${kid}.jws`))
await writeFile(pdfFile, (await app.inject({ url: `/v1/certificates/${valid.number}/pdf`, headers: auth })).rawPayload)
const compactQr = await compactQrOf(built.keysDir, valid.jws)
await app.close()

// The single file the service serves (dist/ce-cert.mjs), as a committee runs it; bin/ce-cert.js (the checkout's, under tsx) once.
const bundle = path.join(dir, 'ce-cert.mjs')
await writeFile(bundle, await bundleOfflineVerifier())

/** Runs `entry` (the bundled verifier unless told) as its own process, in an empty directory, with no database configured. */
async function run (entry: string, args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [entry, ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '' } })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number, stdout: string, stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}
const ceCert = (...args: string[]) => run(bundle, args)

t.test('a valid certificate PDF verifies offline: exit 0, each check in Chinese and English (ce-cert of a checkout)', async t => {
  const result = await run(cli, ['verify', pdfFile, '--jwks', jwksFile, '--revocations', crlFile])
  t.equal(result.code, 0, result.stderr)
  t.match(result.stdout, '结论 Verdict: 有效 VALID')
  t.match(result.stdout, '姓名 Holder:       欧阳娜娜')
  t.match(result.stdout, `证书编号 Number:   ${valid.number}`)
  t.match(result.stdout, '✓ 签名与签名密钥 Signature and signing key')
  t.match(result.stdout, '– 发放名册记录 Record in the issuance register')
  t.match(result.stdout, `不在密钥 ${kid} 的撤销列表`)
  t.match(result.stdout, 'is not on the revocation list')
})

t.test('the text of the QR code verifies offline too', async t => {
  const qr = `https://cert.example.gov.cn/v/${valid.number}#${valid.jws}`
  const result = await ceCert('verify', qr, '--jwks', jwksFile, '--revocations', crlFile, '--json')
  t.equal(result.code, 0, result.stderr)
  t.equal(JSON.parse(result.stdout).verdict, 'valid')
})

t.test('the compact QR code printed on the PDF verifies offline: the signed name, year and hours, and what it does not sign', async t => {
  const result = await ceCert('verify', compactQr, '--jwks', jwksFile, '--revocations', crlFile)
  t.equal(result.code, 0, result.stderr)
  t.match(result.stdout, '结论 Verdict: 有效 VALID')
  t.match(result.stdout, '姓名 Holder:       欧阳娜娜')
  t.match(result.stdout, '学时 Hours:        76（公需 public 20，专业 professional 44，选修 elective 12）')
  t.match(result.stdout, '二维码只签名编号、姓名、年度、学时和签发时间')
  t.match(result.stdout, '北京时间 China Standard Time')
  t.equal((await ceCert('verify', compactQr.replace(/#.*/, '#1234567'), '--jwks', jwksFile, '--revocations', crlFile)).code, 1, 'digits that are no token')
})

t.test('a revoked certificate exits 3 (revocation lists given as a folder)', async t => {
  const result = await ceCert('verify', revoked.jws, '--jwks', jwksFile, '--revocations', crlFolder)
  t.equal(result.code, 3)
  t.match(result.stdout, '已撤销 REVOKED')
})

t.test('without a revocation list a revoked certificate is never VALID: exit 4, the state unknown', async t => {
  for (const jws of [revoked.jws, valid.jws]) {
    const result = await ceCert('verify', jws, '--jwks', jwksFile)
    t.equal(result.code, 4, result.stderr)
    t.notMatch(result.stdout, /Verdict: 有效 VALID/)
    t.match(result.stdout, '撤销状态未知')
    t.match(result.stdout, '✗ 证书状态 Status')
  }
})

t.test('a list past its nextUpdate (saved two days ago) is stale: exit 4', async t => {
  const result = await ceCert('verify', valid.jws, '--jwks', jwksFile, '--revocations', staleFile, '--json')
  t.equal(result.code, 4, result.stderr)
  const report = JSON.parse(result.stdout)
  t.equal(report.verdict, 'unknown')
  t.match(report.checks.at(-1).reasonZh, /已过期/)
  t.equal((await ceCert('verify', revoked.jws, '--jwks', jwksFile, '--revocations', staleFile)).code, 3, 'the old list still proves a revocation it names')
})

t.test('--no-revocation-check knowingly skips the status: exit 0, and the verdict says it is unknown', async t => {
  const result = await ceCert('verify', revoked.jws, '--jwks', jwksFile, '--no-revocation-check')
  t.equal(result.code, 0, result.stderr)
  t.match(result.stdout, '撤销状态未知')
  t.notMatch(result.stdout, /Verdict: 有效 VALID/)
  t.match(result.stdout, '– 证书状态 Status')
  t.equal((await ceCert('verify', revoked.jws, '--jwks', jwksFile, '--no-revocation-check', '--revocations', crlFile)).code, 2, 'not with lists at once')
})

t.test('a QR code pointing elsewhere exits 1; a bare number is a usage error that says what to do', async t => {
  const foreign = await ceCert('verify', `https://evil.example/v/${valid.number}#${valid.jws}`, '--jwks', jwksFile, '--revocations', crlFile)
  t.equal(foreign.code, 1)
  t.match(foreign.stdout, '二维码指向的不是本服务的网址')
  const number = await ceCert('verify', valid.number, '--jwks', jwksFile)
  t.equal(number.code, 2)
  t.match(number.stderr, '这是证书编号')
  t.match(number.stderr, 'look it up online')
  t.notMatch(number.stdout + number.stderr, /INVALID/, 'not a verdict on a certificate')
})

t.test('a tampered token exits non-zero', async t => {
  const result = await ceCert('verify', alteredToken(valid.jws, { nam: '王五' }), '--jwks', jwksFile, '--revocations', crlFile)
  t.equal(result.code, 1)
  t.match(result.stdout, '无效 INVALID')
  t.match(result.stdout, '✗ 签名与签名密钥')
})

t.test('a bad JWKS, a tampered revocation list or a missing argument is a usage error', async t => {
  const [header, , signature] = (await import('node:fs')).readFileSync(crlFile, 'utf8').split('.')
  const emptied = path.join(dir, 'emptied.jws')
  await writeFile(emptied, `${header}.${Buffer.from(JSON.stringify({ kid, method: 'rid', ctr: 9, rids: [], iat: 1772438400 })).toString('base64url')}.${signature}`)
  const tampered = await ceCert('verify', revoked.jws, '--jwks', jwksFile, '--revocations', emptied)
  t.equal(tampered.code, 2)
  t.match(tampered.stderr, 'cannot be trusted')
  t.equal((await ceCert('verify', valid.jws)).code, 2, 'no --jwks')
  t.equal((await ceCert('verify', path.join(dir, 'missing.pdf'), '--jwks', jwksFile)).code, 2)
})
