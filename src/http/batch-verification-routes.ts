// POST /v1/verify/batch: a committee checks up to 10,000 certificate numbers (JSON, CSV or .xlsx) or several PDFs at once; the report as JSON, CSV or .xlsx.
import { PassThrough } from 'node:stream'
import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import multipart from '@fastify/multipart'
import { ServiceError } from '../errors.js'
import { rowsReportHeader, writeVerificationCsv } from '../verification/batch-verification-csv.js'
import { readVerificationRows, verificationColumns } from '../verification/batch-verification-table.js'
import { writeVerificationTemplate } from '../verification/batch-verification-template.js'
import { writeVerificationXlsx } from '../verification/batch-verification-xlsx.js'
import {
  maxBatchPdfBytes, maxBatchPdfFiles, maxBatchVerificationRows, type BatchVerificationService, type SheetOrigins,
} from '../verification/batch-verification-service.js'
import { readUploadedTable, xlsxContentType } from '../spreadsheets/uploaded-table.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'
import { pdfUploadLimits, uploadedPdfs } from './uploaded-pdfs.js'
import { requestedFormat, sendsSpreadsheet, tableContentTypes, tableFormatQuery, type TableFormat } from './table-formats.js'

export interface BatchVerificationRoutesOptions {
  batchVerification: BatchVerificationService
  auth: Authentication
}

/** 10,000 rows of number and name are about 0.5 MB as JSON or CSV; this leaves room for padding and long names. */
export const maxBatchVerificationBodyBytes = 4 * 1024 * 1024

interface BatchQuery { format?: TableFormat }

