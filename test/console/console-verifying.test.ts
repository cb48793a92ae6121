// A committee's bulk verification in Chromium: a list with every kind of problem (problems first, sorting, the report
// downloaded), a stack of PDFs; and a 经办人 of an employer refused the committee's screen.
import t from 'tap'
import { issueBody, makeIdNumber } from '../helper.js'
import { accessibilityViolations, launchBrowser, openPage, screenshot, serveConsole, signInThroughForm } from './console-fixture.js'

const browser = await launchBrowser()
t.teardown(() => browser.close())
const served = await serveConsole(t, ['countyClerk', 'employerClerk', 'verifierClerk'])
const { base, people } = served

async function issue (name: string, serial: number): Promise<string> {
  const response = await served.app.inject({
    method: 'POST', url: '/v1/certificates', headers: people.countyClerk.headers,
    payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19800101', serial) }, year: 2026 }, serial),
  })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json().number as string
}

t.test('an applicants\' list: every verdict on screen, problems first, sortable, the report as .xlsx and CSV', async t => {
  const valid = await issue('王芳', 1)
  const revoked = await issue('陈伟', 2)
  const mismatch = await issue('刘洋', 3)
  await served.app.inject({ method: 'POST', url: `/v1/certificates/${revoked}/revoke`, headers: people.countyClerk.headers, payload: { reason: '信息有误' } })
  const csv = ['证书编号,姓名', `${valid},王芳`, `${revoked},陈伟`, '44010626009999,赵六', `${mismatch},刘阳`].join('\r\n')

  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.verifierClerk)
  await page.getByRole('link', { name: '批量核验' }).first().click()
  await page.getByLabel('申报人员名单（.xlsx 或 CSV）').setInputFiles({ name: '申报名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByRole('button', { name: '开始核验' }).click()
  await page.getByRole('region', { name: '核验结果' }).waitFor()
  t.match(await page.locator('#verify-summary').textContent(), /共 4 行：有效 1 行，有问题 3 行/)
  const verdicts = await page.locator('#verify-rows tbody tr td:nth-child(4)').allTextContents()
  t.same(verdicts, ['✕ 未找到', '✕ 姓名不符', '✕ 已撤销', '✓ 有效'], 'problems first, the valid row last')
  t.same(await accessibilityViolations(page), [], 'the verdicts pass axe-core')
  await screenshot(page, 'verify-list')

  await page.getByRole('button', { name: '行号' }).click()
  t.same(await page.locator('#verify-rows tbody tr td:nth-child(3)').allTextContents(), ['王芳', '陈伟', '赵六', '刘阳'], 'sorted by row')
  t.equal(await page.locator('th', { has: page.getByRole('button', { name: '行号' }) }).getAttribute('aria-sort'), 'ascending')

  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载核验结果（.xlsx）' }).click()])
  t.match(xlsx.suggestedFilename(), /\.xlsx$/)
  const [csvReport] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载核验结果（CSV）' }).click()])
  t.match(csvReport.suggestedFilename(), /\.csv$/)
  t.same(problems, [])
})

t.test('a stack of PDFs: a genuine one valid, a file that is no PDF told as such', async t => {
  const number = await issue('周敏', 4)
  const pdf = await served.app.inject({ url: `/v1/certificates/${number}/pdf`, headers: people.countyClerk.headers })
  t.equal(pdf.statusCode, 200)
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.verifierClerk)
  await page.goto(`${base}/console/verify`)
  await page.getByLabel('或：证书 PDF（可多选）').setInputFiles([
    { name: '周敏.pdf', mimeType: 'application/pdf', buffer: pdf.rawPayload },
    { name: '扫描件.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a pdf at all') },
  ])
  await page.getByRole('button', { name: '开始核验' }).click()
  await page.getByRole('region', { name: '核验结果' }).waitFor()
  const rows = await page.locator('#verify-rows tbody tr').allTextContents()
  t.match(rows[0], /扫描件\.pdf.*✕/, 'the bad file first')
  t.match(rows[1], new RegExp(`周敏\\.pdf${number}周敏✓ 有效`), 'the genuine PDF is valid, with the name it carries')
  // Asked for afterwards, the signed report verifies the same files again: the stack goes up a second time.
  const [report] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '生成签名核验报告（PDF）' }).click()])
  t.match(report.suggestedFilename(), /^verification-report-HY2026\d{6}\.pdf$/, 'a stack has its signed report too')
  t.same(problems, [])
})

