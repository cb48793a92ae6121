// The people of an organisation: created with a temporary password (by the administrator for the first 管理员, then by
// the organisation's own 管理员), disabled and enabled, given another role, their password reset. Every change is audited.
import type { Kysely, Transaction } from 'kysely'
import { ServiceError } from '../errors.js'
import { issuerNotFound } from '../issuers/issuer-scope.js'
import type { Database, UserRole } from '../db/schema.js'
import { normaliseName, personName } from '../text/names.js'
import { recordAudit, type AuditActor } from '../audit/audit-repository.js'
import { findIssuerById } from '../issuers/issuer-repository.js'
import * as accounts from './account-repository.js'
import { hashPassword, temporaryPassword } from './passwords.js'

export const userRoles: readonly UserRole[] = ['admin', 'clerk']
export const roleNames: Readonly<Record<UserRole, string>> = { admin: '管理员', clerk: '经办人' }
export const maxUsersPerIssuer = 500
const maxDisplayNameLength = 30

/** One person of an organisation (schemas/user.json). */
export interface UserView {
  id: number
  username: string
  displayName: string
  role: UserRole
  status: 'active' | 'disabled'
  mustChangePassword: boolean
  createdAt: string
  passwordChangedAt: string
  lastSignInAt: string | null
}

export interface CreatedUser { user: UserView, temporaryPassword: string }

export interface UserChange { disabled?: boolean, role?: UserRole, displayName?: string }

export type UserService = ReturnType<typeof createUserService>

type UserRow = NonNullable<Awaited<ReturnType<typeof accounts.findUserById>>>

function toView (row: UserRow): UserView {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    status: row.disabled_at === null ? 'active' : 'disabled',
    mustChangePassword: row.must_change_password,
    createdAt: row.created_at.toISOString(),
    passwordChangedAt: row.password_changed_at.toISOString(),
    lastSignInAt: row.last_sign_in_at?.toISOString() ?? null,
  }
}

/** A username as stored (lowercase letters, digits and . _ -, 3 to 32, starting with a letter), or undefined. */
export function normaliseUsername (raw: string): string | undefined {
  const name = raw.normalize('NFKC').trim().toLowerCase()
  return /^[a-z][a-z0-9._-]{2,31}$/.test(name) ? name : undefined
}

function checkedUsername (raw: string): string {
  const name = normaliseUsername(raw)
  if (name === undefined) {
    throw new ServiceError('VALIDATION_FAILED', {
      en: 'username must have 3 to 32 characters: letters, digits and . _ -, starting with a letter.',
      zh: '用户名须为 3 至 32 个字符，由字母、数字及 . _ - 组成，以字母开头。',
    }, [{ field: 'username', reason: 'format' }])
  }
  return name
}

function checkedRole (role: string): UserRole {
  if (!(userRoles as readonly string[]).includes(role)) {
    throw new ServiceError('VALIDATION_FAILED', { en: `role must be one of ${userRoles.join(', ')}.`, zh: '角色须为 admin（管理员）或 clerk（经办人）。' }, [{ field: 'role', reason: 'enum' }])
  }
  return role as UserRole
}

const subjectOf = (userId: number) => `user:${userId}`

