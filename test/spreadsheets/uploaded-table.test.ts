// One reader for every uploaded table: the encodings, delimiters and workbooks offices send, the header below a title, and the bounds.
import t from 'tap'
import iconv from 'iconv-lite'
import { isServiceError, type ErrorCode } from '../../src/errors.js'
import { readUploadedTable } from '../../src/spreadsheets/uploaded-table.js'
import { batchColumns } from '../../src/batches/batch-table.js'
import { verificationColumns } from '../../src/verification/batch-verification-table.js'
import { handMadeXlsx, handMadeZip, officeWorkbook } from '../fixtures/spreadsheet-files.js'

const header = '姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目'
const line = (name: string, id = '11010519491231002X') => `${name},${id},广州某某有限公司,2025,20,44,12`
const csv = (...lines: string[]) => `${lines.join('\r\n')}\r\n`
const readBatch = (bytes: Buffer) => readUploadedTable(bytes, batchColumns)
const names = (table: { rows: Array<{ cells: { name?: { text: string } } }> }) => table.rows.map(r => r.cells.name?.text)

/** The code a read is refused with, and the error. */
async function refusal (read: Promise<unknown>): Promise<{ code: ErrorCode, message: string, messageZh: string, details: any }> {
  try {
    await read
  } catch (error) {
    if (isServiceError(error)) return { code: error.code, message: error.message, messageZh: error.messageZh, details: error.details }
    throw error
  }
  throw new Error('the table was read')
}

t.test('CSV in every encoding Excel and WPS save, detected from the bytes', async t => {
  const text = csv(header, line('张三'), line('𠮷野家'))
  const cases: Array<[string, Buffer, string, string]> = [
    ['"CSV UTF-8" (with BOM)', Buffer.from(`\ufeff${text}`), 'UTF-8', ','],
    ['UTF-8 without BOM', Buffer.from(text), 'UTF-8', ','],
    ['"CSV (逗号分隔)" on Chinese Windows: GB18030/GBK', iconv.encode(text, 'gb18030'), 'GB18030', ','],
    ['"Unicode 文本": UTF-16LE with BOM, tab-separated', iconv.encode(text.replace(/,/g, '\t'), 'utf16le', { addBOM: true }), 'UTF-16LE', '\t'],
    ['UTF-16BE with BOM', iconv.encode(text.replace(/,/g, '\t'), 'utf16be', { addBOM: true }), 'UTF-16BE', '\t'],
    ['semicolons (a European Excel)', Buffer.from(text.replace(/,/g, ';')), 'UTF-8', ';'],
  ]
  for (const [what, bytes, encoding, delimiter] of cases) {
    const table = await readBatch(bytes)
    t.match(table, { format: 'csv', encoding, delimiter, headerRow: 1 }, what)
    t.same(names(table), ['张三', '𠮷野家'], `${what}: names read`)
  }
  const gbk = iconv.encode(csv(header, line('张三')), 'gbk')
  t.equal((await readBatch(gbk)).encoding, 'GB18030', 'GBK is read as GB18030, of which it is a part')
})

t.test('the header is found below a title and blank lines; names compare without case, spaces, full-width forms, * and units', async t => {
  const table = await readBatch(Buffer.from(csv(
    '2025年度专业技术人员继续教育证书发放名册,,,,,,,,',
    ',,,,,,,,',
    '',
    '序号,姓名*, 身份证号码 ,ＥＭＰＬＯＹＥＲ,年度 *,公需科目（学时）,专业科目(学时),选修（学时）*,,备注',
    `1,张三,11010519491231002X,某单位,2025,20,44,12,anything,已核对`,
    ',,,,,,,,,',
    `2,李四,11010519491231002X,某单位,2025,20,44,12,,`,
  )))
  t.equal(table.headerRow, 4)
  t.same(table.rows.map(r => r.sheetRow), [5, 7], 'rows numbered as Excel numbers them; the empty row skipped')
  t.same(table.headers, { name: '姓名*', idNumber: '身份证号码', employer: 'ＥＭＰＬＯＹＥＲ', year: '年度 *', public: '公需科目（学时）', professional: '专业科目(学时)', elective: '选修（学时）*' })
  t.notOk('备注' in table.rows[0]!.cells, '序号, 备注 and the empty-headed column are not read')
})

