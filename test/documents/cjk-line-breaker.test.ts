import fc from 'fast-check'
import t from 'tap'
import { breakIntoLines, type Line, type Span } from '../../src/documents/cjk-line-breaker.js'

// Every character one unit wide, so line widths count characters.
const measure = (text: string): number => [...text].length
const lines = (spans: Array<Span<string>>, width: number): string[] =>
  breakIntoLines(spans, width, measure).map((line: Line<string>) => line.pieces.map((piece) => piece.text).join(''))
const plain = (text: string): Array<Span<string>> => [{ text, style: 'body' }]
const closing = '，。、；：？！）》」'
const opening = '（《「'

t.test('a comma that would start a line goes back to the end of the previous one', async (t) => {
  t.same(lines(plain('一二三四五，六七'), 5), ['一二三四', '五，六七'])
  t.same(lines(plain('一二三四，五六七'), 5), ['一二三四，', '五六七'])
})

t.test('an opening bracket moves to the next line with what it opens', async (t) => {
  t.same(lines(plain('一二三四（五）六'), 5), ['一二三四', '（五）六'])
  t.same(lines(plain('根据《广东省条例》，特发此证。'), 6), ['根据《广东省', '条例》，特发', '此证。'])
})

t.test('a long employer name breaks between hanzi, never before its closing bracket', async (t) => {
  const employer = '工作单位：广州市天河区珠江新城建筑设计研究院有限公司第三分院（华南理工大学合作基地）'
  const broken = lines(plain(employer), 12)
  t.equal(broken.join(''), employer)
  for (const line of broken) t.ok([...line].length <= 12, `${line} fits`)
  for (const line of broken.slice(1)) t.notOk(closing.includes(line[0] ?? ''), `${line} does not start with closing punctuation`)
})

t.test('a name kept together moves whole to the next line', async (t) => {
  const spans: Array<Span<string>> = [
    { text: '一二三四', style: 'body' },
    { text: '买买提·艾力', style: 'name', keepTogether: true },
    { text: '参加', style: 'body' },
  ]
  t.same(lines(spans, 8), ['一二三四', '买买提·艾力参加'])
})

t.test('spaces at a line end are dropped and Latin words stay whole', async (t) => {
  t.same(lines(plain('Scan to verify'), 9), ['Scan to', 'verify'])
  t.same(lines(plain('已完成 2025 年度'), 6), ['已完成', '2025 年', '度'])
})

t.test('the year stays on the line of 年度', async (t) => {
  const spans: Array<Span<string>> = [
    { text: '已完成 ', style: 'body' },
    { text: '2025', style: 'year', keepTogether: true, keepWithNext: true },
    { text: ' 年度任务', style: 'body' },
  ]
  t.same(lines(spans, 8), ['已完成', '2025 年度任', '务'])
  t.same(lines(spans, 10), ['已完成 2025 年', '度任务'])
})

t.test('an unbreakable run wider than the line is cut between characters', async (t) => {
  t.same(lines([{ text: '新疆维吾尔自治区', style: 'name', keepTogether: true }], 3), ['新疆维', '吾尔自', '治区'])
})

t.test('styles stay with their characters across a line break', async (t) => {
  const broken = breakIntoLines([
    { text: '一二', style: 'body' },
    { text: '张三', style: 'name', keepTogether: true },
    { text: '参加', style: 'body' },
  ], 3, measure)
  t.same(broken[0]?.pieces, [{ text: '一二', style: 'body' }])
  t.same(broken[1]?.pieces, [{ text: '张三', style: 'name' }, { text: '参', style: 'body' }])
  t.same(broken[2]?.pieces, [{ text: '加', style: 'body' }])
})

t.test('any Chinese text keeps every character, fits its lines and obeys the punctuation rules', async (t) => {
  const unit = fc.constantFrom(...'一二三四五六七八九十', ...closing, ...opening)
  fc.assert(fc.property(fc.string({ unit, maxLength: 80 }), fc.integer({ min: 6, max: 20 }), (text, width) => {
    // Runs of 3+ marks could form an unbreakable unit wider than a line; real text has none.
    fc.pre(!new RegExp(`[${closing}${opening}]{3}`).test(text))
    const broken = lines(plain(text), width)
    if (broken.join('') !== text) return false
    if (broken.some((line) => [...line].length > width)) return false
    if (broken.slice(1).some((line) => closing.includes(line[0] ?? ''))) return false
    return broken.slice(0, -1).every((line) => !opening.includes(line[line.length - 1] ?? ''))
  }))
  t.pass('property held for 100 random texts and widths')
})
