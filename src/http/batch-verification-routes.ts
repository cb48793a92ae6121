// POST /v1/verify/batch: a committee checks up to 10,000 certificate numbers (JSON or Excel CSV) or several PDFs at once.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import multipart from '@fastify/multipart'
import { isServiceError, ServiceError } from '../errors.js'
import { readVerificationCsv, rowsReportHeader, verificationCsvColumns, writeVerificationCsv } from '../verification/batch-verification-csv.js'
import {
  maxBatchPdfBytes, maxBatchPdfFiles, maxBatchPdfRequestBytes, maxBatchVerificationRows, type BatchVerificationService, type UploadedPdf,
} from '../verification/batch-verification-service.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'

export interface BatchVerificationRoutesOptions {
  batchVerification: BatchVerificationService
  auth: Authentication
}

/** 10,000 rows of number and name are about 0.5 MB as JSON or CSV; this leaves room for padding and long names. */
export const maxBatchVerificationBodyBytes = 4 * 1024 * 1024

interface BatchQuery { format?: 'json' | 'csv' }

/** CSV when asked by ?format=csv, or by an Accept header naming text/csv without ?format. */
function wantsCsv (request: FastifyRequest<{ Querystring: BatchQuery }>): boolean {
  if (request.query.format !== undefined) return request.query.format === 'csv'
  return /(^|,)\s*text\/csv\s*(;|,|$)/i.test(request.headers.accept ?? '')
}

/** The files of a multipart request, read one at a time; a request that cannot be read fails as a whole. */
async function * uploadedPdfs (request: FastifyRequest): AsyncGenerator<UploadedPdf> {
  let count = 0
  let total = 0
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') throw new ServiceError('VALIDATION_FAILED', { en: `Send only PDF files in the multipart request; "${part.fieldname}" is a form field.`, zh: `多部分请求中只应包含 PDF 文件，“${part.fieldname}”是表单字段。` })
      const bytes = await part.toBuffer()
      total += bytes.length
      if (total > maxBatchPdfRequestBytes) {
        throw new ServiceError('PAYLOAD_TOO_LARGE', { en: `The PDFs of one request may have ${maxBatchPdfRequestBytes / 1024 / 1024} MB together; send the rest in another request.`, zh: `一次请求中的 PDF 文件合计不得超过 ${maxBatchPdfRequestBytes / 1024 / 1024} MB，其余文件请分批提交。` })
      }
      count++
      yield { filename: part.filename, bytes, truncated: part.file.truncated }
    }
  } catch (error) {
    if (isServiceError(error)) throw error
    const code = (error as { code?: string }).code
    if (code === 'FST_FILES_LIMIT' || code === 'FST_PARTS_LIMIT') throw new ServiceError('PAYLOAD_TOO_LARGE', `At most ${maxBatchPdfFiles} PDFs may be sent in one request.`)
    throw new ServiceError('VALIDATION_FAILED', `The multipart request cannot be read: ${(error as Error).message}.`)
  }
  if (count === 0) throw new ServiceError('VALIDATION_FAILED', 'The multipart request carries no file: send one or more PDFs.')
}

export const batchVerificationRoutes: FastifyPluginAsync<BatchVerificationRoutesOptions> = async (app, { batchVerification, auth }) => {
  // Within this plugin only: PDFs as multipart files, the committee's list as CSV, and no plain text.
  app.removeContentTypeParser('text/plain')
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: maxBatchPdfBytes, files: maxBatchPdfFiles, fields: 10, parts: maxBatchPdfFiles + 10 },
  })
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'buffer', bodyLimit: maxBatchVerificationBodyBytes }, (_request, body, done) => {
    try {
      done(null, { rows: readVerificationCsv(body as Buffer) })
    } catch (error) {
      done(error as Error)
    }
  })

  app.post<{ Body: { rows: unknown[] } | undefined, Querystring: BatchQuery }>('/v1/verify/batch', {
    // Authenticated before the body is read: an anonymous upload is refused at once.
    onRequest: auth.issuer(['verifier', 'authority']),
    bodyLimit: maxBatchVerificationBodyBytes,
    schema: {
      tags: ['verification'],
      summary: 'Verify up to 10,000 certificates at once, for title-evaluation committees (批量核验)',
      description: 'For committee accounts (issuer kind `verifier`) and authorities; employers get 403 FORBIDDEN_ROLE. ' +
        `Send JSON \`{ "rows": [{ "number": "44010625000001", "name": "张三" }, …] }\` (1 to ${maxBatchVerificationRows} rows, name optional), ` +
        `or the same as CSV (\`Content-Type: text/csv\`, UTF-8 with or without BOM as Excel saves "CSV UTF-8", header ${Object.entries(verificationCsvColumns).map(([c, names]) => `${c} (${names.slice(1).join('/')})`).join(', ')}), ` +
        `or up to ${maxBatchPdfFiles} certificate PDFs of at most ${maxBatchPdfBytes / 1024 / 1024} MB each as \`multipart/form-data\` files. ` +
        'Every row gets its verdict — valid, revoked, not-found, name-mismatch, malformed, invalid-signature (PDFs) — with the reason in English and Chinese; a bad row never fails the batch. ' +
        'Numbers are taken exactly as sent: one spoilt by Excel (4.40106E+13, spaces, full-width digits, decimals) is malformed with the reason, never corrected or matched. Names compare like the public lookup (NFKC, spaces ignored, any middle dot). ' +
        'The report shows what the public lookup shows: the masked name (张*三), whether the name sent matches, status, year, region, issuer, dates and hours — never an ID number or a full name. ' +
        `With \`Accept: text/csv\` or \`?format=csv\` the report is CSV for Excel: UTF-8 with BOM, CRLF, the counts first, an empty line, then the table (${rowsReportHeader.join(', ')}); numbers are written as ="…" so Excel keeps all 14 digits.`,
      security: callerSecurity,
      querystring: { type: 'object', additionalProperties: false, properties: { format: { type: 'string', enum: ['json', 'csv'] } } },
      body: {
        content: {
          'application/json': { schema: ref('verify-batch-request.json') },
          'text/csv': { schema: ref('verify-batch-request.json') },
          'application/csv': { schema: ref('verify-batch-request.json') },
          'multipart/form-data': { schema: { description: `Up to ${maxBatchPdfFiles} PDF files (any field name)` } },
        },
      },
      produces: ['application/json', 'text/csv'],
      response: {
        200: {
          content: {
            'application/json': { schema: ref('batch-verification-report.json') },
            'text/csv': { schema: { type: 'string', description: 'The report as CSV (UTF-8 with BOM, CRLF): counts, an empty line, the table' } },
          },
        },
        ...errorResponses(400, 401, 403, 413, 415, 503),
      },
    },
  }, async (request, reply) => {
    let report
    if (request.isMultipart()) {
      report = await batchVerification.verifyPdfs(actorOf(request), uploadedPdfs(request))
    } else {
      if (request.body === undefined || request.body === null) throw new ServiceError('VALIDATION_FAILED', 'Send JSON { "rows": [...] }, a CSV, or PDFs as multipart/form-data.')
      report = await batchVerification.verifyNumbers(actorOf(request), request.body.rows)
    }
    // The report names certificates and applicants: no shared cache keeps it.
    reply.header('cache-control', 'private, no-store')
    if (!wantsCsv(request)) return report
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="verification-report.csv"; filename*=UTF-8''${encodeURIComponent('批量核验结果.csv')}`)
      .send(Buffer.from(writeVerificationCsv(report), 'utf8'))
  })
}
