// Queries behind registers and statistics: certificates of an area and year, paged by number or grouped by county.
import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/schema.js'

/** Certificates of an area and year, optionally of one issuer only. */
export interface AreaFilter { prefix: string, year: number, issuerId?: number }

// A number starts with its region code, so an area's numbers are one range of the (year, number) index.
const numberRange = (prefix: string) => ({ low: prefix, high: prefix.padEnd(14, '9') })

/** One page of the register, in number order after `after`. */
export async function listRegisterPage (db: Kysely<Database>, area: AreaFilter, after: string | null, limit: number) {
  const { low, high } = numberRange(area.prefix)
  let query = db.selectFrom('certificates')
    .select(['number', 'holder_name', 'employer_name', 'issued_at', 'status', 'revoked_at', 'hours_public', 'hours_professional', 'hours_elective', 'hours_self_study', 'hours_total'])
    .where('year', '=', area.year)
    .where('number', '>', after !== null && after > low ? after : low)
    .where('number', '<=', high)
  if (area.issuerId !== undefined) query = query.where('issuer_id', '=', area.issuerId)
  return query.orderBy('number').limit(limit).execute()
}

/** Counts and valid hours per region code of the area. */
export async function sumByRegion (db: Kysely<Database>, area: AreaFilter) {
  const { low, high } = numberRange(area.prefix)
  const valid = sql`where status = 'valid'`
  let query = db.selectFrom('certificates')
    .select([
      'region_code',
      sql<number>`count(*)::int`.as('issued'),
      sql<number>`(count(*) filter (where status = 'revoked'))::int`.as('revoked'),
      sql<number>`coalesce(sum(hours_public) filter (${valid}), 0)`.as('public'),
      sql<number>`coalesce(sum(hours_professional) filter (${valid}), 0)`.as('professional'),
      sql<number>`coalesce(sum(hours_elective) filter (${valid}), 0)`.as('elective'),
      sql<number>`coalesce(sum(hours_self_study) filter (${valid}), 0)`.as('self_study'),
      sql<number>`coalesce(sum(hours_total) filter (${valid}), 0)`.as('total'),
    ])
    .where('year', '=', area.year)
    .where('number', '>', low)
    .where('number', '<=', high)
  if (area.issuerId !== undefined) query = query.where('issuer_id', '=', area.issuerId)
  return query.groupBy('region_code').execute()
}
