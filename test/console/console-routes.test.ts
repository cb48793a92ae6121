// The routes the console added, as any client calls them: a form's live check, the search of an issuer's own
// records, and the holder's own PDF within the certificate's one name-check budget.
import { mkdir, writeFile } from 'node:fs/promises'
import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'

const clock = { now: new Date('2026-03-15T02:00:00Z') }
const built = await build(t, { clock: () => clock.now })
const { app } = built
const county = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const employer = await built.createIssuer('employer', '440106', '广州天河软件科技有限公司')
const henan = await built.createIssuer('authority', '410105', '郑州市金水区人力资源和社会保障局')
const verifier = await built.createIssuer('verifier', '440000', '广东省工程系列高级职称评审委员会')
const as = (who: { apiKey: string }) => ({ authorization: `Bearer ${who.apiKey}` })
let serial = 0
async function issue (by: { apiKey: string }, name: string, idNumber = makeIdNumber('440106', '19800101', ++serial)) {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: as(by), payload: issueBody({ holder: { name, idNumber }, year: 2026 }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return { number: response.json().number as string, idNumber }
}

t.test('a form\'s check: Guangdong\'s 18 / 42 / 12 of 72 and what is missing; accounting by series; the ID number\'s problem', async t => {
  const check = (payload: object, who = county) => app.inject({ method: 'POST', url: '/v1/certificates/check', headers: as(who), payload })
  const partial = await check({ hours: { public: 20, professional: 30, elective: 0 } })
  t.equal(partial.statusCode, 200)
  t.match(partial.json(), {
    ruleSet: { id: 'guangdong', total: 72, minimums: { public: 18, professional: 42, elective: 12 } },
    certificate: { title: '广东省专业技术人员继续教育证书', regulation: '《广东省专业技术人员继续教育条例》' },
    hours: { met: false, shortfalls: [{ category: 'professional', required: 42, given: 30 }, { category: 'elective', required: 12, given: 0 }, { category: 'total', required: 72, given: 50 }] },
  })
  t.match((await check({ series: '会计', hours: { public: 30, professional: 60, elective: 0 } })).json(), { ruleSet: { id: 'accounting' }, hours: { met: true } })
  t.equal((await check({ idNumber: makeIdNumber() })).json().idNumber, null, 'a valid ID number has no problem')
  t.match((await check({ idNumber: '4.40106E+17' })).json().idNumber, { reasonZh: /科学计数法/ })
  t.equal((await check({}, verifier)).json().code, 'FORBIDDEN_ROLE', 'a committee does not issue')
})

t.test('the search finds by name or ID number within the caller\'s records only, and never answers an ID number', async t => {
  const byCounty = await issue(county, '孙丽')
  const byEmployer = await issue(employer, '孙丽')
  const search = (payload: object, who = county) => app.inject({ method: 'POST', url: '/v1/certificates/search', headers: as(who), payload })
  t.same((await search({ name: '孙丽' })).json().certificates.map((c: { number: string }) => c.number).sort(), [byCounty.number, byEmployer.number].sort(), 'an authority: its whole area')
  t.same((await search({ name: '孙丽' }, employer)).json().certificates.map((c: { number: string }) => c.number), [byEmployer.number], 'an employer: what it issued')
  const byId = await search({ idNumber: byCounty.idNumber })
  t.same(byId.json().certificates.map((c: { number: string }) => c.number), [byCounty.number])
  t.notMatch(byId.body, byCounty.idNumber, 'the ID number is not answered')
  t.same((await search({ number: byCounty.number }, henan)).json().certificates, [], 'out of scope: nothing found')
  t.equal((await search({ idNumber: '440106198001011234' })).json().code, 'INVALID_ID_NUMBER')
  t.equal((await search({})).json().code, 'VALIDATION_FAILED')
})

t.test('the holder\'s PDF: the right name and ID number; a wrong pair counted in the one budget the name lookup uses', async t => {
  const { number, idNumber } = await issue(county, '郑洁')
  const download = (name: string, id: string) => app.inject({ method: 'POST', url: `/v1/certificates/${number}/holder-pdf`, payload: { name, idNumber: id } })
  const ok = await download('郑洁', idNumber)
  t.equal(ok.statusCode, 200)
  t.equal(ok.headers['content-type'], 'application/pdf')
  t.equal((await download('郑洁', makeIdNumber('440106', '19800101', 999))).json().code, 'HOLDER_NOT_MATCHED', 'a wrong ID number')
  t.equal((await download('郑杰', idNumber)).json().code, 'HOLDER_NOT_MATCHED', 'a wrong name')
  t.equal((await download('郑洁', '123')).json().code, 'INVALID_ID_NUMBER', 'no ID number at all is refused before anything is compared')
  for (let i = 0; i < 8; i++) await app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent(`错${i}`)}` })
  const spent = await download('郑洁', idNumber)
  t.equal(spent.statusCode, 429)
  t.equal(spent.json().code, 'NAME_CHECK_LIMITED', '2 wrong pairs and 8 wrong names spend the 10')
  clock.now = new Date(clock.now.getTime() + 24 * 3_600_000 + 1000)
  t.equal((await download('郑洁', idNumber)).statusCode, 200, 'a day later the budget is back')
  await app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: as(county), payload: { reason: '信息有误' } })
  t.equal((await download('郑洁', idNumber)).json().code, 'CERTIFICATE_ALREADY_REVOKED', 'a revoked certificate is not given')
})

t.test('a signed verification report: its own number and code, a signed PDF, confirmed by anyone with both; altered, not genuine', async t => {
  const valid = await issue(county, '吴静')
  const revoked = await issue(county, '钱进')
  await app.inject({ method: 'POST', url: `/v1/certificates/${revoked.number}/revoke`, headers: as(county), payload: { reason: '信息有误' } })
  const made = await app.inject({ method: 'POST', url: '/v1/verification-reports', headers: as(verifier), payload: { rows: [{ number: valid.number, name: '吴静' }, { number: revoked.number }, { number: '44010626999999' }] } })
  t.equal(made.statusCode, 201)
  const report = made.json()
  t.match(report, { number: /^HY2026\d{6}$/, code: /^[A-Z2-9]{6}$/, committee: '广东省工程系列高级职称评审委员会', genuine: true, summary: { rows: 3, verdicts: { valid: 1, revoked: 1, 'not-found': 1 } } })
  t.notMatch(made.body, '吴静', 'the report shows masked names, never a name sent')

  const pdf = await app.inject({ url: report.links.pdf, headers: as(verifier) })
  t.equal(pdf.statusCode, 200)
  t.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-')
  t.match(pdf.rawPayload.toString('latin1'), /ETSI\.CAdES\.detached/, 'signed like the certificates')
  await mkdir('test-artifacts/console', { recursive: true })
  await writeFile('test-artifacts/console/verification-report.pdf', pdf.rawPayload)
  t.equal((await app.inject({ url: report.links.pdf, headers: as(county) })).json().code, 'REPORT_NOT_FOUND', 'only its maker gets the PDF')

  const confirm = await app.inject({ url: `/v1/verification-reports/${report.number}?code=${report.code}` })
  t.match(confirm.json(), { number: report.number, genuine: true })
  t.equal((await app.inject({ url: `/v1/verification-reports/${report.number}?code=AAAAAA` })).json().code, 'REPORT_NOT_FOUND', 'a wrong code shows nothing')

  await built.database.db.updateTable('verification_reports').set({ report: JSON.stringify({ ...confirm.json(), rows: confirm.json().rows.map((r: { verdict: string }) => ({ ...r, verdict: 'valid' })) }) as never }).execute()
  t.equal((await app.inject({ url: `/v1/verification-reports/${report.number}?code=${report.code}` })).json().genuine, false, 'a verdict altered in the database breaks the signed digest')
})

t.test('a signed verification report of a stack of PDFs: the same verdicts as bulk verification, answered with it in one upload', async t => {
  const { number } = await issue(county, '蒋平')
  const genuine = (await app.inject({ url: `/v1/certificates/${number}/pdf`, headers: as(county) })).rawPayload
  const boundary = '----ce-report-pdfs'
  const part = (filename: string, content: Buffer) => Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="pdf"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`), content, Buffer.from('\r\n')])
  const payload = Buffer.concat([part('a.pdf', genuine), part('b.pdf', Buffer.from('not a pdf')), Buffer.from(`--${boundary}--\r\n`)])
  const made = await app.inject({ method: 'POST', url: '/v1/verification-reports', headers: { ...as(verifier), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })
  t.equal(made.statusCode, 201)
  const report = made.json()
  t.match(report, { number: /^HY2026\d{6}$/, genuine: true, summary: { rows: 2, verdicts: { valid: 1, malformed: 1 } }, verification: { source: 'pdfs', summary: { rows: 2 } } })
  t.same(report.rows.map((r: { verdict: string }) => r.verdict), report.verification.rows.map((r: { verdict: string }) => r.verdict), 'the report signs the verdicts of the verification answered')
  t.equal((await app.inject({ url: report.links.pdf, headers: as(verifier) })).statusCode, 200)
  t.match((await app.inject({ url: `/v1/verification-reports/${report.number}?code=${report.code}` })).json(), { genuine: true, rows: [{ number, maskedName: '蒋*', verdict: 'valid' }, { verdict: 'malformed' }] })
  t.equal((await app.inject({ method: 'POST', url: '/v1/verification-reports', headers: { ...as(employer), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })).statusCode, 403, 'an employer makes no report')
})

