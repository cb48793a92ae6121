// Sessions the server can end: signing in with a password (throttled per username and per address, shared by
// every instance through the database), the session behind a cookie, signing out here or everywhere, changing the password.
// A session does not care how its person proved who they are: `startSession` takes any proof (a single sign-on later).
import { createHash, randomBytes } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { ServiceError } from '../errors.js'
import type { Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import { findRegion } from '../regions/region-table.js'
import { recordAudit, type AuditActor, type AuditChange } from '../audit/audit-repository.js'
import { lockFailureBudgets, saveFailures } from '../limits/failure-budget-repository.js'
import * as accounts from './account-repository.js'
import { assertPasswordAllowed, unmatchableHash, verifyPassword, hashPassword } from './passwords.js'
import { normaliseUsername } from './user-service.js'

export interface SessionPolicy {
  /** A session unused this long has ended. */
  idleMs: number
  /** A session has ended this long after sign-in, used or not. */
  lifetimeMs: number
  /** Failed sign-ins within `failureWindowMs` that lock a username, and an address, until the oldest of them leaves the window. */
  failuresPerUser: number
  failuresPerAddress: number
  failureWindowMs: number
  /** Sessions one person may have at once; signing in again ends the oldest. */
  maxSessionsPerUser: number
}

/** A session found behind a cookie, still alive. */
export interface LiveSession {
  /** SHA-256 of the cookie's id: how the session is named everywhere but the cookie. */
  idHash: string
  /** The secret its CSRF tokens are made from and checked against (by @fastify/csrf-protection, in the HTTP layer). */
  csrfSecret: string
  actor: Actor & { user: NonNullable<Actor['user']> }
  mustChangePassword: boolean
  authenticatedBy: string
  signedInAt: Date
  /** When it ends if unused (idle), and at the latest (absolute). */
  idleEndsAt: Date
  expiresAt: Date
}

/** A session just started: the cookie's value is returned once and never stored. */
export interface StartedSession { cookieValue: string, session: LiveSession }

export interface SignInAttempt { username: string, password: string, address: string, requestId: string }

export type SessionService = ReturnType<typeof createSessionService>

const lastSeenPrecisionMs = 60_000
const unknownRegion = '000000'
const digest = (value: string) => createHash('sha256').update(value).digest('base64url')
const userBudget = (username: string) => `sign-in:user:${username}`
const addressBudget = (address: string) => `sign-in:address:${address}`

type SessionRow = NonNullable<Awaited<ReturnType<typeof accounts.findSession>>>

export function createSessionService ({ db, clock, policy }: { db: Kysely<Database>, clock: () => Date, policy: SessionPolicy }) {
  // Made now, so that the first unknown username does not take longer than a wrong password.
  void unmatchableHash()
  function live (row: SessionRow, now: Date): LiveSession | undefined {
    const region = findRegion(row.region_code)
    const idleEndsAt = new Date(row.last_seen_at.getTime() + policy.idleMs)
    if (region === undefined || row.disabled_at !== null || row.issuer_disabled_at !== null) return undefined
    if (now >= row.expires_at || now >= idleEndsAt) return undefined
    return {
      idHash: row.id_hash,
      csrfSecret: row.csrf_secret,
      actor: {
        issuerId: row.issuer_id,
        name: row.issuer_name,
        kind: row.issuer_kind,
        region,
        via: 'session',
        user: { id: row.id, username: row.username, displayName: row.display_name, role: row.role },
      },
      mustChangePassword: row.must_change_password,
      authenticatedBy: row.authenticated_by,
      signedInAt: row.created_at,
      idleEndsAt,
      expiresAt: row.expires_at,
    }
  }

  /** Starts a session for a user who has proved who they are (`authenticatedBy` says how), inside `trx`. */
  async function startSession (trx: Transaction<Database>, userId: number, authenticatedBy: string, address: string, now: Date): Promise<StartedSession> {
    const cookieValue = randomBytes(32).toString('base64url')
    const idHash = digest(cookieValue)
    await accounts.insertSession(trx, { idHash, userId, csrfSecret: randomBytes(18).toString('base64url'), authenticatedBy, clientAddress: address, now, expiresAt: new Date(now.getTime() + policy.lifetimeMs) })
    await accounts.trimSessions(trx, userId, idHash, policy.maxSessionsPerUser)
    const row = await accounts.findSession(trx, idHash)
    const session = row === undefined ? undefined : live(row, now)
    if (session === undefined) throw new ServiceError('SESSION_EXPIRED')
    return { cookieValue, session }
  }

  const retryAfter = (failures: number[], now: Date) => Math.max(1, Math.ceil((Math.min(...failures) + policy.failureWindowMs - now.getTime()) / 1000))
  const locked = (seconds: number) => new ServiceError('SIGN_IN_LOCKED', {
    en: `Too many failed sign-ins for this username or from this address: try again in ${Math.ceil(seconds / 60)} min.`,
    zh: `该用户名或该地址登录失败次数过多，请 ${Math.ceil(seconds / 60)} 分钟后再试。`,
  }, { retryAfterSeconds: seconds })

  /**
   * Counts an attempt against the username's and the address's budgets before the password is looked at (so that
   * attempts sent at once are counted as exactly as attempts sent one by one, and no lock is held while hashing);
   * a locked budget refuses it unchecked. Returns the mark to take back when the attempt succeeds.
   */
  async function countAttempt (username: string, address: string, now: Date) {
    return db.transaction().execute(async trx => {
      const subjects = [userBudget(username), addressBudget(address)]
      const budgets = await lockFailureBudgets(trx, subjects, now)
      const since = now.getTime() - policy.failureWindowMs
      const [byUser, byAddress] = subjects.map(s => (budgets.get(s) ?? []).filter(at => at > since)) as [number[], number[]]
      if (byUser.length >= policy.failuresPerUser) return { locked: retryAfter(byUser, now) }
      if (byAddress.length >= policy.failuresPerAddress) return { locked: retryAfter(byAddress, now) }
      const mark = now.getTime()
      await saveFailures(trx, new Map([[subjects[0]!, [...byUser, mark]], [subjects[1]!, [...byAddress, mark]]]))
      return { mark, locksUser: byUser.length + 1 >= policy.failuresPerUser, locksAddress: byAddress.length + 1 >= policy.failuresPerAddress }
    })
  }

  /** Takes an attempt's mark back: from the address's budget, and the username's failures are forgiven (its owner got in). */
  async function forgive (trx: Transaction<Database>, username: string, address: string, mark: number, now: Date) {
    const budgets = await lockFailureBudgets(trx, [userBudget(username), addressBudget(address)], now)
    const byAddress = [...budgets.get(addressBudget(address)) ?? []]
    const at = byAddress.indexOf(mark)
    if (at >= 0) byAddress.splice(at, 1)
    await saveFailures(trx, new Map([[userBudget(username), []], [addressBudget(address), byAddress]]))
  }

  const anonymous = (requestId: string): AuditActor => ({ type: 'anonymous', requestId })
  const userActor = (session: LiveSession, requestId: string): AuditActor => ({
    type: 'user', issuerId: session.actor.issuerId, name: session.actor.name, userId: session.actor.user.id, userName: `${session.actor.user.displayName} (${session.actor.user.username})`, requestId,
  })

  return {
    startSession,

    /**
     * Signs in with a username and password. An unknown username and a wrong password get the same answer
     * (SIGN_IN_FAILED) after the same work (a hash is verified either way); after `failuresPerUser` failures
     * for a username, or `failuresPerAddress` from an address, within the window, every attempt is
     * SIGN_IN_LOCKED, a right one too, until the oldest failure leaves the window. Every outcome is audited.
     */
    async signIn (attempt: SignInAttempt): Promise<StartedSession> {
      const now = clock()
      const username = normaliseUsername(attempt.username) ?? attempt.username.trim().toLowerCase().slice(0, 64)
      const gate = await countAttempt(username, attempt.address, now)
      if (gate.locked !== undefined) throw locked(gate.locked)
      const user = await accounts.findUserForSignIn(db, username)
      const right = await verifyPassword(attempt.password, user?.password_hash ?? await unmatchableHash())
      if (user === undefined || !right) {
        await db.transaction().execute(async trx => {
          const region = user?.region_code ?? unknownRegion
          // The username typed is not recorded: people type their password into it by mistake.
          const subject = user === undefined ? 'unknown user' : `user:${user.id}`
          const details = { address: attempt.address, ...(user === undefined ? {} : { issuerId: user.issuer_id }) }
          const changes: AuditChange[] = [{ action: 'session.sign_in_failed', subject, regionCode: region, before: null, after: null, details }]
          if (gate.locksUser || gate.locksAddress) {
            changes.push({ action: 'session.sign_in_locked', subject, regionCode: region, before: null, after: 'locked', details: { ...details, lockedBy: gate.locksUser ? 'username' : 'address', minutes: Math.round(policy.failureWindowMs / 60_000) } })
          }
          await recordAudit(trx, anonymous(attempt.requestId), now, changes)
        })
        throw new ServiceError('SIGN_IN_FAILED')
      }
      if (user.disabled_at !== null || user.issuer_disabled_at !== null) {
        throw new ServiceError('ACCOUNT_DISABLED')
      }
      return db.transaction().execute(async trx => {
        await forgive(trx, username, attempt.address, gate.mark, now)
        await accounts.updateUser(trx, user.id, { last_sign_in_at: now })
        const started = await startSession(trx, user.id, 'password', attempt.address, now)
        await recordAudit(trx, userActor(started.session, attempt.requestId), now, [{
          action: 'session.signed_in', subject: `user:${user.id}`, regionCode: user.region_code, before: null, after: 'signed-in',
          details: { address: attempt.address, authenticatedBy: 'password', mustChangePassword: user.must_change_password },
        }])
        return started
      })
    },

    /** The live session behind a cookie's value, or undefined (unknown, ended, timed out, its person or organisation disabled). */
    async resolve (cookieValue: string): Promise<LiveSession | undefined> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(cookieValue)) return undefined
      const now = clock()
      const row = await accounts.findSession(db, digest(cookieValue))
      if (row === undefined) return undefined
      const session = live(row, now)
      // An ended session is left for the hourly purge: a refused request writes nothing.
      if (session === undefined) return undefined
      // Kept to the minute: a session in use is written at most once a minute, not on every request.
      if (now.getTime() - row.last_seen_at.getTime() >= lastSeenPrecisionMs) {
        await accounts.touchSession(db, row.id_hash, now)
        return { ...session, idleEndsAt: new Date(now.getTime() + policy.idleMs) }
      }
      return session
    },

    async signOut (session: LiveSession, requestId: string): Promise<void> {
      await db.transaction().execute(async trx => {
        await accounts.deleteSession(trx, session.idHash)
        await recordAudit(trx, userActor(session, requestId), clock(), [{ action: 'session.signed_out', subject: `user:${session.actor.user.id}`, regionCode: session.actor.region.code, before: 'signed-in', after: 'signed-out' }])
      })
    },

    /** Ends every session of the person, this one too; returns how many. */
    async signOutEverywhere (session: LiveSession, requestId: string): Promise<number> {
      return db.transaction().execute(async trx => {
        const ended = await accounts.deleteSessionsOf(trx, session.actor.user.id)
        await recordAudit(trx, userActor(session, requestId), clock(), [{ action: 'session.signed_out_everywhere', subject: `user:${session.actor.user.id}`, regionCode: session.actor.region.code, before: 'signed-in', after: 'signed-out', details: { sessions: ended } }])
        return ended
      })
    },

    async listSessions (session: LiveSession) {
      const rows = await accounts.listSessions(db, session.actor.user.id, clock(), policy.idleMs)
      return rows.map(row => ({
        current: row.id_hash === session.idHash,
        signedInAt: row.created_at.toISOString(),
        lastSeenAt: row.last_seen_at.toISOString(),
        expiresAt: row.expires_at.toISOString(),
        address: row.client_address,
        authenticatedBy: row.authenticated_by,
      }))
    },

    /**
     * Changes the person's password: the current one is checked (counted like a sign-in), the new one must meet
     * the policy; every session of the person ends, and a new one is started for this client.
     */
    async changePassword (session: LiveSession, change: { currentPassword: string, newPassword: string, address: string, requestId: string }): Promise<StartedSession> {
      const now = clock()
      const { user } = session.actor
      assertPasswordAllowed(change.newPassword, { username: user.username, words: [user.displayName, session.actor.name, session.actor.region.code] })
      const gate = await countAttempt(user.username, change.address, now)
      if (gate.locked !== undefined) throw locked(gate.locked)
      const stored = await accounts.findPasswordHash(db, user.id)
      if (stored === undefined || !await verifyPassword(change.currentPassword, stored)) {
        await db.transaction().execute(async trx => {
          await recordAudit(trx, userActor(session, change.requestId), now, [{ action: 'session.sign_in_failed', subject: `user:${user.id}`, regionCode: session.actor.region.code, before: null, after: null, details: { address: change.address, during: 'password change' } }])
        })
        throw new ServiceError('CURRENT_PASSWORD_WRONG')
      }
      if (change.newPassword === change.currentPassword) {
        throw new ServiceError('PASSWORD_TOO_WEAK', { en: 'The new password must differ from the current one.', zh: '新密码不能与当前密码相同。' }, [{ field: 'newPassword', reason: 'unchanged' }])
      }
      const hash = await hashPassword(change.newPassword)
      return db.transaction().execute(async trx => {
        await forgive(trx, user.username, change.address, gate.mark, now)
        await accounts.updateUser(trx, user.id, { password_hash: hash, must_change_password: false, password_changed_at: now })
        const ended = await accounts.deleteSessionsOf(trx, user.id)
        const started = await startSession(trx, user.id, session.authenticatedBy, change.address, now)
        await recordAudit(trx, userActor(session, change.requestId), now, [{
          action: 'user.password_changed', subject: `user:${user.id}`, regionCode: session.actor.region.code, before: null, after: null,
          details: { sessionsEnded: ended, wasTemporary: session.mustChangePassword },
        }])
        return started
      })
    },

    /** Deletes sessions past their end; returns how many. */
    purgeExpired: () => accounts.purgeSessions(db, clock(), policy.idleMs),
  }
}
