// A certificate's PDF, assembled from the register's record, its rule set, its region and its signed token.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { CertificatePdfInput, PdfPool, PdfWork } from '../documents/index.js'
import type { CertificateRow } from '../db/schema.js'
import { findIssuerSeal } from '../issuers/issuer-repository.js'
import type { Actor } from '../actors/actor.js'
import { findRegion } from '../regions/region-table.js'
import { compactClaimsOf, signCompactToken } from '../signing/certificate-cose.js'
import type { CertificatePayload } from '../signing/certificate-jws.js'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import type { CertificateService } from './certificate-service.js'
import { isRuleSetId, ruleSets, type HourCategory } from './hour-rules.js'

export type CertificatePdfService = ReturnType<typeof createCertificatePdfService>

const categoryLabels: Record<HourCategory, string> = { public: '公需科目', professional: '专业科目', elective: '选修科目' }

/**
 * The URL the QR code carries: the verification page, with the token in the fragment (never sent to a
 * server) — the compact token's digits (docs/QR-FORMAT.md); QR codes printed before it carry the JWS.
 */
export function verifyUrlOf (publicBaseUrl: string, number: string, token: string): string {
  return `${publicBaseUrl}/v/${number}#${token}`
}

export interface CertificatePdfServiceDeps {
  db: Kysely<Database>
  certificates: CertificateService
  keys: SigningKeyRing
  pool: PdfPool
  publicBaseUrl: string
}

export function createCertificatePdfService ({ db, certificates, keys, pool, publicBaseUrl }: CertificatePdfServiceDeps) {
  /**
   * What the page of a stored certificate prints, signed by the key that signed its token (retired or
   * not: retirement stops a key signing new certificates, not its own certificates' PDFs), and the QR
   * code's compact token, signed by that key too. Everything comes from the stored record and its signed
   * token, so the same certificate always gives the same bytes (until its issuer changes the seal).
   */
  async function inputOf (row: CertificateRow, seal: Uint8Array | null): Promise<CertificatePdfInput> {
    const number = row.number
    if (!isRuleSetId(row.rule_set)) throw new Error(`certificate ${number} has unknown rule set ${row.rule_set}`)
    const ruleSet = ruleSets[row.rule_set]
    // The issuer's name as signed, not as it may read today.
    const signed = JSON.parse(Buffer.from(row.jws.split('.')[1]!, 'base64url').toString('utf8')) as CertificatePayload
    const { kid } = JSON.parse(Buffer.from(row.jws.split('.')[0]!, 'base64url').toString('utf8')) as { kid: string }
    const key = await keys.find(kid)
    if (key === undefined) throw new Error(`certificate ${number} was signed by key ${kid}, which is not in the key ring`)
    const given: Record<HourCategory, number> = { public: row.hours_public, professional: row.hours_professional, elective: row.hours_elective }
    const hourRows: CertificatePdfInput['hourRows'] = ruleSet.counted.map(category => ({
      label: categoryLabels[category],
      given: given[category],
      required: ruleSet.minimums[category] ?? null,
    }))
    if (ruleSet.selfStudyCap !== undefined || row.hours_self_study > 0) hourRows.push({ label: '自学与发表', given: row.hours_self_study, required: null })
    return {
      number: row.number,
      // A national rule set prints the national title; otherwise the province of the issuing region.
      provinceName: ruleSet.id === 'national' ? '' : findRegion(row.region_code)?.provinceName ?? '',
      holderName: row.holder_name,
      year: row.year,
      hourRows,
      totalHours: { given: row.hours_total, required: ruleSet.total },
      ruleSetName: ruleSet.name,
      regulationName: ruleSet.regulation,
      issuerName: signed.iss,
      employerName: row.employer_name,
      issuedAt: row.issued_at,
      jws: row.jws,
      // Derived, not stored: signed deterministically from the stored JWS's content by the same key, it is the same every time.
      verifyUrl: verifyUrlOf(publicBaseUrl, row.number, signCompactToken(key, row.number, compactClaimsOf(signed))),
      ...(seal === null ? {} : { seal }),
      signer: { kid: key.kid, alg: key.alg, privateJwk: key.privateJwk, certificateChain: key.certificateChain },
    }
  }

  return {
    inputOf,

    /** The certificate's signed PDF for an issuer whose scope covers it, rendered on the PDF pool. */
    async renderCertificatePdf (actor: Actor, number: string, work: PdfWork): Promise<Uint8Array> {
      const row = await certificates.readCertificate(actor, number)
      return pool.render(await inputOf(row, await findIssuerSeal(db, row.issuer_id)), work)
    },

    /** The holder's own PDF, given their name and ID number (within the certificate's name-check budget). */
    async renderHolderPdf (number: string, holder: { name: string, idNumber: string }, work: PdfWork): Promise<Uint8Array> {
      const row = await certificates.readCertificateForHolder(number, holder.name, holder.idNumber)
      return pool.render(await inputOf(row, await findIssuerSeal(db, row.issuer_id)), work)
    },
  }
}