t.test('an exported sheet can be sent back: the register for a batch, the register and the verification report for a check', async t => {
  const register = '证书编号,姓名,工作单位,发证日期,状态,撤销日期,公需科目学时,专业科目学时,选修科目学时,自学学时,总学时'
  const batch = await readBatch(Buffer.from(csv(`${register},身份证号,年度`, '="44010625000001",张三,某单位,2025-03-02,有效,,20,44,12,0,76,11010519491231002X,2025')))
  t.match(batch.rows[0]!.cells, { name: { text: '张三' }, public: { text: '20' }, selfStudy: { text: '0' }, year: { text: '2025' } })
  const list = await readUploadedTable(Buffer.from(csv(register, '="44010625000001",张三,某单位,2025-03-02,有效,,20,44,12,0,76')), verificationColumns)
  t.same(list.rows[0]!.cells, { number: { text: '44010625000001', storedAs: 'text' }, name: { text: '张三', storedAs: 'text' } }, '="…" is read as the text Excel shows')
  const report = csv(
    '核验时间,共计,有效,已撤销,未找到,姓名不符,姓名未核对,重复,格式错误,签名无效',
    '2026-03-02 16:00:00,1,1,0,0,0,0,0,0,0',
    '',
    '行号,证书编号,所填姓名,核验结果,说明,持证人（脱敏）,姓名是否一致,证书状态,年度,发证地区,发证机构,发证日期,撤销日期,总学时',
    '1,="44010625000001",张三,有效,有效,张*,是,有效,2025,广东省广州市天河区,天河区人社局,2026-03-02,,76',
  )
  const again = await readUploadedTable(Buffer.from(`\ufeff${report}`), verificationColumns)
  t.equal(again.headerRow, 4, 'the counts above the table are passed over')
  t.same(again.rows[0]!.cells, { number: { text: '44010625000001', storedAs: 'text' }, name: { text: '张三', storedAs: 'text' } })
  t.same((await readUploadedTable(Buffer.from(csv('证书编号', ' 44010625000001 ')), verificationColumns)).rows[0]!.cells.number, { text: ' 44010625000001 ', storedAs: 'text' }, 'cells are not trimmed: stray spaces are diagnosed, not fixed')
})

t.test('a header that cannot be trusted refuses the file, naming the columns in Chinese', async t => {
  const unknown = await refusal(readBatch(Buffer.from(csv(`${header},月薪,联系电话`, `${line('张三')},9000,138`))))
  t.match(unknown, { code: 'MALFORMED_CSV', details: { headerRow: 1, unknownColumns: ['月薪', '联系电话'], unknownColumnCount: 2 } })
  t.match(unknown.messageZh, /第 1 行表头无法识别：无法识别的列：H 列“月薪”、I 列“联系电话”/)
  const repeated = await refusal(readBatch(Buffer.from(csv(`${header},姓名`, `${line('张三')},李四`))))
  t.match(repeated, { code: 'MALFORMED_CSV', details: { repeatedColumns: ['name'] } })
  t.match(repeated.messageZh, /“姓名”出现在 A、H 列/)
  const missing = await refusal(readBatch(Buffer.from(csv('姓名,身份证号,工作单位,年度', '张三,11010519491231002X,某单位,2025'))))
  t.match(missing, { code: 'MALFORMED_CSV', details: { headerRow: 1, missingColumns: ['public', 'professional', 'elective'] } })
  t.match(missing.messageZh, /第 1 行像是表头，但缺少必填列：公需科目、专业科目、选修科目/)
  const none = await refusal(readBatch(Buffer.from(csv('hello,world', 'a,b'))))
  t.match(none.messageZh, /前 30 行中没有找到表头：表头须包含 姓名、身份证号、工作单位、年度、公需科目、专业科目、选修科目/)
  const tooLow = await refusal(readBatch(Buffer.from(`${'\r\n'.repeat(40)}${csv(header, line('张三'))}`)))
  t.match(tooLow.messageZh, /前 30 行都是空行/)
  const noRows = await refusal(readBatch(Buffer.from(csv('标题', header))))
  t.match(noRows, { code: 'VALIDATION_FAILED', details: { headerRow: 2 } })
})

t.test('files that are not tables, or not text, are refused with the reason', async t => {
  const cases: Array<[string, Buffer, ErrorCode, RegExp]> = [
    ['nothing', Buffer.alloc(0), 'MALFORMED_CSV', /文件是空的/],
    ['bytes that are neither UTF-8 nor GB18030', Buffer.from([...Buffer.from(`${header}\r\n`), 0xff, 0xff, 0xff, 0x2c, 0x80, 0x0d, 0x0a]), 'MALFORMED_CSV', /既不是 UTF-8 也不是 GB18030\/GBK/],
    ['binary', Buffer.from([0x00, 0x01, 0x02, 0x03, 0x41, 0x00, 0x00, 0x00, 0x42, 0x43]), 'MALFORMED_CSV', /二进制/],
    ['a PDF', Buffer.from('%PDF-1.7\n1 0 obj'), 'MALFORMED_CSV', /PDF/],
    ['an unclosed quote', Buffer.from(`${header}\r\n张三,"11010519491231002X,某单位,2025,20,44,12\r\n`), 'MALFORMED_CSV', /第 2 行开始的引号没有闭合/],
    ['an Excel 97-2003 workbook', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0, 0, 0]), 'MALFORMED_XLSX', /\.xls/],
    ['a Word document', handMadeZip([{ name: 'word/document.xml', content: Buffer.from('<w:document/>') }]), 'MALFORMED_XLSX', /Word 文档/],
    ['a damaged zip', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(100)]), 'MALFORMED_XLSX', /已损坏/],
    ['a password-protected part', handMadeXlsx('<worksheet/>', { flags: 1 }), 'MALFORMED_XLSX', /密码/],
  ]
  for (const [what, bytes, code, zh] of cases) {
    const error = await refusal(readBatch(bytes))
    t.equal(error.code, code, what)
    t.match(error.messageZh, zh, what)
  }
})

