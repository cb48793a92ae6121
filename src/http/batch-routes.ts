// /v1/certificates/batch and /v1/batches: issue up to 10,000 certificates at once (JSON, CSV or .xlsx; or a dry run), the template, the batch.
import { setImmediate as nextTurn } from 'node:timers/promises'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import type { BatchRow, BatchService } from '../batches/batch-service.js'
import { batchColumns, type UploadedBatchRow } from '../batches/batch-table.js'
import { inSheetRow } from '../batches/batch-outcomes.js'
import type { IssueCertificateRequest } from '../certificates/issuance-request.js'
import type { IdempotencyService } from '../idempotency/idempotency-service.js'
import { xlsxContentType } from '../spreadsheets/uploaded-table.js'
import { tableLimits } from '../spreadsheets/table-rows.js'
import { actorOf, type Authentication } from './authentication.js'
import { toServiceError } from './error-handler.js'
import { idempotencyKeyHeaders, replyIdempotently } from './idempotent-replies.js'
import { callerSecurity, errorResponses, recordId, ref } from './schemas.js'
import { sendsSpreadsheet, tableContentTypes } from './table-formats.js'

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
const xlsxResponse = (description: string) => ({ description, content: { [xlsxContentType]: { schema: { type: 'string', format: 'binary' } } } })

/**
 * Each row checked against the single-issuance schema, a turn of the event loop every 500 rows: a
 * bad row becomes that row's error. Rows of a file come with their sheet rows and cell problems.
 */
async function checkRows (request: FastifyRequest, rows: unknown[], uploaded: UploadedBatchRow[] | undefined): Promise<BatchRow[]> {
  const validate = request.compileValidationSchema(rowSchema)
  const checked: BatchRow[] = []
  for (const [i, row] of rows.entries()) {
    if (i % 500 === 499) await nextTurn()
    const sheet = uploaded?.[i]
    if (sheet !== undefined && sheet.problems.length > 0) {
      checked.push({ errors: sheet.problems, sheetRow: sheet.sheetRow, holderName: sheet.name })
      continue
    }
    const at = sheet === undefined ? {} : { sheetRow: sheet.sheetRow }
    if (validate(row)) {
      checked.push({ request: row as IssueCertificateRequest, ...at })
      continue
    }
    const error = toServiceError(Object.assign(new Error('invalid row'), { validation: validate.errors ?? [] }))
    checked.push({ errors: [inSheetRow(error, sheet?.sheetRow)], ...at, ...(sheet === undefined ? {} : { holderName: sheet.name }) })
  }
  return checked
}

const asRead = (row: UploadedBatchRow | undefined) => (row === undefined ? undefined : { request: row.request, cellProblems: row.problems.length > 0 })

