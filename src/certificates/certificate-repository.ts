// Queries on certificates and number sequences. Each takes the database or a transaction first.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, NewCertificate } from '../db/schema.js'
import { maxSequence } from './certificate-number.js'

type Db = Kysely<Database> | Transaction<Database>

/** Consecutive numbers wanted from one county's yearly sequence. */
export interface RangeRequest { regionCode: string, year: number, count: number }

/**
 * Takes each county's `count` consecutive numbers in one statement and returns the first of each
 * range, in the order asked; `undefined` where the county has too few numbers left (it then takes none).
 * The upsert locks each sequence row until the transaction ends, so concurrent issuers queue here
 * and a rolled-back issuance gives its numbers back: no duplicates, no holes. Rows are locked in
 * the order given: callers sort, so that two transactions never wait for each other.
 */
export async function allocateNumberRanges (trx: Transaction<Database>, ranges: readonly RangeRequest[]): Promise<Array<number | undefined>> {
  if (ranges.length === 0) return []
  const rows = await trx.insertInto('number_sequences')
    .values(ranges.map(r => ({ region_code: r.regionCode, year: r.year, last_value: r.count })))
    .onConflict(oc => oc.columns(['region_code', 'year'])
      .doUpdateSet({ last_value: sql`number_sequences.last_value + excluded.last_value` })
      .where(sql<boolean>`number_sequences.last_value + excluded.last_value <= ${maxSequence}`))
    .returning(['region_code', 'year', 'last_value'])
    .execute()
  const last = new Map(rows.map(row => [`${row.region_code}:${row.year}`, row.last_value]))
  return ranges.map(r => {
    const value = last.get(`${r.regionCode}:${r.year}`)
    return value === undefined ? undefined : value - r.count + 1
  })
}

export async function insertCertificates (trx: Transaction<Database>, rows: NewCertificate[]): Promise<void> {
  // Chunks keep each statement under PostgreSQL's 65,535 bind parameters.
  for (let i = 0; i < rows.length; i += 1000) await trx.insertInto('certificates').values(rows.slice(i, i + 1000)).execute()
}

/** The key of one holder's year in `findHeldCertificates`. */
export const heldKey = (hmac: string, year: number) => `${hmac}:${year}`

/** A valid certificate a holder already has: its number and who issued it. */
export interface HeldCertificate { number: string, issuerId: number }

/**
 * The valid certificates these holders (by ID hash) already hold, as heldKey(hmac, year) → certificate:
 * one `holder_id_hmac = any($1)` query however many holders (the partial unique index answers it).
 */
export async function findHeldCertificates (db: Db, holders: ReadonlyArray<{ hmac: string, year: number }>): Promise<Map<string, HeldCertificate>> {
  const held = new Map<string, HeldCertificate>()
  if (holders.length === 0) return held
  const rows = await db.selectFrom('certificates').select(['number', 'holder_id_hmac', 'year', 'issuer_id'])
    .where('status', '=', 'valid')
    .where('holder_id_hmac', '=', sql<string>`any(${[...new Set(holders.map(h => h.hmac))]}::text[])`)
    .execute()
  for (const row of rows) held.set(heldKey(row.holder_id_hmac, row.year), { number: row.number, issuerId: row.issuer_id })
  return held
}

/** A certificate with its issuer's name. */
export async function findCertificate (db: Db, number: string) {
  return db.selectFrom('certificates')
    .innerJoin('issuers', 'issuers.id', 'certificates.issuer_id')
    .selectAll('certificates')
    .select('issuers.name as issuer_name')
    .where('certificates.number', '=', number)
    .executeTakeFirst()
}

export async function lockCertificate (trx: Transaction<Database>, number: string) {
  return trx.selectFrom('certificates').select(['number', 'region_code', 'issuer_id', 'status', 'kid'])
    .where('number', '=', number).forUpdate().executeTakeFirst()
}

export async function markRevoked (trx: Transaction<Database>, number: string, by: number, reason: string, at: Date): Promise<void> {
  await trx.updateTable('certificates')
    .set({ status: 'revoked', revoked_at: at, revoked_by: by, revocation_reason: reason })
    .where('number', '=', number).execute()
}

/** Numbers per query in set-based lookups: one array parameter, kept to a size PostgreSQL plans well. */
const numbersPerQuery = 1000

/**
 * The certificates among `numbers` (duplicates allowed), as the public lookup and verification
 * show them: with their issuer's name, without the signed token or the holder's ID. One
 * `number = any($1)` query per 1,000 distinct numbers, in no particular order; the columns are
 * named, not `*`, so the statement reads less and runs prepared (database.ts) for any count. The
 * array is `bpchar[]`, the column's own type: compared as `text[]`, the primary key goes unused.
 */
export async function findCertificatesByNumbers (db: Db, numbers: readonly string[]) {
  const distinct = [...new Set(numbers)]
  const found = []
  for (let i = 0; i < distinct.length; i += numbersPerQuery) {
    found.push(...await db.selectFrom('certificates')
      .innerJoin('issuers', 'issuers.id', 'certificates.issuer_id')
      .select([
        'certificates.number', 'certificates.holder_name', 'certificates.status', 'certificates.year', 'certificates.region_code',
        'certificates.rule_set', 'certificates.issued_at', 'certificates.revoked_at', 'certificates.hours_public', 'certificates.hours_professional',
        'certificates.hours_elective', 'certificates.hours_self_study', 'certificates.hours_total', 'issuers.name as issuer_name',
      ])
      .where('certificates.number', '=', sql<string>`any(${distinct.slice(i, i + numbersPerQuery)}::bpchar[])`)
      .execute())
  }
  return found
}

/** What the public sees of one certificate (see findCertificatesByNumbers). */
export type PublicCertificateRow = Awaited<ReturnType<typeof findCertificatesByNumbers>>[number]
