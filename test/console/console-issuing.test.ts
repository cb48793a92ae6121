// The 经办人's issuing in Chromium: one certificate with the live requirement and ID check, a preview and the issue;
// refusals on the way (a mistyped ID number, hours short, a holder already certified).
import t from 'tap'
import { makeIdNumber } from '../helper.js'
import { accessibilityViolations, launchBrowser, openPage, screenshot, serveConsole, signInThroughForm } from './console-fixture.js'

const browser = await launchBrowser()
t.teardown(() => browser.close())
const served = await serveConsole(t, ['countyClerk', 'employerClerk', 'henanClerk'])
const { base, people } = served

t.test('one certificate: the requirement as hours are typed, the ID number as typed, a preview, then the number', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.countyClerk)
  await page.getByRole('link', { name: '颁发证书' }).first().click()
  await page.getByText('广东省专业技术人员继续教育学时要求').waitFor()
  const missing = page.locator('#requirement-body')
  t.match(await missing.textContent(), /还差 18.*还差 42.*还差 12.*还差 72/s, 'every category is missing at first')

  await page.getByLabel('姓名').fill('李娜')
  const id = makeIdNumber('440106', '19880506', 7)
  await page.getByLabel('公民身份号码').fill(`${id.slice(0, 17)}${id[17] === '1' ? '2' : '1'}`)
  await page.getByText('第 18 位校验码').waitFor()
  t.equal(await page.getByLabel('公民身份号码').getAttribute('aria-invalid'), 'true', 'a wrong check digit is told as typed')
  await page.getByLabel('公民身份号码').fill(id)
  await page.getByText('✓ 身份证号格式与校验码正确').waitFor()

  await page.getByLabel('工作单位').fill('广州天河软件科技有限公司')
  await page.getByLabel('公需科目').fill('20')
  await page.getByLabel('专业科目').fill('30')
  await page.getByText('还差 12', { exact: true }).first().waitFor()
  await page.getByRole('button', { name: '预览证书' }).click()
  await page.getByText(/不能颁发：学时未达到/).waitFor()

  await page.getByLabel('专业科目').fill('44')
  await page.getByLabel('选修科目').fill('12')
  await page.getByText('✓ 已达到学时要求。').waitFor()
  t.same(await accessibilityViolations(page), [], 'the issuing form passes axe-core')
  await page.getByRole('button', { name: '预览证书' }).click()
  const preview = page.getByRole('region', { name: '证书预览' })
  await preview.getByText('广东省专业技术人员继续教育证书').waitFor()
  t.match(await preview.textContent(), /李娜 参加专业技术人员继续教育学习.*2026 年度/s)
  await screenshot(page, 'issue-preview')
  await page.getByRole('button', { name: '确认颁发' }).click()
  await page.getByText(/✓ 已颁发，证书编号/).waitFor()
  const number = await page.locator('#issue-status .number').textContent()
  t.equal(number, '44010626000001', 'the first number of 天河区 in 2026')
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '下载 PDF' }).click()])
  t.match(download.suggestedFilename(), `${number}.pdf`, 'the certificate\'s PDF')

  // The same holder again: the dry run says so before anything is issued.
  await page.getByLabel('姓名').fill('李娜')
  await page.getByLabel('公民身份号码').fill(id)
  await page.getByLabel('工作单位').fill('广州天河软件科技有限公司')
  await page.getByLabel('公需科目').fill('20')
  await page.getByLabel('专业科目').fill('44')
  await page.getByLabel('选修科目').fill('12')
  await page.getByRole('button', { name: '预览证书' }).click()
  await page.getByText(/不能颁发：.*已/).waitFor()
  t.same(problems, [])
})

