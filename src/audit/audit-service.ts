// The audit trail as authorities read it: the changes within their area, page by page.
import type { Kysely } from 'kysely'
import { ServiceError } from '../errors.js'
import type { AuditActorType, Database } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import { findRegion, regionContains, unknownRegionWording, type Region } from '../regions/region-table.js'
import { listAuditEvents } from './audit-repository.js'

/** The actions recorded, as GET /v1/audit names them. */
export const auditActions = [
  'certificate.issued', 'certificate.revoked',
  'issuer.created', 'issuer.seal_changed',
  'api_key.created', 'api_key.revoked',
  'verification.batch',
  'user.created', 'user.disabled', 'user.enabled', 'user.role_changed', 'user.password_reset', 'user.password_changed',
  'session.signed_in', 'session.sign_in_failed', 'session.sign_in_locked', 'session.signed_out', 'session.signed_out_everywhere',
] as const

export const maxAuditPageSize = 1000

/** One recorded change (schemas/audit-page.json). */
export interface AuditEventView {
  id: number
  occurredAt: string
  action: string
  actor: { type: AuditActorType, issuerId?: number, name: string, user?: { id: number, name: string } }
  requestId: string | null
  subject: string
  regionCode: string
  statusBefore: string | null
  statusAfter: string | null
  details: Record<string, unknown> | null
}

export interface AuditPage { regionCode: string, regionName: string, events: AuditEventView[], nextAfter: number | null }

export interface AuditTrailQuery { regionCode?: string, from?: string, to?: string, action?: string, after?: number, limit?: number }

export type AuditService = ReturnType<typeof createAuditService>

/** Every code within a region, as an inclusive range: the county itself, or PPCC00-PPCC99, or PP0000-PP9999. */
function codeRange (region: Region): { lowest: string, highest: string } {
  const prefix = region.level === 'province' ? region.code.slice(0, 2) : region.level === 'city' ? region.code.slice(0, 4) : region.code
  return { lowest: prefix.padEnd(6, '0'), highest: prefix.padEnd(6, '9') }
}

export function createAuditService ({ db }: { db: Kysely<Database> }) {
  return {
    /**
     * The changes recorded within an area (the authority's own by default, or any area inside it),
     * optionally between `from` (inclusive) and `to` (exclusive), in recording order; page on with `after`.
     */
    async readAuditTrail (actor: Actor, query: AuditTrailQuery): Promise<AuditPage> {
      if (actor.kind !== 'authority') throw new ServiceError('FORBIDDEN_ROLE', { en: 'Only HR authorities read the audit trail.', zh: '只有人社部门可以查看审计记录。' })
      const regionCode = query.regionCode ?? actor.region.code
      const region = findRegion(regionCode)
      if (region === undefined) throw new ServiceError('UNKNOWN_REGION', unknownRegionWording(regionCode))
      if (!regionContains(actor.region, regionCode)) {
        throw new ServiceError('OUT_OF_SCOPE', { en: `${region.fullName} is outside the area of ${actor.name} (${actor.region.fullName}).`, zh: `${region.fullName}超出${actor.name}（${actor.region.fullName}）的管辖范围。` })
      }
      const limit = query.limit ?? 100
      const rows = await listAuditEvents(db, {
        ...codeRange(region),
        from: query.from === undefined ? undefined : new Date(query.from),
        to: query.to === undefined ? undefined : new Date(query.to),
        action: query.action,
        after: query.after,
        limit,
      })
      const events = rows.map((row): AuditEventView => ({
        id: Number(row.id),
        occurredAt: row.occurred_at.toISOString(),
        action: row.action,
        actor: {
          type: row.actor_type,
          ...(row.actor_issuer_id === null ? {} : { issuerId: row.actor_issuer_id }),
          name: row.actor_name,
          ...(row.actor_user_id === null ? {} : { user: { id: row.actor_user_id, name: row.actor_user_name ?? '' } }),
        },
        requestId: row.request_id,
        subject: row.subject,
        regionCode: row.region_code,
        statusBefore: row.status_before,
        statusAfter: row.status_after,
        details: (typeof row.details === 'string' ? JSON.parse(row.details) : row.details) as Record<string, unknown> | null,
      }))
      return { regionCode, regionName: region.fullName, events, nextAfter: events.length === limit ? events[events.length - 1]!.id : null }
    },
  }
}
