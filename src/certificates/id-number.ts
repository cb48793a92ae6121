// The 18-digit resident ID number (公民身份号码, GB 11643-1999): structure and ISO 7064 MOD 11-2 check digit.

const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const checkCharacters = '10X98765432'

/** The check character (0-9 or X) for the first 17 digits. */
export function idCheckCharacter (first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * weights[i]!
  return checkCharacters[sum % 11]!
}

/** Why a string is not a valid ID number, or null when it is one. A lowercase x is accepted. */
export function explainIdNumber (input: string, today: Date): string | null {
  if (!/^\d{17}[\dXx]$/.test(input)) return 'an ID number is 17 digits followed by a digit or X'
  const y = Number(input.slice(6, 10))
  const m = Number(input.slice(10, 12))
  const d = Number(input.slice(12, 14))
  const birth = new Date(Date.UTC(y, m - 1, d))
  if (birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d || y < 1900) {
    return 'digits 7-14 are not a possible date of birth'
  }
  if (birth.getTime() > today.getTime()) return 'the date of birth is in the future'
  if (idCheckCharacter(input) !== input[17]!.toUpperCase()) return 'the check digit does not match'
  return null
}

/** The canonical form used for hashing: uppercase X. */
export function normaliseIdNumber (input: string): string {
  return input.toUpperCase()
}
