// createServices: every domain service built once, wired to the database, keys and clock. No Fastify here.
import type { Kysely } from 'kysely'
import type { Database } from './db/schema.js'
import type { SigningKeyRing } from './signing/signing-keys.js'
import { readCertificateJws, readPdfSignature } from './documents/index.js'
import { createAuditService } from './audit/audit-service.js'
import { createBatchService } from './batches/batch-service.js'
import { createCertificatePdfService } from './certificates/certificate-pdf-service.js'
import { createCertificateService } from './certificates/certificate-service.js'
import { createIdempotencyService } from './idempotency/idempotency-service.js'
import { createIssuerSealService } from './issuers/issuer-seal-service.js'
import { createIssuerService } from './issuers/issuer-service.js'
import { createRegisterService } from './reports/register-service.js'
import { createStatsService } from './reports/stats-service.js'
import { createBatchVerificationService } from './verification/batch-verification-service.js'
import { createRevocationListService } from './verification/revocation-list-service.js'
import { createVerificationService } from './verification/verification-service.js'
import { createNameCheckService } from './certificates/name-checks.js'

export interface ServiceDeps {
  db: Kysely<Database>
  keys: SigningKeyRing
  holderIdSecret: Buffer
  clock: () => Date
  publicBaseUrl: string
  /** Addresses the service had before (FORMER_PUBLIC_BASE_URLS): QR codes printed with them still verify. */
  formerBaseUrls: readonly string[]
  /** How long a completed Idempotency-Key keeps its response (IDEMPOTENCY_RETENTION_HOURS). */
  idempotencyRetentionHours: number
  /** Wrong names a bulk-verifying account may send per 24 hours (NAME_CHECK_MISMATCHES_PER_ACCOUNT_PER_DAY). */
  nameMismatchesPerAccountPerDay: number
  /** How long an offline verifier may rely on a signed revocation list (REVOCATION_LIST_VALIDITY_HOURS). */
  revocationListValidityHours: number
}

export type Services = ReturnType<typeof createServices>

export function createServices ({ db, keys, holderIdSecret, clock, publicBaseUrl, formerBaseUrls, idempotencyRetentionHours, nameMismatchesPerAccountPerDay, revocationListValidityHours }: ServiceDeps) {
  const nameChecks = createNameCheckService({ db, clock, mismatchesPerAccountPerDay: nameMismatchesPerAccountPerDay })
  const certificates = createCertificateService({ db, keys, holderIdSecret, clock, publicBaseUrl, nameChecks })
  const verification = createVerificationService({ db, keys, clock, readPdf: { signature: readPdfSignature, token: readCertificateJws }, trustedBaseUrls: [publicBaseUrl, ...formerBaseUrls] })
  return {
    issuers: createIssuerService({ db, clock }),
    seals: createIssuerSealService({ db, clock }),
    idempotency: createIdempotencyService({ db, clock, retentionMs: idempotencyRetentionHours * 3_600_000 }),
    certificates,
    batches: createBatchService({ db, certificates, holderIdSecret, clock }),
    pdfs: createCertificatePdfService({ db, certificates, keys, publicBaseUrl }),
    registers: createRegisterService({ db, clock }),
    stats: createStatsService({ db, clock }),
    audit: createAuditService({ db }),
    verification,
    batchVerification: createBatchVerificationService({ db, verification, nameChecks, clock, mismatchesPerAccountPerDay: nameMismatchesPerAccountPerDay }),
    nameChecks,
    revocations: createRevocationListService({ db, keys, clock, validityHours: revocationListValidityHours }),
  }
}
