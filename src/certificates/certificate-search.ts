// Finding certificates for an issuer: by number, by holder name, by ID number (matched through its keyed hash, never
// stored or shown) — only among the certificates the issuer may read.
import type { Kysely } from 'kysely'
import type { Actor } from '../actors/actor.js'
import type { Database } from '../db/schema.js'
import { ServiceError } from '../errors.js'
import { diagnoseEnteredIdNumber } from './entered-id-number.js'
import { holderIdHmac } from './issuance-request.js'
import { chinaYear } from '../text/china-time.js'
import { parseCertificateNumber } from './certificate-number.js'

export interface CertificateSearch { number?: string, name?: string, idNumber?: string }

export interface FoundCertificate {
  number: string
  holderName: string
  employerName: string
  year: number
  status: 'valid' | 'revoked'
  issuedAt: string
  revokedAt?: string
  hoursTotal: number
}

/** At most this many certificates are answered; a search finding more says so. */
export const maxSearchResults = 100

const prefixLength = { province: 2, city: 4, county: 6 } as const

export function createCertificateSearch ({ db, holderIdSecret, clock }: { db: Kysely<Database>, holderIdSecret: Buffer, clock: () => Date }) {
  return {
    /** The certificates matching every criterion given, newest year first; OUT_OF_SCOPE never: what is out of scope is simply not found. */
    async searchCertificates (actor: Actor, search: CertificateSearch): Promise<{ certificates: FoundCertificate[], truncated: boolean }> {
      if (actor.kind === 'verifier') throw new ServiceError('FORBIDDEN_ROLE', { en: 'A verifier account cannot search the register.', zh: '核验账户不能查询发证记录。' })
      const number = search.number?.normalize('NFKC').replace(/[\s-]+/g, '')
      const name = search.name?.normalize('NFC').trim().replace(/\s+/g, ' ')
      const idNumber = search.idNumber?.trim()
      if ((number ?? '') === '' && (name ?? '') === '' && (idNumber ?? '') === '') {
        throw new ServiceError('VALIDATION_FAILED', { en: 'Give a number, a name or an ID number to search by.', zh: '请输入证书编号、姓名或公民身份号码中的至少一项。' })
      }
      let query = db.selectFrom('certificates')
        .select(['number', 'holder_name', 'employer_name', 'year', 'status', 'issued_at', 'revoked_at', 'hours_total'])
      if (number !== undefined && number !== '') {
        parseCertificateNumber(number, chinaYear(clock()))
        query = query.where('number', '=', number)
      }
      if (name !== undefined && name !== '') query = query.where('holder_name', '=', name)
      if (idNumber !== undefined && idNumber !== '') {
        const problem = diagnoseEnteredIdNumber(idNumber, { today: clock() })
        if (problem !== null) throw new ServiceError('INVALID_ID_NUMBER', { en: `The resident ID number is not valid: ${problem.reason}.`, zh: `公民身份号码无效：${problem.reasonZh}` })
        query = query.where('holder_id_hmac', '=', holderIdHmac(holderIdSecret, idNumber))
      }
      // The same scope as reading one record (issuer-scope.ts mayRead): an authority its area, an employer what it issued.
      if (actor.kind === 'employer') query = query.where('issuer_id', '=', actor.issuerId)
      else query = query.where('region_code', 'like', `${actor.region.code.slice(0, prefixLength[actor.region.level])}%`)
      const rows = await query.orderBy('year', 'desc').orderBy('number').limit(maxSearchResults + 1).execute()
      return {
        truncated: rows.length > maxSearchResults,
        certificates: rows.slice(0, maxSearchResults).map(row => ({
          number: row.number,
          holderName: row.holder_name,
          employerName: row.employer_name,
          year: row.year,
          status: row.status,
          issuedAt: row.issued_at.toISOString(),
          ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at.toISOString() }),
          hoursTotal: Number(row.hours_total),
        })),
      }
    },
  }
}