export function createUserService ({ db, clock }: { db: Kysely<Database>, clock: () => Date }) {
  async function regionOf (trx: Transaction<Database>, issuerId: number): Promise<string> {
    const issuer = await findIssuerById(trx, issuerId)
    if (issuer === undefined) throw issuerNotFound(issuerId)
    return issuer.region_code
  }

  async function lockedUser (trx: Transaction<Database>, issuerId: number, userId: number): Promise<UserRow> {
    const row = await accounts.findUserById(trx, issuerId, userId, true)
    if (row === undefined) throw new ServiceError('USER_NOT_FOUND', { en: `The organisation has no user ${userId}.`, zh: `本单位没有编号为 ${userId} 的用户。` })
    return row
  }

  /** Refuses a change that would leave the organisation without an active 管理员. */
  async function keepAnAdministrator (trx: Transaction<Database>, issuerId: number, losing: number): Promise<void> {
    const admins = await accounts.lockActiveAdministrators(trx, issuerId)
    if (admins.filter(id => id !== losing).length === 0) throw new ServiceError('LAST_ADMINISTRATOR')
  }

  return {
    /** Creates a user of an organisation with a temporary password, returned once, to be changed at the first sign-in. */
    async createUser (issuerId: number, input: { username: string, displayName: string, role: string }, by: AuditActor): Promise<CreatedUser> {
      const username = checkedUsername(input.username)
      const displayName = normaliseName(input.displayName, 'displayName', maxDisplayNameLength, personName)
      const role = checkedRole(input.role)
      const password = temporaryPassword()
      const passwordHash = await hashPassword(password)
      const now = clock()
      return db.transaction().execute(async trx => {
        const regionCode = await regionOf(trx, issuerId)
        if (await accounts.countUsers(trx, issuerId) >= maxUsersPerIssuer) throw new ServiceError('TOO_MANY_USERS', { en: `An organisation may have at most ${maxUsersPerIssuer} users.`, zh: `每个单位至多 ${maxUsersPerIssuer} 个用户。` })
        const row = await accounts.insertUser(trx, { issuerId, username, displayName, role, passwordHash, now })
        if (row === undefined) throw new ServiceError('USERNAME_TAKEN', { en: `The username ${username} is taken.`, zh: `用户名 ${username} 已被使用。` })
        await recordAudit(trx, by, now, [{ action: 'user.created', subject: subjectOf(row.id), regionCode, before: null, after: 'active', details: { issuerId, username, displayName, role } }])
        return { user: toView(row), temporaryPassword: password }
      })
    },

    async listUsers (issuerId: number): Promise<UserView[]> {
      return (await accounts.listUsers(db, issuerId)).map(toView)
    },

    /** Disables or enables a user (disabling ends their sessions at once), changes their role or display name. */
    async updateUser (issuerId: number, userId: number, change: UserChange, by: AuditActor): Promise<UserView> {
      const role = change.role === undefined ? undefined : checkedRole(change.role)
      const displayName = change.displayName === undefined ? undefined : normaliseName(change.displayName, 'displayName', maxDisplayNameLength, personName)
      const now = clock()
      return db.transaction().execute(async trx => {
        const regionCode = await regionOf(trx, issuerId)
        const user = await lockedUser(trx, issuerId, userId)
        const active = user.disabled_at === null
        const disabling = change.disabled === true && active
        const enabling = change.disabled === false && !active
        const demoting = role !== undefined && role !== user.role && user.role === 'admin'
        if (user.role === 'admin' && active && (disabling || demoting)) await keepAnAdministrator(trx, issuerId, userId)
        const subject = subjectOf(userId)
        if (disabling) {
          await accounts.updateUser(trx, userId, { disabled_at: now })
          const ended = await accounts.deleteSessionsOf(trx, userId)
          await recordAudit(trx, by, now, [{ action: 'user.disabled', subject, regionCode, before: 'active', after: 'disabled', details: { issuerId, sessionsEnded: ended } }])
        }
        if (enabling) {
          await accounts.updateUser(trx, userId, { disabled_at: null })
          await recordAudit(trx, by, now, [{ action: 'user.enabled', subject, regionCode, before: 'disabled', after: 'active', details: { issuerId } }])
        }
        if (role !== undefined && role !== user.role) {
          await accounts.updateUser(trx, userId, { role })
          await recordAudit(trx, by, now, [{ action: 'user.role_changed', subject, regionCode, before: user.role, after: role, details: { issuerId } }])
        }
        if (displayName !== undefined && displayName !== user.display_name) {
          await accounts.updateUser(trx, userId, { display_name: displayName })
        }
        return toView(await lockedUser(trx, issuerId, userId))
      })
    },

    /** Gives a user a new temporary password (returned once) and ends their sessions. */
    async resetPassword (issuerId: number, userId: number, by: AuditActor): Promise<CreatedUser> {
      const password = temporaryPassword()
      const passwordHash = await hashPassword(password)
      const now = clock()
      return db.transaction().execute(async trx => {
        const regionCode = await regionOf(trx, issuerId)
        await lockedUser(trx, issuerId, userId)
        await accounts.updateUser(trx, userId, { password_hash: passwordHash, must_change_password: true, password_changed_at: now })
        const ended = await accounts.deleteSessionsOf(trx, userId)
        await recordAudit(trx, by, now, [{ action: 'user.password_reset', subject: subjectOf(userId), regionCode, before: null, after: 'temporary', details: { issuerId, sessionsEnded: ended } }])
        return { user: toView(await lockedUser(trx, issuerId, userId)), temporaryPassword: password }
      })
    },
  }
}