t.test('a whole staff: the template, the dry run of a CSV with a bad row (problems first), issue, the ZIP and single PDFs', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.employerClerk)
  await page.goto(`${base}/console/batch`)
  const [template] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /下载批量颁发模板/ }).click()])
  t.match(template.suggestedFilename(), /\.xlsx$/, 'the template downloads')

  const ids = [1, 2, 3].map(serial => makeIdNumber('440106', '19900101', 100 + serial))
  const csv = ['姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目',
    `王芳,${ids[0]},广州天河软件科技有限公司,2026,20,44,12`,
    `陈伟,${ids[1]!.slice(0, 17)}${ids[1]![17] === '0' ? '1' : '0'},广州天河软件科技有限公司,2026,20,44,12`,
    `刘洋,${ids[2]},广州天河软件科技有限公司,2026,18,42,12`].join('\r\n')
  await page.getByLabel('名单文件').setInputFiles({ name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByRole('button', { name: '检查名单' }).click()
  const preview = page.getByRole('region', { name: '检查结果' })
  await preview.waitFor()
  t.match(await page.locator('#batch-summary').textContent(), /共 3 行：可颁发 2 行，不能颁发 1 行/)
  const firstRow = await page.locator('#batch-rows tbody tr').first().textContent()
  t.match(firstRow, /陈伟.*不能颁发.*校验码/, 'the bad row comes first, its reason in Chinese')
  t.same(await accessibilityViolations(page), [], 'the preview table passes axe-core')
  await screenshot(page, 'batch-preview')

  await page.getByRole('button', { name: '颁发可颁发的 2 行' }).click()
  const done = page.getByRole('region', { name: '颁发结果' })
  await done.waitFor()
  t.match(await page.locator('#batch-done-summary').textContent(), /已颁发 2 本证书，未颁发 1 行/)
  t.equal(await page.locator('#batch-issued tbody tr').count(), 2)
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载全部证书（ZIP）' }).click()])
  t.match(zip.suggestedFilename(), /\.zip$/, 'the ZIP of the batch downloads')
  await page.getByText(/✓ 全部证书（ZIP）已开始下载，共 2 本/).waitFor()
  t.equal(await page.locator('#batch-progress').getAttribute('value'), '100', 'the progress reached its end')
  const [single] = await Promise.all([page.waitForEvent('download'), page.locator('#batch-issued').getByRole('link', { name: '下载 PDF' }).first().click()])
  t.match(single.suggestedFilename(), /\.pdf$/)
  await screenshot(page, 'batch-done')
  t.same(problems, [])
})

t.test('a whole staff: a spoilt ID number corrected in the table, checked again by the dry run, then every row issued', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.employerClerk)
  await page.goto(`${base}/console/batch`)
  const [good, spoilt] = [makeIdNumber('440106', '19910202', 201), makeIdNumber('440106', '19920303', 202)]
  const csv = ['姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目',
    `孙丽,${good},广州天河软件科技有限公司,2026,20,44,12`,
    '钱军,4.40106E+17,广州天河软件科技有限公司,2026,20,44,12'].join('\r\n')
  await page.getByLabel('名单文件').setInputFiles({ name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByRole('button', { name: '检查名单' }).click()
  await page.getByRole('region', { name: '检查结果' }).waitFor()
  t.match(await page.locator('#batch-summary').textContent(), /共 2 行：可颁发 1 行，不能颁发 1 行/)
  t.match(await page.locator('#batch-rows tbody tr').first().textContent(), /钱军.*不能颁发.*科学计数/, 'the spoilt cell is told in the words of the sheet')

  await page.getByRole('button', { name: '修改第 3 行' }).click()
  t.equal(await page.getByLabel('第 3 行 公民身份号码').inputValue(), '4.40106E+17', 'the cell as written')
  t.equal(await page.getByLabel('第 3 行 姓名').inputValue(), '钱军', 'the other cells as read')
  t.same(await accessibilityViolations(page), [], 'the row being corrected passes axe-core')
  await screenshot(page, 'batch-fix-row')
  await page.getByLabel('第 3 行 公民身份号码').fill(`${spoilt.slice(0, 17)}${spoilt[17] === '0' ? '1' : '0'}`)
  await page.getByRole('button', { name: '重新检查第 3 行' }).click()
  await page.getByText('第 3 行已修改，已重新检查。').waitFor()
  t.match(await page.locator('#batch-rows tbody tr').first().textContent(), /钱军.*不能颁发.*校验码/, 'a wrong correction is refused by the same checks')
  await page.getByRole('button', { name: '修改第 3 行' }).click()
  await page.getByLabel('第 3 行 公民身份号码').fill(spoilt)
  await page.getByRole('button', { name: '重新检查第 3 行' }).click()
  await page.getByRole('button', { name: '颁发可颁发的 2 行' }).waitFor()
  t.match(await page.locator('#batch-summary').textContent(), /共 2 行：可颁发 2 行，不能颁发 0 行/)

  await page.getByRole('button', { name: '颁发可颁发的 2 行' }).click()
  await page.getByRole('region', { name: '颁发结果' }).waitFor()
  t.match(await page.locator('#batch-done-summary').textContent(), /已颁发 2 本证书，未颁发 0 行/)
  t.match(await page.locator('#batch-issued tbody').textContent(), /3钱军4401062600\d{4}/, 'the corrected row is issued under its sheet row')
  t.same(problems, [])
})

