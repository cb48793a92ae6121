// Who may act where: the scope rules for authorities, employers and verifiers.
import type { Actor } from '../actors/actor.js'
import { findRegion, regionContains, unknownRegionWording, type Region } from '../regions/region-table.js'
import type { IssuerKind } from '../db/schema.js'
import { ServiceError, type Wording } from '../errors.js'

/** ISSUER_NOT_FOUND for an id no issuer has. */
export function issuerNotFound (issuerId: number): ServiceError {
  return new ServiceError('ISSUER_NOT_FOUND', { en: `No issuer has id ${issuerId}.`, zh: `没有编号为 ${issuerId} 的发证机构。` })
}

/** Whether an actor may issue certificates numbered under `regionCode`. */
export function mayIssueIn (actor: Actor, regionCode: string): boolean {
  if (actor.kind === 'authority') return regionContains(actor.region, regionCode)
  if (actor.kind === 'employer') return regionCode === actor.region.code
  return false
}

/** Whether an actor may revoke a certificate: authorities within their area, employers only their own. */
export function mayRevoke (actor: Actor, certificate: { region_code: string, issuer_id: number }): boolean {
  if (actor.kind === 'authority') return regionContains(actor.region, certificate.region_code)
  if (actor.kind === 'employer') return certificate.issuer_id === actor.issuerId
  return false
}

/** Whether an actor may read a certificate's full record (and its PDF). */
export function mayRead (actor: Actor, certificate: { region_code: string, issuer_id: number }): boolean {
  return mayRevoke(actor, certificate)
}

/** The region an issuer account of this kind may be created for, or the reason it may not. */
export function explainIssuerRegion (kind: IssuerKind, regionCode: string): Wording | null {
  const region = findRegion(regionCode)
  if (region === undefined) return unknownRegionWording(regionCode)
  if (kind === 'employer' && region.level !== 'county') {
    return { en: `An employer belongs to one county; ${regionCode} (${region.fullName}) is a ${region.level}.`, zh: `用人单位须属于一个区县；${regionCode}（${region.fullName}）不是区县级行政区划。` }
  }
  return null
}

/**
 * Which certificates of `region` an actor may see in registers and statistics: an authority all
 * of them within its own area; an employer only those it issued, for its county or an area
 * containing it; null when the area is outside the actor's scope (and always for verifiers).
 */
export function reportScope (actor: Actor, region: Region): { issuerId?: number } | null {
  if (actor.kind === 'authority') return regionContains(actor.region, region.code) ? {} : null
  if (actor.kind === 'employer') return regionContains(region, actor.region.code) ? { issuerId: actor.issuerId } : null
  return null
}
