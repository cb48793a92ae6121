// A certificate number as people send it — typed, pasted, or exported by Excel — diagnosed exactly and never repaired.
import { diagnoseCertificateNumber, explainCertificateNumber, explainCertificateNumberZh } from '../certificates/certificate-number.js'

/** Why an entered number is not a certificate number, in English and Chinese. */
export interface EnteredNumberProblem { reason: string, reasonZh: string }

const scientific = /^[+-]?\d+(\.\d+)?e[+-]?\d+$/i
const decimal = /^\d+\.\d+$/
const thousands = /^\d{1,3}(,\d{3})+$/
const fullWidthDigit = /[０-９]/
// Zero-width, direction and soft-hyphen marks, a stray BOM, control characters: invisible in a cell.
const invisible = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/u

/** An entered value quoted in a reason: never more than 40 characters of it. */
const shown = (s: string) => ([...s].length > 40 ? `${[...s].slice(0, 40).join('')}…` : s)
const codePoint = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

/**
 * The problem of a number as entered, or null when it is exactly a certificate number. The ways
 * Excel and input methods spoil a number are named as such — scientific notation (4.40106E+13,
 * whose lost digits cannot be recovered), decimals, thousands separators, leading or trailing
 * spaces, full-width digits, an ="…" formula, a leading apostrophe, invisible characters — and
 * nothing is corrected, so a spoilt number can never be matched to somebody else's certificate.
 */
export function diagnoseEnteredNumber (entered: string, currentYear: number): EnteredNumberProblem | null {
  const trimmed = entered.trim()
  if (trimmed === '') return { reason: 'no certificate number was given', reasonZh: '未填写证书编号。' }
  if (scientific.test(trimmed)) {
    const digits = trimmed.replace(/^[+-]/, '').split(/e/i)[0]!.replace('.', '').length
    return {
      reason: `Excel wrote the number in scientific notation (${shown(trimmed)}) and kept only ${digits} of its 14 digits, so the certificate number is lost: format the column as Text and enter the numbers again`,
      reasonZh: `证书编号被 Excel 转成了科学计数法（${shown(trimmed)}），14 位数字只保留了 ${digits} 位，原编号已无法还原。请将该列设置为“文本”格式后重新填写。`,
    }
  }
  // Before spaces: JavaScript's trim() would take a BOM for one.
  const hidden = invisible.exec(entered)
  if (hidden !== null) {
    const position = [...entered.slice(0, hidden.index)].length + 1
    return { reason: `the number holds an invisible character (${codePoint(hidden[0])}) at position ${position}; type it again`, reasonZh: `证书编号第 ${position} 个字符是不可见字符（${codePoint(hidden[0])}），请重新输入。` }
  }
  if (trimmed !== entered) {
    const where = entered.startsWith(trimmed) ? 'after' : entered.endsWith(trimmed) ? 'before' : 'before and after'
    const whereZh = where === 'after' ? '后' : where === 'before' ? '前' : '前后'
    return { reason: `the number has spaces ${where} it; remove them and send it again`, reasonZh: `证书编号${whereZh}有空格，请删除后重新提交。` }
  }
  if (fullWidthDigit.test(entered)) {
    return {
      reason: 'the number is written in full-width digits (０-９); certificate numbers use the half-width digits 0-9',
      reasonZh: '证书编号使用了全角数字（如“４”），请改用半角数字 0–9。',
    }
  }
  if (entered.startsWith('=')) {
    return { reason: `the cell holds an Excel formula (${shown(entered)}), not the number: paste it as a value`, reasonZh: `单元格内是 Excel 公式（${shown(entered)}），而不是编号本身，请以“值”的方式粘贴。` }
  }
  if (entered.startsWith("'")) {
    return { reason: 'the number starts with an apostrophe; remove it', reasonZh: '证书编号前有单引号（\'），请删除。' }
  }
  if (decimal.test(entered)) {
    return { reason: `Excel stored the number with decimals (${shown(entered)}): format the column as Text and enter the numbers again`, reasonZh: `证书编号被 Excel 存成了带小数的数值（${shown(entered)}），请将该列设置为“文本”格式后重新填写。` }
  }
  if (thousands.test(entered)) {
    return { reason: `Excel added thousands separators (${shown(entered)}): format the column as Text and enter the numbers again`, reasonZh: `证书编号被 Excel 加上了千位分隔符（${shown(entered)}），请将该列设置为“文本”格式后重新填写。` }
  }
  if (diagnoseCertificateNumber(entered, currentYear) === null) return null
  return { reason: explainCertificateNumber(entered, currentYear)!, reasonZh: explainCertificateNumberZh(entered, currentYear)! }
}