t.test('a whole staff: dropped rows are checked out of the batch (a holder twice no longer is) and never issued', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.employerClerk)
  await page.goto(`${base}/console/batch`)
  const [twice, other] = [makeIdNumber('440106', '19930404', 301), makeIdNumber('440106', '19940505', 302)]
  const csv = ['姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目',
    `吴刚,${twice},广州天河软件科技有限公司,2026,20,44,12`,
    `吴刚,${twice},广州天河软件科技有限公司,2026,20,44,12`,
    `郑红,${other},广州天河软件科技有限公司,2026,2,4,1`].join('\r\n')
  await page.getByLabel('名单文件').setInputFiles({ name: '名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByRole('button', { name: '检查名单' }).click()
  await page.getByRole('region', { name: '检查结果' }).waitFor()
  t.match(await page.locator('#batch-summary').textContent(), /共 3 行：可颁发 0 行，不能颁发 3 行/)
  t.ok(await page.getByRole('button', { name: /颁发可颁发的/ }).isDisabled(), 'nothing to issue yet')

  await page.getByRole('button', { name: '移除第 3 行' }).click()
  await page.getByText('第 3 行已移除，已重新检查。').waitFor()
  t.match(await page.locator('#batch-summary').textContent(), /可颁发 1 行，不能颁发 1 行，已移除 1 行/, 'the holder is no longer twice in the batch')
  await page.getByRole('button', { name: '移除第 4 行' }).click()
  await page.getByText('第 4 行已移除，已重新检查。').waitFor()
  t.equal(await page.getByRole('button', { name: '恢复第 4 行' }).count(), 1, 'a dropped row can be taken back')
  t.same(await accessibilityViolations(page), [], 'the table with dropped rows passes axe-core')

  await page.getByRole('button', { name: '颁发可颁发的 1 行' }).click()
  await page.getByRole('region', { name: '颁发结果' }).waitFor()
  t.match(await page.locator('#batch-done-summary').textContent(), /已颁发 1 本证书，未颁发 2 行/)
  const batchId = /批次 (\d+)/.exec(await page.locator('#batch-done-summary').textContent() ?? '')![1]
  const batch = await served.app.inject({ url: `/v1/batches/${batchId}`, headers: people.employerClerk.headers })
  t.same(batch.json().summary, { rows: 1, issued: 1, rejected: 0 }, 'the batch holds exactly the kept row')
  t.same(problems, [])
})

