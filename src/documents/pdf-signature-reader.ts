// Reads the signature of an untrusted PDF from its bytes alone, without parsing the document: in milliseconds, before any expensive work.
import { checkPdfCms, maxCmsBytes, type PdfCmsFailure } from '../signing/pdf-cms-check.js'

/** Why a signature is invalid: the file's own faults, or its CMS's (pdf-cms-check.ts). */
export type PdfSignatureFailure =
  | 'too-large' | 'several-signatures' | 'byte-range' | 'appended' | 'contents' | 'dictionary' | 'sub-filter' | 'no-signing-time'
  | PdfCmsFailure

export type PdfSignatureReading =
  | { readonly kind: 'absent' }
  | { readonly kind: 'invalid', readonly failure: PdfSignatureFailure, readonly reason: string, readonly reasonZh: string }
  | { readonly kind: 'signed', readonly signerCertificate: Uint8Array, readonly signerPublicJwk: JsonWebKey, readonly signingTime: Date }

/** Larger files are refused unread: a certificate PDF is under 100 KB. */
export const maxSignedPdfBytes = 5 * 1024 * 1024
/** How far around /Contents the rest of the signature dictionary may lie. */
const dictionaryWindow = 4096
const maxRangeText = 128
const maxDateText = 64

const invalid = (failure: PdfSignatureFailure, reason: string, reasonZh: string): PdfSignatureReading => ({ kind: 'invalid', failure, reason, reasonZh })

/**
 * Finds and checks the signature of `pdf` by scanning its bytes (each scan bounded and linear; no PDF
 * parse). 'absent' when there is no /ByteRange; 'signed' only for exactly one signature whose /ByteRange is
 * `[0 a b c]` with a..b exactly its /Contents hex string (hex digits, the CMS then zero padding) and b + c
 * the file's length — nothing appended after signing — SubFilter ETSI.CAdES.detached, a CMS that passes
 * checkPdfCms over those ranges, and a signing time /M. Otherwise 'invalid' with a code and the reason in
 * English and Chinese. Never throws. Whether the signer is trusted is for the caller to decide.
 */
export function readPdfSignature (pdf: Uint8Array): PdfSignatureReading {
  if (pdf.byteLength > maxSignedPdfBytes) return invalid('too-large', `the file is ${pdf.byteLength} bytes; at most ${maxSignedPdfBytes} are read`, `文件有 ${pdf.byteLength} 字节，超出上限 ${maxSignedPdfBytes} 字节`)
  const bytes = Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength)
  const ranges = nameOccurrences(bytes, '/ByteRange', 2)
  if (ranges.length === 0) return { kind: 'absent' }
  if (ranges.length > 1) return invalid('several-signatures', 'the file has more than one signature: it was signed again after it was issued', '文件含有多个签名：签发后又被再次签名')
  const range = byteRangeAt(bytes, ranges[0]! + '/ByteRange'.length)
  if (range === undefined) return invalid('byte-range', 'the signature\'s /ByteRange is not four whole numbers', '签名的 /ByteRange 不是四个整数')
  const [start, a, b, c] = range
  if (start !== 0 || a < 1 || b <= a + 1 || b + c > bytes.length) return invalid('byte-range', 'the signature\'s /ByteRange does not describe this file', '签名的 /ByteRange 与文件不符')
  if (b + c < bytes.length) return invalid('appended', 'the file was changed after it was signed: bytes were appended after the signed range', '文件在签名后被修改：签名范围之后追加了内容')
  if (bytes[a] !== 0x3c || bytes[b - 1] !== 0x3e || !precededByName(bytes, a, '/Contents')) {
    return invalid('contents', 'the gap in the signed range is not the signature\'s /Contents string', '签名范围中的空缺不是签名的 /Contents 字符串')
  }
  const cms = cmsOf(bytes.subarray(a + 1, b - 1))
  if (!(cms instanceof Uint8Array)) return cms

  // The rest of the signature dictionary: around /Contents, within the object that holds it.
  const before = bytes.subarray(Math.max(0, a - dictionaryWindow), a)
  const after = bytes.subarray(b, Math.min(bytes.length, b + dictionaryWindow))
  const startObject = before.lastIndexOf('obj')
  const head = startObject === -1 ? before : before.subarray(startObject + 'obj'.length)
  const endObject = after.indexOf('endobj')
  const tail = endObject === -1 ? after : after.subarray(0, endObject)
  const at = ranges[0]!
  if (!(at >= a - head.length && at < a) && !(at >= b && at < b + tail.length)) {
    return invalid('dictionary', 'the /ByteRange is not in the signature dictionary', '/ByteRange 不在签名字典中')
  }
  const subFilter = nameValue(head, '/SubFilter') ?? nameValue(tail, '/SubFilter')
  if (subFilter !== '/ETSI.CAdES.detached') return invalid('sub-filter', `the signature is not a PAdES signature: its SubFilter is ${subFilter ?? 'missing'}, not ETSI.CAdES.detached`, `签名不是 PAdES 签名：SubFilter 为 ${subFilter ?? '空'}，而非 ETSI.CAdES.detached`)
  const signingTime = signingTimeOf(head) ?? signingTimeOf(tail)
  if (signingTime === undefined) return invalid('no-signing-time', 'the signature has no readable signing time (/M)', '签名没有可读取的签名时间（/M）')

  const check = checkPdfCms(cms, [bytes.subarray(0, a), bytes.subarray(b, b + c)])
  if (!check.ok) return invalid(check.failure, check.reason, check.reasonZh)
  return { kind: 'signed', signerCertificate: check.signerCertificate, signerPublicJwk: check.signerPublicJwk, signingTime }
}

