// /v1/certificates/batch and /v1/batches: issue up to 10,000 certificates at once, and read the batch.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { BatchRow, BatchService } from '../batches/batch-service.js'
import { batchCsvColumns, readBatchCsv } from '../batches/batch-csv.js'
import type { IssueCertificateRequest } from '../certificates/issuance-request.js'
import type { IdempotencyService } from '../idempotency/idempotency-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { toServiceError } from './error-handler.js'
import { idempotencyKeyHeaders, replyIdempotently } from './idempotent-replies.js'
import { callerSecurity, errorResponses, recordId, ref } from './schemas.js'

export interface BatchRoutesOptions {
  batches: BatchService
  auth: Authentication
  idempotency: IdempotencyService
}

/** 10,000 rows with long Chinese employer names stay under this. */
export const maxBatchBodyBytes = 8 * 1024 * 1024

// One object, so Fastify compiles the row validator once per route.
const rowSchema = ref('issue-certificate-request.json')
const batchParams = { type: 'object', required: ['id'], properties: { id: recordId } } as const

/** Each row checked against the single-issuance schema: a bad row becomes that row's error. */
function checkRows (request: FastifyRequest, rows: unknown[]): BatchRow[] {
  const validate = request.compileValidationSchema(rowSchema)
  return rows.map(row => (validate(row)
    ? { request: row as IssueCertificateRequest }
    : { error: toServiceError(Object.assign(new Error('invalid row'), { validation: validate.errors ?? [] })) }))
}

export const batchRoutes: FastifyPluginAsync<BatchRoutesOptions> = async (app, { batches, auth, idempotency }) => {
  const issuerOnly = auth.issuer(['authority', 'employer'])
  // Within this plugin only: a batch may come as CSV (parsed into the JSON shape, then validated the same way).
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: maxBatchBodyBytes }, (_request, body, done) => {
    try {
      done(null, { certificates: readBatchCsv(body as Buffer) })
    } catch (error) {
      done(error as Error)
    }
  })

  app.post<{ Body: { certificates: unknown[] } }>('/v1/certificates/batch', {
    // Authenticated before the body is read: an anonymous 8 MB upload is refused at once.
    onRequest: issuerOnly,
    bodyLimit: maxBatchBodyBytes,
    schema: {
      tags: ['certificates'],
      summary: 'Issue up to 10,000 certificates in one request (批量颁发)',
      description: 'JSON `{ "certificates": [ <issue-certificate-request>, … ] }`, or CSV (`Content-Type: text/csv`, UTF-8 with or without BOM, as Excel saves "CSV UTF-8") with a header row. ' +
        `CSV columns (header names are case-insensitive; Chinese names in brackets also work): ${Object.entries(batchCsvColumns).map(([f, names]) => `${f} (${names.slice(1).join('/')})`).join(', ')}. ` +
        'name, idNumber, employer, year, public, professional, elective are required columns; an empty hour cell counts 0; achievement is lead or contributor; the other optional columns may be left empty. ' +
        'Each row is checked like POST /v1/certificates; a holder twice in the batch for one year (DUPLICATE_IN_BATCH, every such row) or already holding a valid certificate that year (CERTIFICATE_EXISTS) is refused. ' +
        'The valid rows are issued in one transaction, one contiguous number range per county. The answer lists every row: its number, or its errors with codes. Use Idempotency-Key to retry safely.',
      security: callerSecurity,
      headers: idempotencyKeyHeaders,
      body: ref('issue-batch-request.json'),
      response: { 201: ref('batch-report.json'), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    return replyIdempotently(idempotency, request, reply, actor, async record => ({
      status: 201,
      body: await batches.issueBatch(actor, checkRows(request, request.body.certificates), (trx, report) => record(trx, { status: 201, body: report })),
    }), report => report.links.self)
  })

  app.get<{ Params: { id: number } }>('/v1/batches/:id', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'An issuance batch: its counts and certificates',
      security: callerSecurity,
      params: batchParams,
      response: { 200: ref('batch.json'), ...errorResponses(400, 401, 403, 404, 503) },
    },
  }, async request => batches.readBatch(actorOf(request), request.params.id))
}
