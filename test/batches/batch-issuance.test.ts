import { execFileSync } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import t from 'tap'
import { build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'

// One app for the file (the machine is small); each test has its own issuers and holders.
const built = await build(t)
const { app } = built
let serial = 0
/** A holder no other row of this file uses. */
const nextId = () => { serial++; return makeIdNumber('440106', `1980${String(1 + Math.floor(serial / 900)).padStart(2, '0')}15`, serial % 900) }
const row = (overrides: Record<string, unknown> = {}) => issueBody({ holder: { name: '张三', idNumber: nextId() }, ...overrides })
const auth = (apiKey: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${apiKey}`, ...extra })
const postBatch = (apiKey: string, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: auth(apiKey, headers), payload: payload as string })
const lastNumber = async (county: string) =>
  (await built.database.db.selectFrom('number_sequences').select('last_value').where('region_code', '=', county).executeTakeFirst())?.last_value ?? 0

t.test('a CSV saved by Excel (BOM, CRLF, quoted commas and quotes, Chinese headers, trailing empty rows) is issued row by row', async t => {
  const liwan = await built.createIssuer('authority', '440103')
  const [a, b, c] = [nextId(), nextId(), nextId()]
  const csv = '\ufeff姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目,自学,专业系列\r\n' +
    `张三,${a},"广州某某有限公司, 荔湾分公司",2025,20,44,12,,\r\n` +
    `李四,${b},"广州""新星""设计院",2025,18,42,12,,\r\n` +
    `王五,${c},广州某某有限公司,abc,20,44,12,,\r\n` +
    ',,,,,,,,\r\n\r\n'
  const response = await postBatch(liwan.apiKey, csv, { 'content-type': 'text/csv' })
  t.equal(response.statusCode, 201, response.body)
  const report = response.json()
  t.same(report.summary, { rows: 3, issued: 2, rejected: 1, rejectedByCode: { VALIDATION_FAILED: 1 } })
  t.match(report.rows, [{ row: 1, status: 'issued', number: '44010325000001' }, { row: 2, status: 'issued', number: '44010325000002' }, { row: 3, status: 'rejected', errors: [{ code: 'VALIDATION_FAILED', details: [{ field: 'year' }] }] }])
  const register = await app.inject({ url: '/v1/registers/440103/2025', headers: auth(liwan.apiKey) })
  t.same(register.json().entries.map((e: { employerName: string }) => e.employerName), ['广州某某有限公司, 荔湾分公司', '广州"新星"设计院'])
})

t.test('a CSV without BOM, with LF line ends and English headers in any case, works the same', async t => {
  const yuexiu = await built.createIssuer('authority', '440104')
  const csv = `Name,ID Number,employer,YEAR,public,professional,elective\n赵六,${nextId()},某单位,2025,20,44,12\n`
  const response = await postBatch(yuexiu.apiKey, csv, { 'content-type': 'text/csv; charset=utf-8' })
  t.equal(response.statusCode, 201, response.body)
  t.equal(response.json().rows[0].number, '44010425000001')
})

t.test('a CSV that cannot be read is refused as a whole and issues nothing', async t => {
  const haizhu = await built.createIssuer('authority', '440105')
  const header = 'name,idNumber,employer,year,public,professional,elective\r\n'
  const neither = Buffer.from([...Buffer.from(header), 0xff, 0xfe, 0xff, 0x2c, 0x31, 0x0d, 0x0a]) // neither UTF-8 nor GB18030
  const cases: Array<[string, string | Buffer, string]> = [
    ['bytes that are neither UTF-8 nor GB18030', neither, 'MALFORMED_CSV'],
    ['an unknown column', `name,idNumber,employer,year,public,professional,elective,salary\r\n张三,${nextId()},某单位,2025,20,44,12,9000\r\n`, 'MALFORMED_CSV'],
    ['a missing column', `name,idNumber,employer,year,public,professional\r\n张三,${nextId()},某单位,2025,20,44\r\n`, 'MALFORMED_CSV'],
    ['an unclosed quote', `${header}张三,${nextId()},"某单位,2025,20,44,12\r\n`, 'MALFORMED_CSV'],
    ['a header and no rows', header, 'VALIDATION_FAILED'],
    ['nothing at all', '', 'MALFORMED_CSV'],
  ]
  for (const [name, body, code] of cases) {
    const response = await postBatch(haizhu.apiKey, body, { 'content-type': 'text/csv' })
    t.equal(response.statusCode, 400, name)
    t.equal(response.json().code, code, name)
  }
  t.equal(await lastNumber('440105'), 0, 'no number taken')
})

t.test('a batch has 1 to 10,000 rows', async t => {
  const panyu = await built.createIssuer('authority', '440113')
  for (const certificates of [[], Array.from({ length: 10_001 }, () => ({}))]) {
    const response = await postBatch(panyu.apiKey, { certificates })
    t.equal(response.statusCode, 400)
    t.equal(response.json().code, 'VALIDATION_FAILED')
  }
  const notJson = await postBatch(panyu.apiKey, '<xml/>', { 'content-type': 'application/xml' })
  t.equal(notJson.statusCode, 415)
  t.equal(notJson.json().code, 'UNSUPPORTED_MEDIA_TYPE')
})

