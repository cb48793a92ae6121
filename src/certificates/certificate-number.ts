// The 14-digit certificate number `PP CC DD YY NNNNNN` [seed 004 art.15]: format, parse, validate.
import { ServiceError } from '../errors.js'
import { findRegion, type Region } from '../regions/region-table.js'

export interface CertificateNumber {
  readonly number: string
  readonly region: Region
  /** Full year, 2000 + YY. */
  readonly year: number
  /** The county's running number for that year, from 1. */
  readonly sequence: number
}

export const maxSequence = 999_999
/** Two digits of year: certificates of 2000…2099. */
export const firstYear = 2000

/** The number for a region code, year and sequence. Throws on values that cannot form one. */
export function formatCertificateNumber (regionCode: string, year: number, sequence: number): string {
  if (!/^\d{6}$/.test(regionCode)) throw new RangeError(`region code must be 6 digits: ${regionCode}`)
  if (!Number.isInteger(year) || year < firstYear || year > firstYear + 99) throw new RangeError(`year out of range: ${year}`)
  if (!Number.isInteger(sequence) || sequence < 1 || sequence > maxSequence) throw new RangeError(`sequence out of range: ${sequence}`)
  return `${regionCode}${String(year % 100).padStart(2, '0')}${String(sequence).padStart(6, '0')}`
}

/** What is wrong with a string that is not a certificate number: data, so each audience can word it. */
export type CertificateNumberProblem =
  | { kind: 'length', length: number }
  | { kind: 'character', position: number, character: string }
  | { kind: 'unknown-region', regionCode: string }
  | { kind: 'future-year', year: number }
  | { kind: 'zero-sequence' }

/** The first problem of a string as a certificate number, or null when it is one. `currentYear` bounds the year. */
export function diagnoseCertificateNumber (input: string, currentYear: number): CertificateNumberProblem | null {
  if (input.length !== 14) return { kind: 'length', length: [...input].length }
  const bad = [...input].findIndex(ch => ch < '0' || ch > '9')
  if (bad !== -1) return { kind: 'character', position: bad + 1, character: [...input][bad]! }
  const regionCode = input.slice(0, 6)
  if (findRegion(regionCode) === undefined) return { kind: 'unknown-region', regionCode }
  const year = firstYear + Number(input.slice(6, 8))
  if (year > currentYear) return { kind: 'future-year', year }
  if (input.slice(8) === '000000') return { kind: 'zero-sequence' }
  return null
}

/** Why a string is not a certificate number, in English, or null when it is one. `currentYear` bounds the year. */
export function explainCertificateNumber (input: string, currentYear: number): string | null {
  const problem = diagnoseCertificateNumber(input, currentYear)
  switch (problem?.kind) {
    case undefined: return null
    case 'length': return `a certificate number has 14 digits; this has ${problem.length} characters`
    case 'character': return `a certificate number has only the digits 0-9; character ${problem.position} is '${problem.character}'`
    case 'unknown-region': return `the first six digits, ${problem.regionCode}, are not a GB/T 2260 region code`
    case 'future-year': return `digits 7-8 give the year ${problem.year}, which has not come yet`
    case 'zero-sequence': return 'the running number starts at 000001; 000000 is never issued'
  }
}

/** The same, in Chinese, for the people who typed the number. */
export function explainCertificateNumberZh (input: string, currentYear: number): string | null {
  const problem = diagnoseCertificateNumber(input, currentYear)
  switch (problem?.kind) {
    case undefined: return null
    case 'length': return `证书编号应为 14 位数字，此处有 ${problem.length} 个字符。`
    case 'character': return `证书编号只能由数字 0–9 组成，第 ${problem.position} 个字符是“${problem.character}”。`
    case 'unknown-region': return `前 6 位“${problem.regionCode}”不是有效的行政区划代码（GB/T 2260）。`
    case 'future-year': return `第 7–8 位表示 ${problem.year} 年，该年度尚未到来。`
    case 'zero-sequence': return '后 6 位顺序号从 000001 开始，000000 从不发放。'
  }
}

/** Parses a certificate number, throwing MALFORMED_CERTIFICATE_NUMBER with the precise reason. */
export function parseCertificateNumber (input: string, currentYear: number): CertificateNumber {
  const problem = diagnoseCertificateNumber(input, currentYear)
  if (problem !== null) {
    const reason = explainCertificateNumber(input, currentYear)!
    throw new ServiceError('MALFORMED_CERTIFICATE_NUMBER', { en: `The certificate number is malformed: ${reason}.`, zh: `证书编号格式错误：${explainCertificateNumberZh(input, currentYear)!}` }, { reason, problem })
  }
  return {
    number: input,
    region: findRegion(input.slice(0, 6))!,
    year: firstYear + Number(input.slice(6, 8)),
    sequence: Number(input.slice(8)),
  }
}
