// Numbers as committees send them: every way Excel or an input method spoils one is named, and nothing is repaired.
import t from 'tap'
import { diagnoseEnteredNumber } from '../../src/verification/entered-number.js'

const good = '44010625000001'
const diagnose = (entered: string) => diagnoseEnteredNumber(entered, 2026)

t.test('a well-formed certificate number has no problem', async t => {
  t.equal(diagnose(good), null)
})

t.test('each spoilt form gets its own reason in English and Chinese', async t => {
  const cases: Array<[string, string, RegExp, RegExp]> = [
    ['empty', '', /no certificate number/, /未填写/],
    ['only spaces', '   ', /no certificate number/, /未填写/],
    ['Excel scientific notation', '4.40106E+13', /scientific notation \(4\.40106E\+13\) and kept only 6 of its 14 digits/, /科学计数法/],
    ['scientific notation with spaces around', ' 4.40106E+13 ', /scientific notation/, /科学计数法/],
    ['a leading space', ` ${good}`, /spaces before it/, /证书编号前有空格/],
    ['a trailing space', `${good} `, /spaces after it/, /证书编号后有空格/],
    ['a full-width space (U+3000) at the end', `${good}\u3000`, /spaces after it/, /空格/],
    ['a non-breaking space at the start', `\u00a0${good}`, /spaces before it/, /空格/],
    ['full-width digits', '４４０１０６２５００００００１', /full-width digits/, /全角数字/],
    ['an Excel formula', `="${good}"`, /Excel formula/, /公式/],
    ['a leading apostrophe', `'${good}`, /apostrophe/, /单引号/],
    ['decimals', `${good}.00`, /decimals/, /小数/],
    ['thousands separators', '44,010,625,000,001', /thousands separators/, /千位分隔符/],
    ['a zero-width space inside', `4401062\u200b5000001`, /invisible character \(U\+200B\) at position 8/, /第 8 个字符是不可见字符/],
    ['a BOM glued to the number', `\ufeff${good}`, /invisible character \(U\+FEFF\) at position 1/, /不可见字符/],
    ['13 digits', good.slice(0, 13), /14 digits; this has 13/, /14 位数字，此处有 13 个字符/],
    ['a letter', '4401062500000O', /character 14 is 'O'/, /第 14 个字符是“O”/],
    ['an unknown region', '44999925000001', /449999/, /不是有效的行政区划代码/],
    ['a year to come', '44010630000001', /2030/, /2030 年/],
    ['sequence zero', '44010625000000', /000000/, /000001/],
  ]
  for (const [name, entered, en, zh] of cases) {
    const problem = diagnose(entered)
    t.match(problem, { reason: en, reasonZh: zh }, name)
  }
})

t.test('a long spoilt value is quoted only in part', async t => {
  const problem = diagnose(`=${'A'.repeat(5000)}`)
  t.ok(problem !== null && problem.reason.length < 200, 'the reason stays short')
})
