// `npm run docs:screenshots`: the README's console tour — one small PNG per kind of user under docs/, from a fresh app
// with sample data, in Debian's Chromium. Rerun it after changing a screen.
import { projectFile } from '../../src/project-files.js'
import { issueBody, makeIdNumber } from '../helper.js'
import { launchBrowser, openPage, serveConsole, signInThroughForm } from './console-fixture.js'

const teardowns: Array<() => unknown> = []
const t = { teardown (fn: () => unknown) { teardowns.push(fn) } }
const shot = (name: string) => projectFile(`docs/console-${name}.png`)

const browser = await launchBrowser()
try {
  const served = await serveConsole(t, ['countyClerk', 'countyAdmin', 'verifierClerk'])
  const { base, people } = served
  const headers = people.countyClerk.headers
  const names = ['王芳', '陈伟', '刘洋', '周敏', '黄磊']
  const numbers: string[] = []
  for (const [i, name] of names.entries()) {
    const response = await served.app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19860101', i + 1) }, year: 2026 }, i + 1) })
    numbers.push(response.json().number as string)
  }
  await served.app.inject({ method: 'POST', url: `/v1/certificates/${numbers[1]!}/revoke`, headers, payload: { reason: '学时记录有误' } })

  // 经办人: the issuing form, its requirement half met.
  const clerk = await openPage(t, browser)
  await clerk.page.setViewportSize({ width: 1100, height: 760 })
  await signInThroughForm(clerk.page, base, people.countyClerk)
  await clerk.page.goto(`${base}/console/issue`)
  await clerk.page.getByLabel('姓名').fill('李娜')
  await clerk.page.getByLabel('公民身份号码').fill(makeIdNumber('440106', '19880506', 77))
  await clerk.page.getByLabel('工作单位').fill('广州天河软件科技有限公司')
  await clerk.page.getByLabel('公需科目').fill('20')
  await clerk.page.getByLabel('专业科目').fill('30')
  await clerk.page.getByText('还差 22', { exact: true }).waitFor()
  await clerk.page.screenshot({ path: shot('clerk'), fullPage: true })

  // A committee: the verdicts of an applicants' list, problems first.
  const committee = await openPage(t, browser)
  await committee.page.setViewportSize({ width: 1100, height: 640 })
  await signInThroughForm(committee.page, base, people.verifierClerk)
  await committee.page.goto(`${base}/console/verify`)
  const list = ['证书编号,姓名', `${numbers[0]!},王芳`, `${numbers[1]!},陈伟`, '44010626009999,赵六', `${numbers[2]!},刘阳`, `${numbers[3]!},周敏`].join('\r\n')
  await committee.page.getByLabel('申报人员名单（.xlsx 或 CSV）').setInputFiles({ name: '申报名单.csv', mimeType: 'text/csv', buffer: Buffer.from(list) })
  await committee.page.getByRole('button', { name: '开始核验' }).click()
  await committee.page.getByRole('region', { name: '核验结果' }).waitFor()
  await committee.page.screenshot({ path: shot('committee'), fullPage: true })

  // 管理员: staff and API keys.
  const admin = await openPage(t, browser)
  await admin.page.setViewportSize({ width: 1100, height: 640 })
  await signInThroughForm(admin.page, base, people.countyAdmin)
  await admin.page.goto(`${base}/console/people`)
  await admin.page.locator('#users-table tbody tr').first().waitFor()
  await admin.page.screenshot({ path: shot('admin') })

  // A holder, without an account: the self-service download.
  const holder = await openPage(t, browser)
  await holder.page.setViewportSize({ width: 1100, height: 560 })
  await holder.page.goto(`${base}/console/download`)
  await holder.page.getByLabel('证书编号').fill(numbers[4]!)
  await holder.page.getByLabel('姓名').fill('黄磊')
  await holder.page.screenshot({ path: shot('holder') })
  console.log(`wrote ${['clerk', 'committee', 'admin', 'holder'].map(shot).join(', ')}`)
} finally {
  for (const fn of teardowns.reverse()) await fn()
  await browser.close()
}
