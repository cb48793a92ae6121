// What the pipeline asks of a register — the issuance register online, a revocation list offline — and how a record must match.
import { isDeepStrictEqual } from 'node:util'
import type { CertificateHours } from '../certificates/certificate-service.js'
import type { CertificatePayload } from '../signing/certificate-jws.js'
import type { VerificationCheck } from './verification-report.js'

/** What a token signs, whichever its form: a compact QR token signs the first five; a JWS signs its whole `payload` too. */
export interface SignedContent {
  number: string
  holderName: string
  year: number
  hours: CertificatePayload['hrs']
  /** Issue time, seconds since the epoch. */
  iat: number
  /** The JWS payload; absent for a compact QR token. */
  payload?: CertificatePayload
}

/** A certificate as the issuance register holds it. */
export interface RegistryRecord {
  number: string
  holderName: string
  year: number
  regionCode: string
  ruleSet: string
  issuerId: number
  employerName: string
  hours: CertificateHours
  issuedAt: Date
  kid: string
  jws: string
  status: 'valid' | 'revoked'
  revokedAt: Date | null
}

/** An offline verifier knows no records, only what a revocation list says (or nothing). */
export interface OfflineStatus {
  kind: 'offline'
  /** `unknown`: no list for the key; `stale`: the list is past its nextUpdate; `unchecked`: revocation knowingly not checked. */
  status: 'revoked' | 'not-revoked' | 'unknown' | 'stale' | 'unchecked'
  reason: string
  reasonZh: string
}

export type RegistryAnswer = { kind: 'record', record: RegistryRecord } | { kind: 'absent' } | OfflineStatus

/** Where the registry-dependent checks look: injected, so the offline verifier supplies a revocation list instead of a database. */
export interface CertificateRegistry {
  lookup (number: string, kid: string): Promise<RegistryAnswer>
}

/** The payload of a compact JWS, decoded without checking anything (the register's own token). */
export function payloadOf (jws: string): unknown {
  try {
    return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

const fieldNamesZh: Readonly<Record<string, string>> = {
  number: '编号', 'holder name': '姓名', year: '年度', region: '地区', 'rule set': '学时标准', issuer: '发证单位',
  employer: '工作单位', hours: '学时', 'issue time': '签发时间', 'signing key': '签名密钥',
}

/**
 * Compares the register's record with the signed content field by field — for a compact QR token the
 * number, name, year, hours, issue time and key it signs — then, for a JWS, the tokens: the register
 * must hold the presented token, or at least one with exactly the same signed content.
 */
export function matchRegistryRecord (record: RegistryRecord, signed: SignedContent, kid: string, token: string): VerificationCheck {
  const h = signed.hours
  const payload = signed.payload
  const fields: Array<[string, boolean]> = [
    ['number', record.number === signed.number],
    ['holder name', record.holderName === signed.holderName],
    ['year', record.year === signed.year],
    ...(payload === undefined ? [] : [
      ['region', record.regionCode === payload.reg],
      ['rule set', record.ruleSet === payload.rs],
      ['issuer', record.issuerId === payload.isi],
      ['employer', record.employerName === payload.emp],
    ] as Array<[string, boolean]>),
    ['hours', record.hours.public === h.pub && record.hours.professional === h.pro && record.hours.elective === h.ele &&
      record.hours.selfStudy === (h.slf ?? 0) && record.hours.total === h.tot],
    ['issue time', record.issuedAt.getTime() === signed.iat * 1000],
    ['signing key', record.kid === kid],
  ]
  const differing = fields.filter(([, same]) => !same).map(([name]) => name)
  if (differing.length > 0) {
    return {
      name: 'registry-match',
      ok: false,
      code: 'CERTIFICATE_MISMATCH',
      reason: `the register's record of ${signed.number} differs from the signed certificate in: ${differing.join(', ')}`,
      reasonZh: `名册中该编号的记录与证书签名内容不一致（${differing.map(field => fieldNamesZh[field] ?? field).join('、')}）。`,
    }
  }
  if (payload === undefined) {
    return { name: 'registry-match', ok: true, reason: 'the register\'s record has the number, name, year, hours, issue time and key the QR code signs', reasonZh: '名册记录与二维码签名的编号、姓名、年度、学时、签发时间和密钥一致。' }
  }
  if (record.jws === token) return { name: 'registry-match', ok: true, reason: 'the register holds this very token', reasonZh: '名册中存有此签名数据。' }
  if (isDeepStrictEqual(payloadOf(record.jws), payload)) {
    return { name: 'registry-match', ok: true, reason: 'the register holds another signature over the same signed content', reasonZh: '名册中存有内容相同的签名数据。' }
  }
  return {
    name: 'registry-match',
    ok: false,
    code: 'CERTIFICATE_MISMATCH',
    reason: `the register holds a different token for ${signed.number}`,
    reasonZh: '名册中该编号的签名数据与所出示的不同。',
  }
}
