// The one budget for every check of a holder's name, whichever route, method, instance or account asks:
// at most 10 wrong names per certificate per 24 hours; past that no name of it is checked, right or wrong.
import type { Kysely, Transaction } from 'kysely'
import type { Database } from '../db/schema.js'
import { sameName } from '../text/names.js'
import { lockFailureBudgets, purgeFailureBudgets, saveFailures } from '../limits/failure-budget-repository.js'

/** Wrong names a certificate may be checked against in a window, and the window (a sliding 24 hours). */
export const nameCheckBudget = { failuresPerCertificate: 10, windowMs: 24 * 3_600_000 } as const

/** One name to compare with a certificate's holder. */
export interface NameCheck {
  number: string
  /** The name as the caller gave it. */
  given: string
  /** The holder's name in the register. */
  holderName: string
  /** Another proof sent with the name, already compared (a holder's ID number against its keyed hash): false fails the check like a wrong name. */
  otherProofMatches?: boolean
}

export type NameCheckOutcome =
  | { readonly checked: true, readonly matches: boolean }
  /** Not compared: the certificate's (or the account's) budget is spent until `retryAfterSeconds` have passed. */
  | { readonly checked: false, readonly reason: 'certificate' | 'account', readonly retryAfterSeconds: number }

export interface NameCheckResult {
  outcomes: NameCheckOutcome[]
  /** The account's budget ran out with this request: its comparisons were made and counted, but not one is told. */
  withheld: boolean
  /** Wrong names found (and counted), told or withheld. */
  mismatches: number
}

export type NameCheckService = ReturnType<typeof createNameCheckService>

const certificateSubject = (number: string) => `certificate:${number}`
const accountSubject = (issuerId: number) => `account:${issuerId}`

export function createNameCheckService ({ db, clock, mismatchesPerAccountPerDay }: { db: Kysely<Database>, clock: () => Date, mismatchesPerAccountPerDay: number }) {
  const { failuresPerCertificate, windowMs } = nameCheckBudget
  return {
    /**
     * Compares names with holders' names within the budgets, in one transaction that locks the budgets
     * of the certificates (and of `account`) so that checks sent at once are counted as exactly as checks
     * sent one by one. A wrong name counts against its certificate and the account; a certificate with
     * 10 wrong names in the last 24 hours is not compared at all, so a right name is not confirmed
     * either until the oldest of them is 24 hours old. An account past its own daily budget has no
     * name compared; the request that crosses it is compared and counted but told nothing (`withheld`).
     * The caller passes each certificate at most once. `within` runs in the same transaction, with the
     * result, before it commits (the audit record of a bulk verification).
     */
    async checkNames (
      checks: readonly NameCheck[], account?: { issuerId: number }, within?: (trx: Transaction<Database>, result: NameCheckResult) => Promise<void>,
    ): Promise<NameCheckResult> {
      const now = clock()
      const since = now.getTime() - windowMs
      const done = async (trx: Transaction<Database>, result: NameCheckResult) => {
        await within?.(trx, result)
        return result
      }
      return db.transaction().execute(async trx => {
        if (checks.length === 0) return await done(trx, { outcomes: [], withheld: false, mismatches: 0 })
        const subjects = checks.map(c => certificateSubject(c.number))
        if (account !== undefined) subjects.push(accountSubject(account.issuerId))
        const locked = await lockFailureBudgets(trx, subjects, now)
        const recent = (subject: string) => (locked.get(subject) ?? []).filter(at => at > since)
        const waitFor = (failures: number[]) => Math.max(1, Math.ceil((Math.min(...failures) + windowMs - now.getTime()) / 1000))
        const changed = new Map<string, number[]>()

        const accountFailures = account === undefined ? [] : recent(accountSubject(account.issuerId))
        if (account !== undefined && accountFailures.length >= mismatchesPerAccountPerDay) {
          const wait = accountFailures.length === 0 ? Math.ceil(windowMs / 1000) : waitFor(accountFailures)
          return await done(trx, { outcomes: checks.map(() => ({ checked: false, reason: 'account', retryAfterSeconds: wait })), withheld: false, mismatches: 0 })
        }
        const outcomes = checks.map((check): NameCheckOutcome => {
          const subject = certificateSubject(check.number)
          const failures = recent(subject)
          if (failures.length >= failuresPerCertificate) return { checked: false, reason: 'certificate', retryAfterSeconds: waitFor(failures) }
          const matches = sameName(check.given, check.holderName) && check.otherProofMatches !== false
          if (!matches) changed.set(subject, [...failures, now.getTime()])
          return { checked: true, matches }
        })
        const mismatches = outcomes.filter(o => o.checked && !o.matches).length
        let withheld = false
        if (account !== undefined && mismatches > 0) {
          const failures = [...accountFailures, ...new Array<number>(mismatches).fill(now.getTime())]
          withheld = failures.length > mismatchesPerAccountPerDay
          // The newest `max` say all there is to say: while they are in the window, the budget is spent.
          changed.set(accountSubject(account.issuerId), failures.slice(-Math.max(1, mismatchesPerAccountPerDay)))
        }
        await saveFailures(trx, changed)
        if (!withheld) return await done(trx, { outcomes, withheld, mismatches })
        return await done(trx, { outcomes: outcomes.map(() => ({ checked: false, reason: 'account', retryAfterSeconds: Math.ceil(windowMs / 1000) })), withheld, mismatches })
      })
    },

    /** Deletes budgets whose failures are all past the window; returns how many. */
    purgeExpired: () => purgeFailureBudgets(db, new Date(clock().getTime() - windowMs)),
  }
}
