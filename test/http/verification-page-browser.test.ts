// The verification page in a real browser (Debian chromium via playwright-core) on a phone-sized screen.
import { mkdir, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { chromium, type Browser, type Page } from 'playwright-core'
import { CompactSign, importJWK, type JWK } from 'jose'
import { build, issueBody, makeIdNumber, temporaryDirectory, type TestApp, type TestContext } from '../helper.js'
import { generateSigningKey } from '../../src/signing/signing-keys.js'

const artifacts = path.join('test-artifacts', 'verification-page')
const issuedAt = new Date('2026-03-15T02:00:00Z')
let now = issuedAt

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
t.teardown(() => browser.close())
await mkdir(artifacts, { recursive: true })

/** An app listening on a real port, with a helper to issue certificates. */
async function serve (t: TestContext, env: Record<string, string> = {}, keysDir?: string) {
  const built = await build(t, { clock: () => now, env, ...(keysDir === undefined ? {} : { keysDir }) })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const address = built.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening')
  const authority = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  let serial = 0
  const issue = async (name: string) => {
    serial += 1
    const body = issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19900101', serial) }, employer: { name: '广州天河软件科技有限公司' } }, serial)
    const response = await built.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${authority.apiKey}` }, payload: body })
    if (response.statusCode !== 201) throw new Error(response.body)
    return response.json() as { number: string, jws: string }
  }
  const revoke = async (number: string, at: Date) => {
    now = at
    await built.app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: { authorization: `Bearer ${authority.apiKey}` }, payload: { reason: '信息有误' } })
    now = issuedAt
  }
  return { ...built, base: `http://127.0.0.1:${address.port}`, issue, revoke }
}

interface Visit { page: Page, status: number | undefined, text: string, problems: string[] }

/**
 * Opens a URL as a phone would, waits for the signature check when there is one, and saves a screenshot.
 * The browser context closes when `test` ends, before the app: an open context keeps pre-connected
 * sockets that would hold the app's close until they time out.
 */
async function visit (test: TestContext, name: string, url: string, options: { javaScript?: boolean } = {}): Promise<Visit> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', javaScriptEnabled: options.javaScript ?? true,
  })
  test.teardown(() => context.close())
  const page = await context.newPage()
  // Script errors and refused resources (a CSP violation is logged as an error) fail the case.
  const problems: string[] = []
  page.on('console', message => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', error => problems.push(error.message))
  const response = await page.goto(url)
  if (url.includes('#') && options.javaScript !== false) {
    await page.waitForSelector('#signature[data-state]:not([data-state="checking"])')
  }
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })
  return { page, status: response?.status(), text: await page.innerText('body'), problems }
}

const verdictText = (v: Visit) => v.page.locator('#verdict-label').innerText()
const signatureText = (v: Visit) => v.page.locator('#signature').innerText()

/** Re-encodes a JWS payload with changes, keeping the original signature: what a forger without the key can do. */
function alterPayload (jws: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = jws.split('.')
  const decoded = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<string, unknown>
  change(decoded)
  return `${header}.${Buffer.from(JSON.stringify(decoded)).toString('base64url')}.${signature}`
}

/** Signs with the service's own private key, to reach the checks after the signature. */
async function signWithServiceKey (app: TestApp, header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
  const file = (await readdir(app.keysDir)).find(name => name.startsWith('signing-'))!
  const stored = JSON.parse(await readFile(path.join(app.keysDir, file), 'utf8')) as { kid: string, alg: string, privateJwk: JWK }
  const key = await importJWK(stored.privateJwk, stored.alg)
  return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg: stored.alg, kid: stored.kid, ...header }).sign(key)
}

