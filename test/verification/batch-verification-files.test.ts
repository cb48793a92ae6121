// A committee's list as a file (.xlsx, GBK CSV), the report as .xlsx, exported sheets sent back, and the template.
import t from 'tap'
import iconv from 'iconv-lite'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { officeWorkbook, readWorkbook, xlsxType } from '../fixtures/spreadsheet-files.js'

const now = new Date('2026-03-02T08:00:00Z')
const built = await build(t, { clock: () => now })
const { app, createIssuer } = built
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const committee = await createIssuer('verifier', '440000', '广东省高级工程师职称评审委员会')
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })
async function issue (serial: number, name: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: bearer(tianhe.apiKey), payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return response.json().number as string
}
const nana = await issue(1, '欧阳娜娜')
const wangwu = await issue(2, '王五')
const revoked = await issue(3, '赵小六')
await app.inject({ method: 'POST', url: `/v1/certificates/${revoked}/revoke`, headers: bearer(tianhe.apiKey), payload: { reason: '学时造假' } })
const verify = (payload: string | Buffer, contentType: string, url = '/v1/verify/batch', headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: { ...bearer(committee.apiKey), 'content-type': contentType, ...headers }, payload })
const budgets = async () => Number((await built.database.db.selectFrom('failure_budgets').select(eb => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n)

t.test('an .xlsx list from WPS: a title row, 序号, a number typed into a General column is malformed and never looked up', async t => {
  const bytes = await officeWorkbook(['序号', '证书编号', '姓名', '备注'], [
    [1, nana, '欧阳娜娜', null],
    [2, Number(wangwu), '王五', '编号列是常规格式'],
    [3, revoked, null, null],
    [4, ` ${nana}`, null, null],
  ], { title: '2026年度高级工程师评审申报人员名单' })
  const response = await verify(bytes, xlsxType)
  t.equal(response.statusCode, 200, response.body.slice(0, 300))
  const report = response.json()
  t.same(report.rows.map((r: { sheetRow: number, verdict: string }) => [r.sheetRow, r.verdict]), [[3, 'valid'], [4, 'malformed'], [5, 'revoked'], [6, 'malformed']])
  t.match(report.rows[1], { row: 2, number: wangwu, name: '王五', reasonZh: /“证书编号”列的单元格在 Excel 中存成了数值（\d{14}）而不是文本，本行未核验：请将该列设置为“文本”格式后重新填写/ })
  t.notOk('certificate' in report.rows[1], 'a number stored as a number is not matched, though all its digits are there')
  t.match(report.rows[3], { reasonZh: /证书编号前有空格/ })
})

t.test('a GBK CSV list, as Excel on Chinese Windows saves "CSV (逗号分隔)"', async t => {
  const response = await verify(iconv.encode(`证书编号,姓名\r\n${nana},欧阳娜娜\r\n${wangwu},王 五\r\n`, 'gbk'), 'text/csv')
  t.equal(response.statusCode, 200)
  t.same(response.json().rows.map((r: { verdict: string, nameMatches: boolean }) => [r.verdict, r.nameMatches]), [['valid', true], ['valid', true]])
})

t.test('the report as .xlsx (?format=xlsx or Accept): numbers as text, dates as dates in China time, the header frozen, the counts on 统计', async t => {
  const rows = { rows: [{ number: nana, name: '欧阳娜娜' }, { number: revoked }, { number: '4.40106E+13' }, { number: '=HYPERLINK("http://evil.example","点我")', name: '=1+2' }] }
  for (const [how, url, headers] of [['?format=xlsx', '/v1/verify/batch?format=xlsx', {}], ['Accept', '/v1/verify/batch', { accept: `${xlsxType}, application/json;q=0.5` }]] as const) {
    const response = await app.inject({ method: 'POST', url, headers: { ...bearer(committee.apiKey), ...headers }, payload: rows })
    t.equal(response.statusCode, 200, how)
    t.equal(response.headers['content-type'], xlsxType, how)
    t.equal(response.headers['cache-control'], 'private, no-store')
    t.match(response.headers['content-disposition'], /^attachment; filename="verification-report.xlsx"; filename\*=UTF-8''%E6%89%B9%E9%87%8F/)
    const workbook = await readWorkbook(response.rawPayload)
    t.same(workbook.worksheets.map(s => s.name), ['核验结果', '统计'])
    const sheet = workbook.getWorksheet('核验结果')!
    t.same((sheet.getRow(1).values as unknown[]).slice(1), ['行号', '原表行号', '证书编号', '所填姓名', '核验结果', '说明', '持证人（脱敏）', '姓名是否一致', '证书状态', '年度', '发证地区', '发证机构', '发证日期', '撤销日期', '总学时'])
    t.match(sheet.views[0], { state: 'frozen', ySplit: 1 }, 'the header row frozen')
    t.equal(sheet.getCell('C2').value, nana, 'the number as text…')
    t.equal(sheet.getCell('C2').numFmt, '@', '…in a text column')
    t.ok((sheet.getColumn(6).width ?? 0) >= 40, 'the reasons have room')
    t.equal(sheet.getCell('E2').value, '有效')
    t.same(sheet.getCell('M2').value, new Date('2026-03-02T00:00:00Z'), 'the issue date, a date, as in China')
    t.same(sheet.getCell('N3').value, new Date('2026-03-02T00:00:00Z'), 'the revocation date')
    t.equal(sheet.getCell('C4').value, '4.40106E+13', 'a spoilt number exactly as sent')
    t.equal(sheet.getCell('C5').value, '=HYPERLINK("http://evil.example","点我")', 'a cell starting with = is text in .xlsx, never a formula')
    t.equal(sheet.getCell('C5').formula, undefined)
    const counts = workbook.getWorksheet('统计')!
    const values = new Map(counts.getSheetValues().slice(2).map(r => [(r as unknown[])[1], (r as unknown[])[2]]))
    t.same(values.get('核验时间（北京时间）'), new Date('2026-03-02T16:00:00Z'), 'when, in China time')
    t.equal(values.get('共计'), 4)
    t.equal(values.get('有效'), 1)
    t.equal(values.get('格式错误'), 2)
    t.notOk(response.rawPayload.includes(Buffer.from('赵小六')), 'no full name of a holder')
  }
})

t.test('an exported sheet can be corrected and sent back: the report (.xlsx and CSV) and the register', async t => {
  const rows = { rows: [{ number: nana, name: '欧阳娜娜' }, { number: wangwu }] }
  const xlsxReport = await app.inject({ method: 'POST', url: '/v1/verify/batch?format=xlsx', headers: bearer(committee.apiKey), payload: rows })
  const fromXlsx = await verify(xlsxReport.rawPayload, xlsxType)
  t.equal(fromXlsx.statusCode, 200, fromXlsx.body.slice(0, 300))
  t.same(fromXlsx.json().rows.map((r: { sheetRow: number, verdict: string, nameMatches?: boolean }) => [r.sheetRow, r.verdict, r.nameMatches]), [[2, 'valid', true], [3, 'valid', undefined]])
  const csvReport = await app.inject({ method: 'POST', url: '/v1/verify/batch?format=csv', headers: bearer(committee.apiKey), payload: rows })
  const fromCsv = await verify(csvReport.rawPayload, 'text/csv')
  t.equal(fromCsv.statusCode, 200, fromCsv.body.slice(0, 300))
  t.same(fromCsv.json().rows.map((r: { sheetRow: number, number: string, verdict: string }) => [r.sheetRow, r.number, r.verdict]), [[5, nana, 'valid'], [6, wangwu, 'valid']], 'the counts above the table passed over, ="…" read as the number')
  for (const format of ['csv', 'xlsx']) {
    const register = await app.inject({ url: `/v1/registers/440106/2025?format=${format}`, headers: bearer(tianhe.apiKey) })
    const checked = await verify(register.rawPayload, format === 'csv' ? 'text/csv' : xlsxType)
    t.equal(checked.statusCode, 200, `the register as ${format}`)
    t.same(checked.json().summary.verdicts, { valid: 2, revoked: 1, 'not-found': 0, 'name-mismatch': 0, 'name-unchecked': 0, duplicate: 0, malformed: 0, 'invalid-signature': 0, altered: 0 }, `the register as ${format}: every full name matches`)
  }
})

t.test('the template: 证书编号 as text, validated; the sample row is never checked, so no name budget is spent on it', async t => {
  const response = await app.inject({ url: '/v1/verify/batch/template', headers: bearer(committee.apiKey) })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], xlsxType)
  const workbook = await readWorkbook(response.rawPayload)
  t.same(workbook.worksheets.map(s => s.name), ['核验名单', '填写说明'])
  const sheet = workbook.worksheets[0]!
  t.same((sheet.getRow(2).values as unknown[]).slice(1), ['序号', '证书编号*', '姓名', '备注'])
  t.equal(sheet.getColumn(2).numFmt, '@')
  t.match(sheet.getCell('B3').dataValidation, { type: 'textLength', formulae: [14] })
  t.match(workbook.getWorksheet('填写说明')!.getSheetValues().flat().filter(v => typeof v === 'string').join(' '), /每张证书 24 小时内最多核对 10 次错误姓名/)
  const before = await budgets()
  const unchanged = await verify(response.rawPayload, xlsxType)
  t.equal(unchanged.statusCode, 200)
  t.match(unchanged.json().rows, [{ sheetRow: 3, verdict: 'malformed', reasonZh: /模板中的示例行/ }])
  t.equal(await budgets(), before, 'the sample name was not checked against anybody\'s certificate')
  const employer = await createIssuer('employer', '440106')
  t.equal((await app.inject({ url: '/v1/verify/batch/template', headers: bearer(employer.apiKey) })).statusCode, 403, 'employers do not verify in bulk')
})

t.test('a list that cannot be read is refused as a whole', async t => {
  const cases: Array<[string, string | Buffer, string, number, string]> = [
    ['an ID number column', `证书编号,姓名,身份证号\r\n${nana},欧阳娜娜,${makeIdNumber('440106', '19850312', 1)}\r\n`, 'text/csv', 400, 'MALFORMED_CSV'],
    ['4 million tabs', `${'\t'.repeat(4_000_000)}\r\n`, 'text/tab-separated-values', 413, 'TABLE_TOO_LARGE'],
    ['no 证书编号 column', await officeWorkbook(['姓名'], [['欧阳娜娜']]), xlsxType, 400, 'MALFORMED_XLSX'],
  ]
  for (const [what, body, type, status, code] of cases) {
    const response = await verify(body, type)
    t.equal(response.statusCode, status, what)
    t.equal(response.json().code, code, what)
  }
  const withId = await verify(cases[0]![1], 'text/csv')
  t.notOk(withId.body.includes(makeIdNumber('440106', '19850312', 1)), 'the ID number sent by mistake is not echoed')
})
