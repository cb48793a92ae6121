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

export type AuditActorType = 'issuer' | 'admin' | 'cli'

/** One recorded change (src/audit): append-only, the database refuses UPDATE, DELETE and TRUNCATE. */
export interface AuditEventsTable {
  id: ColumnType<number, never, never>
  occurred_at: Timestamp
  /** e.g. certificate.issued, certificate.revoked, api_key.created, issuer.seal_changed */
  action: string
  actor_type: AuditActorType
  actor_issuer_id: number | null
  actor_name: string
  request_id: string | null
  /** What changed: a certificate number, issuer id or API key id. */
  subject: string
  /** The area the change belongs to, for scoped reading: the certificate's or the issuer's region. */
  region_code: string
  status_before: string | null
  status_after: string | null
  details: ColumnType<unknown, string | null, never>
}

/** Wrong names checked recently against one subject: `certificate:<number>` or `account:<issuer id>`. */
export interface NameCheckBudgetsTable {
  subject: string
  /** When each wrong name was checked, as milliseconds since the epoch; older than the window they no longer count. */
  failures: ColumnType<number[], string, string>
  touched_at: Timestamp
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
  name_check_budgets: NameCheckBudgetsTable
}

export type IssuerRow = Selectable<IssuersTable>
export type CertificateRow = Selectable<CertificatesTable>
export type NewCertificate = Insertable<CertificatesTable>