t.test('on a phone, by number and by QR code', async t => {
  const app = await serve(t)
  const ouyang = await app.issue('欧阳娜娜')
  const zhang = await app.issue('张伟')
  const revoked = await app.issue('李小龙')
  await app.revoke(revoked.number, new Date('2026-06-01T01:00:00Z'))

  t.test('a valid number shows 有效 and the masked record', async t => {
    const v = await visit(t, 'valid', `${app.base}/v/${ouyang.number}`)
    t.equal(v.status, 200)
    t.match(await verdictText(v), /有效/)
    t.match(v.text, /欧\*\*娜/)
    t.match(v.text, /广州市天河区人力资源和社会保障局/)
    t.match(v.text, /2026年3月15日/)
    t.notMatch(v.text, /欧阳娜娜/, 'the full name needs the signed QR code')
    t.notOk(await v.page.locator('#signature').isVisible(), 'no signature panel without a fragment')
    t.same(v.problems, [])
  })

  t.test('a revoked number shows 已撤销 and the date', async t => {
    const v = await visit(t, 'revoked', `${app.base}/v/${revoked.number}`)
    t.equal(v.status, 200)
    t.match(await verdictText(v), /已撤销/)
    t.match(v.text, /该证书已于 2026年6月1日 撤销，不再有效/)
  })

  t.test('an unknown number shows 未找到', async t => {
    const v = await visit(t, 'not-found', `${app.base}/v/44010625999999`)
    t.equal(v.status, 404)
    t.match(await verdictText(v), /未找到/)
  })

  t.test('a malformed number shows 编号格式错误 and why', async t => {
    const v = await visit(t, 'malformed', `${app.base}/v/4401062500001`)
    t.equal(v.status, 400)
    t.match(await verdictText(v), /编号格式错误/)
    t.match(v.text, /证书编号应为 14 位数字，您输入的编号有 13 个字符/)
  })

  t.test('the QR code\'s genuine signature shows the signed full name', async t => {
    const v = await visit(t, 'genuine-fragment', `${app.base}/v/${ouyang.number}#${ouyang.jws}`)
    t.equal(await v.page.locator('#signature').getAttribute('data-state'), 'genuine')
    const signature = await signatureText(v)
    t.match(signature, /签名真实有效/)
    t.equal(await v.page.locator('#signed-name').innerText(), '欧阳娜娜')
    t.match(signature, /广州天河软件科技有限公司/)
    t.match(signature, /公需科目 20 · 专业科目 44 · 选修科目 12 · 合计 76 学时/)
    t.match(signature, /广东省广州市天河区（440106）/)
    t.match(await verdictText(v), /有效/)
    t.same(v.problems, [], 'no script error and nothing refused by the page\'s CSP')
  })

  t.test('a name changed in the QR code is a forgery warning', async t => {
    const forged = alterPayload(ouyang.jws, payload => { payload.nam = '欧阳娜拉' })
    const v = await visit(t, 'tampered-name', `${app.base}/v/${ouyang.number}#${forged}`)
    t.equal(await v.page.locator('#signature').getAttribute('data-state'), 'forged')
    const signature = await signatureText(v)
    t.match(signature, /警告：伪造或被篡改/)
    t.match(signature, /签名与内容不符/)
    t.notMatch(v.text, /欧阳娜拉/, 'the forged name is not shown as if it were signed')
    t.ok(await v.page.locator('#signature[role="alert"]').isVisible())
    const warning = await v.page.locator('#signature').boundingBox()
    const verdict = await v.page.locator('.verdict').boundingBox()
    t.ok(warning!.y < verdict!.y, 'the warning comes before the register\'s verdict')
    t.match(await v.page.locator('.verdict').innerText(), /您扫描的二维码签名未通过核验，手中的证书可能是伪造的/)
  })

  t.test('one character changed in the token is a forgery warning', async t => {
    const [header, payload, signature] = ouyang.jws.split('.') as [string, string, string]
    const flipped = payload.slice(0, 20) + (payload[20] === 'A' ? 'B' : 'A') + payload.slice(21)
    const v = await visit(t, 'tampered-character', `${app.base}/v/${ouyang.number}#${header}.${flipped}.${signature}`)
    t.match(await signatureText(v), /警告：伪造或被篡改/)
  })

  t.test('another certificate\'s genuine token is a forgery warning', async t => {
    const v = await visit(t, 'swapped-token', `${app.base}/v/${ouyang.number}#${zhang.jws}`)
    const signature = await signatureText(v)
    t.match(signature, /警告：伪造或被篡改/)
    t.match(signature, new RegExp(`签名的证书编号（${zhang.number}）与本页编号不符`))
    t.notMatch(v.text, /张伟/)
  })

  t.test('a token of the wrong type or signed outside its key\'s validity is a forgery warning', async t => {
    const payload = JSON.parse(Buffer.from(ouyang.jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>
    const wrongType = await signWithServiceKey(app, { typ: 'JWT' }, payload)
    const typ = await visit(t, 'wrong-type', `${app.base}/v/${ouyang.number}#${wrongType}`)
    t.match(await signatureText(typ), /签名数据不是证书签名（类型不符）/)
    const early = await signWithServiceKey(app, { typ: 'cec+jws' }, { ...payload, iat: issuedAt.getTime() / 1000 - 86_400 })
    const window = await visit(t, 'before-key-validity', `${app.base}/v/${ouyang.number}#${early}`)
    t.match(await signatureText(window), /警告：伪造或被篡改/)
    t.match(await signatureText(window), /签发时间不在签名密钥的有效期内/)
  })

  t.test('a genuine token of a revoked certificate says the certificate is revoked', async t => {
    const v = await visit(t, 'revoked-fragment', `${app.base}/v/${revoked.number}#${revoked.jws}`)
    t.match(await verdictText(v), /已撤销/)
    t.match(await signatureText(v), /签名真实，但证书已撤销/)
    t.equal(await v.page.locator('#signed-name').innerText(), '李小龙')
  })

  t.test('with JavaScript off the server\'s verdict still shows', async t => {
    const v = await visit(t, 'no-javascript', `${app.base}/v/${ouyang.number}#${ouyang.jws}`, { javaScript: false })
    t.equal(v.status, 200)
    t.match(await verdictText(v), /有效/)
    t.match(v.text, /核验签名需要启用 JavaScript/)
    t.notMatch(v.text, /欧阳娜娜/)
  })

  t.test('in English, and switching language keeps the QR code\'s signature', async t => {
    const v = await visit(t, 'english-fragment', `${app.base}/v/${ouyang.number}?lang=en#${ouyang.jws}`)
    t.match(await verdictText(v), /Valid/)
    t.match(await signatureText(v), /Genuine signature/)
    t.equal(await v.page.getAttribute('html', 'lang'), 'en')
    await v.page.getByRole('link', { name: '中文' }).click()
    await v.page.waitForSelector('#signature[data-state="genuine"]')
    t.match(await verdictText(v), /有效/)
    t.equal(await v.page.locator('#signed-name').innerText(), '欧阳娜娜')
  })

  t.test('a person types a number and a name into the form', async t => {
    const v = await visit(t, 'form', `${app.base}/v`)
    await v.page.getByLabel('证书编号').fill(` ${zhang.number.slice(0, 6)} ${zhang.number.slice(6)} `)
    await v.page.getByLabel('持证人姓名（选填）').fill('张三')
    await Promise.all([v.page.waitForURL(`**/v/${zhang.number}?name=*`), v.page.getByRole('button', { name: '查验' }).click()])
    await v.page.screenshot({ path: path.join(artifacts, 'form-name-mismatch.png'), fullPage: true })
    t.match(await verdictText(v), /有效/)
    t.match(await v.page.locator('.name-check').innerText(), /不一致：“张三”与持证人姓名不符/)
  })
})

t.test('an EdDSA-signed QR code (signed before PDFs were) verifies in the browser too', async t => {
  // New keys are ES256 (they sign PDFs too); an EdDSA key made earlier still signs and verifies tokens.
  const keysDir = await temporaryDirectory(t, 'ce-keys-')
  await generateSigningKey(keysDir, 'EdDSA', now)
  const app = await serve(t, {}, keysDir)
  const wang = await app.issue('王芳')
  t.match(JSON.parse(Buffer.from(wang.jws.split('.')[0]!, 'base64url').toString()), { alg: 'EdDSA' })
  const v = await visit(t, 'eddsa-fragment', `${app.base}/v/${wang.number}#${wang.jws}`)
  t.match(await signatureText(v), /签名真实有效/)
  t.equal(await v.page.locator('#signed-name').innerText(), '王芳')
  const forged = alterPayload(wang.jws, payload => { payload.yr = 2024 })
  const bad = await visit(t, 'eddsa-tampered', `${app.base}/v/${wang.number}#${forged}`)
  t.match(await signatureText(bad), /警告：伪造或被篡改/)
})
