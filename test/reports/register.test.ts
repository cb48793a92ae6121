import t from 'tap'
import { parse } from 'csv-parse/sync'
import { registerCsvHeader } from '../../src/reports/register-csv.js'
import { readWorkbook, xlsxType } from '../fixtures/spreadsheet-files.js'
import { buildReportFixture } from './report-fixture.js'

const fixture = await buildReportFixture(t)
const { app, accounts, numbers } = fixture
const get = (apiKey: string | undefined, url: string, headers: Record<string, string> = {}) =>
  app.inject({ url, headers: { ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }), ...headers } })
const numbersOf = (response: { json (): { entries: Array<{ number: string }> } }) => response.json().entries.map(e => e.number)

t.test('the register of 天河区 for 2025 lists every certificate in number order, with full names, and revocations', async t => {
  const response = await get(accounts.tianhe.apiKey, '/v1/registers/440106/2025')
  t.equal(response.statusCode, 200)
  const page = response.json()
  t.match(page, { regionCode: '440106', regionName: '广东省广州市天河区', year: 2025, nextAfter: null })
  t.same(numbersOf(response), [...numbers.tianhe, ...numbers.employer])
  t.match(page.entries[0], { holderName: '张三', employerName: '广州天河软件科技有限公司', status: 'valid', revokedAt: null, hours: { public: 20, professional: 44, elective: 12, selfStudy: 0, total: 76 } })
  t.match(page.entries[0].issueDate, /^\d{4}-\d{2}-\d{2}$/)
  t.match(page.entries[2], { holderName: '王五', status: 'revoked', revokedAt: String })
  t.equal(page.entries[4].holderName, '买买提·艾力')
  for (const id of fixture.idNumbers) t.notOk(response.body.includes(id), 'never an ID number')
})

t.test('JSON pages follow the cursor: ?limit=2 gives 2, 2, 1 and then no next page', async t => {
  const pages: string[][] = []
  let after: string | null = null
  do {
    const response = await get(accounts.tianhe.apiKey, `/v1/registers/440106/2025?limit=2${after === null ? '' : `&after=${after}`}`)
    t.equal(response.statusCode, 200)
    pages.push(numbersOf(response))
    after = response.json().nextAfter
  } while (after !== null && pages.length < 10)
  t.same(pages, [numbers.tianhe.slice(0, 2), [numbers.tianhe[2], numbers.employer[0]], [numbers.employer[1]]])
})

