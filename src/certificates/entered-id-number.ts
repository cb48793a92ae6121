// A resident ID number as people send it — typed, pasted, or spoilt by Excel — diagnosed exactly in Chinese and English, never repaired.
import { explainIdNumber, idCheckCharacter } from './id-number.js'

/** Why an entered ID number is not one, in both languages. Never quotes the number itself. */
export interface EnteredIdNumberProblem { reason: string, reasonZh: string }

const scientific = /^[+-]?\d+(\.\d+)?e[+-]?\d+$/i
const fullWidth = /[０-９Ｘｘ]/
// Zero-width, direction and soft-hyphen marks, a stray BOM, control characters: invisible in a cell.
const invisible = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/u
const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
const reEnter = { en: 'format the column as Text and enter the ID numbers again', zh: '请将该列设置为“文本”格式后重新输入身份证号' }

/** Excel keeps 15 significant digits: the zeros it wrote in place of the rest. */
function zerosAfterFifteenDigits (digits: string): number {
  const significant = digits.replace(/^0+/, '')
  const tail = /0*$/.exec(significant)![0].length
  return significant.length > 15 ? Math.min(tail, significant.length - 15) : 0
}

/**
 * The problem of an ID number as entered, or null when it is a valid one. `storedAsNumber` says the
 * cell held a number, not text (an .xlsx cell): Excel then keeps 15 significant digits of 18, so
 * the number is lost whatever it shows. The ways Excel spoils an ID number — scientific notation
 * (4.40106E+17), the last digits turned to 0, full-width digits, stray spaces, invisible characters —
 * are named as such. Reasons never repeat the digits entered, only their shape.
 */
export function diagnoseEnteredIdNumber (entered: string, { today, storedAsNumber = false }: { today: Date, storedAsNumber?: boolean }): EnteredIdNumberProblem | null {
  const trimmed = entered.trim()
  if (trimmed === '') return { reason: 'no ID number was given', reasonZh: '未填写身份证号。' }
  if (storedAsNumber) {
    const zeros = zerosAfterFifteenDigits(trimmed.replace(/\D/g, ''))
    if (zeros > 0) {
      return {
        reason: `the ID number was stored as a number, and Excel keeps only 15 significant digits: the last ${zeros} became 0 and the number cannot be recovered; ${reEnter.en}`,
        reasonZh: `身份证号在 Excel 中被存成了数值，Excel 只保留 15 位有效数字，最后 ${zeros} 位已变成 0，原号码无法还原。${reEnter.zh}。`,
      }
    }
    return {
      reason: `the ID number was stored as a number, not as text (Excel keeps only 15 significant digits of a number); ${reEnter.en}`,
      reasonZh: `身份证号在 Excel 中被存成了数值而不是文本（数值只保留 15 位有效数字）。${reEnter.zh}。`,
    }
  }
  if (scientific.test(trimmed)) {
    const kept = trimmed.replace(/^[+-]/, '').split(/e/i)[0]!.replace('.', '').length
    return {
      reason: `Excel wrote the ID number in scientific notation and kept only ${kept} of its 18 digits, so it cannot be recovered; ${reEnter.en}`,
      reasonZh: `身份证号被 Excel 转成了科学计数法（形如 4.40106E+17），18 位数字只保留了 ${kept} 位，原号码已无法还原。${reEnter.zh}。`,
    }
  }
  // Before spaces: JavaScript's trim() would take a BOM for one.
  const hidden = invisible.exec(entered)
  if (hidden !== null) {
    const position = [...entered.slice(0, hidden.index)].length + 1
    return { reason: `the ID number holds an invisible character (${codePoint(hidden[0])}) at position ${position}; type it again`, reasonZh: `身份证号第 ${position} 个字符是不可见字符（${codePoint(hidden[0])}），请重新输入。` }
  }
  if (trimmed !== entered || /\s/.test(trimmed)) {
    const where = trimmed !== entered ? (entered.startsWith(trimmed) ? 'after' : entered.endsWith(trimmed) ? 'before' : 'before and after') : 'inside'
    const whereZh = { after: '后', before: '前', 'before and after': '前后', inside: '中间' }[where]
    return { reason: `the ID number has spaces ${where === 'inside' ? 'inside' : `${where} it`}; remove them`, reasonZh: `身份证号${whereZh}有空格，请删除空格。` }
  }
  if (fullWidth.test(entered)) {
    return { reason: 'the ID number is written in full-width characters (０-９, Ｘ); use the half-width digits 0-9 and X', reasonZh: '身份证号使用了全角字符（如“４”“Ｘ”），请改用半角数字 0–9 和 X。' }
  }
  if (entered.startsWith('=')) return { reason: 'the cell holds an Excel formula, not the ID number: paste it as a value', reasonZh: '单元格内是 Excel 公式，而不是身份证号本身，请以“值”的方式粘贴。' }
  if (entered.startsWith("'")) return { reason: 'the ID number starts with an apostrophe; remove it', reasonZh: '身份证号前有单引号（\'），请删除。' }
  if (/^\d{15}$/.test(entered)) {
    return { reason: 'this is a 15-digit ID number of the old kind; give the 18-digit resident ID number', reasonZh: '这是 15 位的旧身份证号码，请填写 18 位的公民身份号码。' }
  }
  const problem = explainIdNumber(entered, today)
  if (problem === null) return null
  if (/^\d{15}000$/.test(entered) && idCheckCharacter(entered) !== '0') {
    return {
      reason: `the ID number ends in 000 and its check digit does not match: Excel most likely treated it as a number and kept only 15 significant digits; ${reEnter.en}`,
      reasonZh: `身份证号末 3 位是 000 且校验码不符：通常是 Excel 把身份证号当成数字处理，只保留了 15 位有效数字。${reEnter.zh}。`,
    }
  }
  const characters = [...entered]
  if (characters.length !== 18) {
    return { reason: `an ID number has 18 characters (17 digits and a digit or X); this has ${characters.length}`, reasonZh: `身份证号应为 18 位（17 位数字加 1 位数字或 X），此处为 ${characters.length} 位。` }
  }
  const bad = characters.findIndex((ch, i) => !(ch >= '0' && ch <= '9') && !(i === 17 && (ch === 'X' || ch === 'x')))
  if (bad !== -1) {
    const ch = characters[bad]!
    const shown = /\p{L}|\p{N}|\p{P}|\p{S}/u.test(ch) ? `“${ch}”` : codePoint(ch)
    return {
      reason: `character ${bad + 1} of the ID number is not a digit${bad === 17 ? ' or X' : ''}`,
      reasonZh: `身份证号第 ${bad + 1} 位是${shown}，${bad === 17 ? '应为数字或 X' : '应为数字'}。`,
    }
  }
  if (/future/.test(problem)) return { reason: 'the date of birth (digits 7-14) is in the future', reasonZh: '身份证号第 7–14 位（出生日期）晚于今天，请核对。' }
  if (/date of birth/.test(problem)) return { reason: 'digits 7-14 are not a possible date of birth', reasonZh: '身份证号第 7–14 位（出生日期）不是有效日期，请核对。' }
  return { reason: 'the check digit (the 18th) does not match the first 17 digits: the number was probably mistyped', reasonZh: '身份证号第 18 位校验码与前 17 位不符，请核对号码是否抄错。' }
}