export const batchRoutes: FastifyPluginAsync<BatchRoutesOptions> = async (app, { batches, auth, idempotency }) => {
  const issuerOnly = auth.issuer(['authority', 'employer'])
  /** The rows of an uploaded file, by request: read into the JSON shape by the parser, kept here for their sheet rows. */
  const uploads = new WeakMap<FastifyRequest, UploadedBatchRow[]>()
  // Within this plugin only: a batch may come as a file, read into the JSON shape, then validated the same way.
  app.addContentTypeParser(tableContentTypes, { parseAs: 'buffer', bodyLimit: maxBatchBodyBytes }, async (request: FastifyRequest, body: Buffer) => {
    const rows = await batches.readUploadedBatch(body)
    uploads.set(request, rows)
    return { certificates: rows.map(row => row.request) }
  })

  const columnList = Object.entries<readonly string[]>(batchColumns.names).map(([f, names]) => `${f} (${names.slice(1).join('/')})`).join(', ')
  app.post<{ Body: { certificates: unknown[] }, Querystring: { dryRun: boolean } }>('/v1/certificates/batch', {
    // Authenticated before the body is read: an anonymous 8 MB upload is refused at once.
    onRequest: issuerOnly,
    bodyLimit: maxBatchBodyBytes,
    schema: {
      tags: ['certificates'],
      summary: 'Issue up to 10,000 certificates in one request (批量颁发), or check them first (?dryRun=true)',
      description: 'JSON `{ "certificates": [ <issue-certificate-request>, … ] }`, or the list as a file: `.xlsx` (`Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`; the first visible sheet with the header), ' +
        'or CSV (`text/csv`; UTF-8 with or without BOM, GB18030/GBK as Excel on Chinese Windows saves "CSV (逗号分隔)", UTF-16 with BOM as "Unicode 文本"; comma, tab or semicolon) — the format, encoding and delimiter are detected from the bytes. ' +
        'The template is GET /v1/certificates/batch/template. The header is the first row naming the required columns (title rows and blank lines above it are skipped); header names are compared without case, spaces, full-width forms, `*` marks and a unit like （学时）. ' +
        `Columns: ${columnList}; name, idNumber, employer, year, public, professional, elective are required; 序号, 备注, empty-headed columns and the other columns of the register export are ignored; any other column refuses the file (MALFORMED_CSV / MALFORMED_XLSX). ` +
        `At most ${tableLimits.maxDataRows} rows, ${tableLimits.maxColumns} columns, ${tableLimits.maxCellCharacters} characters a cell (TABLE_TOO_LARGE). An empty hour cell counts 0; achievement is lead or contributor (第一完成人 / 其他完成人). ` +
        'A cell Excel spoilt is that row\'s error, never repaired: an ID number in scientific notation (4.40106E+17), with its last digits turned to 0, stored as a number, in full-width digits or with spaces is INVALID_ID_NUMBER with the reason in Chinese; the row of the sheet is in `sheetRow` and in the message. ' +
        'Each row is checked like POST /v1/certificates; a holder twice in the batch for one year (DUPLICATE_IN_BATCH, every such row) or already holding a valid certificate that year (CERTIFICATE_EXISTS) is refused. ' +
        'The valid rows are issued in one transaction, one contiguous number range per county (201): the answer lists every row, its number or its errors with codes, and GET /v1/batches/{id} keeps them. A batch of which no row can be issued is 422 BATCH_NOTHING_ISSUED, leaving no batch, with every row\'s errors in `details.rows` — as many rows as fit in a 64 KB answer, `details.rowsOmitted` counting the rest (a dry run answers them all). ' +
        'With `?dryRun=true` the same checks run and every row\'s verdict is answered (200, batch-dry-run.json; a file\'s rows also as read, in `asRead`, to correct and send back as JSON): no number is taken, nothing is stored (no batch, audit event or Idempotency-Key record). Use Idempotency-Key to retry an issuing request safely.',
      operationId: 'issueBatch',
      security: callerSecurity,
      headers: idempotencyKeyHeaders,
      querystring: { type: 'object', additionalProperties: false, properties: { dryRun: { type: 'boolean', default: false, description: 'Check every row and answer its verdict, without issuing or storing anything' } } },
      body: {
        content: Object.fromEntries(['application/json', ...tableContentTypes].map(type => [type, { schema: ref('issue-batch-request.json') }])),
      },
      response: { 200: ref('batch-dry-run.json'), 201: ref('batch-report.json'), ...errorResponses(400, 401, 403, 409, 413, 415, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    const rows = await checkRows(request, request.body.certificates, uploads.get(request))
    if (request.query.dryRun) {
      const preview = await batches.previewBatch(actor, rows)
      const uploaded = uploads.get(request)
      // A file's rows come back as read, so that the console can correct one and check the rows again as JSON.
      const answer = uploaded === undefined ? preview : { ...preview, rows: preview.rows.map(row => ({ ...row, asRead: asRead(uploaded[row.row - 1]) })) }
      return reply.code(200).header('cache-control', 'private, no-store').send(answer)
    }
    return replyIdempotently(idempotency, request, reply, actor, async record => ({
      status: 201,
      body: await batches.issueBatch(actor, rows, (trx, report) => record(trx, { status: 201, body: report })),
    }), report => report.links.self)
  })

  app.get('/v1/certificates/batch/template', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'The .xlsx template of a batch (批量颁发模板)',
      description: 'Sheet 批量颁发名单: a title row, the header in Chinese (required columns marked *), a sample row marked 示例 in 序号 (refused if uploaded as is), the ID and other number-like columns formatted as text (`@`) so Excel keeps all 18 digits, data validation of 年度, hours, 成果 and 学时规则. ' +
        'Sheet 填写说明: what each column means and the hour requirements of the rule sets the caller\'s region may issue under (total and minimum per category).',
      operationId: 'downloadBatchTemplate',
      security: callerSecurity,
      produces: [xlsxContentType],
      response: { 200: xlsxResponse('The template workbook'), ...errorResponses(401, 403, 429, 503) },
    },
  }, async (request, reply) => {
    const template = await batches.batchTemplate(actorOf(request))
    return sendsSpreadsheet(reply, xlsxContentType, 'batch-template.xlsx', '继续教育证书批量颁发模板.xlsx').send(template)
  })

  app.get<{ Params: { id: number } }>('/v1/batches/:id', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'An issuance batch: its counts, certificates and every row\'s outcome',
      operationId: 'readBatch',
      security: callerSecurity,
      params: batchParams,
      response: { 200: ref('batch.json'), ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async request => batches.readBatch(actorOf(request), request.params.id))
}
