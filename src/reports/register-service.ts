// The issuance register (证书发放名册) of an area and year: paged by number for JSON, streamed page by page for CSV and .xlsx.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import type { CertificateHours } from '../certificates/certificate-service.js'
import { listRegisterPage } from './report-repository.js'
import { resolveReportArea, type ReportArea } from './report-area.js'
import { chinaDate } from '../text/china-time.js'

/** One line of the register (schemas/register-page.json). Never an ID number. */
export interface RegisterEntry {
  number: string
  holderName: string
  employerName: string
  issuedAt: string
  /** The issue date in China (UTC+8), as printed on the certificate. */
  issueDate: string
  status: 'valid' | 'revoked'
  revokedAt: string | null
  hours: CertificateHours
}

export interface RegisterPage {
  regionCode: string
  regionName: string
  year: number
  entries: RegisterEntry[]
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: string | null
}

export interface RegisterDeps { db: Kysely<Database>, clock: () => Date }

export type RegisterService = ReturnType<typeof createRegisterService>

export const maxRegisterPageSize = 1000

type Row = Awaited<ReturnType<typeof listRegisterPage>>[number]

function entryOf (row: Row): RegisterEntry {
  return {
    number: row.number,
    holderName: row.holder_name,
    employerName: row.employer_name,
    issuedAt: row.issued_at.toISOString(),
    issueDate: chinaDate(row.issued_at),
    status: row.status,
    revokedAt: row.revoked_at?.toISOString() ?? null,
    hours: { public: row.hours_public, professional: row.hours_professional, elective: row.hours_elective, selfStudy: row.hours_self_study, total: row.hours_total },
  }
}

export function createRegisterService ({ db, clock }: RegisterDeps) {
  async function * entriesOf (area: ReportArea, pageSize: number): AsyncGenerator<RegisterEntry> {
    let after: string | null = null
    for (;;) {
      const rows = await listRegisterPage(db, area.filter, after, pageSize)
      for (const row of rows) yield entryOf(row)
      if (rows.length < pageSize) return
      after = rows[rows.length - 1]!.number
    }
  }

  return {
    /** One page of the register, in number order after `after` (a certificate number). */
    async readRegisterPage (actor: Actor, regionCode: string, year: number, page: { after?: string, limit: number }): Promise<RegisterPage> {
      const area = resolveReportArea(actor, regionCode, year, clock())
      const limit = Math.min(Math.max(page.limit, 1), maxRegisterPageSize)
      // One more than asked tells whether a next page exists.
      const rows = await listRegisterPage(db, area.filter, page.after ?? null, limit + 1)
      const entries = rows.slice(0, limit).map(entryOf)
      return {
        regionCode: area.region.code,
        regionName: area.region.fullName,
        year,
        entries,
        nextAfter: rows.length > limit ? entries[entries.length - 1]!.number : null,
      }
    },

    /**
     * The whole register as a stream of entries, read `pageSize` rows at a time by number, so an
     * area with 100,000 certificates never sits in memory at once. Scope is checked before returning;
     * `openedAt` is when the export was asked for.
     */
    openRegister (actor: Actor, regionCode: string, year: number, pageSize = maxRegisterPageSize) {
      const openedAt = clock()
      const area = resolveReportArea(actor, regionCode, year, openedAt)
      return { region: area.region, entries: entriesOf(area, pageSize), openedAt }
    },
  }
}
