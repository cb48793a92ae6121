// Who is acting: an organisation (issuer) — by an API key, or by one of its people signed in — as every feature sees it.
import type { IssuerKind, UserRole } from '../db/schema.js'
import type { Region } from '../regions/region-table.js'

/** A person of the organisation, signed in. */
export interface ActingUser {
  readonly id: number
  readonly username: string
  readonly displayName: string
  /** 管理员 (admin) or 经办人 (clerk). */
  readonly role: UserRole
}

/** An authenticated organisation making a request; scope rules (issuers/issuer-scope.ts) are about it. */
export interface Actor {
  readonly issuerId: number
  readonly name: string
  readonly kind: IssuerKind
  readonly region: Region
  /** The request it is making, for the audit trail. */
  readonly requestId?: string
  /** How it came in: a machine's API key, or a person's session (then `user` says who). */
  readonly via: 'api-key' | 'session'
  readonly user?: ActingUser
}
