// The console's shell in Chromium: signing in (a wrong password told in Chinese), navigation by role, a screen out of
// the person's role, an ended session back to sign-in with a message, signing out, the CSP, and axe-core on each page.
import t from 'tap'
import { accessibilityViolations, launchBrowser, openPage, screenshot, serveConsole, signInThroughForm } from './console-fixture.js'

const browser = await launchBrowser()
t.teardown(() => browser.close())
const served = await serveConsole(t)
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
