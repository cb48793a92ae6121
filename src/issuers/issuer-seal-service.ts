// The issuer's own seal (印章) image, printed over 发证单位 on its certificates: upload, read, remove.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import { assertSealPng } from '../documents/index.js'
import { ServiceError } from '../errors.js'
import type { Actor } from '../actors/actor.js'
import { findIssuerSeal, updateIssuerSeal } from './issuer-repository.js'
import { issuerAuditActor, recordAudit } from '../audit/audit-repository.js'

/** Largest seal file accepted; a seal printed 42 mm wide at 600 dpi is far smaller. */
export const maxSealBytes = 512 * 1024

export interface SealView { issuerId: number, bytes: number, width: number, height: number }

export type IssuerSealService = ReturnType<typeof createIssuerSealService>

export function createIssuerSealService ({ db, clock }: { db: Kysely<Database>, clock: () => Date }) {
  /** Stores or removes the seal and records the change, in one transaction. */
  const changeSeal = (actor: Actor, png: Buffer | null) => db.transaction().execute(async trx => {
    const before = await findIssuerSeal(trx, actor.issuerId) === null ? 'without-seal' : 'with-seal'
    await updateIssuerSeal(trx, actor.issuerId, png)
    const after = png === null ? 'without-seal' : 'with-seal'
    await recordAudit(trx, issuerAuditActor(actor), clock(), [{ action: 'issuer.seal_changed', subject: String(actor.issuerId), regionCode: actor.region.code, before, after, ...(png === null ? {} : { details: { bytes: png.length } }) }])
  })

  return {
    /**
     * Stores the actor's seal, replacing any earlier one, once the PDF renderer's own check says it
     * will print (a complete PNG of sane size); so a stored seal never breaks a certificate.
     */
    async uploadSeal (actor: Actor, png: Uint8Array): Promise<SealView> {
      if (png.length > maxSealBytes) throw new ServiceError('INVALID_SEAL_IMAGE', { en: `The seal has ${png.length} bytes; at most ${maxSealBytes} are accepted.`, zh: `印章图片有 ${png.length} 字节，最大为 ${maxSealBytes} 字节。` })
      assertSealPng(png)
      const bytes = Buffer.from(png)
      await changeSeal(actor, bytes)
      // The checked IHDR chunk starts at byte 8: width and height follow its length and type.
      return { issuerId: actor.issuerId, bytes: bytes.length, width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
    },

    /** The actor's seal PNG; NOT_FOUND when none was uploaded. */
    async readSeal (actor: Actor): Promise<Buffer> {
      const png = await findIssuerSeal(db, actor.issuerId)
      if (png === null) throw new ServiceError('NOT_FOUND', { en: `${actor.name} has not uploaded a seal.`, zh: `${actor.name}尚未上传印章。` })
      return png
    },

    /** Removes the actor's seal: its certificates then print without one. Idempotent. */
    async removeSeal (actor: Actor): Promise<void> {
      await changeSeal(actor, null)
    },
  }
}
