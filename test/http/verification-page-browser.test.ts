// The verification page in a real browser (Debian chromium via playwright-core) on a phone-sized screen: one story
// for every signature × register combination, checked with axe-core, and the same page offline through its service worker.
import { mkdir, readFile } from 'node:fs/promises'
import { connect, createServer, type Socket } from 'node:net'
import path from 'node:path'
import { createRequire } from 'node:module'
import t from 'tap'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { signCompactToken } from '../../src/signing/certificate-cose.js'
import { generateSigningKey } from '../../src/signing/signing-keys.js'
import { build, issueBody, makeIdNumber, temporaryDirectory, type TestContext } from '../helper.js'
import { alteredCompactToken, alteredToken, compactQrOf, headerOf, signingKeyFromFolder } from '../verification/forged-tokens.js'

const artifacts = path.join('test-artifacts', 'verification-page')
const issuedAt = new Date('2026-03-15T02:00:00Z')
let now = issuedAt
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

const browser: Browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
t.teardown(() => browser.close())
await mkdir(artifacts, { recursive: true })

/** An app listening on a real port, with helpers to issue and revoke certificates and to make their QR codes. */
async function serve (t: TestContext, keysDir?: string) {
  const built = await build(t, { clock: () => now, ...(keysDir === undefined ? {} : { keysDir }) })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const address = built.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening')
  const authority = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  const headers = { authorization: `Bearer ${authority.apiKey}` }
  let serial = 0
  const issue = async (name: string) => {
    serial += 1
    const body = issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19900101', serial) }, employer: { name: '广州天河软件科技有限公司' } }, serial)
    const response = await built.app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: body })
    if (response.statusCode !== 201) throw new Error(response.body)
    const issued = response.json() as { number: string, jws: string }
    const qr = await compactQrOf(built.keysDir, issued.jws)
    return { ...issued, token: qr.slice(qr.indexOf('#') + 1) }
  }
  const revoke = async (number: string, at: Date) => {
    now = at
    await built.app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers, payload: { reason: '信息有误' } })
    now = issuedAt
  }
  return { ...built, base: `http://127.0.0.1:${address.port}`, issue, revoke }
}

interface Visit { page: Page, status: number | undefined, text: string, problems: string[] }

async function phone (test: TestContext, options: { javaScript?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: 'zh-CN', javaScriptEnabled: options.javaScript ?? true,
  })
  // Closed when the test ends, before the app: an open context keeps pre-connected sockets that would hold the app's close.
  test.teardown(() => context.close())
  return context
}

/** Opens a URL as a phone would, waits for the QR code's check when there is one, and saves a screenshot. */
async function visit (test: TestContext, name: string, url: string, options: { javaScript?: boolean, context?: BrowserContext } = {}): Promise<Visit> {
  const context = options.context ?? await phone(test, options)
  const page = await context.newPage()
  // Script errors and refused resources (a CSP violation is logged as an error) fail the case.
  const problems: string[] = []
  page.on('console', message => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', error => problems.push(error.message))
  const response = await page.goto(url)
  if (url.includes('#') && options.javaScript !== false) await page.waitForSelector('#signature[data-state]:not([data-state="checking"])', { state: 'attached' })
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })
  return { page, status: response?.status(), text: await page.innerText('body'), problems }
}

const verdictOf = async (v: Visit) => ({
  label: await v.page.locator('#verdict-label').innerText(),
  kind: await v.page.locator('#verdict').getAttribute('data-verdict'),
  classes: await v.page.locator('#verdict').getAttribute('class'),
  title: await v.page.title(),
})
const signatureText = (v: Visit) => v.page.locator('#signature').innerText()

/** axe-core's violations of WCAG 2 A/AA on the page as it is now (run through the debugger, which the page's CSP does not govern). */
async function accessibilityViolations (page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  const results = await page.evaluate(async () => (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: Array<{ id: string, nodes: unknown[] }> }> } })
    .axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }))
  return results.violations.map(v => `${v.id} (${v.nodes.length})`)
}

