// Names of people and organisations as the service keeps them: normalised, printable, in one writing system; compared alike.
import { ServiceError } from '../errors.js'
import { knownFieldName } from './field-names.js'

// Letters of any script (CJK Ext B included), combining marks, and the separators names use (买买提·艾力, Anne-Marie).
export const personName = /^[\p{L}\p{M}][\p{L}\p{M}·•‧・.'\- ]*$/u
// Control, format (bidi overrides, zero-width), private-use, unassigned and lone surrogate characters never belong in a name.
const invisibleOrControl = /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\u2028\u2029]/u
// A person's name is written in one writing system (Han with kana, or with Hangul, for Japanese and Korean names):
// a Cyrillic 'а' inside a Latin name, or a Latin 'o' among Han characters, is a look-alike, not a name.
const nameScripts = [['Han', 'Hiragana', 'Katakana'], ['Han', 'Hangul'], ['Latin'], ['Cyrillic'], ['Greek'], ['Arabic'], ['Tibetan'], ['Mongolian'], ['Yi'], ['Thai'], ['Devanagari']]
const singleScriptNames = nameScripts.map(group => new RegExp(`^(?:[${group.map(script => `\\p{Script=${script}}`).join('')}]|[\\p{M}·•‧・.'\\- ])+$`, 'u'))

/** Why a (normalised) person's name could be a look-alike of another, or null: compatibility forms and mixed scripts. */
export function explainLookAlikeName (name: string): string | null {
  if (name.normalize('NFKC') !== name) return 'it contains compatibility forms (full-width letters, ligatures, radicals) that look like other characters'
  if (!singleScriptNames.some(pattern => pattern.test(name))) return 'it mixes writing systems (e.g. a Cyrillic letter among Latin ones)'
  return null
}

const fieldZh = (field: string) => knownFieldName('body', field) ?? field

/** The characters of `name` that `pattern` refuses, each once, to name them in the message: 张3 → “3”. */
function refusedCharacters (name: string, pattern: RegExp): string {
  const refused = [...new Set([...name].filter(c => !pattern.test(`a${c}`) && !pattern.test(c)))]
  return refused.length === 0 ? '' : refused.slice(0, 5).map(c => `“${c}”`).join('')
}

/** A name as stored and printed: NFC, trimmed, inner runs of spaces folded; throws on anything unprintable. */
export function normaliseName (raw: string, field: string, maxLength: number, pattern?: RegExp): string {
  const name = raw.normalize('NFC').trim().replace(/\s+/g, ' ')
  if (invisibleOrControl.test(name)) {
    throw new ServiceError('VALIDATION_FAILED', { en: `${field} contains control or invisible characters.`, zh: `${fieldZh(field)}含有控制字符或不可见字符，请重新输入。` }, [{ field, reason: 'invisible-character' }])
  }
  const length = [...name].length
  if (length === 0 || length > maxLength) {
    throw new ServiceError('VALIDATION_FAILED', { en: `${field} must have 1 to ${maxLength} characters.`, zh: `${fieldZh(field)}须为 1 至 ${maxLength} 个字符，此处为 ${length} 个。` }, [{ field, reason: 'length' }])
  }
  if (pattern !== undefined && !pattern.test(name)) {
    const refused = refusedCharacters(name, pattern)
    const which = refused === '' ? { en: '', zh: '' } : { en: ` (${refused})`, zh: `，不能有${refused}` }
    throw new ServiceError('VALIDATION_FAILED', {
      en: `${field} may contain only letters and name separators (· - .)${which.en}.`,
      zh: `${fieldZh(field)}只能包含文字和姓名中的分隔符（· - .）${which.zh}。`,
    }, [{ field, reason: 'characters' }])
  }
  return name
}

/** Names compare after NFKC, without spaces, with every middle-dot form alike (买买提·艾力 = 买买提•艾力). */
export function sameName (a: string, b: string): boolean {
  const fold = (s: string) => s.normalize('NFKC').replace(/\s+/g, '').replace(/[·•‧・.]/g, '·').toLowerCase()
  return fold(a) === fold(b)
}
