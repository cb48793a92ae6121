// The tables as Kysely sees them. Migrations (src/db/migrations) are the source of truth; this mirrors them.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

type Timestamp = ColumnType<Date, Date | string, Date | string>
/** A timestamp the database fills in by default. */
type CreatedAt = ColumnType<Date, Date | string | undefined, Date | string>

export type IssuerKind = 'authority' | 'employer' | 'verifier'
export type CertificateStatus = 'valid' | 'revoked'

export interface IssuersTable {
  id: Generated<number>
  name: string
  kind: IssuerKind
  region_code: string
  created_at: CreatedAt
  disabled_at: Timestamp | null
  seal_png: Buffer | null
}

export interface ApiKeysTable {
  id: Generated<number>
  issuer_id: number
  /** SHA-256 of the whole key: keys are 256-bit random, so an unsalted fast hash is enough. */
  key_hash: string
  /** The key's first characters, to tell keys apart in listings. */
  prefix: string
  created_at: CreatedAt
  expires_at: Timestamp | null
  revoked_at: Timestamp | null
  /** When the key last authenticated a request (kept to the minute). */
  last_used_at: Timestamp | null
}

export interface NumberSequencesTable {
  region_code: string
  year: number
  last_value: number
}

export interface CertificatesTable {
  number: string
  region_code: string
  year: number
  sequence: number
  holder_name: string
  /** HMAC-SHA256 of the ID number under the service's secret: never the number, never an unkeyed hash. */
  holder_id_hmac: string
  employer_name: string
  series: string | null
  rule_set: string
  hours_public: number
  hours_professional: number
  hours_elective: number
  hours_self_study: number
  hours_total: number
  declared_hours: ColumnType<unknown, string, string>
  issuer_id: number
  issued_at: Timestamp
  kid: string
  jws: string
  status: Generated<CertificateStatus>
  revoked_at: Timestamp | null
  revoked_by: number | null
  revocation_reason: string | null
  /** The batch that issued it (POST /v1/certificates/batch), or null. */
  batch_id: number | null
}

/** Revocations counted per signing key: a revocation list's `ctr`. */
export interface RevocationCountersTable {
  kid: string
  ctr: number
}

/** One Idempotency-Key of one issuer: the request's hash and, once completed, its first response. */
export interface IdempotencyKeysTable {
  issuer_id: number
  key: string
  request_hash: string
  state: 'running' | 'completed'
  /** Who holds the key while it runs; a request whose lease ran out can be taken over. */
  lock_token: string
  locked_until: Timestamp
  response_status: number | null
  /** The response body as JSON text. */
  response_body: string | null
  created_at: CreatedAt
  completed_at: Timestamp | null
}

export interface BatchesTable {
  id: Generated<number>
  issuer_id: number
  created_at: Timestamp
  row_count: number
  issued_count: number
  rejected_count: number
  /** Each row's outcome in order (the rows of the batch report); null for batches issued before it was kept. Never an ID number. */
  row_outcomes: ColumnType<unknown, string | null | undefined, string>
}

/** `issuer`: by an API key; `user`: a person signed in; `anonymous`: a sign-in that named no known user. */
export type AuditActorType = 'issuer' | 'user' | 'admin' | 'cli' | 'anonymous'

/** One recorded change (src/audit): append-only, the database refuses UPDATE, DELETE and TRUNCATE. */
export interface AuditEventsTable {
  id: ColumnType<number, never, never>
  occurred_at: Timestamp
  /** e.g. certificate.issued, certificate.revoked, api_key.created, issuer.seal_changed */
  action: string
  actor_type: AuditActorType
  actor_issuer_id: number | null
  actor_name: string
  /** The person, when a user signed in made the change (a session), besides the organisation. */
  actor_user_id: number | null
  actor_user_name: string | null
  request_id: string | null
  /** What changed: a certificate number, issuer id or API key id. */
  subject: string
  /** The area the change belongs to, for scoped reading: the certificate's or the issuer's region. */
  region_code: string
  status_before: string | null
  status_after: string | null
  details: ColumnType<unknown, string | null, never>
}

/**
 * Recent failures against one subject: wrong names checked (`certificate:<number>`, `account:<issuer id>`)
 * or failed sign-ins (`sign-in-user:<username>`, `sign-in-address:<address>`).
 */
export interface FailureBudgetsTable {
  subject: string
  /** When each failure happened, as milliseconds since the epoch; older than the window they no longer count. */
  failures: ColumnType<number[], string, string>
  touched_at: Timestamp
}

/** A batch's PDFs as one ZIP file, prepared in the background (src/batches/batch-archives.ts). */
export interface BatchArchivesTable {
  batch_id: number
  status: 'preparing' | 'ready' | 'failed'
  done: number
  total: number
  /** The file's name in ARCHIVE_DIR, once ready. */
  file: string | null
  bytes: number | null
  sha256: string | null
  /** Why it failed: { code, message, messageZh }. */
  error: ColumnType<{ code: string, message: string, messageZh: string } | null, string | null, string | null>
  started_at: Timestamp
  /** While preparing, the instance renewing this is at work; past it, another may start again. */
  lease_until: Timestamp
  finished_at: Timestamp | null
}

export type UserRole = 'admin' | 'clerk'

/** A person of an issuer: 管理员 (admin) manages the organisation's staff, keys and seal; 经办人 (clerk) does its work. */
export interface UsersTable {
  id: Generated<number>
  issuer_id: number
  /** Lowercase, unique across the service. */
  username: string
  display_name: string
  role: UserRole
  /** argon2id (src/accounts/passwords.ts) in PHC format: parameters, salt and hash in one string. */
  password_hash: string
  /** A temporary password (new account, reset) must be changed at the first sign-in. */
  must_change_password: boolean
  created_at: Timestamp
  password_changed_at: Timestamp
  disabled_at: Timestamp | null
  last_sign_in_at: Timestamp | null
}

/** A signed-in session: the cookie carries a random id, the table only its SHA-256. */
export interface SessionsTable {
  id_hash: string
  user_id: number
  /** The CSRF secret of this session (@fastify/csrf-protection). */
  csrf_secret: string
  /** How the person proved who they are: 'password' (a single sign-on provider could add its own). */
  authenticated_by: string
  /** The address it was signed in from (shown to the person in their list of sessions). */
  client_address: string
  created_at: Timestamp
  last_seen_at: Timestamp
  /** The absolute end (12 hours after sign-in); the idle end is last_seen_at + 30 minutes. */
  expires_at: Timestamp
}

export interface Database {
  issuers: IssuersTable
  api_keys: ApiKeysTable
  number_sequences: NumberSequencesTable
  certificates: CertificatesTable
  idempotency_keys: IdempotencyKeysTable
  batches: BatchesTable
  revocation_counters: RevocationCountersTable
  audit_events: AuditEventsTable
  failure_budgets: FailureBudgetsTable
  users: UsersTable
  sessions: SessionsTable
  batch_archives: BatchArchivesTable
  verification_reports: VerificationReportsTable
}

/** A committee's signed verification report: the bulk verification's answer as it was given, and the token signing its digest. */
export interface VerificationReportsTable {
  id: Generated<number>
  issuer_id: number
  created_at: Timestamp
  report: ColumnType<unknown, string, never>
  jws: string
}

export type IssuerRow = Selectable<IssuersTable>
export type CertificateRow = Selectable<CertificatesTable>
export type NewCertificate = Insertable<CertificatesTable>
