// /v1/verification-reports: a committee's signed verification report (核验报告) — made, confirmed by anyone with its code, as PDF.
import type { FastifyPluginAsync } from 'fastify'
import multipart from '@fastify/multipart'
import { isServiceError, ServiceError } from '../errors.js'
import { clientKey, type Limit, type Limiter } from '../limits/rate-limits.js'
import { maxBatchPdfBytes, maxBatchPdfFiles } from '../verification/batch-verification-service.js'
import type { SignedReportService } from '../verification/signed-report-service.js'
import { pdfWorkOf } from './pdf-work.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'
import { pdfUploadLimits, uploadedPdfs } from './uploaded-pdfs.js'

export interface SignedReportRoutesOptions {
  reports: SignedReportService
  auth: Authentication
  limiter: Limiter
  /** Wrong number–code pairs an address may send (the code is six of 32 characters: guessing must not be cheap). */
  codeFailures: Limit
}

const reportParams = { type: 'object', required: ['number'], properties: { number: { type: 'string', pattern: '^HY[0-9]{10}$' } } } as const
const reportResponse = {
  type: 'object',
  required: ['number', 'code', 'committee', 'checkedAt', 'summary', 'rows', 'genuine'],
  properties: {
    number: { type: 'string' },
    code: { type: 'string' },
    committee: { type: 'string' },
    checkedAt: { type: 'string' },
    genuine: { type: 'boolean', description: 'The report\'s signature verifies now with a published key and its rows are as signed' },
    summary: { type: 'object', required: ['rows', 'verdicts'], properties: { rows: { type: 'integer' }, verdicts: { type: 'object', additionalProperties: { type: 'integer' } } } },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['row', 'verdict', 'reasonZh'],
        properties: { row: { type: 'integer' }, number: { type: 'string' }, maskedName: { type: 'string' }, verdict: { type: 'string' }, reasonZh: { type: 'string' } },
      },
    },
    jws: { type: 'string', description: 'The signed token (typ cevr+jws): number, committee, time, counts and the SHA-256 of the rows' },
    links: { type: 'object', properties: { pdf: { type: 'string' }, confirm: { type: 'string' } } },
  },
} as const

export const signedReportRoutes: FastifyPluginAsync<SignedReportRoutesOptions> = async (app, { reports, auth, limiter, codeFailures }) => {
  const verifiers = auth.issuer(['verifier', 'authority'])

  await app.register(multipart, pdfUploadLimits)

  app.post<{ Body: { rows: unknown[] } | undefined }>('/v1/verification-reports', {
    onRequest: verifiers,
    schema: {
      tags: ['verification'],
      summary: 'Make a signed verification report (核验报告) of a list of certificates or a stack of certificate PDFs',
      description: 'Verifies the rows — JSON `{ "rows": [...] }`, or ' + `up to ${maxBatchPdfFiles} PDFs of at most ${maxBatchPdfBytes / 1024 / 1024} MB each as \`multipart/form-data\` files — ` +
        'as POST /v1/verify/batch does (the same checks and name-check budgets) and keeps the outcome under its own number (HY + year + sequence) and a six-character code, ' +
        'signed like the certificates. Its PDF lists what was checked, when, by which committee and every verdict, with a QR code to its confirmation page. The report shows masked names only, never a name sent. ' +
        'For a stack of PDFs the answer also carries `verification`, the whole report of POST /v1/verify/batch (with the names the PDFs carry), so that one upload both shows every verdict and makes the signed report.',
      operationId: 'issueVerificationReport',
      security: callerSecurity,
      body: {
        content: {
          'application/json': { schema: ref('verify-batch-request.json') },
          'multipart/form-data': { schema: { description: `Up to ${maxBatchPdfFiles} PDF files (any field name)` } },
        },
      },
      response: { 201: { ...reportResponse, properties: { ...reportResponse.properties, verification: ref('batch-verification-report.json') } }, ...errorResponses(400, 401, 403, 413, 415, 503) },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    if (!request.isMultipart() && (request.body === undefined || request.body === null)) {
      throw new ServiceError('VALIDATION_FAILED', { en: 'Send JSON { "rows": [...] } or PDFs as multipart/form-data.', zh: '请提交 JSON { "rows": [...] }，或以 multipart/form-data 上传 PDF。' })
    }
    const report = request.isMultipart() ? await reports.issuePdfReport(actor, uploadedPdfs(request)) : await reports.issueReport(actor, request.body!.rows)
    const links = { pdf: `/v1/verification-reports/${report.number}/pdf`, confirm: reports.confirmUrlOf(report.number, report.code) }
    return reply.code(201).header('cache-control', 'private, no-store').send({ ...report, links })
  })

  app.get<{ Params: { number: string }, Querystring: { code: string } }>('/v1/verification-reports/:number', {
    schema: {
      tags: ['verification'],
      summary: 'Confirm a verification report (public): its content and whether it is genuine',
      description: 'For anyone holding the report: its number and the code printed beside it. 404 REPORT_NOT_FOUND for any other pair; ' +
        'an address that sent RATE_LIMIT_NAME_CHECKS_PER_HOUR wrong pairs in the last hour gets 429 RATE_LIMITED, even for a right pair, until the hour is over.',
      operationId: 'confirmVerificationReport',
      security: [],
      params: reportParams,
      querystring: { type: 'object', required: ['code'], properties: { code: { type: 'string', minLength: 1, maxLength: 16 } } },
      response: { 200: reportResponse, ...errorResponses(400, 404, 429, 503) },
    },
  }, async (request, reply) => {
    reply.header('cache-control', 'no-store')
    // Reserved before the pair is compared, so that guesses sent at once are counted too; given back when it was right.
    const key = clientKey(request.ip)
    const state = await limiter.take(codeFailures, key)
    if (!state.allowed) {
      await limiter.giveBack(codeFailures, key)
      throw new ServiceError('RATE_LIMITED', {
        en: `This address has sent ${state.max} wrong report numbers or codes in the last hour; try again in ${state.retryAfterSeconds} s.`,
        zh: `该地址一小时内已有 ${state.max} 次报告编号或验证码错误，请 ${state.retryAfterSeconds} 秒后再试。`,
      }, { retryAfterSeconds: state.retryAfterSeconds })
    }
    try {
      const report = await reports.readReport(request.params.number, request.query.code)
      await limiter.giveBack(codeFailures, key)
      return report
    } catch (error) {
      if (!(isServiceError(error) && error.code === 'REPORT_NOT_FOUND')) await limiter.giveBack(codeFailures, key)
      throw error
    }
  })

  app.get<{ Params: { number: string } }>('/v1/verification-reports/:number/pdf', {
    onRequest: verifiers,
    schema: {
      tags: ['verification'],
      summary: 'The signed PDF of a verification report, for the organisation that made it',
      operationId: 'downloadVerificationReportPdf',
      security: callerSecurity,
      params: reportParams,
      produces: ['application/pdf'],
      response: { 200: { description: 'The report PDF', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } } }, ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async (request, reply) => {
    const pdf = await reports.renderReportPdf(actorOf(request), request.params.number, pdfWorkOf(request, reply))
    return reply.type('application/pdf').header('content-disposition', `attachment; filename="verification-report-${request.params.number}.pdf"`)
      .header('cache-control', 'private, no-store').send(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength))
  })
}