t.test('a stack of PDFs with its signed report, uploaded once; anyone confirms the report as genuine', async t => {
  const number = await issue('朱琳', 21)
  const pdf = await served.app.inject({ url: `/v1/certificates/${number}/pdf`, headers: people.countyClerk.headers })
  const { page, problems } = await openPage(t, browser)
  const uploads: string[] = []
  page.on('request', request => { if (request.method() === 'POST' && /multipart\/form-data/.test(request.headers()['content-type'] ?? '')) uploads.push(new URL(request.url()).pathname) })
  await signInThroughForm(page, base, people.verifierClerk)
  await page.goto(`${base}/console/verify`)
  await page.getByLabel('或：证书 PDF（可多选）').setInputFiles([
    { name: '朱琳.pdf', mimeType: 'application/pdf', buffer: pdf.rawPayload },
    { name: '扫描件.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a pdf at all') },
  ])
  await page.getByLabel(/同时生成签名核验报告/).check()
  t.same(await accessibilityViolations(page), [], 'the form with its choice passes axe-core')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '开始核验' }).click()])
  t.match(download.suggestedFilename(), /^verification-report-HY2026\d{6}\.pdf$/)
  await page.getByText(/✓ 已生成核验报告 HY2026/).waitFor()
  t.match(await page.locator('#verify-summary').textContent(), /共 2 行：有效 1 行，有问题 1 行/, 'the verdicts the report signed are on screen')
  t.same(uploads, ['/v1/verification-reports'], 'the PDFs went up once, to the report')

  const visitor = await openPage(t, browser)
  const link = await page.getByRole('link', { name: '查看核实页面' }).getAttribute('href')
  await visitor.page.goto(`${base}${link!}`)
  await visitor.page.getByText('✓ 真实：本报告由本服务签发，内容未被改动。').waitFor()
  const confirmed = await visitor.page.locator('#report-rows').textContent()
  t.match(confirmed, new RegExp(`${number}朱\\*.*有效`), 'the genuine PDF, with the masked name')
  t.match(confirmed, /格式错误/, 'and the file that is no PDF')
  t.same([...problems, ...visitor.problems], [])
})

t.test('an employer\'s 经办人 is refused the committee\'s screen and its route', async t => {
  const { page } = await openPage(t, browser)
  await signInThroughForm(page, base, people.employerClerk)
  const response = await page.goto(`${base}/console/verify`)
  t.equal(response?.status(), 403)
  const api = await page.evaluate(async () => (await fetch('/v1/verify/batch/template')).status)
  t.equal(api, 403, 'the API refuses it as well')
})

t.test('a holder downloads their own PDF; a wrong ID number counts against the certificate\'s one name-check budget', async t => {
  const id = makeIdNumber('440106', '19800101', 9)
  const number = await issue('黄磊', 9)
  const { page, problems } = await openPage(t, browser)
  await page.goto(`${base}/console/download`)
  t.same(await accessibilityViolations(page), [], 'the public download page passes axe-core')
  const fill = async (name: string, idNumber: string) => {
    await page.getByLabel('证书编号').fill(number)
    await page.getByLabel('姓名').fill(name)
    await page.getByLabel('公民身份号码').fill(idNumber)
  }
  await fill('黄磊', makeIdNumber('440106', '19800101', 10))
  await page.getByRole('button', { name: '下载证书' }).click()
  await page.getByText('姓名或公民身份号码与证书持有人不符').waitFor()
  await screenshot(page, 'holder-download-refused')

  await fill('黄磊', id)
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载证书' }).click()])
  t.match(pdf.suggestedFilename(), `${number}.pdf`, 'the right name and ID number give the PDF')

  // One budget: the wrong ID number above, and 9 wrong names at the public lookup, spend it.
  for (let i = 0; i < 9; i++) await served.app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent(`错名${i}`)}` })
  await fill('黄磊', id)
  await page.getByRole('button', { name: '下载证书' }).click()
  await page.getByText(/核对错误姓名 10 次/).waitFor()
  const lookup = await served.app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent('黄磊')}` })
  t.equal(lookup.statusCode, 429, 'the lookup sees the same budget spent')
  t.same(problems, [])
})

t.test('a committee makes a signed verification report of its list; anyone confirms it by number and code', async t => {
  const number = await issue('孔明', 20)
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.verifierClerk)
  await page.goto(`${base}/console/verify`)
  await page.getByLabel('申报人员名单（.xlsx 或 CSV）').setInputFiles({ name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(`证书编号,姓名\r\n${number},孔明\r\n44010626008888,\r\n`) })
  await page.getByRole('button', { name: '开始核验' }).click()
  await page.getByRole('region', { name: '核验结果' }).waitFor()
  const [pdf] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '生成签名核验报告（PDF）' }).click()])
  t.match(pdf.suggestedFilename(), /^verification-report-HY2026\d{6}\.pdf$/)
  await page.getByText(/✓ 已生成核验报告 HY2026/).waitFor()

  const visitor = await openPage(t, browser)
  const link = await page.getByRole('link', { name: '查看核实页面' }).getAttribute('href')
  await visitor.page.goto(`${base}${link!}`)
  await visitor.page.getByText('✓ 真实：本报告由本服务签发，内容未被改动。').waitFor()
  t.match(await visitor.page.locator('#report-rows').textContent(), /孔\*.*有效.*未找到/s, 'the verdicts with masked names')
  t.same(await accessibilityViolations(visitor.page), [], 'the confirmation page passes axe-core')
  await screenshot(visitor.page, 'report-confirmed')
  await visitor.page.getByLabel('验证码').fill('AAAAAA')
  await visitor.page.getByRole('button', { name: '核实报告' }).click()
  await visitor.page.getByText('未找到该编号和验证码的核验报告。').waitFor()
  t.same([...problems, ...visitor.problems], [])
})
