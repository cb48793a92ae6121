// The heavy one: a batch of 10,000 mixed rows, then the city's register read back from it. Run once per database.
import t from 'tap'
import { parse } from 'csv-parse/sync'
import { registerCsvHeader } from '../../src/reports/register-csv.js'
import { build, issueBody, makeIdNumber } from '../helper.js'

const counties = ['440103', '440104', '440106']
const names = ['张三', '李四', '王五', '欧阳娜娜', '买买提·艾力', '赵六']
const birth = (k: number) => new Date(Date.UTC(1970, 0, 1) + Math.floor(k / 1000) * 40 * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '')
const idOf = (k: number) => makeIdNumber('440106', birth(k), k % 1000)
const brokenCheckDigit = (id: string) => id.slice(0, 17) + (id.endsWith('0') ? '1' : '0')
const preIssued = (k: number) => k % 20 === 5 && k < 200

/** Row k of the batch and what must become of it: 'issued' or the error code. */
function rowOf (k: number): { body: Record<string, unknown>, expect: string } {
  const body = issueBody({ holder: { name: names[k % names.length], idNumber: idOf(k) }, employer: { name: '广州某某科技有限公司' }, regionCode: counties[k % 3] })
  switch (k % 20) {
    case 3: return { body: { ...body, holder: { name: '张三', idNumber: brokenCheckDigit(idOf(k)) } }, expect: 'INVALID_ID_NUMBER' }
    case 7: return { body: { ...body, hours: { public: 20, professional: 10, elective: 12 } }, expect: 'HOURS_REQUIREMENT_NOT_MET' }
    case 11: return { body: { ...body, hours: { public: 'many', professional: 44, elective: 12 } }, expect: 'VALIDATION_FAILED' }
    case 13: return { body: { ...body, regionCode: '440199' }, expect: 'UNKNOWN_REGION' }
    case 17: return { body: { ...body, regionCode: '440304' }, expect: 'OUT_OF_SCOPE' }
    case 18: return { body, expect: 'DUPLICATE_IN_BATCH' }
    case 19: return { body: { ...body, holder: { name: '王五', idNumber: idOf(k - 1) } }, expect: 'DUPLICATE_IN_BATCH' }
    default: return { body, expect: preIssued(k) ? 'CERTIFICATE_EXISTS' : 'issued' }
  }
}

const built = await build(t)
const guangzhou = await built.createIssuer('authority', '440100', '广州市人力资源和社会保障局')
const auth = { authorization: `Bearer ${guangzhou.apiKey}` }
const rows = Array.from({ length: 10_000 }, (_, k) => rowOf(k))
const nameOfNumber = new Map<string, string>()