t.test('the page tells one story: every signature state × register state', async t => {
  const app = await serve(t)
  const ouyang = await app.issue('欧阳娜娜')
  const revoked = await app.issue('李小龙')
  await app.revoke(revoked.number, new Date('2026-06-01T01:00:00Z'))
  const key = await signingKeyFromFolder(app.keysDir, headerOf(ouyang.jws).kid)
  const unregistered = '44010625000099'
  const genuineUnregistered = signCompactToken(key, unregistered, { holderName: '王芳', hours: { pub: 20, pro: 44, ele: 12, tot: 76 }, iat: issuedAt.getTime() / 1000 })
  const renamed = (token: string) => alteredCompactToken(token, claims => { claims.delete(2); claims.set(1, '欧阳娜拉') })

  const numbers = { valid: ouyang.number, revoked: revoked.number, unknown: unregistered }
  const fragments: Record<'ok' | 'failed' | 'absent', Record<keyof typeof numbers, string>> = {
    ok: { valid: ouyang.token, revoked: revoked.token, unknown: genuineUnregistered },
    // An altered name; and for the unknown number, another certificate's genuine token.
    failed: { valid: renamed(ouyang.token), revoked: renamed(revoked.token), unknown: ouyang.token },
    absent: { valid: '', revoked: '', unknown: '' },
  }
  const expected = {
    ok: { valid: ['有效', 'valid'], revoked: ['已撤销', 'revoked'], unknown: ['未找到', 'not-found'] },
    failed: { valid: ['伪造或被篡改', 'forged'], revoked: ['伪造或被篡改', 'forged'], unknown: ['伪造或被篡改', 'forged'] },
    absent: { valid: ['有效', 'valid'], revoked: ['已撤销', 'revoked'], unknown: ['未找到', 'not-found'] },
  } as const
  const registryWords = { valid: '有效', revoked: '已撤销', unknown: '未找到' }

  for (const signature of ['ok', 'failed', 'absent'] as const) {
    for (const registry of ['valid', 'revoked', 'unknown'] as const) {
      t.test(`signature ${signature}, register ${registry}`, async t => {
        const fragment = fragments[signature][registry]
        const v = await visit(t, `signature-${signature}-register-${registry}`, `${app.base}/v/${numbers[registry]}${fragment === '' ? '' : `#${fragment}`}`)
        const [label, kind] = expected[signature][registry]
        const verdict = await verdictOf(v)
        t.match(verdict.label, label)
        t.equal(verdict.kind, kind)
        t.match(verdict.classes, `verdict-${kind}`, 'the verdict\'s colour')
        t.match(verdict.title, label, 'the title says the same')
        t.equal(await v.page.locator('.verdict').count(), 1, 'one verdict on the page')
        if (signature === 'failed') {
          t.notMatch(verdict.title, /有效/)
          t.equal(await v.page.locator('.verdict-valid').count(), 0, 'nothing green')
          const state = v.page.locator('#registry-state')
          t.ok(await state.isVisible(), 'the register\'s state is shown below, as secondary')
          t.match(await state.innerText(), registryWords[registry])
          const below = (await state.boundingBox())!.y > (await v.page.locator('#verdict').boundingBox())!.y
          t.ok(below, 'below the verdict')
          t.notMatch(v.text, /欧阳娜拉|王芳/, 'nothing of the token is shown as if it were signed')
          t.notOk(await v.page.locator('#signature').isVisible(), 'no signed content')
        } else {
          t.notOk(await v.page.locator('#registry-state').isVisible(), 'no second verdict')
        }
        if (signature === 'ok') t.ok(await v.page.locator('#signed-name').isVisible(), 'the signed full name to compare with the paper')
        t.same(await accessibilityViolations(v.page), [], 'axe-core finds no WCAG 2 A/AA violation')
        // The page of a number the register lacks is a 404, which the browser logs.
        t.same(v.problems.filter(p => registry !== 'unknown' || !/status of 404/.test(p)), [], 'no script error and nothing refused by the page\'s CSP')
      })
    }
  }
})

t.test('on a phone, by number and by QR code', async t => {
  const app = await serve(t)
  const ouyang = await app.issue('欧阳娜娜')
  const zhang = await app.issue('张伟')

  t.test('the genuine compact QR code shows the signed full name and hours, and the register\'s issuer', async t => {
    const v = await visit(t, 'genuine-compact', `${app.base}/v/${ouyang.number}#${ouyang.token}`)
    t.equal(await v.page.locator('#signature').getAttribute('data-state'), 'genuine')
    t.equal(await v.page.locator('#signed-name').innerText(), '欧阳娜娜')
    const signature = await signatureText(v)
    t.match(signature, /公需科目 20 · 专业科目 44 · 选修科目 12 · 合计 76 学时/)
    t.match(signature, /广东省广州市天河区（440106）/)
    t.match(signature, /二维码只签名证书编号、姓名、年度、学时和签发时间/)
    t.match(v.text, /广州市天河区人力资源和社会保障局/)
    t.match(v.text, /撤销数据：撤销列表签发于 2026年3月15日 10:00（北京时间）/, 'how old the revocation data is, in China Standard Time')
    t.notMatch(v.text, /\d{30}/, 'the token is never printed')
    t.same(v.problems, [])
  })

  t.test('a QR code printed before the compact form (the address with the JWS) still verifies; altered, it is forged', async t => {
    const v = await visit(t, 'genuine-jws', `${app.base}/v/${ouyang.number}#${ouyang.jws}`)
    t.match((await verdictOf(v)).label, '有效')
    t.match(await signatureText(v), /广州天河软件科技有限公司/)
    const forged = await visit(t, 'tampered-jws', `${app.base}/v/${ouyang.number}#${alteredToken(ouyang.jws, { nam: '欧阳娜拉' })}`)
    t.match((await verdictOf(forged)).label, '伪造或被篡改')
    t.match(await forged.page.locator('#verdict').innerText(), /签名与内容不符/)
    const swapped = await visit(t, 'swapped-jws', `${app.base}/v/${ouyang.number}#${zhang.jws}`)
    t.match(await swapped.page.locator('#verdict').innerText(), new RegExp(`签名的证书编号（${zhang.number}）与本页编号不符`))
    t.notMatch(swapped.text, /张伟/)
  })

  t.test('a genuine token whose register record differs is forged or altered, with the register\'s reason', async t => {
    const wang = await app.issue('王五')
    await app.database.db.updateTable('certificates').set({ hours_elective: 14, hours_total: 78 }).where('number', '=', wang.number).execute()
    const v = await visit(t, 'register-mismatch', `${app.base}/v/${wang.number}#${wang.token}`)
    t.match((await verdictOf(v)).label, '伪造或被篡改')
    t.match(await v.page.locator('#verdict').innerText(), /名册中该编号的记录与证书签名内容不一致（学时）/)
  })

  t.test('with JavaScript off the server\'s verdict still shows', async t => {
    const v = await visit(t, 'no-javascript', `${app.base}/v/${ouyang.number}#${ouyang.token}`, { javaScript: false })
    t.equal(v.status, 200)
    t.match((await verdictOf(v)).label, /有效/)
    t.match(v.text, /核验签名需要启用 JavaScript/)
    t.notMatch(v.text, /欧阳娜娜/)
  })

  t.test('in English, and switching language keeps the QR code\'s token', async t => {
    const v = await visit(t, 'english-compact', `${app.base}/v/${ouyang.number}?lang=en#${ouyang.token}`)
    t.match((await verdictOf(v)).label, /Valid/)
    t.match(await signatureText(v), /Genuine signature/)
    t.equal(await v.page.getAttribute('html', 'lang'), 'en')
    t.same(await accessibilityViolations(v.page), [])
    await v.page.getByRole('link', { name: '中文' }).click()
    await v.page.waitForSelector('#signature[data-state="genuine"]', { state: 'attached' })
    t.match((await verdictOf(v)).label, /有效/)
    t.equal(await v.page.locator('#signed-name').innerText(), '欧阳娜娜')
  })

  t.test('the offline verifier\'s page is readable on a phone and accessible', async t => {
    const v = await visit(t, 'offline-verifier', `${app.base}/v/offline`)
    t.match(v.text, /离线核验工具 ce-cert/)
    t.match(await v.page.locator('#bundle-sha256').innerText(), /^[0-9a-f]{64}$/)
    t.same(await accessibilityViolations(v.page), [])
    t.same(v.problems, [])
  })

  t.test('a person types a number and a name into the form', async t => {
    const v = await visit(t, 'form', `${app.base}/v`)
    t.same(await accessibilityViolations(v.page), [])
    await v.page.getByLabel('证书编号').fill(` ${zhang.number.slice(0, 6)} ${zhang.number.slice(6)} `)
    await v.page.getByLabel('持证人姓名（选填）').fill('张三')
    await Promise.all([v.page.waitForURL(`**/v/${zhang.number}?name=*`), v.page.getByRole('button', { name: '查验' }).click()])
    await v.page.screenshot({ path: path.join(artifacts, 'form-name-mismatch.png'), fullPage: true })
    t.match((await verdictOf(v)).label, /有效/)
    t.match(await v.page.locator('.name-check').innerText(), /不一致：“张三”与持证人姓名不符/)
  })
})

/**
 * The phone's network to the service: a TCP relay that can be cut, every open connection closed and new ones refused, as
 * a phone losing its signal. Playwright's setOffline alone does not always reach a service worker that (re)starts while
 * offline (microsoft/playwright#2311): its fetch then reached the service on a loaded machine.
 */
async function phoneNetwork (t: TestContext, target: string): Promise<{ base: string, cut: () => void }> {
  const open = new Set<Socket>()
  let cut = false
  const relay = createServer(client => {
    if (cut) { client.destroy(); return }
    const upstream = connect(Number(new URL(target).port), '127.0.0.1')
    const close = () => { client.destroy(); upstream.destroy(); open.delete(client); open.delete(upstream) }
    for (const socket of [client, upstream]) { open.add(socket); socket.on('error', close); socket.on('close', close) }
    client.pipe(upstream)
    upstream.pipe(client)
  })
  await new Promise<void>(resolve => relay.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { for (const socket of open) socket.destroy(); relay.close() })
  return {
    base: `http://127.0.0.1:${(relay.address() as { port: number }).port}`,
    cut: () => { cut = true; for (const socket of open) socket.destroy() },
  }
}

t.test('offline: after one visit the page checks other QR codes with no network, from the saved keys and revocation lists', async t => {
  const app = await serve(t)
  const ouyang = await app.issue('欧阳娜娜')
  const zhang = await app.issue('张伟')
  const li = await app.issue('李小龙')
  await app.revoke(li.number, new Date('2026-03-15T01:00:00Z'))
  const context = await phone(t)
  const network = await phoneNetwork(t, app.base)
  // The phone's clock two hours after the service signed its revocation lists: within their 24 hours.
  await context.clock.setFixedTime(new Date(issuedAt.getTime() + 2 * 3_600_000))
  const first = await visit(t, 'offline-first-visit', `${network.base}/v/${ouyang.number}#${ouyang.token}`, { context })
  await first.page.waitForSelector('html[data-offline-ready="true"]')
  t.match(await first.page.locator('#verdict-label').innerText(), '有效')

  network.cut()
  await context.setOffline(true)
  const valid = await visit(t, 'offline-valid', `${network.base}/v/${zhang.number}#${zhang.token}`, { context })
  t.equal(await valid.page.locator('#signature').getAttribute('data-offline'), 'true', 'checked in the browser')
  const verdict = await verdictOf(valid)
  t.match(verdict.label, '有效')
  t.match(verdict.classes, 'verdict-valid')
  t.match(verdict.title, '有效')
  t.match(valid.text, /离线核验：二维码签名真实，本机保存的撤销列表未列入该证书/)
  t.match(valid.text, /撤销列表签发于 2026年3月15日 10:00（北京时间），有效期至 2026年3月16日 10:00/)
  t.equal(await valid.page.locator('#signed-name').innerText(), '张伟')
  t.same(valid.problems.filter(p => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), [])

  const revoked = await visit(t, 'offline-revoked', `${network.base}/v/${li.number}#${li.token}`, { context })
  t.match((await verdictOf(revoked)).label, '已撤销')
  t.match(revoked.text, /本机保存的撤销列表列有该证书/)

  const forged = await visit(t, 'offline-forged', `${network.base}/v/${zhang.number}#${ouyang.token}`, { context })
  t.match((await verdictOf(forged)).label, '伪造或被篡改')
  t.match(await forged.page.locator('#registry-state').innerText(), /离线，未能查询/)
  t.same(await accessibilityViolations(forged.page), [])
})

t.test('the page\'s own verifier reaches the test vectors\' verdicts on every QR code and token (docs/test-vectors)', async t => {
  const app = await serve(t)
  const vectors = new URL('../../docs/test-vectors/', import.meta.url)
  const read = async (file: string) => (await readFile(new URL(file, vectors), 'utf8')).trim()
  const manifest = JSON.parse(await read('manifest.json')) as { verifiedAt: string, cases: Array<{ id: string, present: Record<string, string>, revocationLists: string, expected: { offline: { verdict: string, failedCheck?: string } } }> }
  const jwks = JSON.parse(await read('jwks.json')) as unknown
  const v = await visit(t, 'vectors-host', `${app.base}/v`)
  for (const vector of manifest.cases) {
    const text = vector.present.qr ?? vector.present.jws
    // The browser is at the service's own address by construction: the address check is the service's and the CLI's.
    if (text === undefined || vector.expected.offline.failedCheck === 'qr-address') continue
    const content = await read(text)
    const token = content.includes('#') ? content.slice(content.indexOf('#') + 1) : content
    const number = content.includes('#') ? /\/v\/(\d{14})#/.exec(content)![1]! : JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).num as string
    type Verifier = { checkToken: (...a: unknown[]) => Promise<{ state: string, kid?: string }>, checkRevocationList: (...a: unknown[]) => Promise<{ state: string } | null> }
    const checked = await v.page.evaluate(async ({ token, number, jwks }) =>
      (window as unknown as { CertificateVerifier: Verifier }).CertificateVerifier.checkToken(token, number, jwks), { token, number, jwks })
    let outcome = checked.state
    if (checked.state === 'genuine') {
      const list = await read(`${vector.revocationLists === 'stale' ? 'crl-stale' : 'crl-current'}/${checked.kid}.jws`)
      outcome = await v.page.evaluate(async ({ list, kid, number, jwks, at }) =>
        (await (window as unknown as { CertificateVerifier: Verifier }).CertificateVerifier.checkRevocationList(list, kid, number, jwks, new Date(at)))?.state ?? 'untrusted list',
      { list, kid: checked.kid, number, jwks, at: manifest.verifiedAt })
    }
    const expected = vector.expected.offline.failedCheck === 'signature' ? 'forged' : { valid: 'not-revoked', revoked: 'revoked', unknown: 'stale' }[vector.expected.offline.verdict]
    t.equal(outcome, expected, vector.id)
  }
})

t.test('an EdDSA-signed certificate (a key made before PDFs were signed) verifies in the browser too, compact and JWS', async t => {
  // New keys are ES256 (they sign PDFs too); an EdDSA key made earlier still signs and verifies tokens.
  const keysDir = await temporaryDirectory(t, 'ce-keys-')
  await generateSigningKey(keysDir, 'EdDSA', now)
  const app = await serve(t, keysDir)
  const wang = await app.issue('王芳')
  t.match(headerOf(wang.jws), { alg: 'EdDSA' })
  const v = await visit(t, 'eddsa-compact', `${app.base}/v/${wang.number}#${wang.token}`)
  t.match((await verdictOf(v)).label, '有效')
  t.equal(await v.page.locator('#signed-name').innerText(), '王芳')
  const jws = await visit(t, 'eddsa-jws', `${app.base}/v/${wang.number}#${wang.jws}`)
  t.match((await verdictOf(jws)).label, '有效')
  const bad = await visit(t, 'eddsa-tampered', `${app.base}/v/${wang.number}#${alteredToken(wang.jws, { yr: 2024 })}`)
  t.match((await verdictOf(bad)).label, '伪造或被篡改')
})
