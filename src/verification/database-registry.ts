// The issuance register as the online verifier sees it: the certificates table.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { findCertificate } from '../certificates/certificate-repository.js'
import type { CertificateRegistry } from './certificate-registry.js'

/** A registry backed by the database: the record of the signed number, or absent. */
export function createDatabaseRegistry (db: Kysely<Database>): CertificateRegistry {
  return {
    async lookup (number) {
      const row = await findCertificate(db, number)
      if (row === undefined) return { kind: 'absent' }
      return {
        kind: 'record',
        record: {
          number: row.number,
          holderName: row.holder_name,
          year: row.year,
          regionCode: row.region_code,
          ruleSet: row.rule_set,
          issuerId: row.issuer_id,
          employerName: row.employer_name,
          hours: { public: row.hours_public, professional: row.hours_professional, elective: row.hours_elective, selfStudy: row.hours_self_study, total: row.hours_total },
          issuedAt: row.issued_at,
          kid: row.kid,
          jws: row.jws,
          status: row.status,
          revokedAt: row.revoked_at,
        },
      }
    },
  }
}