t.test('a report seen on screen is saved as .xlsx or CSV without verifying or counting names again', async t => {
  const { number } = await issue(county, '冯涛')
  const verified = await app.inject({ method: 'POST', url: '/v1/verify/batch', headers: as(verifier), payload: { rows: [{ number, name: '冯海' }] } })
  const report = verified.json()
  t.equal(report.rows[0].verdict, 'name-mismatch')
  const budgetBefore = await built.database.db.selectFrom('failure_budgets').selectAll().execute()
  const csv = await app.inject({ method: 'POST', url: '/v1/verify/batch/export?format=csv', headers: as(verifier), payload: report })
  t.equal(csv.statusCode, 200)
  t.match(csv.body, number)
  t.match(csv.body, '姓名不符')
  const xlsx = await app.inject({ method: 'POST', url: '/v1/verify/batch/export?format=xlsx', headers: as(verifier), payload: report })
  t.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK', 'an .xlsx workbook')
  t.same(await built.database.db.selectFrom('failure_budgets').selectAll().execute(), budgetBefore, 'no name was counted again')
  t.equal((await app.inject({ method: 'POST', url: '/v1/verify/batch/export?format=csv', headers: as(employer), payload: report })).statusCode, 403)
  const tooLong = { ...report, rows: Array.from({ length: 10_001 }, (_, i) => ({ ...report.rows[0], row: i + 1 })) }
  const refused = await app.inject({ method: 'POST', url: '/v1/verify/batch/export?format=xlsx', headers: as(verifier), payload: tooLong })
  t.equal(refused.statusCode, 400, 'no report has more rows than a bulk verification answers (10,000)')
  t.match(refused.json().messageZh, /最多 10000 项/)
})