t.test('find a certificate by name and by ID number, open it, revoke it after the confirmation; out of scope is not found', async t => {
  const { page, problems } = await openPage(t, browser)
  const id = makeIdNumber('440106', '19750808', 321)
  const issued = await served.app.inject({
    method: 'POST', url: '/v1/certificates', headers: people.countyClerk.headers,
    payload: { holder: { name: '周敏', idNumber: id }, employer: { name: '广州天河软件科技有限公司' }, year: 2026, hours: { public: 20, professional: 44, elective: 12 } },
  })
  t.equal(issued.statusCode, 201)
  const number = issued.json().number as string

  await signInThroughForm(page, base, people.countyClerk)
  await page.goto(`${base}/console/certificates`)
  await page.getByLabel('公民身份号码').fill(id)
  await page.getByRole('button', { name: '查询' }).click()
  const panel = page.getByRole('region', { name: `证书 ${number}` })
  await panel.waitFor()
  t.match(await panel.textContent(), /周敏.*有效/s, 'found by the ID number, opened')
  t.notMatch(await page.content(), new RegExp(id), 'the ID number is never shown back')
  t.same(await accessibilityViolations(page), [], 'the search page passes axe-core')

  await page.getByRole('button', { name: '撤销证书' }).click()
  const dialog = page.getByRole('dialog', { name: '撤销证书' })
  t.match(await dialog.textContent(), /不能恢复/, 'the confirmation says what revocation means')
  await dialog.getByRole('button', { name: '确认撤销' }).click()
  await dialog.getByText('请填写撤销原因。').waitFor()
  await dialog.getByLabel('撤销原因').fill('学时记录有误')
  await screenshot(page, 'revoke-dialog')
  await dialog.getByRole('button', { name: '确认撤销' }).click()
  await page.getByText(`✓ 证书 ${number} 已撤销。`).waitFor()
  t.equal(await page.getByRole('link', { name: '为持证人颁发新证书' }).getAttribute('href'), '/console/issue', 'the replacement is one click away')
  t.match(await page.locator('#search-results').textContent(), /已撤销/)
  const lookup = await served.app.inject({ url: `/v1/certificates/${number}` })
  t.equal(lookup.json().status, 'revoked', 'the register says revoked')

  await page.getByLabel('公民身份号码').fill('')
  await page.getByLabel('姓名').fill('周敏')
  await page.getByRole('button', { name: '查询' }).click()
  await page.getByText('找到 1 本证书。').waitFor()

  // Henan's 经办人 does not find Tianhe's certificate: what is out of scope is not there.
  const henan = await openPage(t, browser)
  await signInThroughForm(henan.page, base, people.henanClerk)
  await henan.page.goto(`${base}/console/certificates?number=${number}`)
  await henan.page.getByText(/未找到符合条件的证书/).waitFor()
  t.same([...problems, ...henan.problems], [])
})

t.test('the register and statistics of the area: figures, the chart, the export; an area out of scope refused in Chinese', async t => {
  const { page, problems } = await openPage(t, browser)
  await signInThroughForm(page, base, people.countyClerk)
  await page.goto(`${base}/console/register`)
  await page.getByRole('region', { name: '证书发放名册' }).waitFor()
  t.match(await page.locator('#stats-summary').textContent(), /颁发 \d+ 本，有效 \d+ 本，撤销 1 本/)
  t.equal(await page.getByRole('img', { name: /各区划证书数/ }).count(), 1, 'the chart is an image with a title')
  t.ok(await page.locator('#register-table tbody tr').count() >= 4, 'the register lists the certificates')
  t.same(await accessibilityViolations(page), [], 'the register passes axe-core')
  await screenshot(page, 'register')
  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: '导出 .xlsx' }).click()])
  t.match(xlsx.suggestedFilename(), /\.xlsx$/)

  await page.getByLabel('行政区划代码').fill('410105')
  await page.getByRole('button', { name: '查询' }).click()
  await page.getByText(/超出|无权|管辖/).first().waitFor()
  t.ok(await page.getByRole('region', { name: '证书发放名册' }).isHidden(), 'nothing of another area is shown')
  t.same(problems, [])
})
