// The heavy one: a committee checks 10,000 mixed rows as JSON and as Excel CSV, looked up in a few set-based queries. Run once per database.
import t from 'tap'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import type { KyselyPlugin } from 'kysely'
import { createBatchVerificationService } from '../../src/verification/batch-verification-service.js'
import { rowsReportHeader, verdictNames } from '../../src/verification/batch-verification-csv.js'
import type { VerificationService } from '../../src/verification/verification-service.js'
import { createNameCheckService } from '../../src/certificates/name-checks.js'
import { findRegion } from '../../src/regions/region-table.js'
import { build, issueBody, makeIdNumber } from '../helper.js'

const now = new Date('2026-03-02T08:00:00Z')
// A thousand wrong names is a committee's bad day in this test, not an attack: its account may send them.
const built = await build(t, { clock: () => now, env: { NAME_CHECK_MISMATCHES_PER_ACCOUNT_PER_DAY: '100000' } })
const guangzhou = await built.createIssuer('authority', '440100', '广州市人力资源和社会保障局')
const committee = await built.createIssuer('verifier', '440000', '广东省职称评审委员会')
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

const counties = ['440103', '440104', '440106']
const names = ['张三', '李小四', '欧阳娜娜', '买买提·艾力', '王五', '赵六']
const issuedCount = 2000
const issueResponse = await built.app.inject({
  method: 'POST',
  url: '/v1/certificates/batch',
  headers: bearer(guangzhou.apiKey),
  payload: {
    certificates: Array.from({ length: issuedCount }, (_, k) => issueBody({
      holder: { name: names[k % names.length], idNumber: makeIdNumber('440106', `19${String(60 + Math.floor(k / 900)).padStart(2, '0')}0101`, k % 900) },
      regionCode: counties[k % counties.length],
    })),
  },
})
if (issueResponse.statusCode !== 201) throw new Error(issueResponse.body.slice(0, 500))
const issued = (issueResponse.json().rows as Array<{ number: string }>).map((r, k) => ({ number: r.number, name: names[k % names.length]! }))
const revoked = issued.filter((_, k) => k % 20 === 0)
const valid = issued.filter((_, k) => k % 20 !== 0)
for (const { number } of revoked) {
  const response = await built.app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: bearer(guangzhou.apiKey), payload: { reason: '重复发证' } })
  if (response.statusCode !== 200) throw new Error(response.body)
}

const fullWidth = (s: string) => s.replace(/[0-9]/g, d => String.fromCharCode(0xff10 + Number(d)))
/** How Excel shows a 14-digit number in a General cell, and saves it to CSV: 4.40106E+13. */
const excelScientific = (number: string) => Number(number).toExponential(5).toUpperCase().replace(/E\+(\d)$/, 'E+0$1')
const spoil = [(n: string) => ` ${n}`, fullWidth, (n: string) => `${n}.00`, (n: string) => Number(n).toLocaleString('en-US')]

/** Row i of the committee's list and its expected verdict. */
function rowOf (i: number): { number: string, name?: string, expect: string } {
  const certificate = valid[(i * 7) % valid.length]!
  switch (i % 10) {
    case 0: case 1: return { number: certificate.number, name: certificate.name, expect: 'valid' }
    case 2: return { number: certificate.number, expect: 'valid' }
    case 3: return { number: certificate.number, name: certificate.name.replace('·', '•').split('').join(' '), expect: 'valid' }
    case 4: { const r = revoked[i % revoked.length]!; return { number: r.number, name: r.name, expect: 'revoked' } }
    case 5: return { number: `440106${'25'}${String(900_000 + i).padStart(6, '0')}`, name: '钱七', expect: 'not-found' }
    case 6: return { number: certificate.number, name: '不是本人', expect: 'name-mismatch' }
    case 7: return { number: excelScientific(certificate.number), name: certificate.name, expect: 'malformed' }
    case 8: return { number: spoil[Math.floor(i / 10) % spoil.length]!(certificate.number), name: certificate.name, expect: 'malformed' }
    default: return i % 20 === 9 ? { number: '', name: certificate.name, expect: 'malformed' } : { number: certificate.number.slice(0, 13), expect: 'malformed' }
  }
}
const rows = Array.from({ length: 10_000 }, (_, i) => rowOf(i))
// A number given again later in the list is checked once, where it first appears.
const seen = new Set<string>()
for (const r of rows) {
  if (r.expect === 'malformed') continue
  if (seen.has(r.number)) r.expect = 'duplicate'
  seen.add(r.number)
}
const expectedCounts = Object.fromEntries(Object.keys(verdictNames).map(v => [v, 0])) as Record<string, number>
for (const r of rows) expectedCounts[r.expect]!++
const sent = rows.map(({ number, name }) => (name === undefined ? { number } : { number, name }))

