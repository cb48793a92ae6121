// POST /v1/verify/batch/export: a bulk verification's report, as answered in JSON, written as .xlsx or CSV — without checking again.
import { PassThrough } from 'node:stream'
import type { FastifyPluginAsync } from 'fastify'
import { writeVerificationCsv } from '../verification/batch-verification-csv.js'
import { writeVerificationXlsx } from '../verification/batch-verification-xlsx.js'
import type { BatchVerificationReport } from '../verification/batch-verification-service.js'
import { xlsxContentType } from '../spreadsheets/uploaded-table.js'
import type { Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'
import { sendsSpreadsheet } from './table-formats.js'

export interface VerificationExportRoutesOptions { auth: Authentication }

/** A report of 10,000 rows with every certificate's details is about 6 MB of JSON. */
const maxReportBytes = 16 * 1024 * 1024

export const verificationExportRoutes: FastifyPluginAsync<VerificationExportRoutesOptions> = async (app, { auth }) => {
  app.post<{ Body: BatchVerificationReport, Querystring: { format: 'xlsx' | 'csv' } }>('/v1/verify/batch/export', {
    onRequest: auth.issuer(['verifier', 'authority']),
    bodyLimit: maxReportBytes,
    schema: {
      tags: ['verification'],
      summary: 'Write a bulk verification\'s report as .xlsx or CSV, as it was answered (nothing is checked again)',
      description: 'Send the JSON report POST /v1/verify/batch answered; the file is the one that route gives with ?format=, so that a report seen on screen is saved without verifying (and counting names) again. ' +
        'The file says what the sender sent: it is the caller\'s own copy, not a signed statement (for that, POST /v1/verification-reports).',
      operationId: 'exportBatchVerification',
      security: callerSecurity,
      querystring: { type: 'object', additionalProperties: false, required: ['format'], properties: { format: { type: 'string', enum: ['xlsx', 'csv'] } } },
      body: ref('batch-verification-report.json'),
      produces: ['text/csv', xlsxContentType],
      response: {
        200: {
          content: {
            'text/csv': { schema: { type: 'string', description: 'The report as CSV (UTF-8 with BOM, CRLF)' } },
            [xlsxContentType]: { schema: { type: 'string', format: 'binary', description: 'The report as .xlsx' } },
          },
        },
        ...errorResponses(400, 401, 403, 413, 415, 503),
      },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'private, no-store')
    if (request.query.format === 'csv') return sendsSpreadsheet(reply, 'text/csv; charset=utf-8', 'verification-report.csv', '批量核验结果.csv').send(Buffer.from(writeVerificationCsv(request.body), 'utf8'))
    const out = new PassThrough()
    writeVerificationXlsx(out, request.body).catch((error: unknown) => {
      request.log.error({ err: error }, 'verification report workbook aborted')
      out.destroy(error as Error)
    })
    return sendsSpreadsheet(reply, xlsxContentType, 'verification-report.xlsx', '批量核验结果.xlsx').send(out)
  })
}
