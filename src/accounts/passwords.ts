// Passwords: argon2id (@node-rs/argon2) with stated parameters, a policy of length and guessability, temporary passwords,
// and a bound on how many hashes are computed at once (each takes 19 MiB and tens of milliseconds).
import { randomBytes, randomInt } from 'node:crypto'
import { hash, verify } from '@node-rs/argon2'
import zxcvbnCore from '@zxcvbn-ts/core'
import zxcvbnCommon from '@zxcvbn-ts/language-common'
import { ServiceError } from '../errors.js'
import { chinesePasswords } from './chinese-passwords.js'

/**
 * argon2id with 19 MiB of memory, 2 passes, 1 lane (~60 ms on one core of this machine), a 16-byte salt and a
 * 32-byte hash: the first of the settings OWASP's password storage cheat sheet gives. The parameters are stored
 * in each hash (PHC format, $argon2id$v=19$m=19456,t=2,p=1$…), so they can be raised later without invalidating a password.
 */
// 2 is Algorithm.Argon2id (a const enum of the library's types, which this build cannot import).
export const argon2Parameters = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const

/** At most this many hashes at once, and this many waiting; more is 503 OVERLOADED. */
const maxHashing = 4
const maxWaiting = 64

export const minPasswordLength = 10
export const maxPasswordLength = 128

let hashing = 0
const waiting: Array<() => void> = []

async function bounded<T> (work: () => Promise<T>): Promise<T> {
  if (hashing >= maxHashing) {
    if (waiting.length >= maxWaiting) throw new ServiceError('OVERLOADED', { en: 'Too many sign-ins at once; try again shortly.', zh: '同时登录的人数过多，请稍后再试。' }, { retryAfterSeconds: 1 })
    await new Promise<void>(resolve => waiting.push(resolve))
  } else {
    hashing++
  }
  try {
    return await work()
  } finally {
    const next = waiting.shift()
    if (next === undefined) hashing--
    else next()
  }
}

/** The PHC string of a new hash of `password`. */
export async function hashPassword (password: string): Promise<string> {
  return bounded(() => hash(password.normalize('NFC'), { ...argon2Parameters, salt: randomBytes(16) }))
}

/** Whether `password` is the one `stored` was made from; false for a stored value it cannot read. */
export async function verifyPassword (password: string, stored: string): Promise<boolean> {
  if (!stored.startsWith('$argon2id$')) return false
  return bounded(() => verify(stored, password.normalize('NFC')).catch(() => false))
}

let unmatchable: Promise<string> | undefined
/** A hash no password matches, verified against when the username is unknown so that both take the same time. */
export function unmatchableHash (): Promise<string> {
  unmatchable ??= hashPassword(randomBytes(32).toString('base64url'))
  return unmatchable
}

// Letters and digits that cannot be mistaken for one another when read aloud or copied from paper (no 0/O, 1/l/I).
const temporaryAlphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'

/** A temporary password for a new account or a reset: 15 characters in three groups, about 86 bits. */
export function temporaryPassword (): string {
  const groups = [0, 1, 2].map(() => Array.from({ length: 5 }, () => temporaryAlphabet[randomInt(temporaryAlphabet.length)]).join(''))
  return groups.join('-')
}

const zxcvbn = new zxcvbnCore.ZxcvbnFactory({
  dictionary: { ...zxcvbnCommon.dictionary, chinese: [...chinesePasswords] },
  graphs: zxcvbnCommon.adjacencyGraphs,
})

/** Why a password may not be used, or null. `context` holds what a guesser would try first: the username, the person's and the organisation's names. */
export function explainWeakPassword (password: string, context: { username: string, words: readonly string[] }): { en: string, zh: string } | null {
  const length = [...password].length
  if (length < minPasswordLength) return { en: `it has ${length} characters; at least ${minPasswordLength} are needed`, zh: `密码仅 ${length} 个字符，至少须 ${minPasswordLength} 个` }
  if (length > maxPasswordLength) return { en: `it has more than ${maxPasswordLength} characters`, zh: `密码超过 ${maxPasswordLength} 个字符` }
  if (password.toLowerCase().includes(context.username.toLowerCase())) return { en: 'it contains the username', zh: '密码中含有用户名' }
  const { score } = zxcvbn.check(password, [context.username, ...context.words])
  if (score < 3) return { en: 'it is among the most common passwords or too easy to guess (a common word, name, date or keyboard pattern)', zh: '密码过于常见或容易猜到（常用词、姓名拼音、日期或键盘排列）' }
  return null
}

/** Throws PASSWORD_TOO_WEAK with the reason unless the password may be used. */
export function assertPasswordAllowed (password: string, context: { username: string, words: readonly string[] }): void {
  const why = explainWeakPassword(password, context)
  if (why !== null) {
    throw new ServiceError('PASSWORD_TOO_WEAK', { en: `The password may not be used: ${why.en}.`, zh: `该密码不能使用：${why.zh}。` }, [{ field: 'password', reason: 'weak' }])
  }
}