t.test('bounded before it costs anything: columns, cells, lines, rows', async t => {
  const commas = Buffer.from(`${','.repeat(4_000_000)}\r\n${line('张三')}\r\n`)
  const wide = await refusal(readBatch(commas))
  t.match(wide, { code: 'TABLE_TOO_LARGE', details: { line: 1, columns: 4_000_001, maxColumns: 50 } })
  t.match(wide.messageZh, /第 1 行有 4,000,001 列，表格最多 50 列/, 'the count is named…')
  t.ok(JSON.stringify(wide).length < 1000, '…not the columns')
  const long = await refusal(readBatch(Buffer.from(csv(header, line('张'.repeat(5000))))))
  t.match(long, { code: 'TABLE_TOO_LARGE', details: { line: 2, column: 1 } })
  t.match(long.messageZh, /第 2 行第 1 列（A2）的单元格超过 4,096 个字符/)
  const quoted = await refusal(readBatch(Buffer.from(`${header}\r\n"${'x'.repeat(100_000)}`)))
  t.equal(quoted.code, 'TABLE_TOO_LARGE', 'an unclosed quote runs into the cell bound, not through the file')
  const lines = await refusal(readBatch(Buffer.from(`${csv(header, line('张三'))}${'\r\n'.repeat(25_000)}`)))
  t.match(lines, { code: 'TABLE_TOO_LARGE', details: { maxSheetRows: 20_000 } })
  const rows = await refusal(readBatch(Buffer.from(csv(header, ...Array.from({ length: 10_001 }, (_, i) => line(`张${i}`))))))
  t.match(rows, { code: 'VALIDATION_FAILED', details: { maxRows: 10_000, sheetRow: 10_002 } })
  t.equal((await readBatch(Buffer.from(csv(header, ...Array.from({ length: 10_000 }, (_, i) => line(`张${i}`)))))).rows.length, 10_000, '10,000 rows are read')
  const large = await refusal(readBatch(Buffer.alloc(8 * 1024 * 1024 + 1, 0x41)))
  t.match(large, { code: 'TABLE_TOO_LARGE', details: { maxBytes: 8 * 1024 * 1024 } }, 'more than 8 MB, whoever calls the reader')
})

t.test('.xlsx as WPS and Excel on Chinese Windows save it: title merged, 序号, numbers as numbers, dates as dates', async t => {
  const bytes = await officeWorkbook(
    ['序号', '姓名', '身份证号', '工作单位', '年度', '公需科目', '专业科目', '选修科目', '备注'],
    [
      [1, { richText: [{ text: '欧阳' }, { text: '娜娜' }] }, 440106198503120000, '某单位', 2025, 20, 44.5, { formula: 'H4+0', result: 12 }, '已核对'],
      [2, '李四', '11010519491231002X', { text: '某单位', hyperlink: 'https://example.org' }, new Date('2025-07-17T00:00:00Z'), 20, 44, 12, null],
      [null, null, null, null, null, null, null, null, '只有备注的行'],
    ],
  )
  const table = await readBatch(bytes)
  t.match(table, { format: 'xlsx', sheet: 'Sheet1', headerRow: 2 })
  t.equal(table.rows.length, 2, 'a row with nothing but 备注 is empty')
  t.same(table.rows[0]!.cells, {
    name: { text: '欧阳娜娜', storedAs: 'text' },
    idNumber: { text: '440106198503120000', storedAs: 'number' },
    employer: { text: '某单位', storedAs: 'text' },
    year: { text: '2025', storedAs: 'number' },
    public: { text: '20', storedAs: 'number' },
    professional: { text: '44.5', storedAs: 'number' },
    elective: { text: '12', storedAs: 'number' },
  }, 'rich text flattened, a whole number in digits without exponent, a formula by its cached result')
  t.match(table.rows[1]!.cells, { idNumber: { text: '11010519491231002X', storedAs: 'text' }, employer: { text: '某单位' }, year: { text: '2025-07-17', storedAs: 'date' } })
})

