// A title-evaluation committee checks many certificates at once: JSON, Excel CSV, several PDFs; the report as JSON or CSV.
import t from 'tap'
import { parse } from 'csv-parse/sync'
import { inflateSync } from 'node:zlib'
import { PDFDict, PDFDocument, PDFName, PDFRawStream, PDFString } from 'pdf-lib'
import { pdfsReportHeader, rowsReportHeader } from '../../src/verification/batch-verification-csv.js'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { alteredToken } from './forged-tokens.js'

const now = new Date('2026-03-02T08:00:00Z')
const built = await build(t, { clock: () => now })
const { app, createIssuer } = built
const tianhe = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const committee = await createIssuer('verifier', '440000', '广东省高级工程师职称评审委员会')
const bearer = (key: string) => ({ authorization: `Bearer ${key}` })

interface Issued { number: string, jws: string, idNumber: string }
async function issue (serial: number, name: string): Promise<Issued> {
  const idNumber = makeIdNumber('440106', '19850312', serial)
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: bearer(tianhe.apiKey), payload: issueBody({ holder: { name, idNumber } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return { ...response.json() as Issued, idNumber }
}
const nana = await issue(1, '欧阳娜娜')
const aili = await issue(2, '买买提·艾力')
const wangwu = await issue(3, '王五')
const revoked = await issue(4, '赵小六')
const lisi = await issue(6, '李小四')
const revocation = await app.inject({ method: 'POST', url: `/v1/certificates/${revoked.number}/revoke`, headers: bearer(tianhe.apiKey), payload: { reason: '学时造假' } })
if (revocation.statusCode !== 200) throw new Error(revocation.body)
const idNumbers = [nana, aili, wangwu, revoked].map(c => c.idNumber)

const verifyBatch = (payload: unknown, headers: Record<string, string> = {}, url = '/v1/verify/batch', key = committee.apiKey) =>
  app.inject({ method: 'POST', url, headers: { ...bearer(key), ...headers }, payload: payload as string })
const fullWidth = (s: string) => s.replace(/[0-9]/g, d => String.fromCharCode(0xff10 + Number(d)))
/** A number cell of the CSV report, ="…" taken off. */
const unwrap = (cell: string) => /^="(.*)"$/.exec(cell)?.[1]?.replace(/""/g, '"') ?? cell

t.test('a committee sends a JSON list: every row gets its verdict and reason, the counts come first', async t => {
  const response = await verifyBatch({
    rows: [
      { number: nana.number, name: '欧阳娜娜' },
      { number: aili.number, name: '买买提•艾力' },
      { number: wangwu.number },
      { number: lisi.number, name: '李四' },
      { number: revoked.number, name: '赵小六' },
      { number: '44010625999999', name: '钱七' },
      { number: '4.40106E+13', name: '欧阳娜娜' },
      { number: ` ${nana.number}` },
      { number: fullWidth(nana.number) },
      { number: 44010625000001 },
      { number: nana.number, idNumber: nana.idNumber },
      'not a row',
      { number: '44999925000001' },
      { number: nana.number, name: '欧阳丽丽' },
    ],
  })
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body)
  t.equal(response.headers['cache-control'], 'private, no-store')
  const report = response.json()
  t.equal(Object.keys(report)[0], 'summary', 'the summary comes first')
  t.same(report.summary, { rows: 14, verdicts: { valid: 3, revoked: 1, 'not-found': 1, 'name-mismatch': 1, 'name-unchecked': 0, duplicate: 1, malformed: 7, 'invalid-signature': 0, altered: 0 } })
  t.equal(report.source, 'rows')
  t.equal(report.checkedAt, now.toISOString())
  t.same(report.rows.map((r: { verdict: string }) => r.verdict), [
    'valid', 'valid', 'valid', 'name-mismatch', 'revoked', 'not-found', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'duplicate',
  ])
  t.match(report.rows[0], { row: 1, number: nana.number, name: '欧阳娜娜', nameMatches: true, certificate: { number: nana.number, maskedName: '欧**娜', status: 'valid', year: 2025, region: { code: '440106', name: '广东省广州市天河区' }, issuer: { name: '广州市天河区人力资源和社会保障局' }, hours: { total: 76 } } })
  t.equal(report.rows[1].nameMatches, true, 'any middle dot matches, as in the single lookup')
  t.notOk('nameMatches' in report.rows[2], 'no name sent, none compared')
  t.match(report.rows[3], { nameMatches: false, certificate: { maskedName: '李*四' }, reasonZh: /与所填姓名不符/ })
  t.match(report.rows[4], { nameMatches: true, certificate: { status: 'revoked', revokedAt: now.toISOString() }, reason: /revoked on 2026-03-02/ })
  t.notOk('certificate' in report.rows[5])
  t.match(report.rows[6], { number: '4.40106E+13', reason: /scientific notation/, reasonZh: /科学计数法/ })
  t.match(report.rows[7], { reason: /spaces before/, reasonZh: /空格/ })
  t.match(report.rows[8], { reasonZh: /全角/ })
  t.match(report.rows[9], { number: '44010625000001', reason: /as text/ })
  t.match(report.rows[10], { reason: /idNumber/ })
  t.match(report.rows[11], { number: '', reason: /not an object/ })
  t.match(report.rows[12], { reason: /449999/, reasonZh: /行政区划代码/ })
  t.ok(report.rows.slice(6).every((r: object) => !('certificate' in r)), 'a malformed number is never matched to a certificate')
  t.notOk(response.body.includes(nana.idNumber), 'an ID number sent by mistake is not echoed')
  t.match(report.rows[13], { verdict: 'duplicate', reason: /already given in row 1/, reasonZh: /第 1 行/ })
  t.notOk('nameMatches' in report.rows[13] || 'certificate' in report.rows[13], 'a second name for a number is not compared, nor the certificate shown')
})

t.test('the report never shows an ID number or a registered full name', async t => {
  const response = await verifyBatch({ rows: [{ number: aili.number }, { number: revoked.number, name: '孙八' }, { number: wangwu.number }] })
  t.equal(response.statusCode, 200)
  for (const secret of [...idNumbers, '买买提·艾力', '赵小六', '王五']) t.notOk(response.body.includes(secret), `not in the report: ${secret}`)
  t.same(response.json().rows.map((r: { certificate: { maskedName: string } }) => r.certificate.maskedName), ['买****力', '赵*六', '王*'])
  const csv = await verifyBatch({ rows: [{ number: aili.number }, { number: revoked.number, name: '孙八' }] }, { accept: 'text/csv' })
  for (const secret of [...idNumbers, '买买提·艾力', '赵小六']) t.notOk(csv.body.includes(secret), `not in the CSV: ${secret}`)
})

t.test('a CSV saved by Excel (BOM, CRLF, Chinese header, quoted commas) is checked row by row, and spoilt numbers are malformed', async t => {
  const csv = '\ufeff证书编号,姓名\r\n' +
    `${nana.number},欧阳娜娜\r\n` +
    `"${wangwu.number}","王 五"\r\n` +
    `"${revoked.number}","赵""小""六, 又名"\r\n` +
    '"44,010,625,000,001",欧阳娜娜\r\n' +
    '4.40106E+13,买买提·艾力\r\n' +
    `${aili.number} ,买买提·艾力\r\n` +
    `${fullWidth(aili.number)},\r\n` +
    `${nana.number}.0,\r\n` +
    ',\r\n\r\n'
  const response = await verifyBatch(csv, { 'content-type': 'text/csv' })
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body)
  const rows = response.json().rows as Array<{ row: number, number: string, name?: string, verdict: string, reason: string, certificate?: object }>
  t.same(rows.map(r => [r.row, r.verdict]), [[1, 'valid'], [2, 'valid'], [3, 'name-mismatch'], [4, 'malformed'], [5, 'malformed'], [6, 'malformed'], [7, 'malformed'], [8, 'malformed']])
  t.equal(rows[1]!.name, '王 五', 'the name as sent; spaces do not matter to the comparison')
  t.equal(rows[2]!.name, '赵"小"六, 又名', 'quoted commas and quotes read as Excel wrote them')
  t.match(rows[3]!.reason, /thousands separators/)
  t.match(rows[4]!.reason, /scientific notation/)
  t.match(rows[5]!.reason, /spaces after/)
  t.match(rows[6]!.reason, /full-width/)
  t.match(rows[7]!.reason, /decimals/)
  t.ok(rows.slice(3).every(r => r.certificate === undefined), 'no spoilt number matched a certificate')

  const plain = await verifyBatch(`Number,NAME\n${nana.number},欧阳娜娜\n`, { 'content-type': 'text/csv; charset=utf-8' })
  t.equal(plain.statusCode, 200, 'no BOM, LF, English header in any case')
  t.equal(plain.json().rows[0].verdict, 'valid')
  const numbersOnly = await verifyBatch(`number\r\n${nana.number}\r\n`, { 'content-type': 'text/csv' })
  t.equal(numbersOnly.json().rows[0].verdict, 'valid', 'the name column is optional')
})

