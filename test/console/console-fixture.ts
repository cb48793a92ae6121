// The console in a real browser: one Chromium per test file, an app on a real port with a movable clock, people of
// each kind of organisation, and helpers to sign in, check a page with axe-core and keep a screenshot.
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { createRequire } from 'node:module'
import { chromium, type Browser, type Page } from 'playwright-core'
import { build, type SignedIn, type TestApp, type TestContext } from '../helper.js'

export const artifacts = path.join('test-artifacts', 'console')
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

export async function launchBrowser (): Promise<Browser> {
  await mkdir(artifacts, { recursive: true })
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  })
}

export type Person = 'countyClerk' | 'countyAdmin' | 'employerClerk' | 'verifierClerk' | 'henanClerk'
const everyone: readonly Person[] = ['countyClerk', 'countyAdmin', 'employerClerk', 'verifierClerk', 'henanClerk']

export interface ConsoleApp<P extends Person = Person> extends TestApp {
  base: string
  clock: { now: Date }
  ids: { county: number, employer: number, henan: number, verifier: number }
  people: Record<P, SignedIn>
}

/**
 * The app listening on a port, with a county HR department, an employer, a Henan county and a committee, and
 * the people a test file needs (each costs a few password hashes).
 */
export async function serveConsole<P extends Person = Person> (t: TestContext, who: readonly P[] = everyone as readonly P[]): Promise<ConsoleApp<P>> {
  const clock = { now: new Date('2026-03-15T02:00:00Z') }
  const built = await build(t, { clock: () => clock.now })
  await built.app.listen({ port: 0, host: '127.0.0.1' })
  const address = built.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening')
  const county = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  const employer = await built.createIssuer('employer', '440106', '广州天河软件科技有限公司')
  const henan = await built.createIssuer('authority', '410105', '郑州市金水区人力资源和社会保障局')
  const verifier = await built.createIssuer('verifier', '440000', '广东省工程系列高级职称评审委员会')
  const roles: Record<Person, [number, 'admin' | 'clerk']> = {
    countyClerk: [county.id, 'clerk'], countyAdmin: [county.id, 'admin'], employerClerk: [employer.id, 'clerk'], verifierClerk: [verifier.id, 'clerk'], henanClerk: [henan.id, 'clerk'],
  }
  const people = {} as Record<P, SignedIn>
  for (const person of who) {
    const [issuerId, role] = roles[person]
    people[person] = await built.signInNewUser(issuerId, role)
  }
  return { ...built, base: `http://127.0.0.1:${address.port}`, clock, ids: { county: county.id, employer: employer.id, henan: henan.id, verifier: verifier.id }, people }
}

/** A fresh browser context (desktop, Chinese), closed at the test's end; console errors and CSP violations collected. */
export async function openPage (t: TestContext, browser: Browser): Promise<{ page: Page, problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'zh-CN', acceptDownloads: true })
  t.teardown(() => context.close())
  const page = await context.newPage()
  // A bound on waits, not a speed check: on a loaded 2-core machine a ZIP's PDF threads may start cold.
  page.setDefaultTimeout(30_000)
  const problems: string[] = []
  page.on('console', message => { if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) problems.push(message.text()) })
  page.on('pageerror', error => { problems.push(error.message) })
  return { page, problems }
}

/** Signs in through the form. */
export async function signInThroughForm (page: Page, base: string, who: { username: string, password: string }): Promise<void> {
  await page.goto(`${base}/console/sign-in`)
  await page.getByLabel('用户名').fill(who.username)
  await page.getByLabel('密码').fill(who.password)
  await Promise.all([page.waitForURL(`${base}/console`), page.getByRole('button', { name: '登录' }).click()])
}

/** axe-core's violations of WCAG 2.1 A/AA on the page as it is now. */
export async function accessibilityViolations (page: Page): Promise<string[]> {
  if (await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe === 'undefined')) {
    // Evaluated, not added as a <script>: the page's CSP allows no script but its own.
    await page.evaluate(axeSource)
  }
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: Array<{ id: string, nodes: Array<{ target: string[] }> }> }> } }).axe
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
  })
  return result.violations.map(v => `${v.id}: ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)
}

export async function screenshot (page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`), fullPage: true })
}