t.test('10,000 mixed rows as JSON: each row gets the expected verdict, in order, and the counts add up', async t => {
  const started = Date.now()
  const response = await built.app.inject({ method: 'POST', url: '/v1/verify/batch', headers: bearer(committee.apiKey), payload: { rows: sent } })
  t.comment(`10,000 rows verified in ${Date.now() - started} ms (${built.database.engine})`)
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body.slice(0, 500))
  const report = response.json()
  t.same(report.summary, { rows: 10_000, verdicts: expectedCounts })
  t.ok(expectedCounts.malformed! > 0 && expectedCounts.revoked! > 0 && expectedCounts['name-mismatch']! > 0 && expectedCounts['not-found']! > 0 && expectedCounts.duplicate! > 0)
  const wrong = (report.rows as Array<{ row: number, verdict: string, number: string }>).filter((r, i) => r.row !== i + 1 || r.verdict !== rows[i]!.expect || r.number !== rows[i]!.number)
  t.same(wrong.slice(0, 5), [], 'every row has the expected verdict and echoes its number')
  t.match(report.rows[7], { number: /^4\.4010\dE\+13$/, reason: /scientific notation/ })
})

t.test('the same 10,000 rows as an Excel CSV, answered as CSV that reads back row for row', async t => {
  const csv = `\ufeff${stringify([['证书编号', '姓名'], ...rows.map(r => [r.number, r.name ?? ''])], { record_delimiter: '\r\n' })}`
  const started = Date.now()
  const response = await built.app.inject({ method: 'POST', url: '/v1/verify/batch', headers: { ...bearer(committee.apiKey), 'content-type': 'text/csv', accept: 'text/csv' }, payload: csv })
  t.comment(`10,000 CSV rows verified to CSV in ${Date.now() - started} ms (${built.database.engine})`)
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body.slice(0, 500))
  const lines = parse(response.rawPayload, { bom: true, relax_column_count: true }) as string[][]
  t.same(lines[1]!.slice(1), ['10000', ...Object.keys(verdictNames).map(v => String(expectedCounts[v]))])
  t.same(lines[3], rowsReportHeader)
  const table = lines.slice(4)
  t.equal(table.length, 10_000)
  const wrong = table.filter((cells, i) => {
    const expected = rows[i]!
    return cells[0] !== String(i + 1) || cells[1] !== (expected.number === '' ? '' : `="${expected.number}"`) || cells[3] !== verdictNames[expected.expect as keyof typeof verdictNames]
  })
  t.same(wrong.slice(0, 5), [], 'every row: its number as ="…" text, its verdict in Chinese')
})

t.test('10,000 rows are looked up in one query per 1,000 distinct well-formed numbers, not one per row', async t => {
  let queries = 0
  const counting: KyselyPlugin = {
    transformQuery: args => { if (args.node.kind === 'SelectQueryNode') queries++; return args.node },
    transformResult: async args => args.result,
  }
  const db = built.database.db.withPlugin(counting)
  const nameChecks = createNameCheckService({ db, clock: () => now, mismatchesPerAccountPerDay: 100_000 })
  // Numbers never reach the PDF pipeline, so no verification service is needed here.
  const service = createBatchVerificationService({ db, verification: {} as VerificationService, nameChecks, clock: () => now, mismatchesPerAccountPerDay: 100_000 })
  const actor = { issuerId: committee.id, name: '广东省职称评审委员会', kind: 'verifier' as const, region: findRegion('440000')!, via: 'api-key' as const }
  const report = await service.verifyNumbers(actor, sent)
  t.same(report.summary.verdicts, expectedCounts)
  const distinct = new Set(rows.filter(r => r.expect !== 'malformed').map(r => r.number)).size
  t.equal(queries, Math.ceil(distinct / 1000), `${distinct} distinct numbers in ${queries} selects`)
})
