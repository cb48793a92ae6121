// Online verification: the pipeline with the key ring and the issuance register in the database.
import type { Kysely } from 'kysely'
import type { Database } from '../db/schema.js'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import type { PdfWork } from '../documents/index.js'
import { createDatabaseRegistry } from './database-registry.js'
import type { PdfReader, Presentation } from './presented-token.js'
import { verifyPresentation, type VerificationDeps } from './verification-pipeline.js'
import type { VerificationReport } from './verification-report.js'

export interface VerificationServiceDeps {
  db: Kysely<Database>
  keys: SigningKeyRing
  clock: () => Date
  readPdf: PdfReader
  /** PUBLIC_BASE_URL and the service's former addresses: where its QR codes may point. */
  trustedBaseUrls: readonly string[]
}

export type VerificationService = ReturnType<typeof createVerificationService>

export function createVerificationService ({ db, keys, clock, readPdf, trustedBaseUrls }: VerificationServiceDeps) {
  const deps: VerificationDeps = { findKey: kid => keys.find(kid), kids: async () => keys.jwks().keys.map(k => k.kid), registry: createDatabaseRegistry(db), clock, readPdf, trustedBaseUrls }
  return {
    /** Verifies a certificate presented as its JWS, the text of its QR code, or its PDF; the report is data, never an exception. */
    verifyPresentation (presentation: Presentation, work?: PdfWork): Promise<VerificationReport> {
      return verifyPresentation(presentation, deps, work)
    },
  }
}
