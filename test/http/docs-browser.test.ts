// Swagger UI at /docs renders in a real browser (Debian chromium) under its Content-Security-Policy.
import t from 'tap'
import { chromium } from 'playwright-core'
import { build } from '../helper.js'

t.test('Swagger UI renders the API with no script error and no refused resource', async t => {
  const { app } = await build(t)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] })
  t.teardown(() => browser.close())
  const page = await browser.newPage()
  const problems: string[] = []
  page.on('console', message => { if (message.type() === 'error') problems.push(message.text()) })
  page.on('pageerror', error => problems.push(error.message))
  const response = await page.goto(`http://127.0.0.1:${port}/docs`)
  t.equal(response?.status(), 200)
  t.match(response?.headers()['content-security-policy'] ?? '', /script-src 'self'/)
  await page.waitForSelector('.swagger-ui .opblock-tag', { timeout: 20_000 })
  const title = await page.textContent('.swagger-ui .info .title')
  t.match(title ?? '', /Continuing-education certificate service/)
  t.ok(await page.locator('.opblock').count() > 10, 'the operations are listed')
  t.same(problems, [], 'no CSP violation or script error')
})
