// The console's shell in Chromium: signing in (a wrong password told in Chinese), navigation by role, a screen out of
// the person's role, an ended session back to sign-in with a message, signing out, the CSP, and axe-core on each page.
import t from 'tap'
import { PNG } from 'pngjs'
import { accessibilityViolations, launchBrowser, openPage, screenshot, serveConsole, signInThroughForm } from './console-fixture.js'

const browser = await launchBrowser()
t.teardown(() => browser.close())
const served = await serveConsole(t, ['countyClerk', 'countyAdmin', 'employerClerk', 'verifierClerk'])
const { base, people } = served

t.test('a wrong password is refused in Chinese, and the form stays usable', async t => {
  const { page, problems } = await openPage(t, browser)
  const response = await page.goto(`${base}/console/sign-in`)
  t.match(response?.headers()['content-security-policy'], /default-src 'none'; script-src 'self'/, 'strict CSP: nothing from elsewhere')
  t.same(await accessibilityViolations(page), [], 'the sign-in page passes axe-core')
  await page.getByLabel('用户名').fill(people.countyClerk.username)
  await page.getByLabel('密码').fill('not-the-password')
  await page.getByRole('button', { name: '登录' }).click()
  await page.getByRole('alert').filter({ hasText: '用户名或密码错误' }).waitFor()
  t.equal(await page.evaluate(() => document.activeElement?.id), 'password', 'focus returns to the password')
  t.equal(new URL(page.url()).pathname, '/console/sign-in')
  await screenshot(page, 'sign-in-failed')
  t.same(problems, [])
})

t.test('a 经办人 of an HR department signs in and sees the screens of their role', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.countyClerk)
  const nav = await page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents()
  t.same(nav, ['首页', '颁发证书', '批量颁发', '证书查询', '批量核验', '名册与统计', '审计日志'])
  t.match(await page.locator('.who').textContent(), /经办人/)
  t.same(await accessibilityViolations(page), [], 'the home page passes axe-core')
  await screenshot(page, 'home-clerk')

  const unknown = await page.goto(`${base}/console/no-such-screen`)
  t.equal(unknown?.status(), 404, 'an unknown screen is a page saying so')
  const refused = await page.goto(`${base}/console/people`)
  t.equal(refused?.status(), 403, 'a 管理员 screen is refused to a 经办人')
  t.match(await page.getByRole('alert').textContent(), /无权使用/)

  await page.getByRole('button', { name: '退出登录' }).click()
  await page.waitForURL(/\/console\/sign-in\?reason=signed-out/)
  t.match(await page.getByRole('status').textContent(), /已退出登录/)
  await page.goto(`${base}/console/issue`)
  t.equal(new URL(page.url()).pathname, '/console/sign-in', 'signed out, a screen sends back to sign-in')
  t.same(problems, [])
})

t.test('a first sign-in with a temporary password opens only the password screen, then the console', async t => {
  const created = await served.app.inject({ method: 'POST', url: '/v1/issuers/me/users', headers: people.countyAdmin.headers, payload: { username: 'qian.hui', displayName: '钱慧', role: 'clerk' } })
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, { username: 'qian.hui', password: created.json().temporaryPassword as string })
  t.equal(await page.getByRole('heading', { level: 1 }).textContent(), '修改密码')
  t.equal(await page.getByRole('navigation', { name: '主导航' }).getByRole('link').count(), 0, 'nothing else is offered')
  await page.getByLabel('当前密码').fill(created.json().temporaryPassword as string)
  await page.getByLabel('新密码').fill('123456')
  await page.getByRole('button', { name: '保存新密码' }).click()
  await page.locator('#password-status.status-error').waitFor()
  t.match(await page.locator('#password-status').textContent(), /密码/, 'a weak password is refused in Chinese')
  await page.getByLabel('新密码').fill('Tianhe-jixu-jiaoyu-2026')
  await page.getByRole('button', { name: '保存新密码' }).click()
  await page.getByRole('heading', { level: 1, name: '首页' }).waitFor()
  t.ok(await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '颁发证书' }).isVisible(), 'then the console opens')
  t.same(problems, [])
})

t.test('a committee and a 管理员 see their own navigation', async t => {
  const { page } = await openPage(t, browser)
  await signInThroughForm(page, base, people.verifierClerk)
  t.same(await page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents(), ['首页', '批量核验'])
  await page.getByRole('button', { name: '退出登录' }).click()
  await page.waitForURL(/sign-in/)
  await signInThroughForm(page, base, people.countyAdmin)
  t.same(await page.getByRole('navigation', { name: '主导航' }).getByRole('link').allTextContents(),
    ['首页', '颁发证书', '批量颁发', '证书查询', '批量核验', '名册与统计', '人员与密钥', '审计日志', '印章'])
})

t.test('a session that ended returns to sign-in with a message, from a page and from an action', async t => {
  const { page } = await openPage(t, browser)
  await signInThroughForm(page, base, people.employerClerk)
  await page.goto(`${base}/console/certificates`)
  served.clock.now = new Date(served.clock.now.getTime() + 31 * 60_000)
  t.teardown(() => { served.clock.now = new Date(served.clock.now.getTime() - 31 * 60_000) })
  // An action on the open page: the API answers SESSION_EXPIRED and the script goes back to sign-in.
  await page.getByLabel('证书编号').fill('44010626000001')
  await page.getByRole('button', { name: '查询' }).click()
  await page.waitForURL(/\/console\/sign-in\?reason=expired/)
  t.match(await page.getByRole('status').first().textContent(), /登录已超时或已失效/)
  await page.goto(`${base}/console/batch`)
  t.match(page.url(), /\/console\/sign-in\?reason=expired/, 'a page asked with the ended cookie too')
})

