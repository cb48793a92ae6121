// Batches as offices send them: GBK CSV, "Unicode 文本", .xlsx from WPS; Excel's damage explained row by row; dry runs; nothing issued; every row kept.
import t from 'tap'
import iconv from 'iconv-lite'
import ExcelJS from 'exceljs'
import { idCheckCharacter } from '../../src/certificates/id-number.js'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { snapshotDatabase } from '../fixtures/database-snapshot.js'
import { officeWorkbook, readWorkbook, xlsxType } from '../fixtures/spreadsheet-files.js'

const built = await build(t)
const { app } = built
let serial = 0
/** A holder no other row of this file uses. */
const nextId = () => { serial++; return makeIdNumber('440106', `1981${String(1 + Math.floor(serial / 900)).padStart(2, '0')}15`, serial % 900) }
const auth = (apiKey: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${apiKey}`, ...extra })
const postBatch = (apiKey: string, payload: string | Buffer | object, contentType?: string, url = '/v1/certificates/batch', extra: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url, headers: auth(apiKey, { ...(contentType === undefined ? {} : { 'content-type': contentType }), ...extra }), payload: payload as string })
const lastNumber = async (county: string) =>
  (await built.database.db.selectFrom('number_sequences').select('last_value').where('region_code', '=', county).executeTakeFirst())?.last_value ?? 0
const header = '序号,姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目,备注'
/** An ID number as Excel leaves it after keeping 15 significant digits: the last three 0, the check digit wrong. */
function truncatedId (): string {
  for (;;) {
    const id = `${nextId().slice(0, 15)}000`
    if (idCheckCharacter(id) !== '0') return id
  }
}
const csvLine = (n: number, name: string, id: string) => `${n},${name},${id},广州某某有限公司,2025,20,44,12,`

t.test('a CSV from Excel on Chinese Windows (GBK, a title row, 序号) is issued; the spoilt ID numbers are each row\'s error, in Chinese', async t => {
  const liwan = await built.createIssuer('authority', '440103')
  const good = [nextId(), nextId()]
  const text = [
    '2025年度专业技术人员继续教育证书发放名册,,,,,,,,',
    header,
    csvLine(1, '张三', good[0]!),
    csvLine(2, '李四', '4.40106E+17'),
    csvLine(3, '王五', truncatedId()),
    csvLine(4, '赵六', ` ${nextId()}`),
    csvLine(5, '钱七', nextId().replace(/[0-9]/g, d => String.fromCharCode(0xff10 + Number(d)))),
    csvLine(6, '𠮷田', good[1]!),
  ].join('\r\n') + '\r\n'
  const response = await postBatch(liwan.apiKey, iconv.encode(text, 'gb18030'), 'text/csv')
  t.equal(response.statusCode, 201, response.body.slice(0, 300))
  const report = response.json()
  t.same(report.summary, { rows: 6, issued: 2, rejected: 4, rejectedByCode: { INVALID_ID_NUMBER: 4 } })
  t.match(report.rows, [
    { row: 1, sheetRow: 3, holderName: '张三', status: 'issued', number: '44010325000001' },
    { row: 2, sheetRow: 4, holderName: '李四', status: 'rejected', errors: [{ code: 'INVALID_ID_NUMBER', messageZh: /^第 4 行“身份证号”列：身份证号被 Excel 转成了科学计数法.*请将该列设置为“文本”格式/, details: { sheetRow: 4, column: '身份证号', field: 'holder.idNumber' } }] },
    { sheetRow: 5, errors: [{ code: 'INVALID_ID_NUMBER', messageZh: /^第 5 行“身份证号”列：身份证号末 3 位是 000 且校验码不符/ }] },
    { sheetRow: 6, errors: [{ code: 'INVALID_ID_NUMBER', messageZh: /身份证号前有空格/ }] },
    { sheetRow: 7, errors: [{ code: 'INVALID_ID_NUMBER', messageZh: /全角/ }] },
    { sheetRow: 8, holderName: '𠮷田', status: 'issued', number: '44010325000002' },
  ])
  for (const id of good) t.notOk(response.body.includes(id), 'no ID number in the report')
})

t.test('"Unicode 文本" (UTF-16LE with BOM, tab-separated) and a CSV sent as application/vnd.ms-excel are read by their bytes', async t => {
  const yuexiu = await built.createIssuer('authority', '440104')
  const unicodeText = iconv.encode(`${header.replace(/,/g, '\t')}\r\n${csvLine(1, '张三', nextId()).replace(/,/g, '\t')}\r\n`, 'utf16le', { addBOM: true })
  const first = await postBatch(yuexiu.apiKey, unicodeText, 'text/tab-separated-values')
  t.equal(first.statusCode, 201, first.body.slice(0, 300))
  t.equal(first.json().rows[0].number, '44010425000001')
  const windows = await postBatch(yuexiu.apiKey, `\ufeff${header}\r\n${csvLine(1, '李四', nextId())}\r\n`, 'application/vnd.ms-excel')
  t.equal(windows.statusCode, 201, 'what a browser on Windows calls a .csv')
  t.equal(windows.json().rows[0].number, '44010425000002')
})

t.test('an .xlsx saved by WPS: title merged, 序号, hours and 年度 as numbers; an ID number stored as a number is refused with the reason', async t => {
  const haizhu = await built.createIssuer('authority', '440105')
  const ids = [nextId(), nextId()]
  const bytes = await officeWorkbook(
    ['序号', '姓名*', '身份证号*', '工作单位*', '年度*', '公需科目（学时）*', '专业科目（学时）*', '选修科目（学时）*', '成果', '备注'],
    [
      [1, '张三', ids[0]!, '广州海珠某设计院', 2025, 20, 44, 12, null, null],
      [2, '李四', Number(truncatedId()), '广州海珠某设计院', 2025, 20, 44, 12, null, '身份证号列为常规格式'],
      [3, '王五', ids[1]!, '广州海珠某设计院', new Date('1905-07-17T00:00:00Z'), '二十', 44, 12, '主编', null],
      [4, '欧阳娜娜', nextId(), '广州海珠某设计院', 2025, 10, 30, 12, '第一完成人', null],
    ],
  )
  const response = await postBatch(haizhu.apiKey, bytes, xlsxType)
  t.equal(response.statusCode, 201, response.body.slice(0, 300))
  const rows = response.json().rows
  t.match(rows[0], { sheetRow: 3, status: 'issued', number: '44010525000001' })
  t.match(rows[1], { sheetRow: 4, status: 'rejected', errors: [{ code: 'INVALID_ID_NUMBER', messageZh: /^第 4 行“身份证号”列：身份证号在 Excel 中被存成了数值，Excel 只保留 15 位有效数字，最后 3 位已变成 0/ }] })
  t.match(rows[2], { sheetRow: 5, status: 'rejected' })
  t.same(rows[2].errors.map((e: { code: string }) => e.code), ['VALIDATION_FAILED', 'VALIDATION_FAILED', 'VALIDATION_FAILED'], 'every problem of the row at once')
  t.match(rows[2].errors.map((e: { messageZh: string }) => e.messageZh), [/“年度”列：单元格被设置成了日期格式（显示为 1905-07-17）/, /“公需科目（学时）”列：“二十”不是学时数/, /“成果”列：“主编”不是可识别的成果身份/])
  t.match(rows[3], { sheetRow: 6, status: 'rejected', errors: [{ code: 'HOURS_REQUIREMENT_NOT_MET', messageZh: /^第 6 行：学时未达到“广东省专业技术人员继续教育学时要求”：公需科目 10 学时，至少需 18 学时/ }] }, 'a lead author is credited the optional professional hours, and still misses the public ones')
})

t.test('a batch that issues nothing is 422 BATCH_NOTHING_ISSUED with every row\'s errors, and leaves nothing behind', async t => {
  const panyu = await built.createIssuer('authority', '440113')
  const before = await snapshotDatabase(built.database.db)
  const file = `${header}\r\n${csvLine(1, '张三', '4.40106E+17')}\r\n${csvLine(2, '李四', nextId()).replace(',20,44,12,', ',2,4,1,')}\r\n`
  const response = await postBatch(panyu.apiKey, file, 'text/csv', '/v1/certificates/batch', { 'idempotency-key': 'all-bad' })
  t.equal(response.statusCode, 422)
  const body = response.json()
  t.equal(body.code, 'BATCH_NOTHING_ISSUED')
  t.match(body.messageZh, /^2 行均不能颁发，未生成批次：公民身份号码无效 1 行，学时未达到年度要求 1 行。第 2 行“身份证号”列：/)
  t.match(body.details, { summary: { rows: 2, issued: 0, rejected: 2, rejectedByCode: { INVALID_ID_NUMBER: 1, HOURS_REQUIREMENT_NOT_MET: 1 } }, rows: [{ row: 1, sheetRow: 2, status: 'rejected', errors: [{ code: 'INVALID_ID_NUMBER' }] }, { row: 2, sheetRow: 3, errors: [{ code: 'HOURS_REQUIREMENT_NOT_MET', details: { shortfalls: Array } }] }] })
  t.same(await snapshotDatabase(built.database.db), before, 'no batch, no number, no audit event, no Idempotency-Key record')
  const json = await postBatch(panyu.apiKey, { certificates: [issueBody({ holder: { name: '张三', idNumber: nextId() }, year: 2090 })] })
  t.match(json.json(), { code: 'BATCH_NOTHING_ISSUED', details: { rows: [{ row: 1, errors: [{ code: 'INVALID_YEAR', messageZh: /年度须在 2000 至 \d{4} 年之间，2090 不在此范围内/ }] }] } }, 'JSON too')
  t.notOk('sheetRow' in json.json().details.rows[0])
})

t.test('BATCH_NOTHING_ISSUED stays under 64 KB: the rows that fit, and how many more', async t => {
  const zengcheng = await built.createIssuer('authority', '440118')
  const file = [header, ...Array.from({ length: 2000 }, (_, i) => csvLine(i + 1, '张三', '4.40106E+17'))].join('\r\n')
  const response = await postBatch(zengcheng.apiKey, file, 'text/csv')
  t.equal(response.statusCode, 422)
  t.ok(response.rawPayload.length < 64 * 1024, `${response.rawPayload.length} bytes`)
  const { details, messageZh } = response.json()
  t.equal(details.summary.rejected, 2000)
  t.equal(details.rows.length + details.rowsOmitted, 2000, 'every row is in details.rows or counted in rowsOmitted')
  t.same(details.rows.map((r: { sheetRow: number }) => r.sheetRow), Array.from({ length: details.rows.length }, (_, i) => i + 2), 'the first rows, in order')
  t.match(messageZh, new RegExp(`前 ${details.rows.length as number} 行的错误见 details.rows（其余 ${details.rowsOmitted as number} 行放不下；加 \\?dryRun=true 可得到每一行的结果）`))
})

t.test('a dry run gives every row\'s verdict, takes no number and stores nothing', async t => {
  const huangpu = await built.createIssuer('authority', '440112')
  const held = nextId()
  const first = await postBatch(huangpu.apiKey, { certificates: [issueBody({ holder: { name: '先发证', idNumber: held }, regionCode: '440112' })] })
  t.equal(first.statusCode, 201)
  const twice = nextId()
  const file = [header, csvLine(1, '张三', nextId()), csvLine(2, '先发证', held), csvLine(3, '李四', twice), csvLine(4, '李四', twice), csvLine(5, '王五', '4.40106E+17'), csvLine(6, '赵六', nextId()).replace(',20,44,12,', ',20,20,12,')].join('\r\n')
  const before = await snapshotDatabase(built.database.db)
  const response = await postBatch(huangpu.apiKey, file, 'text/csv', '/v1/certificates/batch?dryRun=true', { 'idempotency-key': 'preview-1' })
  t.equal(response.statusCode, 200, response.body.slice(0, 300))
  const preview = response.json()
  t.same(preview.summary, { rows: 6, issuable: 1, rejected: 5, rejectedByCode: { CERTIFICATE_EXISTS: 1, DUPLICATE_IN_BATCH: 2, INVALID_ID_NUMBER: 1, HOURS_REQUIREMENT_NOT_MET: 1 } })
  t.match(preview, { dryRun: true, rows: [
    { row: 1, sheetRow: 2, holderName: '张三', status: 'issuable', regionCode: '440112', year: 2025, ruleSet: 'guangdong', hours: { total: 76 } },
    { sheetRow: 3, status: 'rejected', errors: [{ code: 'CERTIFICATE_EXISTS', messageZh: /^第 3 行：该人员 2025 年度已有有效证书 44011225000001/ }] },
    { sheetRow: 4, errors: [{ code: 'DUPLICATE_IN_BATCH', messageZh: /在第 4、5 行重复出现/, details: { rows: [3, 4], sheetRows: [4, 5] } }] },
    { sheetRow: 5, errors: [{ code: 'DUPLICATE_IN_BATCH' }] },
    { sheetRow: 6, errors: [{ code: 'INVALID_ID_NUMBER' }] },
    { sheetRow: 7, errors: [{ code: 'HOURS_REQUIREMENT_NOT_MET', details: { shortfalls: [{ category: 'professional', required: 42, given: 20 }, { category: 'total', required: 72, given: 52 }] } }] },
  ] })
  t.notOk('number' in preview.rows[0], 'no number is promised')
  t.same(await snapshotDatabase(built.database.db), before, 'nothing stored: no batch, number, audit event or Idempotency-Key record')
  const real = await postBatch(huangpu.apiKey, file, 'text/csv', '/v1/certificates/batch', { 'idempotency-key': 'preview-1' })
  t.equal(real.statusCode, 201, 'the key was not taken by the dry run')
  t.equal(real.json().rows[0].number, '44011225000002', 'and the dry run took no number')
  const nothing = await postBatch(huangpu.apiKey, { certificates: [issueBody({ year: 1999 })] }, undefined, '/v1/certificates/batch?dryRun=true')
  t.equal(nothing.statusCode, 200, 'a dry run of nothing issuable is still its verdicts')
  t.equal(nothing.json().summary.issuable, 0)
})

t.test('GET /v1/batches/{id} keeps every row: issued with its number, rejected with its errors, never an ID number', async t => {
  const nansha = await built.createIssuer('authority', '440115')
  const ids = [nextId(), nextId()]
  const file = [header, csvLine(1, '张三', ids[0]!), csvLine(2, '李四', `${ids[1]!.slice(0, 17)}${ids[1]!.endsWith('1') ? '2' : '1'}`), csvLine(3, '王五', nextId())].join('\r\n')
  const issued = await postBatch(nansha.apiKey, file, 'text/csv')
  t.equal(issued.statusCode, 201)
  const batch = await app.inject({ url: issued.headers.location as string, headers: auth(nansha.apiKey) })
  t.equal(batch.statusCode, 200)
  t.match(batch.json(), {
    summary: { rows: 3, issued: 2, rejected: 1 },
    certificates: [{ number: '44011525000001', holderName: '张三' }, { number: '44011525000002', holderName: '王五' }],
    rows: [
      { row: 1, sheetRow: 2, holderName: '张三', status: 'issued', number: '44011525000001' },
      { row: 2, sheetRow: 3, holderName: '李四', status: 'rejected', errors: [{ code: 'INVALID_ID_NUMBER', messageZh: /第 18 位校验码与前 17 位不符/ }] },
      { row: 3, sheetRow: 4, holderName: '王五', status: 'issued', number: '44011525000002' },
    ],
  })
  t.same(batch.json().rows, issued.json().rows, 'the rows as reported when issued')
  const swapped = await postBatch(nansha.apiKey, [header, csvLine(1, '王五', nextId()), `2,${ids[1]!},李四,广州某某有限公司,2025,20,44,12,`].join('\r\n'), 'text/csv')
  t.match(swapped.json().rows[1], { sheetRow: 3, status: 'rejected' })
  t.notOk('holderName' in swapped.json().rows[1], 'an ID number in the name column is not kept as a name')
  t.notOk(swapped.body.includes(ids[1]!), 'nor repeated anywhere')
  const stored = await built.database.db.selectFrom('batches').select('row_outcomes').where('id', '=', issued.json().batchId).executeTakeFirstOrThrow()
  const text = JSON.stringify(stored.row_outcomes)
  for (const id of ids) t.notOk(text.includes(id) || text.includes(id.slice(0, 17)), 'no ID number is stored with the batch')
})

t.test('the template: columns in Chinese, the ID column as text, validation, 填写说明 with the rules of the caller\'s region; filled in, it issues', async t => {
  const tianhe = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  const response = await app.inject({ url: '/v1/certificates/batch/template', headers: auth(tianhe.apiKey) })
  t.equal(response.statusCode, 200)
  t.equal(response.headers['content-type'], xlsxType)
  t.match(response.headers['content-disposition'], /^attachment; filename="batch-template.xlsx"; filename\*=UTF-8''/)
  const workbook = await readWorkbook(response.rawPayload)
  t.same(workbook.worksheets.map(s => s.name), ['批量颁发名单', '填写说明'])
  const sheet = workbook.worksheets[0]!
  const headers = (sheet.getRow(2).values as unknown[]).slice(1)
  t.same(headers.filter(h => String(h).endsWith('*')), ['姓名*', '身份证号*', '工作单位*', '年度*', '公需科目（学时）*', '专业科目（学时）*', '选修科目（学时）*'], 'required columns marked')
  t.equal(sheet.getRow(1).getCell(1).value, '广东省广州市天河区 专业技术人员继续教育证书批量颁发名单', 'a title row')
  const idColumn = headers.indexOf('身份证号*') + 1
  t.equal(sheet.getColumn(idColumn).numFmt, '@', 'the ID column is text')
  t.equal(sheet.getColumn(headers.indexOf('行政区划代码') + 1).numFmt, '@', 'the region code too')
  t.equal(sheet.getRow(3).getCell(1).value, '示例', 'a sample row, marked')
  t.match(sheet.getCell(`E3`).dataValidation, { type: 'whole', formulae: [2000, new Date().getUTCFullYear()] }, '年度 validated')
  t.match(sheet.getCell(`K100`).dataValidation, { type: 'list', formulae: ['"第一完成人,其他完成人,lead,contributor"'] }, '成果 validated')
  const help = workbook.getWorksheet('填写说明')!
  const helpText = help.getSheetValues().flat().filter(v => typeof v === 'string').join(' ')
  t.match(helpText, /广东省专业技术人员继续教育学时要求/)
  t.match(helpText, /每年不少于 72 学时，其中公需科目不少于 18 学时、专业科目不少于 42 学时、选修科目不少于 12 学时/)
  t.match(helpText, /第一完成人可抵专业科目中非必修部分 28 学时/)
  t.match(helpText, /会计专业技术人员继续教育学分要求 每年不少于 90 学分，其中公需科目不少于 30 学分、专业科目不少于 60 学分；选修科目不计入/)

  const henan = await built.createIssuer('authority', '410105')
  const henanTemplate = await readWorkbook((await app.inject({ url: '/v1/certificates/batch/template', headers: auth(henan.apiKey) })).rawPayload)
  t.match(henanTemplate.getWorksheet('填写说明')!.getSheetValues().flat().filter(v => typeof v === 'string').join(' '), /河南省专业技术人员继续教育学时要求 每年不少于 90 学时，其中公需科目不少于 30 学时、专业科目不少于 60 学时/, 'another region, its own rules')

  // Filled in as an office would: the sample row left in, two people added below it.
  const ids = [nextId(), nextId()]
  sheet.getRow(4).values = [1, '张三', ids[0], '广州天河软件科技有限公司', 2025, 20, 44, 12]
  sheet.getRow(5).values = [2, '李四', ids[1], '广州天河软件科技有限公司', 2025, 18, 42, 12, null, null, '其他完成人']
  const filled = Buffer.from(await workbook.xlsx.writeBuffer())
  const upload = await postBatch(tianhe.apiKey, filled, xlsxType)
  t.equal(upload.statusCode, 201, upload.body.slice(0, 300))
  t.match(upload.json().rows, [
    { sheetRow: 3, status: 'rejected', errors: [{ code: 'VALIDATION_FAILED', messageZh: /第 3 行的序号为“示例”：这是模板中的示例行，不予颁发/ }] },
    { sheetRow: 4, status: 'issued', number: '44010625000001' },
    { sheetRow: 5, status: 'issued', number: '44010625000002' },
  ])
})

t.test('files that cannot be a batch are refused as a whole and issue nothing', async t => {
  const conghua = await built.createIssuer('authority', '440117')
  const cases: Array<[string, string | Buffer, string, number, string]> = [
    ['a header of 4 million commas', `${','.repeat(4_000_000)}\r\n`, 'text/csv', 413, 'TABLE_TOO_LARGE'],
    ['an unknown column', `${header},月薪\r\n${csvLine(1, '张三', nextId())},9000\r\n`, 'text/csv', 400, 'MALFORMED_CSV'],
    ['an old .xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), xlsxType, 400, 'MALFORMED_XLSX'],
    ['CSV text declared as .xlsx is still read by its bytes, and has no header', 'a,b\r\n1,2\r\n', xlsxType, 400, 'MALFORMED_CSV'],
  ]
  for (const [what, body, type, status, code] of cases) {
    const response = await postBatch(conghua.apiKey, body, type)
    t.equal(response.statusCode, status, what)
    t.equal(response.json().code, code, what)
    t.ok(response.body.length < 64 * 1024, `${what}: a small error body`)
  }
  t.equal(await lastNumber('440117'), 0, 'no number taken')
  const empty = new ExcelJS.Workbook()
  empty.addWorksheet('Sheet1')
  const blank = await postBatch(conghua.apiKey, Buffer.from(await empty.xlsx.writeBuffer()), xlsxType)
  t.equal(blank.json().code, 'MALFORMED_XLSX', 'an empty workbook')
})
