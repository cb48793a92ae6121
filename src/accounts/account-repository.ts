// Queries on users and their sessions. Each takes the database or a transaction first.
import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, UserRole } from '../db/schema.js'

type Db = Kysely<Database> | Transaction<Database>

const userFields = ['id', 'issuer_id', 'username', 'display_name', 'role', 'must_change_password', 'created_at', 'password_changed_at', 'disabled_at', 'last_sign_in_at'] as const
const userColumns = userFields.map(field => `users.${field}` as const)

export async function insertUser (db: Db, user: { issuerId: number, username: string, displayName: string, role: UserRole, passwordHash: string, now: Date }) {
  return db.insertInto('users')
    .values({
      issuer_id: user.issuerId,
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      password_hash: user.passwordHash,
      must_change_password: true,
      created_at: user.now,
      password_changed_at: user.now,
    })
    .onConflict(oc => oc.column('username').doNothing())
    .returning(userFields)
    .executeTakeFirst()
}

/** A user of one organisation (never another's), locked until the transaction ends when `forUpdate`. */
export async function findUserById (db: Db, issuerId: number, userId: number, forUpdate = false) {
  let query = db.selectFrom('users').select(userColumns).where('users.id', '=', userId).where('users.issuer_id', '=', issuerId)
  if (forUpdate) query = query.forUpdate()
  return query.executeTakeFirst()
}

/** A user by username, with the password hash and the organisation, for signing in. */
export async function findUserForSignIn (db: Db, username: string) {
  return db.selectFrom('users')
    .innerJoin('issuers', 'issuers.id', 'users.issuer_id')
    .select([...userColumns, 'users.password_hash', 'issuers.name as issuer_name', 'issuers.kind as issuer_kind', 'issuers.region_code', 'issuers.disabled_at as issuer_disabled_at'])
    .where('users.username', '=', username)
    .executeTakeFirst()
}

export async function findPasswordHash (db: Db, userId: number) {
  return (await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst())?.password_hash
}

export async function listUsers (db: Db, issuerId: number) {
  return db.selectFrom('users').select(userColumns).where('users.issuer_id', '=', issuerId).orderBy('users.id').execute()
}

export async function countUsers (db: Db, issuerId: number): Promise<number> {
  const row = await db.selectFrom('users').select(eb => eb.fn.countAll<string>().as('count')).where('issuer_id', '=', issuerId).executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Active administrators of an organisation, locked (so that two changes cannot each leave the other the last). */
export async function lockActiveAdministrators (db: Db, issuerId: number): Promise<number[]> {
  const rows = await db.selectFrom('users').select('id')
    .where('issuer_id', '=', issuerId).where('role', '=', 'admin').where('disabled_at', 'is', null)
    .orderBy('id').forUpdate().execute()
  return rows.map(r => r.id)
}

export async function updateUser (db: Db, userId: number, change: Partial<{ role: UserRole, disabled_at: Date | null, password_hash: string, must_change_password: boolean, password_changed_at: Date, last_sign_in_at: Date, display_name: string }>) {
  await db.updateTable('users').set(change).where('id', '=', userId).execute()
}

export async function insertSession (db: Db, session: { idHash: string, userId: number, csrfSecret: string, authenticatedBy: string, clientAddress: string, now: Date, expiresAt: Date }) {
  await db.insertInto('sessions').values({
    id_hash: session.idHash,
    user_id: session.userId,
    csrf_secret: session.csrfSecret,
    authenticated_by: session.authenticatedBy,
    client_address: session.clientAddress,
    created_at: session.now,
    last_seen_at: session.now,
    expires_at: session.expiresAt,
  }).execute()
}

/** A session with its person and organisation, whatever its age (the caller judges it). */
export async function findSession (db: Db, idHash: string) {
  return db.selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .innerJoin('issuers', 'issuers.id', 'users.issuer_id')
    .select([
      'sessions.id_hash', 'sessions.csrf_secret', 'sessions.created_at', 'sessions.last_seen_at', 'sessions.expires_at', 'sessions.authenticated_by',
      ...userColumns, 'issuers.name as issuer_name', 'issuers.kind as issuer_kind', 'issuers.region_code', 'issuers.disabled_at as issuer_disabled_at',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst()
}

export async function listSessions (db: Db, userId: number, now: Date, idleMs: number) {
  return db.selectFrom('sessions').select(['id_hash', 'created_at', 'last_seen_at', 'expires_at', 'client_address', 'authenticated_by'])
    .where('user_id', '=', userId).where('expires_at', '>', now).where('last_seen_at', '>', new Date(now.getTime() - idleMs))
    .orderBy('created_at').execute()
}

export async function touchSession (db: Db, idHash: string, now: Date) {
  await db.updateTable('sessions').set({ last_seen_at: now }).where('id_hash', '=', idHash).execute()
}

export async function deleteSession (db: Db, idHash: string): Promise<boolean> {
  const result = await db.deleteFrom('sessions').where('id_hash', '=', idHash).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

/** Ends every session of a user but `keep`; returns how many ended. */
export async function deleteSessionsOf (db: Db, userId: number, keep?: string): Promise<number> {
  let query = db.deleteFrom('sessions').where('user_id', '=', userId)
  if (keep !== undefined) query = query.where('id_hash', '!=', keep)
  return Number((await query.executeTakeFirst()).numDeletedRows)
}

/** Ends a user's oldest sessions so that at most `keep` remain, `newest` among them. */
export async function trimSessions (db: Db, userId: number, newest: string, keep: number): Promise<void> {
  await sql`delete from sessions where user_id = ${userId} and id_hash <> ${newest} and id_hash not in (
    select id_hash from sessions where user_id = ${userId} and id_hash <> ${newest} order by created_at desc, id_hash limit ${keep - 1})`.execute(db)
}

/** Deletes sessions past their absolute or idle end; returns how many. */
export async function purgeSessions (db: Db, now: Date, idleMs: number): Promise<number> {
  const result = await db.deleteFrom('sessions')
    .where(eb => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', new Date(now.getTime() - idleMs))]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
