// API keys: 256 random bits shown once, stored only as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto'

const keyPrefix = 'cek_'

export function generateApiKey (): { key: string, hash: string, prefix: string } {
  const key = keyPrefix + randomBytes(32).toString('base64url')
  return { key, hash: hashApiKey(key), prefix: key.slice(0, keyPrefix.length + 6) }
}

/** Random 256-bit keys need no slow, salted hash: nothing about them can be guessed. */
export function hashApiKey (key: string): string {
  return createHash('sha256').update(key).digest('hex')
}
