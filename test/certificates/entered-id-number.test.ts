// ID numbers as offices send them: each way Excel or an input method spoils one is named in Chinese, none is repaired, none is repeated.
import t from 'tap'
import { diagnoseEnteredIdNumber } from '../../src/certificates/entered-id-number.js'
import { makeIdNumber } from '../helper.js'

const today = new Date('2026-03-15T02:00:00Z')
const good = makeIdNumber('440106', '19850312', 12)
const diagnose = (entered: string, storedAsNumber = false) => diagnoseEnteredIdNumber(entered, { today, storedAsNumber })
const fullWidth = (s: string) => s.replace(/[0-9]/g, d => String.fromCharCode(0xff10 + Number(d)))

t.test('a valid ID number has no problem, with a lowercase x too', async t => {
  t.equal(diagnose(good), null)
  t.equal(diagnose('11010519491231002x'), null)
})

t.test('each spoilt form gets its own reason, and no reason repeats the digits', async t => {
  const cases: Array<[string, string, boolean, RegExp]> = [
    ['empty', '', false, /未填写身份证号/],
    ['Excel scientific notation in a CSV', '4.40106E+17', false, /科学计数法.*只保留了 6 位.*设置为“文本”格式/],
    ['the last three digits turned to 0 by Excel', `${good.slice(0, 15)}000`, false, /末 3 位是 000 且校验码不符.*15 位有效数字/],
    ['stored as a number in .xlsx, digits lost', `${good.slice(0, 15)}000`, true, /存成了数值.*15 位有效数字.*最后 3 位已变成 0/],
    ['stored as a number in .xlsx', '4401061985', true, /存成了数值而不是文本/],
    ['a leading space', ` ${good}`, false, /身份证号前有空格/],
    ['a trailing full-width space', `${good}\u3000`, false, /身份证号后有空格/],
    ['a space inside', `${good.slice(0, 6)} ${good.slice(6)}`, false, /身份证号中间有空格/],
    ['full-width digits', fullWidth(good), false, /全角/],
    ['a zero-width space', `${good.slice(0, 3)}\u200b${good.slice(3)}`, false, /第 4 个字符是不可见字符（U\+200B）/],
    ['a leading apostrophe', `'${good}`, false, /单引号/],
    ['a formula', `="${good}"`, false, /公式/],
    ['an old 15-digit number', good.slice(0, 15), false, /15 位的旧身份证号码/],
    ['17 digits', good.slice(0, 17), false, /应为 18 位.*此处为 17 位/],
    ['a letter inside', `${good.slice(0, 5)}O${good.slice(6)}`, false, /第 6 位是“O”，应为数字/],
    ['February 30th', makeIdNumber('110105', '19490230', 2), false, /出生日期）不是有效日期/],
    ['born in the future', makeIdNumber('110105', '20300101', 2), false, /晚于今天/],
    ['a wrong check digit', good.slice(0, 17) + (good.endsWith('1') ? '2' : '1'), false, /第 18 位校验码与前 17 位不符/],
  ]
  for (const [what, entered, storedAsNumber, zh] of cases) {
    const problem = diagnose(entered, storedAsNumber)
    t.ok(problem !== null, `${what}: a problem`)
    t.match(problem?.reasonZh, zh, what)
    t.ok((problem?.reason.length ?? 0) > 0, `${what}: in English too`)
    t.notOk(`${problem?.reason}${problem?.reasonZh}`.includes(good.slice(6, 14)), `${what}: the birth date digits are not repeated`)
  }
})
