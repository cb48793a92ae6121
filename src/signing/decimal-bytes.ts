// Bytes as decimal digits, for the QR code's numeric mode (10 bits per 3 digits: 1.2 % over the bytes themselves).

/** Digits per group of 1…7 bytes: the fewest that hold 256^n − 1. A full group is 7 bytes in 17 digits. */
const digitsPerGroup = [0, 3, 5, 8, 10, 13, 15, 17] as const
const groupBytes = 7
const groupDigits = 17

/**
 * Writes `bytes` as digits: each group of 7 bytes (the last may be shorter) as one big-endian unsigned
 * integer, zero-padded to 17 digits (3, 5, 8, 10, 13 or 15 for a last group of 1…6 bytes).
 */
export function bytesToDigits (bytes: Uint8Array): string {
  let digits = ''
  for (let start = 0; start < bytes.length; start += groupBytes) {
    const group = bytes.subarray(start, start + groupBytes)
    let value = 0n
    for (const byte of group) value = (value << 8n) | BigInt(byte)
    digits += value.toString().padStart(digitsPerGroup[group.length]!, '0')
  }
  return digits
}

/** The bytes of digits written by bytesToDigits, or undefined when they cannot have been (a length or a group value no bytes give). */
export function digitsToBytes (digits: string): Uint8Array | undefined {
  if (!/^[0-9]*$/.test(digits)) return undefined
  const rest = digits.length % groupDigits
  const lastBytes = digitsPerGroup.indexOf(rest as typeof digitsPerGroup[number])
  if (rest !== 0 && lastBytes < 1) return undefined
  const bytes = new Uint8Array(Math.floor(digits.length / groupDigits) * groupBytes + (rest === 0 ? 0 : lastBytes))
  let offset = 0
  for (let start = 0; start < digits.length; start += groupDigits) {
    const group = digits.slice(start, start + groupDigits)
    const length = group.length === groupDigits ? groupBytes : lastBytes
    let value = BigInt(group)
    if (value >> BigInt(8 * length) !== 0n) return undefined
    for (let i = length - 1; i >= 0; i--) {
      bytes[offset + i] = Number(value & 0xffn)
      value >>= 8n
    }
    offset += length
  }
  return bytes
}