const isWhitespace = (byte: number | undefined): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09 || byte === 0x0c || byte === 0x00
/** PDF delimiters and white space end a name. */
const endsName = (byte: number | undefined): boolean => byte === undefined || isWhitespace(byte) || '()<>[]{}/%'.includes(String.fromCharCode(byte))
const isDigit = (byte: number | undefined): boolean => byte !== undefined && byte >= 0x30 && byte <= 0x39

/** Offsets of the name `name` (whole, not a prefix of a longer name) in `bytes`, the first `limit` of them. */
function nameOccurrences (bytes: Buffer, name: string, limit: number): number[] {
  const found: number[] = []
  for (let at = bytes.indexOf(name); at !== -1 && found.length < limit; at = bytes.indexOf(name, at + name.length)) {
    if (endsName(bytes[at + name.length])) found.push(at)
  }
  return found
}

/** `[ n n n n ]` right after offset `at`, each a whole number of at most 10 digits. */
function byteRangeAt (bytes: Buffer, at: number): [number, number, number, number] | undefined {
  const end = Math.min(bytes.length, at + maxRangeText)
  let index = at
  const skip = (): void => { while (index < end && isWhitespace(bytes[index])) index++ }
  skip()
  if (bytes[index++] !== 0x5b) return undefined
  const numbers: number[] = []
  for (let n = 0; n < 4; n++) {
    skip()
    const from = index
    while (index < end && isDigit(bytes[index]) && index - from < 10) index++
    if (index === from || isDigit(bytes[index])) return undefined
    numbers.push(Number(bytes.toString('latin1', from, index)))
  }
  skip()
  return bytes[index] === 0x5d ? numbers as [number, number, number, number] : undefined
}

function precededByName (bytes: Buffer, at: number, name: string): boolean {
  let index = at
  while (index > 0 && at - index < 16 && isWhitespace(bytes[index - 1])) index--
  return index >= name.length && bytes.toString('latin1', index - name.length, index) === name
}

/** The CMS in a /Contents hex string: its DER, as long as its outer length says, then nothing but zeros. */
function cmsOf (hex: Buffer): Uint8Array | PdfSignatureReading {
  const notHex = invalid('contents', 'the signature\'s /Contents holds more than hex digits', '签名的 /Contents 含有十六进制数字以外的内容')
  const cutShort = invalid('contents', 'the signature data is cut short, or padded with something other than zeros', '签名数据不完整，或以非零内容填充')
  if (hex.length % 2 !== 0 || hex.length > 4 * maxCmsBytes) return cutShort
  for (const byte of hex) {
    if (!isDigit(byte) && !(byte >= 0x41 && byte <= 0x46) && !(byte >= 0x61 && byte <= 0x66)) return notHex
  }
  const data = Buffer.from(hex.toString('latin1'), 'hex')
  // A SEQUENCE with a definite length: the short form, or the long form in one to three bytes.
  const first = data[1] ?? 0
  const lengthBytes = first < 0x80 ? 0 : first - 0x80
  if (data[0] !== 0x30 || first === 0x80 || lengthBytes > 3) return cutShort
  let length = first < 0x80 ? first : 0
  for (let n = 0; n < lengthBytes; n++) length = length * 256 + (data[2 + n] ?? 0)
  const total = 2 + lengthBytes + length
  if (total > data.length) return cutShort
  for (let index = total; index < data.length; index++) if (data[index] !== 0) return cutShort
  return new Uint8Array(data.subarray(0, total))
}

/** The name that follows key `key` in `dict`, e.g. '/ETSI.CAdES.detached'. */
function nameValue (dict: Buffer, key: string): string | undefined {
  const [at] = nameOccurrences(dict, key, 1)
  if (at === undefined) return undefined
  let index = at + key.length
  while (index < dict.length && isWhitespace(dict[index])) index++
  if (dict[index] !== 0x2f) return undefined
  const from = index++
  while (index < dict.length && index - from < 64 && !endsName(dict[index])) index++
  return dict.toString('latin1', from, index)
}

/** /M (D:YYYYMMDDHHmmSS with Z or an offset ±HH'mm'), to the second. */
function signingTimeOf (dict: Buffer): Date | undefined {
  const [at] = nameOccurrences(dict, '/M', 1)
  if (at === undefined) return undefined
  const text = dict.toString('latin1', at + 2, Math.min(dict.length, at + 2 + maxDateText))
  const match = /^\s*\((?:D:)?(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(Z|[+-]\d{2}'\d{2}'?)?\)/.exec(text)
  if (match === null) return undefined
  const [, year, month, day, hour, minute, second, zone] = match
  const offset = zone === undefined || zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(4, 6)}`
  const date = new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}${offset}`)
  return Number.isNaN(date.getTime()) ? undefined : date
}