t.test('.xlsx: the first visible sheet with the header is read', async t => {
  const bytes = await officeWorkbook(['姓名', '身份证号', '工作单位', '年度', '公需', '专业', '选修'], [['张三', '11010519491231002X', '某单位', 2025, 20, 44, 12]], {
    sheetName: '名单',
    before: [{ name: '旧名单', hidden: true, rows: [['姓名', '身份证号', '工作单位', '年度', '公需', '专业', '选修'], ['旧人', '1', '旧单位', 2020, 1, 1, 1]] }, { name: '说明', rows: [['请在“名单”工作表中填写'], []] }],
  })
  const table = await readBatch(bytes)
  t.equal(table.sheet, '名单')
  t.same(names(table), ['张三'])
  const noHeader = await refusal(readBatch(await officeWorkbook(['甲', '乙'], [['1', '2']], { sheetName: '数据' })))
  t.match(noHeader, { code: 'MALFORMED_XLSX', details: { sheet: '数据' } })
  t.match(noHeader.messageZh, /工作表“数据”前 30 行中没有找到表头/)
})

t.test('.xlsx without shared strings (inline strings, as this service writes its exports) is read as it comes', async t => {
  const sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    '<row r="1"><c r="A1" t="inlineStr"><is><t>证书编号</t></is></c><c r="B1" t="inlineStr"><is><t>姓名</t></is></c></row>' +
    '<row r="2"><c r="A2" t="inlineStr"><is><t>44010625000001</t></is></c><c r="B2" t="str"><v>张三</v></c></row></sheetData></worksheet>'
  const table = await readUploadedTable(handMadeXlsx(sheet), verificationColumns)
  t.same(table.rows, [{ sheetRow: 2, cells: { number: { text: '44010625000001', storedAs: 'text' }, name: { text: '张三', storedAs: 'text' } }, sample: false }])
})

t.test('an ID number in a General column, as Excel writes it into the sheet (4.4010619850312E+17), reads as its digits, stored as a number', async t => {
  const sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
    `<row r="1">${['姓名', '身份证号', '工作单位', '年度', '公需', '专业', '选修'].map((h, i) => `<c r="${'ABCDEFG'[i]}1" t="inlineStr"><is><t>${h}</t></is></c>`).join('')}</row>` +
    '<row r="2"><c r="A2" t="inlineStr"><is><t>张三</t></is></c><c r="B2"><v>4.4010619850312E+17</v></c><c r="C2" t="inlineStr"><is><t>某单位</t></is></c><c r="D2"><v>2025</v></c><c r="E2"><v>20</v></c><c r="F2"><v>44</v></c><c r="G2"><v>12</v></c></row>' +
    '</sheetData></worksheet>'
  const table = await readBatch(handMadeXlsx(sheet))
  t.same(table.rows[0]!.cells.idNumber, { text: '440106198503120000', storedAs: 'number' })
})

t.test('.xlsx bounded before its sheet is read: zip bombs, a huge used range, columns past the limit', async t => {
  const aLot = Buffer.concat([Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'), Buffer.alloc(40 * 1024 * 1024, 0x61), Buffer.from('</t></is></c></row></sheetData></worksheet>')])
  const big = await refusal(readBatch(handMadeXlsx(aLot)))
  t.match(big, { code: 'TABLE_TOO_LARGE', details: { maxPartBytes: 32 * 1024 * 1024 } })
  const lying = await refusal(readBatch(handMadeXlsx(aLot, { declaredSize: 1000 })))
  t.match(lying, { code: 'TABLE_TOO_LARGE', details: { part: 'xl/worksheets/sheet1.xml' } }, 'a part that inflates past what it declares is stopped at the declaration')
  const range = await refusal(readBatch(handMadeXlsx('<worksheet><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')))
  t.match(range, { code: 'TABLE_TOO_LARGE', details: { dimension: 'A1:XFD1048576', rows: 1_048_576, columns: 16_384 } })
  t.match(range.messageZh, /已用区域为 A1:XFD1048576（1,048,576 行、16,384 列）/)
  const far = await refusal(readBatch(handMadeXlsx('<worksheet><sheetData><row r="1"><c r="BZ1" t="inlineStr"><is><t>姓名</t></is></c></row></sheetData></worksheet>')))
  t.match(far, { code: 'TABLE_TOO_LARGE', details: { cell: 'BZ1', maxColumns: 50 } })
})

t.test('a row marked 示例 in 序号 is the sample row of a template', async t => {
  const table = await readBatch(Buffer.from(csv(`序号,${header}`, `示例,${line('张三')}`, `1,${line('李四')}`)))
  t.same(table.rows.map(r => r.sample), [true, false])
})
