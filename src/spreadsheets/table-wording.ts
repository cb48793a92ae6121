// How messages about an uploaded table quote what it holds: bounded, never an ID number, counts in Chinese style.

/** The most characters of a cell a message repeats. */
const maxQuoted = 40

/**
 * A cell's text as a message may repeat it: at most 40 characters, control characters shown as
 * code points, and any run of 15 or more digits (an ID number in the wrong column) cut to its
 * first 6, so no message — and nothing stored from one — carries an ID number.
 */
export function quoteCell (text: string): string {
  const visible = text.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]/gu, ch => `<U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}>`)
  const masked = visible.replace(/[0-9０-９]{15,}[Xx]?/g, digits => `${digits.slice(0, 6)}${'*'.repeat(digits.length - 6)}`)
  const characters = [...masked]
  return characters.length > maxQuoted ? `${characters.slice(0, maxQuoted).join('')}…` : masked
}

/** A column as messages name it: its header as written, without the * that marks it required. */
export const columnName = (header: string) => quoteCell(header.trim().replace(/\s*[*＊]+\s*$/, '').replace(/^\s*[*＊]+\s*/, ''))

/** 4,194,305 */
export const countText = (n: number) => n.toLocaleString('en-US')

/** A list for a message: the first `max` items, then how many more. */
export function listSome (items: readonly string[], max = 5, separator = ', '): string {
  return items.length <= max ? items.join(separator) : `${items.slice(0, max).join(separator)} (+${items.length - max})`
}

/** The same in Chinese: 甲、乙、丙等 7 列 */
export function listSomeZh (items: readonly string[], unit: string, max = 5): string {
  return items.length <= max ? items.join('、') : `${items.slice(0, max).join('、')}等 ${items.length} ${unit}`
}
