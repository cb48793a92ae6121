// createServices: every domain service built once, wired to the database, keys and clock. No Fastify here.
import type { Kysely } from 'kysely'
import type { Database } from './db/schema.js'
import type { SigningKeyRing } from './signing/signing-keys.js'
import type { Config } from './config.js'
import type { PdfPool, PdfWork, PrintableCharacters } from './documents/index.js'
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
import { createCertificateSearch } from './certificates/certificate-search.js'
import { createSignedReportService } from './verification/signed-report-service.js'
import { createNameCheckService } from './certificates/name-checks.js'
import { createBatchArchives } from './batches/batch-archives.js'
import { createUserService } from './accounts/user-service.js'
import { createSessionService, type SessionPolicy } from './accounts/session-service.js'

export interface ServiceDeps {
  db: Kysely<Database>
  keys: SigningKeyRing
  holderIdSecret: Buffer
  clock: () => Date
  /** The settings the services read: addresses, retention, budgets, archives. */
  config: Config
  /** The worker threads every PDF is rendered and read on. */
  pdfPool: PdfPool
  log: { warn (details: object, message: string): void }
  /** What the certificate fonts can print: names are checked against it before they are numbered. */
  printable: PrintableCharacters
}

export type Services = ReturnType<typeof createServices>

/** The session policy the configuration gives. */
export function sessionPolicyOf (config: Config): SessionPolicy {
  const { idleMinutes, lifetimeHours, signInFailuresPerUser, signInFailuresPerAddress, signInLockMinutes } = config.sessions
  return {
    idleMs: idleMinutes * 60_000,
    lifetimeMs: lifetimeHours * 3_600_000,
    failuresPerUser: signInFailuresPerUser,
    failuresPerAddress: signInFailuresPerAddress,
    failureWindowMs: signInLockMinutes * 60_000,
    maxSessionsPerUser: 20,
  }
}

export function createServices ({ db, keys, holderIdSecret, clock, config, pdfPool, log, printable }: ServiceDeps) {
  const { publicBaseUrl, formerBaseUrls } = config.http
  const mismatchesPerAccountPerDay = config.limits.nameMismatchesPerAccountPerDay
  const nameChecks = createNameCheckService({ db, clock, mismatchesPerAccountPerDay })
  const certificates = createCertificateService({ db, keys, holderIdSecret, clock, publicBaseUrl, nameChecks, printable })
  const pdfs = createCertificatePdfService({ db, certificates, keys, pool: pdfPool, publicBaseUrl })
  const readPdf = (pdf: Uint8Array, work?: PdfWork) => pdfPool.read(pdf, keys.jwks().keys.map(k => k.kid), work ?? { client: 'service' })
  const verification = createVerificationService({ db, keys, clock, readPdf, trustedBaseUrls: [publicBaseUrl, ...formerBaseUrls] })
  const batchVerification = createBatchVerificationService({ db, verification, nameChecks, clock, mismatchesPerAccountPerDay })
  return {
    issuers: createIssuerService({ db, clock, printable }),
    users: createUserService({ db, clock }),
    sessions: createSessionService({ db, clock, policy: sessionPolicyOf(config) }),
    seals: createIssuerSealService({ db, clock }),
    idempotency: createIdempotencyService({ db, clock, retentionMs: config.idempotencyRetentionHours * 3_600_000 }),
    certificates,
    search: createCertificateSearch({ db, holderIdSecret, clock }),
    batches: createBatchService({ db, certificates, holderIdSecret, clock, printable }),
    pdfs,
    archives: createBatchArchives({ db, pdfs, pool: pdfPool, directory: config.archives.directory, parallel: config.pdfWorkers, clock, log }),
    registers: createRegisterService({ db, clock }),
    stats: createStatsService({ db, clock }),
    audit: createAuditService({ db }),
    verification,
    batchVerification,
    signedReports: createSignedReportService({ db, keys, clock, batchVerification, pool: pdfPool, publicBaseUrl }),
    nameChecks,
    revocations: createRevocationListService({ db, keys, clock, validityHours: config.revocationListValidityHours }),
  }
}