t.test('the register as CSV (Accept: text/csv or ?format=csv) reads back to the JSON register', async t => {
  const json = (await get(accounts.guangzhou.apiKey, '/v1/registers/440100/2025?limit=1000')).json()
  for (const [url, headers] of [['/v1/registers/440100/2025', { accept: 'text/csv' }], ['/v1/registers/440100/2025?format=csv', {}]] as const) {
    const response = await get(accounts.guangzhou.apiKey, url, headers)
    t.equal(response.statusCode, 200)
    t.match(response.headers['content-type'], /^text\/csv/)
    t.match(response.headers['content-disposition'], /^attachment; filename="register-440100-2025.csv"/)
    t.same([...response.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'BOM, so Excel reads UTF-8')
    t.notMatch(response.body, /[^\r]\n/, 'CRLF line ends')
    const [header, ...excelRecords] = parse(response.rawPayload, { bom: true }) as string[][]
    t.same(header, registerCsvHeader)
    t.ok(excelRecords.every(r => /^="\d{14}"$/.test(r[0]!)), 'numbers as ="…" so Excel keeps all 14 digits')
    const records = excelRecords.map(([number, ...rest]) => [number!.slice(2, -1), ...rest])
    t.same(records.map(r => r.slice(0, 5)), json.entries.map((e: { number: string, holderName: string, employerName: string, issueDate: string, status: string }) =>
      [e.number, e.holderName, e.employerName.startsWith('=') ? `'${e.employerName}` : e.employerName, e.issueDate, e.status === 'valid' ? '有效' : '已撤销']))
    t.same(records.map(r => r.slice(6).map(Number)), json.entries.map((e: { hours: Record<string, number> }) => [e.hours.public, e.hours.professional, e.hours.elective, e.hours.selfStudy, e.hours.total]))
    const revoked = records.find(r => r[0] === numbers.tianhe[2])!
    t.match(revoked[5], /^\d{4}-\d{2}-\d{2}$/, 'the revocation date')
    t.equal(records.find(r => r[0] === numbers.tianhe[1])![2], '\'=HYPERLINK("http://evil.example","点我")', 'a formula is kept as text')
  }
  const jsonAnyway = await get(accounts.guangzhou.apiKey, '/v1/registers/440100/2025?format=json', { accept: 'text/csv' })
  t.match(jsonAnyway.headers['content-type'], /^application\/json/)
})

t.test('the register as .xlsx (?format=xlsx or Accept): numbers and names as text, dates as dates, the header frozen, the counts on 统计', async t => {
  const json = (await get(accounts.tianhe.apiKey, '/v1/registers/440106/2025?limit=1000')).json()
  for (const [url, headers] of [['/v1/registers/440106/2025?format=xlsx', {}], ['/v1/registers/440106/2025', { accept: xlsxType }]] as const) {
    const response = await get(accounts.tianhe.apiKey, url, headers)
    t.equal(response.statusCode, 200)
    t.equal(response.headers['content-type'], xlsxType)
    t.equal(response.headers['cache-control'], 'private, no-store')
    t.match(response.headers['content-disposition'], /^attachment; filename="register-440106-2025.xlsx"; filename\*=UTF-8''/)
    const workbook = await readWorkbook(response.rawPayload)
    t.same(workbook.worksheets.map(s => s.name), ['证书发放名册', '统计'])
    const sheet = workbook.getWorksheet('证书发放名册')!
    t.same((sheet.getRow(1).values as unknown[]).slice(1), registerCsvHeader)
    t.match(sheet.views[0], { state: 'frozen', ySplit: 1 })
    t.equal(sheet.getColumn(1).numFmt, '@', 'the number column is text')
    t.ok((sheet.getColumn(3).width ?? 0) > (sheet.getColumn(2).width ?? 0), 'employers get wider columns than names')
    const rows = sheet.getSheetValues().slice(2).map(r => (r as unknown[]).slice(1))
    t.same(rows.map(r => r[0]), json.entries.map((e: { number: string }) => e.number), 'every number, all 14 digits, as text')
    t.equal(rows[1]![2], '=HYPERLINK("http://evil.example","点我")', 'a formula-looking employer is plain text in .xlsx')
    t.equal(sheet.getCell('C3').formula, undefined)
    t.same(rows[0]![3], new Date(`${json.entries[0].issueDate as string}T00:00:00Z`), 'the issue date as a date, the day in China')
    t.same(rows.map(r => r[4]), json.entries.map((e: { status: string }) => (e.status === 'valid' ? '有效' : '已撤销')))
    t.ok(rows[2]![5] instanceof Date, 'the revocation date as a date')
    t.same(rows[0]!.slice(6), [20, 44, 12, 0, 76], 'hours as numbers')
    const counts = new Map(workbook.getWorksheet('统计')!.getSheetValues().slice(2).map(r => [(r as unknown[])[1], (r as unknown[])[2]]))
    t.match(Object.fromEntries(counts), { 地区: '广东省广州市天河区', 行政区划代码: '440106', 年度: 2025, 证书总数: 5, 有效: 4, 已撤销: 1, 有效证书总学时合计: 76 * 3 + 100 })
    for (const id of fixture.idNumbers) t.notOk(response.rawPayload.includes(Buffer.from(id)), 'never an ID number')
  }
  const refused = await get(accounts.committee.apiKey, '/v1/registers/440106/2025?format=xlsx')
  t.equal(refused.statusCode, 403, 'scope is checked before anything is sent')
  t.equal(refused.json().code, 'FORBIDDEN_ROLE')
})

t.test('who sees which register', async t => {
  const cases: Array<[string, string | undefined, string, number, string[] | string]> = [
    ['a county authority, its county', accounts.tianhe.apiKey, '440106', 200, [...numbers.tianhe, ...numbers.employer]],
    ['a county authority, another county', accounts.tianhe.apiKey, '440104', 403, 'OUT_OF_SCOPE'],
    ['a county authority, its city', accounts.tianhe.apiKey, '440100', 403, 'OUT_OF_SCOPE'],
    ['a city authority, its city (its own numbers included)', accounts.guangzhou.apiKey, '440100', 200, [...numbers.guangzhouOwn, ...numbers.yuexiu, ...numbers.tianhe, ...numbers.employer]],
    ['a city authority, one of its counties', accounts.guangzhou.apiKey, '440104', 200, numbers.yuexiu],
    ['a city authority, another city\'s county', accounts.guangzhou.apiKey, '440304', 403, 'OUT_OF_SCOPE'],
    ['a city authority, its province', accounts.guangzhou.apiKey, '440000', 403, 'OUT_OF_SCOPE'],
    ['the province authority, the province', accounts.province.apiKey, '440000', 200, [...numbers.provinceOwn, ...numbers.guangzhouOwn, ...numbers.yuexiu, ...numbers.tianhe, ...numbers.employer, ...numbers.shenzhen]],
    ['the province authority, another province', accounts.province.apiKey, '110101', 403, 'OUT_OF_SCOPE'],
    ['an employer, its county: only its own', accounts.employer.apiKey, '440106', 200, numbers.employer],
    ['an employer, its city: still only its own', accounts.employer.apiKey, '440100', 200, numbers.employer],
    ['another employer of the same county: none of the first one\'s', accounts.otherEmployer.apiKey, '440106', 200, []],
    ['an employer, another county', accounts.employer.apiKey, '440104', 403, 'OUT_OF_SCOPE'],
    ['a verifier', accounts.committee.apiKey, '440106', 403, 'FORBIDDEN_ROLE'],
    ['no API key', undefined, '440106', 401, 'AUTHENTICATION_REQUIRED'],
  ]
  for (const [name, apiKey, region, status, expected] of cases) {
    const response = await get(apiKey, `/v1/registers/${region}/2025?limit=1000`)
    t.equal(response.statusCode, status, name)
    if (typeof expected === 'string') t.equal(response.json().code, expected, name)
    else t.same(numbersOf(response), [...expected].sort(), name)
    const csv = await get(apiKey, `/v1/registers/${region}/2025?format=csv`)
    t.equal(csv.statusCode, status, `${name} (CSV)`)
  }
})

t.test('a register request that cannot be understood gets a 400', async t => {
  const cases: Array<[string, string]> = [
    ['/v1/registers/440199/2025', 'UNKNOWN_REGION'],
    ['/v1/registers/4401/2025', 'VALIDATION_FAILED'],
    ['/v1/registers/440106/2099', 'INVALID_YEAR'],
    ['/v1/registers/440106/1999', 'VALIDATION_FAILED'],
    ['/v1/registers/440106/2025?after=44010625%27%20or%201=1', 'VALIDATION_FAILED'],
    ['/v1/registers/440106/2025?limit=100000', 'VALIDATION_FAILED'],
    ['/v1/registers/440106/2025?format=pdf', 'VALIDATION_FAILED'],
  ]
  for (const [url, code] of cases) {
    const response = await get(accounts.province.apiKey, url)
    t.equal(response.statusCode, 400, url)
    t.equal(response.json().code, code, url)
  }
})