t.test('a 管理员 manages staff and API keys, and reads and exports the audit trail', async t => {
  const { page, problems } = await openPage(t, browser)
  page.on('dialog', dialog => { void dialog.accept() })
  await signInThroughForm(page, base, people.countyAdmin)
  await page.getByRole('link', { name: '人员与密钥' }).first().click()
  await page.locator('#users-table tbody tr').first().waitFor()

  await page.getByLabel('用户名').fill('zhao.li')
  await page.getByLabel('姓名').fill('赵丽')
  await page.getByRole('button', { name: '新增' }).click()
  await page.getByText(/已新增 zhao\.li，临时密码/).waitFor()
  const temporary = await page.locator('#users-status .secret').textContent()
  t.ok((temporary ?? '').length >= 10, 'the temporary password is shown once')
  const row = page.locator('#users-table tbody tr', { hasText: 'zhao.li' })
  await row.getByRole('button', { name: '停用 zhao.li' }).click()
  await row.getByText('已停用').waitFor()
  const signIn = await served.app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'zhao.li', password: temporary } })
  t.not(signIn.statusCode, 200, 'a disabled person cannot sign in')
  await row.getByRole('button', { name: '启用 zhao.li' }).click()
  await row.getByText(/在用/).waitFor()
  await row.getByRole('button', { name: '重置密码 zhao.li' }).click()
  await page.getByText('zhao.li 的临时密码：').waitFor()

  await page.getByRole('button', { name: '创建 API 密钥' }).click()
  await page.getByText('✓ 新密钥：').waitFor()
  const key = await page.locator('#keys-status .secret').textContent()
  const used = await served.app.inject({ url: '/v1/certificates/batch/template', headers: { authorization: `Bearer ${key}` } })
  t.equal(used.statusCode, 200, 'the new key works')
  await page.reload()
  const keyRow = page.locator('#keys-table tbody tr', { hasText: key!.slice(0, 8) })
  t.notMatch(await keyRow.textContent(), /从未使用/, 'its last use is shown')
  t.same(await accessibilityViolations(page), [], 'the people screen passes axe-core')
  await screenshot(page, 'people')
  await keyRow.getByRole('button', { name: /^吊销/ }).click()
  await keyRow.getByText('已吊销').waitFor()
  const refused = await served.app.inject({ url: '/v1/certificates/batch/template', headers: { authorization: `Bearer ${key}` } })
  t.equal(refused.statusCode, 401, 'the revoked key is refused')

  await page.getByRole('link', { name: '审计日志' }).first().click()
  await page.locator('#audit-table tbody tr').first().waitFor()
  await page.getByLabel('事件').selectOption('user.created')
  await Promise.all([page.waitForResponse(/\/v1\/audit\?.*action=user\.created/), page.getByRole('button', { name: '查询' }).click()])
  await page.locator('#audit-table tbody tr').first().waitFor()
  const events = await page.locator('#audit-table tbody tr td:nth-child(2)').allTextContents()
  t.ok(events.length > 0 && events.every(e => e === '新增人员'), 'filtered by event')
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出 CSV' }).click()])
  t.match(csv.suggestedFilename(), /\.csv$/)
  t.same(await accessibilityViolations(page), [], 'the audit trail passes axe-core')
  await screenshot(page, 'audit')
  t.same(problems, [])
})

/** A red ring on transparency, like a seal. */
function sealPng (): Buffer {
  const size = 200
  const png = new PNG({ width: size, height: size })
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.hypot(x - size / 2, y - size / 2)
      const i = (y * size + x) * 4
      const ink = (r > 80 && r < 95) || (Math.abs(x - size / 2) < 25 && Math.abs(y - size / 2) < 25)
      png.data[i] = 200; png.data[i + 1] = 20; png.data[i + 2] = 30; png.data[i + 3] = ink ? 230 : 0
    }
  }
  return PNG.sync.write(png)
}

t.test('the seal: a PNG seen on a sample certificate before it is saved; a file that is no PNG refused in Chinese', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.countyAdmin)
  await page.getByRole('link', { name: '印章' }).first().click()
  await page.getByText('尚未上传印章').waitFor()
  await page.getByLabel('印章图片（PNG）').setInputFiles({ name: 'seal.png', mimeType: 'image/png', buffer: Buffer.from('not a png') })
  await page.getByRole('button', { name: '保存印章' }).click()
  // The status says 正在保存…… first; the label above also says PNG, so wait for the status itself.
  await page.locator('#seal-status', { hasText: /印章|PNG/ }).waitFor()
  t.match(await page.locator('#seal-status').textContent(), /印章|PNG/, 'the refusal is told in Chinese')

  await page.getByLabel('印章图片（PNG）').setInputFiles({ name: 'seal.png', mimeType: 'image/png', buffer: sealPng() })
  await page.getByText('预览：seal.png（尚未保存）').waitFor()
  t.equal(await served.app.inject({ url: '/v1/issuers/me/seal', headers: people.countyAdmin.headers }).then(r => r.statusCode), 404, 'nothing is saved by the preview')
  t.ok(await page.getByRole('img', { name: '印章' }).isVisible(), 'the seal is on the sample certificate')
  t.same(await accessibilityViolations(page), [], 'the seal screen passes axe-core')
  await screenshot(page, 'seal')
  await page.getByRole('button', { name: '保存印章' }).click()
  await page.getByText('✓ 印章已保存').waitFor()
  t.equal(await served.app.inject({ url: '/v1/issuers/me/seal', headers: people.countyAdmin.headers }).then(r => r.statusCode), 200, 'saved')
  t.same(problems, [])
})