t.test('a batch of 10,000 rows: bad rows are reported with their codes and not issued; each county gets 000001… without a hole', async t => {
  for (let k = 0; k < 200; k++) {
    if (!preIssued(k)) continue
    const single = await built.app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody({ holder: { name: '先发证', idNumber: idOf(k) }, employer: { name: '广州某某科技有限公司' }, regionCode: '440105' }) })
    t.equal(single.statusCode, 201, single.body)
    nameOfNumber.set(single.json().number, '先发证')
  }

  const started = Date.now()
  const response = await built.app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: auth, payload: { certificates: rows.map(r => r.body) } })
  t.comment(`10,000-row batch answered in ${Date.now() - started} ms (${built.database.engine})`)
  t.equal(response.statusCode, 201, response.body.slice(0, 500))
  const report = response.json()
  t.equal(Object.keys(report)[0], 'summary', 'the summary comes first')

  const expectedByCode: Record<string, number> = {}
  for (const r of rows) if (r.expect !== 'issued') expectedByCode[r.expect] = (expectedByCode[r.expect] ?? 0) + 1
  const issuedCount = rows.filter(r => r.expect === 'issued').length
  t.same(report.summary, { rows: 10_000, issued: issuedCount, rejected: 10_000 - issuedCount, rejectedByCode: expectedByCode })

  const byCounty = new Map<string, string[]>(counties.map(c => [c, []]))
  let mismatches = 0
  report.rows.forEach((row: { row: number, status: string, number?: string, errors?: Array<{ code: string }> }, k: number) => {
    const expected = rows[k]!.expect
    const got = row.status === 'issued' ? 'issued' : row.errors![0]!.code
    if (row.row !== k + 1 || got !== expected) mismatches++
    if (row.status === 'issued') {
      byCounty.get(row.number!.slice(0, 6))!.push(row.number!)
      nameOfNumber.set(row.number!, (rows[k]!.body.holder as { name: string }).name)
    }
  })
  t.equal(mismatches, 0, 'every row has the expected outcome, in order')

  for (const [county, numbers] of byCounty) {
    const expected = numbers.map((_, i) => `${county}25${String(i + 1).padStart(6, '0')}`)
    t.same(numbers, expected, `${county}: 000001…${String(numbers.length).padStart(6, '0')} in row order`)
    t.match(report.ranges.find((r: { regionCode: string }) => r.regionCode === county), { first: expected[0], last: expected.at(-1), count: numbers.length })
    const sequence = await built.database.db.selectFrom('number_sequences').select('last_value').where('region_code', '=', county).where('year', '=', 2025).executeTakeFirstOrThrow()
    t.equal(sequence.last_value, numbers.length, `${county}: no number taken for a rejected row`)
  }
  const stored = await built.database.db.selectFrom('certificates').select(eb => eb.fn.countAll<number>().as('n')).where('batch_id', '=', report.batchId).executeTakeFirstOrThrow()
  t.equal(Number(stored.n), issuedCount, 'exactly the issued rows are stored, all with the batch id')

  const batch = await built.app.inject({ url: `/v1/batches/${report.batchId as number}`, headers: auth })
  t.equal(batch.statusCode, 200)
  t.same(batch.json().summary, { rows: 10_000, issued: issuedCount, rejected: 10_000 - issuedCount })
  t.equal(batch.json().certificates.length, issuedCount)
})

t.test('the city\'s register as CSV reads back (csv-parse) to exactly the certificates issued, and JSON pages agree', async t => {
  const csv = await built.app.inject({ url: '/v1/registers/440100/2025?format=csv', headers: auth })
  t.equal(csv.statusCode, 200)
  t.match(csv.headers['content-type'], /^text\/csv; charset=utf-8/)
  t.same([...csv.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM first')
  t.ok(csv.body.includes('\r\n') && !/[^\r]\n/.test(csv.body), 'every line ends with CRLF')
  const [header, ...excelRecords] = parse(csv.rawPayload, { bom: true }) as string[][]
  t.same(header, registerCsvHeader)
  // Numbers come as ="…" so Excel keeps all 14 digits.
  const records = excelRecords.map(([number, ...rest]) => [number!.replace(/^="(\d{14})"$/, '$1'), ...rest])
  t.equal(records.length, nameOfNumber.size)
  const numbers = records.map(r => r[0]!)
  t.same(numbers, [...numbers].sort(), 'in number order')
  t.same(new Set(numbers), new Set(nameOfNumber.keys()))
  t.equal(records.filter(r => r[1] !== nameOfNumber.get(r[0]!)).length, 0, 'each number with its holder\'s full name')
  t.ok(records.every(r => r[2] === '广州某某科技有限公司' && r[4] === '有效' && r[10] === '76'))
  t.notOk(csv.body.includes(idOf(0)), 'no ID number')

  const paged: string[] = []
  let after: string | null = null
  for (let pages = 0; pages < 20; pages++) {
    const response = await built.app.inject({ url: `/v1/registers/440100/2025?limit=1000${after === null ? '' : `&after=${after}`}`, headers: auth })
    t.equal(response.statusCode, 200)
    const page = response.json() as { entries: Array<{ number: string }>, nextAfter: string | null }
    paged.push(...page.entries.map(e => e.number))
    after = page.nextAfter
    if (after === null) break
  }
  t.same(paged, numbers, 'paging by cursor gives the same register')
})
