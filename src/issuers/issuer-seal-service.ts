// The issuer's own seal (印章) image, printed over 发证单位 on its certificates: upload, read, remove.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { ServiceError } from '../errors.js'
import type { Actor } from './issuer-scope.js'
import { findIssuerSeal, updateIssuerSeal } from './issuer-repository.js'
import { inspectSealPng } from './seal-image.js'

export interface SealView { issuerId: number, bytes: number, width: number, height: number }

export type IssuerSealService = ReturnType<typeof createIssuerSealService>

export function createIssuerSealService ({ db }: { db: Kysely<Database> }) {
  return {
    /** Stores the actor's seal after checking it is a sound PNG; replaces any earlier one. */
    async uploadSeal (actor: Actor, png: Uint8Array): Promise<SealView> {
      const { width, height } = inspectSealPng(png)
      await updateIssuerSeal(db, actor.issuerId, Buffer.from(png))
      return { issuerId: actor.issuerId, bytes: png.length, width, height }
    },

    /** The actor's seal PNG; NOT_FOUND when none was uploaded. */
    async readSeal (actor: Actor): Promise<Buffer> {
      const png = await findIssuerSeal(db, actor.issuerId)
      if (png === null) throw new ServiceError('NOT_FOUND', `${actor.name} has not uploaded a seal.`)
      return png
    },

    /** Removes the actor's seal: its certificates then print without one. Idempotent. */
    async removeSeal (actor: Actor): Promise<void> {
      await updateIssuerSeal(db, actor.issuerId, null)
    },
  }
}