t.test('a retried batch with its Idempotency-Key gets the first report back and issues nothing twice', async t => {
  const tianhe = await built.createIssuer('authority', '440106')
  const certificates = [row(), row(), row({ year: 1999 })]
  const first = await postBatch(tianhe.apiKey, { certificates }, { 'idempotency-key': 'year-end-2025' })
  t.equal(first.statusCode, 201)
  const retry = await postBatch(tianhe.apiKey, { certificates }, { 'idempotency-key': 'year-end-2025' })
  t.equal(retry.statusCode, 201)
  t.equal(retry.headers['idempotent-replayed'], 'true')
  t.equal(retry.body, first.body, 'the same report')
  t.equal(retry.headers.location, first.headers.location)
  t.equal(await lastNumber('440106'), 2, 'two numbers, taken once')
  const changed = await postBatch(tianhe.apiKey, { certificates: certificates.slice(0, 2) }, { 'idempotency-key': 'year-end-2025' })
  t.equal(changed.statusCode, 422)
  t.equal(changed.json().code, 'IDEMPOTENCY_KEY_REUSED')

  const burst = { certificates: [row(), row()] }
  const again = await Promise.all([1, 2, 3].map(() => postBatch(tianhe.apiKey, burst, { 'idempotency-key': 'burst' })))
  t.equal(again.filter(r => r.statusCode === 201 && r.headers['idempotent-replayed'] === undefined).length, 1, 'concurrent duplicates: one runs')
  t.ok(again.every(r => r.statusCode === 201 || r.json().code === 'IDEMPOTENCY_IN_PROGRESS'))
  t.equal(await lastNumber('440106'), 4)
})

t.test('a resubmitted file without a key: holders already certified are reported, not issued twice', async t => {
  const baiyun = await built.createIssuer('authority', '440111')
  const certificates = [row(), row()]
  await postBatch(baiyun.apiKey, { certificates })
  const second = await postBatch(baiyun.apiKey, { certificates: [...certificates, row()] })
  t.match(second.json().summary, { issued: 1, rejectedByCode: { CERTIFICATE_EXISTS: 2 } })
  t.match(second.json().rows[0].errors[0], { code: 'CERTIFICATE_EXISTS', details: { existingNumber: '44011125000001' } })
  t.equal(second.json().rows[2].number, '44011125000003')
})

t.test('who may issue a batch: employers in their own county only, never verifiers or anonymous callers', async t => {
  const employer = await built.createIssuer('employer', '440112', '广州黄埔某研究院')
  const response = await postBatch(employer.apiKey, { certificates: [row(), row({ regionCode: '440103' })] })
  t.equal(response.statusCode, 201)
  t.match(response.json().rows, [{ status: 'issued', number: '44011225000001' }, { status: 'rejected', errors: [{ code: 'OUT_OF_SCOPE' }] }])
  const committee = await built.createIssuer('verifier', '440000', '广东省工程系列职称评审委员会')
  const refused = await postBatch(committee.apiKey, { certificates: [row()] })
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'FORBIDDEN_ROLE')
  const anonymous = await app.inject({ method: 'POST', url: '/v1/certificates/batch', payload: { certificates: [row()] } })
  t.equal(anonymous.statusCode, 401)
  t.equal(await lastNumber('440112'), 1)

  const other = await built.createIssuer('employer', '440112', '另一家单位')
  const foreign = await app.inject({ url: response.headers.location as string, headers: auth(other.apiKey) })
  t.equal(foreign.statusCode, 403)
  t.equal(foreign.json().code, 'OUT_OF_SCOPE')
  const missing = await app.inject({ url: '/v1/batches/999999', headers: auth(other.apiKey) })
  t.equal(missing.json().code, 'BATCH_NOT_FOUND')
})

t.test('the batch ZIP holds one PDF per certificate, named <number>-<姓名>.pdf', async t => {
  const nansha = await built.createIssuer('authority', '440115', '广州市南沙区人力资源和社会保障局')
  const report = (await postBatch(nansha.apiKey, { certificates: [row(), row({ holder: { name: '欧阳娜娜', idNumber: nextId() } }), row({ hours: {} })] })).json()
  const zip = await app.inject({ url: report.links.pdfs, headers: auth(nansha.apiKey) })
  t.equal(zip.statusCode, 200)
  t.equal(zip.headers['content-type'], 'application/zip')
  const dir = await temporaryDirectory(t)
  const file = path.join(dir, 'batch.zip')
  await writeFile(file, zip.rawPayload)
  t.same(execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n'), ['44011525000001-张三.pdf', '44011525000002-欧阳娜娜.pdf'])
  execFileSync('unzip', ['-q', file, '-d', dir])
  const text = execFileSync('pdftotext', [path.join(dir, '44011525000002-欧阳娜娜.pdf'), '-'], { encoding: 'utf8' })
  t.match(text, /44011525000002/)
  t.match(text, /欧阳娜娜/)
})
