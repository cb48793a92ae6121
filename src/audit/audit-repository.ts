// Queries on the audit trail: append events (inside the change's own transaction), read them back by area and time.
import type { Kysely, Transaction } from 'kysely'
import type { AuditActorType, Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'

type Db = Kysely<Database> | Transaction<Database>

/**
 * Who made a change: an organisation by its API key (issuer), one of its people signed in (user: the
 * organisation and the person), the administrator (ADMIN_TOKEN), the command line, or someone not
 * signed in (a failed sign-in).
 */
export type AuditActor =
  | { type: 'issuer', issuerId: number, name: string, requestId?: string }
  | { type: 'user', issuerId: number, name: string, userId: number, userName: string, requestId?: string }
  | { type: 'admin', requestId?: string }
  | { type: 'cli' }
  | { type: 'anonymous', requestId?: string }

export const commandLine: AuditActor = { type: 'cli' }

/** The audit actor of an authenticated caller, with the request it made: the organisation, and the person when signed in. */
export function issuerAuditActor (actor: Actor): AuditActor {
  if (actor.user !== undefined) {
    return { type: 'user', issuerId: actor.issuerId, name: actor.name, userId: actor.user.id, userName: `${actor.user.displayName} (${actor.user.username})`, requestId: actor.requestId }
  }
  return { type: 'issuer', issuerId: actor.issuerId, name: actor.name, requestId: actor.requestId }
}

/** One change: what (action, subject), where (region), and the status before and after it. */
export interface AuditChange {
  action: string
  subject: string
  regionCode: string
  before: string | null
  after: string | null
  details?: Record<string, unknown>
}

const actorNames: Record<AuditActorType, string> = { issuer: '', user: '', admin: 'administrator (ADMIN_TOKEN)', cli: 'command line (npm run admin)', anonymous: 'not signed in' }

/**
 * Appends changes to the audit trail. Call it with the transaction that makes the change, so the
 * change and its record commit together or not at all.
 */
export async function recordAudit (trx: Transaction<Database>, by: AuditActor, at: Date, changes: AuditChange[]): Promise<void> {
  await recordAuditEvents(trx, at, changes.map(change => ({ ...change, by })))
}

/** Like `recordAudit`, for changes made by several actors in one transaction (a group commit of issuances). */
export async function recordAuditEvents (trx: Transaction<Database>, at: Date, events: Array<AuditChange & { by: AuditActor }>): Promise<void> {
  const rows = events.map(({ by, ...change }) => ({
    occurred_at: at,
    action: change.action,
    actor_type: by.type,
    actor_issuer_id: by.type === 'issuer' || by.type === 'user' ? by.issuerId : null,
    actor_name: by.type === 'issuer' || by.type === 'user' ? by.name : actorNames[by.type],
    actor_user_id: by.type === 'user' ? by.userId : null,
    actor_user_name: by.type === 'user' ? by.userName : null,
    request_id: by.type === 'cli' ? null : by.requestId ?? null,
    subject: change.subject,
    region_code: change.regionCode,
    status_before: change.before,
    status_after: change.after,
    details: change.details === undefined ? null : JSON.stringify(change.details),
  }))
  // Chunks keep each statement under PostgreSQL's 65,535 bind parameters (a batch records 10,000).
  for (let i = 0; i < rows.length; i += 2000) await trx.insertInto('audit_events').values(rows.slice(i, i + 2000)).execute()
}

export interface AuditQuery {
  /** Region codes from `lowest` to `highest`: one county, or every code of a city or province. */
  lowest: string
  highest: string
  from?: Date
  to?: Date
  action?: string
  after?: number
  limit: number
}

/** Events of an area in the order they were recorded, one page after `after`. */
export async function listAuditEvents (db: Db, query: AuditQuery) {
  let select = db.selectFrom('audit_events').selectAll()
    .where('region_code', '>=', query.lowest).where('region_code', '<=', query.highest)
  if (query.from !== undefined) select = select.where('occurred_at', '>=', query.from)
  if (query.to !== undefined) select = select.where('occurred_at', '<', query.to)
  if (query.action !== undefined) select = select.where('action', '=', query.action)
  if (query.after !== undefined) select = select.where('id', '>', query.after)
  return select.orderBy('id').limit(query.limit).execute()
}