export const batchVerificationRoutes: FastifyPluginAsync<BatchVerificationRoutesOptions> = async (app, { batchVerification, auth }) => {
  // Within this plugin only: PDFs as multipart files, the committee's list as CSV, and no plain text.
  app.removeContentTypeParser('text/plain')
  await app.register(multipart, pdfUploadLimits)
  /** The sheet rows of an uploaded list, by request: kept for their rows and the problems only the sheet shows. */
  const uploads = new WeakMap<FastifyRequest, SheetOrigins>()
  app.addContentTypeParser(tableContentTypes, { parseAs: 'buffer', bodyLimit: maxBatchVerificationBodyBytes }, async (request: FastifyRequest, body: Buffer) => {
    const rows = readVerificationRows(await readUploadedTable(body, verificationColumns))
    uploads.set(request, rows.map(({ sheetRow, problem }) => (problem === undefined ? { sheetRow } : { sheetRow, problem })))
    return { rows: rows.map(({ number, name }) => (name === undefined ? { number } : { number, name })) }
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
        `or the same as a file (the template is GET /v1/verify/batch/template): .xlsx (\`Content-Type: ${xlsxContentType}\`) or CSV (\`text/csv\`: UTF-8 with or without BOM, GB18030/GBK, UTF-16 with BOM; comma, tab or semicolon — detected), with a header row, below any title, naming ${Object.entries<readonly string[]>(verificationColumns.names).map(([c, names]) => `${c} (${names.slice(1).join('/')})`).join(', ')}; 序号, 备注 and the other columns of this service's register and verification report are ignored, so an exported sheet can be sent back. ` +
        `or up to ${maxBatchPdfFiles} certificate PDFs of at most ${maxBatchPdfBytes / 1024 / 1024} MB each as \`multipart/form-data\` files. ` +
        'Every row gets its verdict — valid, revoked, not-found, name-mismatch, malformed, invalid-signature (PDFs) — with the reason in English and Chinese; a bad row never fails the batch. ' +
        'Numbers are taken exactly as sent: one spoilt by Excel (4.40106E+13, spaces, full-width digits, decimals, or in .xlsx a number cell instead of text) is malformed with the reason, never corrected or matched; rows of a file carry their `sheetRow`. Names compare like the public lookup (NFKC, spaces ignored, any middle dot). ' +
        'The report shows what the public lookup shows: the masked name (张*三), whether the name sent matches, status, year, region, issuer, dates and hours — never an ID number or a full name. ' +
        `With \`Accept: text/csv\` or \`?format=csv\` the report is CSV for Excel: UTF-8 with BOM, CRLF, the counts first, an empty line, then the table (${rowsReportHeader.join(', ')}); numbers are written as ="…" so Excel keeps all 14 digits. ` +
        `With \`Accept: ${xlsxContentType}\` or \`?format=xlsx\` it is an .xlsx workbook: sheet 核验结果 with the same columns (and 原表行号, the row of the uploaded sheet), numbers as text, dates as dates in China time, the header frozen; sheet 统计 with the counts.`,
      operationId: 'verifyBatch',
      security: callerSecurity,
      querystring: { type: 'object', additionalProperties: false, properties: { format: tableFormatQuery } },
      body: {
        content: {
          ...Object.fromEntries(['application/json', ...tableContentTypes].map(type => [type, { schema: ref('verify-batch-request.json') }])),
          'multipart/form-data': { schema: { description: `Up to ${maxBatchPdfFiles} PDF files (any field name)` } },
        },
      },
      produces: ['application/json', 'text/csv', xlsxContentType],
      response: {
        200: {
          description: 'Every row\'s verdict with the counts, as JSON, CSV or .xlsx',
          content: {
            'application/json': { schema: ref('batch-verification-report.json') },
            'text/csv': { schema: { type: 'string', description: 'The report as CSV (UTF-8 with BOM, CRLF): counts, an empty line, the table' } },
            [xlsxContentType]: { schema: { type: 'string', format: 'binary', description: 'The report as .xlsx: sheets 核验结果 and 统计' } },
          },
        },
        ...errorResponses(400, 401, 403, 413, 415, 429, 503),
      },
    },
  }, async (request, reply) => {
    let report
    if (request.isMultipart()) {
      report = await batchVerification.verifyPdfs(actorOf(request), uploadedPdfs(request))
    } else {
      if (request.body === undefined || request.body === null) throw new ServiceError('VALIDATION_FAILED', { en: 'Send JSON { "rows": [...] }, a CSV or .xlsx list, or PDFs as multipart/form-data.', zh: '请提交 JSON { "rows": [...] }、CSV 或 .xlsx 名单，或以 multipart/form-data 上传 PDF。' })
      report = await batchVerification.verifyNumbers(actorOf(request), request.body.rows, uploads.get(request))
    }
    // The report names certificates and applicants: no shared cache keeps it.
    reply.header('cache-control', 'private, no-store')
    const format = requestedFormat(request)
    if (format === 'json') return report
    if (format === 'csv') return sendsSpreadsheet(reply, 'text/csv; charset=utf-8', 'verification-report.csv', '批量核验结果.csv').send(Buffer.from(writeVerificationCsv(report), 'utf8'))
    const out = new PassThrough()
    writeVerificationXlsx(out, report).catch((error: unknown) => {
      request.log.error({ err: error }, 'verification report workbook aborted')
      out.destroy(error as Error)
    })
    return sendsSpreadsheet(reply, xlsxContentType, 'verification-report.xlsx', '批量核验结果.xlsx').send(out)
  })

  app.get('/v1/verify/batch/template', {
    onRequest: auth.issuer(['verifier', 'authority']),
    schema: {
      tags: ['verification'],
      summary: 'The .xlsx template of a bulk verification list (批量核验模板)',
      description: 'Sheet 核验名单: a title row, the header 序号, 证书编号 (required, formatted as text so Excel keeps all 14 digits, validated as 14 characters), 姓名 (optional), 备注, and a sample row marked 示例 in 序号 (never checked if uploaded as is); sheet 填写说明: what the columns mean and what the report shows.',
      operationId: 'downloadVerificationTemplate',
      security: callerSecurity,
      produces: [xlsxContentType],
      response: { 200: { description: 'The template workbook', content: { [xlsxContentType]: { schema: { type: 'string', format: 'binary' } } } }, ...errorResponses(401, 403, 429, 503) },
    },
  }, async (request, reply) => sendsSpreadsheet(reply, xlsxContentType, 'verification-template.xlsx', '证书批量核验模板.xlsx').send(await writeVerificationTemplate(actorOf(request))))
}
