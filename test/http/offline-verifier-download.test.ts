// The offline verifier as the service serves it: /v/offline says how to use it and its SHA-256, and the downloaded
// file runs with plain node in an empty folder — no node_modules anywhere above it — against a PDF, a QR text, a bare number.
import { createHash } from 'node:crypto'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { alteredCompactToken, compactQrOf, headerOf } from '../verification/forged-tokens.js'

// The real clock: the downloaded verifier checks the revocation lists against it.
const { app, keysDir, createIssuer } = await build(t)
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const auth = { authorization: `Bearer ${tianhe.apiKey}` }
async function issue (serial: number, name: string) {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json() as { number: string, jws: string }
}
const valid = await issue(1, '欧阳娜娜')
const revoked = await issue(2, '买买提·艾力')
await app.inject({ method: 'POST', url: `/v1/certificates/${revoked.number}/revoke`, headers: auth, payload: { reason: '重复发证' } })
const kid = headerOf(valid.jws).kid

const download = await app.inject('/downloads/ce-cert.mjs')

t.test('the verifier is one JavaScript file, and /v/offline states its SHA-256, what to save and the exit codes, in Chinese first', async t => {
  t.equal(download.statusCode, 200)
  t.match(download.headers['content-type'], /^text\/javascript/)
  t.match(download.headers['content-disposition'], /filename="ce-cert\.mjs"/)
  t.match(download.body, /^#!\/usr\/bin\/env node\n/)
  const sha256 = createHash('sha256').update(download.rawPayload).digest('hex')
  const page = await app.inject('/v/offline')
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-security-policy'], /default-src 'none'/)
  t.match(page.body, /^<!doctype html>\n<html lang="zh-CN">/)
  t.match(page.body, `<code class="digest" id="bundle-sha256">${sha256}</code>`)
  for (const fact of ['离线核验工具 ce-cert', '/.well-known/jwks.json', `/.well-known/crl/${kid}.jws`, `curl -o crl/${kid}.jws https://cert.example.gov.cn/.well-known/crl/${kid}.jws`,
    'node ce-cert.mjs verify', '有效期 24 小时', '退出码', '无法确定：签名有效，但没有有效期内的撤销列表', '北京时间']) {
    t.ok(page.body.includes(fact), fact)
  }
  const english = await app.inject('/v/offline?lang=en')
  t.match(english.body, /<html lang="en">/)
  t.match(english.body, /China Standard Time/)
  t.match(english.body, sha256)
})

t.test('the downloaded file runs with plain node in an empty folder, with no network and no install', async t => {
  const dir = await mkdtemp(path.join('/tmp', 'ce-cert-offline-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  for (let folder = dir; folder !== path.dirname(folder); folder = path.dirname(folder)) t.notOk(existsSync(path.join(folder, 'node_modules')), `no node_modules in ${path.dirname(folder)}`)
  await writeFile(path.join(dir, 'ce-cert.mjs'), download.rawPayload)
  await writeFile(path.join(dir, 'jwks.json'), (await app.inject('/.well-known/jwks.json')).body)
  await mkdir(path.join(dir, 'crl'))
  await writeFile(path.join(dir, 'crl', `${kid}.jws`), (await app.inject(`/.well-known/crl/${kid}.jws`)).body)
  await writeFile(path.join(dir, 'certificate.pdf'), (await app.inject({ url: `/v1/certificates/${valid.number}/pdf`, headers: auth })).rawPayload)
  const ceCert = async (...args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, ['ce-cert.mjs', ...args], { cwd: dir, env: { PATH: process.env.PATH ?? '' } })
      return { code: 0, stdout, stderr }
    } catch (error) {
      const e = error as { code: number, stdout: string, stderr: string }
      return { code: e.code, stdout: e.stdout, stderr: e.stderr }
    }
  }
  const saved = ['--jwks', 'jwks.json', '--revocations', 'crl']

  const pdf = await ceCert('verify', 'certificate.pdf', ...saved)
  t.equal(pdf.code, 0, pdf.stderr)
  t.match(pdf.stdout, '结论 Verdict: 有效 VALID')
  t.match(pdf.stdout, '✓ PDF 电子签名 Electronic signature of the PDF')
  t.match(pdf.stdout, '姓名 Holder:       欧阳娜娜')
  t.match(pdf.stdout, /签发时间 Issued:   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d 北京时间 China Standard Time \(UTC\+8\)/)

  const qr = await compactQrOf(keysDir, valid.jws)
  const scanned = await ceCert('verify', qr, ...saved)
  t.equal(scanned.code, 0, scanned.stderr)
  t.match(scanned.stdout, '✓ 二维码网址 Address in the QR code')
  t.match(scanned.stdout, '✓ 证书状态 Status')

  const number = await ceCert('verify', valid.number, ...saved)
  t.equal(number.code, 2, 'a bare number is a usage error, not a verdict')
  t.match(number.stderr, '这是证书编号：请在线查验')
  t.notMatch(number.stdout, /Verdict/)

  t.equal((await ceCert('verify', await compactQrOf(keysDir, revoked.jws), ...saved)).code, 3, 'revoked')
  const forged = `${qr.slice(0, qr.indexOf('#') + 1)}${alteredCompactToken(qr.slice(qr.indexOf('#') + 1), claims => { claims.delete(2); claims.set(1, '欧阳娜拉') })}`
  const altered = await ceCert('verify', forged, ...saved, '--json')
  t.equal(altered.code, 1)
  t.match(JSON.parse(altered.stdout), { verdict: 'invalid', checks: [{ name: 'qr-address', ok: true }, { name: 'signature', ok: false, code: 'SIGNATURE_INVALID' }] })
  t.equal((await ceCert('verify', qr, '--jwks', 'jwks.json')).code, 4, 'no revocation list: unknown')
  t.equal((await ceCert('verify', 'missing.pdf', ...saved)).code, 2, 'a missing file: usage')
})
