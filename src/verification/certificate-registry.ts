// What the pipeline asks of a register — the issuance register online, a revocation list offline — and how a record must match.
import { isDeepStrictEqual } from 'node:util'
import type { CertificateHours } from '../certificates/certificate-service.js'
import type { CertificatePayload } from '../signing/certificate-jws.js'
import type { VerificationCheck } from './verification-report.js'

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
  lookup (payload: CertificatePayload, kid: string): Promise<RegistryAnswer>
}

/** The payload of a compact JWS, decoded without checking anything (the register's own token). */
function payloadOf (jws: string): unknown {
  try {
    return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

/**
 * Compares the register's record with the signed payload field by field, then the tokens: the
 * register must hold the presented token, or at least one with exactly the same signed content.
 */
export function matchRegistryRecord (record: RegistryRecord, payload: CertificatePayload, kid: string, jws: string): VerificationCheck {
  const h = payload.hrs
  const fields: Array<[string, boolean]> = [
    ['number', record.number === payload.num],
    ['holder name', record.holderName === payload.nam],
    ['year', record.year === payload.yr],
    ['region', record.regionCode === payload.reg],
    ['rule set', record.ruleSet === payload.rs],
    ['issuer', record.issuerId === payload.isi],
    ['employer', record.employerName === payload.emp],
    ['hours', record.hours.public === h.pub && record.hours.professional === h.pro && record.hours.elective === h.ele &&
      record.hours.selfStudy === (h.slf ?? 0) && record.hours.total === h.tot],
    ['issue time', record.issuedAt.getTime() === payload.iat * 1000],
    ['signing key', record.kid === kid],
  ]
  const differing = fields.filter(([, same]) => !same).map(([name]) => name)
  if (differing.length > 0) {
    return {
      name: 'registry-match',
      ok: false,
      code: 'CERTIFICATE_MISMATCH',
      reason: `the register's record of ${payload.num} differs from the signed certificate in: ${differing.join(', ')}`,
      reasonZh: '名册中该编号的记录与证书签名内容不一致。',
    }
  }
  if (record.jws === jws) return { name: 'registry-match', ok: true, reason: 'the register holds this very token', reasonZh: '名册中存有此签名数据。' }
  if (isDeepStrictEqual(payloadOf(record.jws), payload)) {
    return { name: 'registry-match', ok: true, reason: 'the register holds another signature over the same signed content', reasonZh: '名册中存有内容相同的签名数据。' }
  }
  return {
    name: 'registry-match',
    ok: false,
    code: 'CERTIFICATE_MISMATCH',
    reason: `the register holds a different token for ${payload.num}`,
    reasonZh: '名册中该编号的签名数据与所出示的不同。',
  }
}