t.test('a CSV that cannot be read is refused as a whole with MALFORMED_CSV', async t => {
  const neither = Buffer.from([...Buffer.from(`number,name\r\n${nana.number},`), 0xff, 0xfe, 0xff, 0x0d, 0x0a]) // neither UTF-8 nor GB18030
  const cases: Array<[string, string | Buffer]> = [
    ['bytes that are neither UTF-8 nor GB18030', neither],
    ['an unknown column', `number,name,idNumber\r\n${nana.number},欧阳娜娜,${nana.idNumber}\r\n`],
    ['no number column', '姓名\r\n欧阳娜娜\r\n'],
    ['an unclosed quote', `number,name\r\n"${nana.number},欧阳娜娜\r\n`],
    ['nothing at all', ''],
  ]
  for (const [name, body] of cases) {
    const response = await verifyBatch(body, { 'content-type': 'text/csv' })
    t.equal(response.statusCode, 400, name)
    t.equal(response.json().code, 'MALFORMED_CSV', name)
  }
  const headerOnly = await verifyBatch('number,name\r\n', { 'content-type': 'text/csv' })
  t.equal(headerOnly.statusCode, 400)
  t.equal(headerOnly.json().code, 'VALIDATION_FAILED', 'a header and no rows')
})

t.test('with Accept: text/csv or ?format=csv the report is a CSV Excel opens: BOM, CRLF, counts first, numbers kept as text', async t => {
  const rows = [{ number: nana.number, name: '欧阳娜娜' }, { number: revoked.number }, { number: '4.40106E+13' }, { number: '=HYPERLINK("http://evil.example","点我")', name: '=1+2' }]
  for (const [how, headers, url] of [['Accept', { accept: 'text/csv' }, '/v1/verify/batch'], ['?format=csv', {}, '/v1/verify/batch?format=csv']] as const) {
    const response = await verifyBatch({ rows }, headers, url)
    t.equal(response.statusCode, 200, how)
    t.match(response.headers['content-type'], /^text\/csv; charset=utf-8/, how)
    t.match(response.headers['content-disposition'], /attachment; filename="verification-report\.csv"/)
    t.same([...response.rawPayload.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM first')
    t.ok(response.body.includes('\r\n') && !/[^\r]\n/.test(response.body), 'every line ends with CRLF')
    const lines = parse(response.rawPayload, { bom: true, relax_column_count: true }) as string[][]
    t.same(lines[0], ['核验时间', '共计', '有效', '已撤销', '未找到', '姓名不符', '姓名未核对', '重复', '格式错误', '签名无效', '伪造或被篡改'])
    t.same(lines[1], ['2026-03-02 16:00:00', '4', '1', '1', '0', '0', '0', '0', '2', '0', '0'], 'the counts, at China time')
    t.same(lines[2], [''], 'an empty line before the table')
    t.same(lines[3], rowsReportHeader)
    const table = lines.slice(4)
    t.same(table.map(r => r[1]), [`="${nana.number}"`, `="${revoked.number}"`, '="4.40106E+13"', '="=HYPERLINK(""http://evil.example"",""点我"")"'], 'numbers as ="…" text')
    t.same(table.map(r => unwrap(r[1]!)), rows.map(r => r.number), 'and read back to exactly what was sent')
    t.same(table.map(r => r[3]), ['有效', '已撤销', '格式错误', '格式错误'])
    t.same(table[0], ['1', `="${nana.number}"`, '欧阳娜娜', '有效', '有效：发放名册中有该证书，未被撤销，姓名一致。', '欧**娜', '是', '有效', '2025', '广东省广州市天河区', '广州市天河区人力资源和社会保障局', '2026-03-02', '', '76'])
    t.same(table[1]!.slice(5, 8), ['赵*六', '', '已撤销'])
    t.equal(table[1]![12], '2026-03-02', 'the revocation date')
    t.equal(table[3]![2], "'=1+2", 'a name that Excel would run is kept as text')
  }
  const json = await verifyBatch({ rows }, { accept: 'text/csv' }, '/v1/verify/batch?format=json')
  t.match(json.headers['content-type'], /^application\/json/, '?format=json wins over Accept')
})

/** A multipart/form-data body of files (or, with no filename, plain fields). */
function multipart (parts: Array<{ field?: string, filename?: string, type?: string, content: Buffer | string }>) {
  const boundary = '----ce-batch-verification'
  const chunks = parts.flatMap(p => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.field ?? 'files'}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}\r\n` +
      `${p.filename === undefined ? '' : `Content-Type: ${p.type ?? 'application/pdf'}\r\n`}\r\n`),
    Buffer.from(p.content),
    Buffer.from('\r\n'),
  ])
  return { payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}
const downloadPdf = async (number: string) => {
  const response = await app.inject({ url: `/v1/certificates/${number}/pdf`, headers: bearer(tianhe.apiKey) })
  if (response.statusCode !== 200) throw new Error(response.body)
  return response.rawPayload
}

/** The PDF with its signed token (attachment and document information) replaced by `jws`. */
async function withToken (pdf: Buffer, original: string, jws: string): Promise<Buffer> {
  const doc = await PDFDocument.load(pdf)
  for (const [ref, object] of doc.context.enumerateIndirectObjects()) {
    if (object instanceof PDFRawStream && object.dict.get(PDFName.of('Type')) === PDFName.of('EmbeddedFile')) {
      const content = object.dict.get(PDFName.of('Filter')) === undefined ? object.contents : inflateSync(object.contents)
      if (Buffer.from(content).toString('utf8') === original) doc.context.assign(ref, doc.context.flateStream(jws, { Type: 'EmbeddedFile', Subtype: 'application/jose' }))
    }
  }
  const info = doc.context.lookup(doc.context.trailerInfo.Info) as PDFDict
  info.set(PDFName.of('CertificateJWS'), PDFString.of(jws))
  return Buffer.from(await doc.save())
}

t.test('several PDFs in one multipart request: genuine, revoked, not a PDF, tampered token, too large, missing from the register — each its own verdict', async t => {
  const genuine = await downloadPdf(nana.number)
  const tampered = await withToken(await downloadPdf(aili.number), aili.jws, alteredToken(aili.jws, { nam: '李四' }))
  // Signed by this service, then gone from the register (as after restoring an old backup).
  const lost = await issue(5, '孙九')
  const lostPdf = await downloadPdf(lost.number)
  await built.database.db.deleteFrom('certificates').where('number', '=', lost.number).execute()
  const { payload, headers } = multipart([
    { filename: '欧阳娜娜.pdf', content: genuine },
    { filename: 'revoked.pdf', content: await downloadPdf(revoked.number) },
    { filename: 'photo.jpg', type: 'image/jpeg', content: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) },
    { filename: 'tampered.pdf', content: tampered },
    { filename: 'huge.pdf', content: Buffer.concat([genuine, Buffer.alloc(5 * 1024 * 1024)]) },
    { filename: 'lost.pdf', content: lostPdf },
  ])
  const response = await verifyBatch(payload, headers)
  t.equal(response.statusCode, 200, response.statusCode === 200 ? 'answered' : response.body)
  const report = response.json()
  t.equal(report.source, 'pdfs')
  t.same(report.summary, { rows: 6, verdicts: { valid: 1, revoked: 1, 'not-found': 1, 'name-mismatch': 0, 'name-unchecked': 0, duplicate: 0, malformed: 2, 'invalid-signature': 0, altered: 1 } })
  t.match(report.rows, [
    { row: 1, file: '欧阳娜娜.pdf', number: nana.number, verdict: 'valid', certificate: { maskedName: '欧**娜', holderName: '欧阳娜娜', status: 'valid' } },
    { row: 2, file: 'revoked.pdf', number: revoked.number, verdict: 'revoked', certificate: { status: 'revoked', revokedAt: now.toISOString() } },
    { row: 3, file: 'photo.jpg', verdict: 'malformed', code: 'INVALID_PDF' },
    { row: 4, file: 'tampered.pdf', verdict: 'altered', code: 'PDF_ALTERED' },
    { row: 5, file: 'huge.pdf', verdict: 'malformed', code: 'PAYLOAD_TOO_LARGE' },
    { row: 6, file: 'lost.pdf', number: lost.number, verdict: 'not-found', reason: /signed by this service, but the issuance register has no certificate/ },
  ])
  t.notOk('number' in report.rows[3], 'no number is shown from a token that fails its signature')
  t.equal(report.rows[1].certificate.holderName, '赵小六', 'a PDF shows the full name it carries, to compare with the application')
  for (const secret of ['买买提·艾力', '李四', '孙九', ...idNumbers]) t.notOk(response.body.includes(secret), `not in the report: ${secret}`)

  const csv = await verifyBatch(multipart([{ filename: 'a.pdf', content: genuine }]).payload, { ...headers, accept: 'text/csv' })
  t.equal(csv.statusCode, 200)
  const lines = parse(csv.rawPayload, { bom: true, relax_column_count: true }) as string[][]
  t.same(lines[3], pdfsReportHeader)
  t.same(lines[4]!.slice(0, 4), ['1', 'a.pdf', `="${nana.number}"`, '有效'])
})

t.test('a multipart request is refused as a whole for too many files, a form field, or no file', async t => {
  const tooMany = multipart(Array.from({ length: 51 }, (_, i) => ({ filename: `${i}.pdf`, content: 'not a pdf' })))
  const many = await verifyBatch(tooMany.payload, tooMany.headers)
  t.equal(many.statusCode, 413)
  t.equal(many.json().code, 'PAYLOAD_TOO_LARGE')
  const field = multipart([{ field: 'name', content: '张三' }])
  const withField = await verifyBatch(field.payload, field.headers)
  t.equal(withField.statusCode, 400)
  t.equal(withField.json().code, 'VALIDATION_FAILED')
  const empty = multipart([])
  const none = await verifyBatch(empty.payload, empty.headers)
  t.equal(none.statusCode, 400)
  t.equal(none.json().code, 'VALIDATION_FAILED')
  const broken = await verifyBatch('--nope\r\ngarbage', { 'content-type': 'multipart/form-data; boundary=nope' })
  t.equal(broken.statusCode, 400)
  t.equal(broken.json().code, 'VALIDATION_FAILED')
})

t.test('committees and authorities may verify in bulk; employers and anonymous callers may not', async t => {
  const rows = { rows: [{ number: nana.number }] }
  t.equal((await verifyBatch(rows)).statusCode, 200, 'a committee (verifier)')
  const province = await createIssuer('authority', '440000', '广东省人力资源和社会保障厅')
  t.equal((await verifyBatch(rows, {}, '/v1/verify/batch', province.apiKey)).statusCode, 200, 'an authority')
  const yuexiu = await createIssuer('authority', '440104')
  t.equal((await verifyBatch(rows, {}, '/v1/verify/batch', yuexiu.apiKey)).json().rows[0].verdict, 'valid', 'outside its own area too: verification is not scoped')
  const employer = await createIssuer('employer', '440106', '广州天河软件科技有限公司')
  const refused = await verifyBatch(rows, {}, '/v1/verify/batch', employer.apiKey)
  t.equal(refused.statusCode, 403)
  t.equal(refused.json().code, 'FORBIDDEN_ROLE')
  const anonymous = await app.inject({ method: 'POST', url: '/v1/verify/batch', payload: rows })
  t.equal(anonymous.statusCode, 401)
  t.equal(anonymous.json().code, 'AUTHENTICATION_REQUIRED')
  const anonymousCsv = await app.inject({ method: 'POST', url: '/v1/verify/batch', headers: { 'content-type': 'text/csv' }, payload: `number\r\n${nana.number}\r\n` })
  t.equal(anonymousCsv.json().code, 'AUTHENTICATION_REQUIRED')
  const wrongKey = await verifyBatch(rows, {}, '/v1/verify/batch', 'cek_not-a-real-key')
  t.equal(wrongKey.statusCode, 401)
  t.equal(wrongKey.json().code, 'INVALID_API_KEY')
})

t.test('a batch has 1 to 10,000 rows, within the body limit, in a known format', async t => {
  const row = { number: nana.number }
  const cases: Array<[string, unknown, Record<string, string>, number, string]> = [
    ['10,001 JSON rows', { rows: Array.from({ length: 10_001 }, () => row) }, {}, 400, 'VALIDATION_FAILED'],
    ['10,001 CSV rows', `number\r\n${`${nana.number}\r\n`.repeat(10_001)}`, { 'content-type': 'text/csv' }, 400, 'VALIDATION_FAILED'],
    ['no rows', { rows: [] }, {}, 400, 'VALIDATION_FAILED'],
    ['another field', { rows: [row], year: 2025 }, {}, 400, 'VALIDATION_FAILED'],
    ['more than 4 MB', { rows: [{ number: nana.number, name: 'x'.repeat(5 * 1024 * 1024) }] }, {}, 413, 'PAYLOAD_TOO_LARGE'],
    ['broken JSON', '{"rows": [', { 'content-type': 'application/json' }, 400, 'MALFORMED_JSON'],
    ['plain text', nana.number, { 'content-type': 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['an unknown format', { rows: [row] }, {}, 400, 'VALIDATION_FAILED'],
  ]
  for (const [name, payload, headers, status, code] of cases) {
    const response = await verifyBatch(payload, headers, name === 'an unknown format' ? '/v1/verify/batch?format=xml' : '/v1/verify/batch')
    t.equal(response.statusCode, status, name)
    t.equal(response.json().code, code, name)
  }
  const exactly = await verifyBatch({ rows: Array.from({ length: 10_000 }, () => row) })
  t.equal(exactly.statusCode, 200, '10,000 rows are accepted')
  t.match(exactly.json().summary.verdicts, { valid: 1, duplicate: 9_999 }, 'one number sent 10,000 times is checked once')
})

t.test('the body limit holds for multipart too: PDFs of more than 32 MB together are refused', async t => {
  const genuine = await downloadPdf(nana.number)
  const padded = Buffer.concat([genuine, Buffer.alloc(4 * 1024 * 1024)])
  const many = multipart(Array.from({ length: 9 }, (_, i) => ({ filename: `${i}.pdf`, content: padded })))
  const response = await verifyBatch(many.payload, many.headers)
  t.equal(response.statusCode, 413)
  t.equal(response.json().code, 'PAYLOAD_TOO_LARGE')
  t.match(response.json().messageZh, /合计不得超过 32 MB/)
})
