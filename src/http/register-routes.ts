// /v1/registers/:regionCode/:year: the issuance register (证书发放名册) as paged JSON, or streamed CSV or .xlsx.
import { PassThrough, Readable } from 'node:stream'
import type { FastifyPluginAsync } from 'fastify'
import { registerCsv, registerCsvHeader } from '../reports/register-csv.js'
import { maxRegisterPageSize, type RegisterService } from '../reports/register-service.js'
import { writeRegisterXlsx } from '../reports/register-xlsx.js'
import { xlsxContentType } from '../spreadsheets/uploaded-table.js'
import { actorOf, type Authentication } from './authentication.js'
import { callerSecurity, errorResponses, ref } from './schemas.js'
import { requestedFormat, sendsSpreadsheet, tableFormatQuery, type TableFormat } from './table-formats.js'

export interface RegisterRoutesOptions {
  registers: RegisterService
  auth: Authentication
}

interface RegisterQuery { limit: number, after?: string, format?: TableFormat }

export const registerRoutes: FastifyPluginAsync<RegisterRoutesOptions> = async (app, { registers, auth }) => {
  app.get<{ Params: { regionCode: string, year: number }, Querystring: RegisterQuery }>('/v1/registers/:regionCode/:year', {
    onRequest: auth.issuer(['authority', 'employer']),
    schema: {
      tags: ['reports'],
      summary: 'The issuance register of an area and year (证书发放名册)',
      description: 'Every certificate numbered in the area (a county, or a city or province with all below it) for the year, in number order: number, full holder name, employer, issue date, status, hours. Never an ID number. ' +
        'Authorities see their own area and below; an employer sees only the certificates it issued, for its county or an area containing it. ' +
        `JSON is paged: ?limit= (1-${maxRegisterPageSize}, default 100) and ?after=<the nextAfter of the previous page>. ` +
        `CSV (?format=csv, or Accept: text/csv) is the whole register, streamed: UTF-8 with BOM and CRLF so Excel opens the Chinese text, columns ${registerCsvHeader.join(', ')}. ` +
        `.xlsx (?format=xlsx, or Accept: ${xlsxContentType}) is the whole register too, streamed as it is read: sheet 证书发放名册 with the same columns (numbers and names as text cells, dates as dates in China time, hours as numbers, the header frozen), then sheet 统计 with the counts and the hours of valid certificates.`,
      operationId: 'readRegister',
      security: callerSecurity,
      params: {
        type: 'object',
        required: ['regionCode', 'year'],
        properties: { regionCode: { type: 'string', pattern: '^[0-9]{6}$' }, year: { type: 'integer', minimum: 2000, maximum: 2099 } },
      },
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: maxRegisterPageSize, default: 100 },
          after: { type: 'string', pattern: '^[0-9]{14}$' },
          format: tableFormatQuery,
        },
      },
      produces: ['application/json', 'text/csv', xlsxContentType],
      response: {
        200: {
          description: 'A page of the register (JSON), or the whole register (CSV, .xlsx)',
          content: {
            'application/json': { schema: ref('register-page.json') },
            'text/csv': { schema: { type: 'string', description: 'The whole register as CSV (UTF-8 with BOM, CRLF)' } },
            [xlsxContentType]: { schema: { type: 'string', format: 'binary', description: 'The whole register as .xlsx: sheets 证书发放名册 and 统计' } },
          },
        },
        ...errorResponses(400, 401, 403, 429, 503),
      },
    },
  }, async (request, reply) => {
    const actor = actorOf(request)
    const { regionCode, year } = request.params
    const format = requestedFormat(request)
    if (format === 'json') return registers.readRegisterPage(actor, regionCode, year, request.query)
    const register = registers.openRegister(actor, regionCode, year)
    const fileName = `${register.region.fullName}${year}年度证书发放名册`
    if (format === 'csv') {
      return sendsSpreadsheet(reply, 'text/csv; charset=utf-8', `register-${regionCode}-${year}.csv`, `${fileName}.csv`)
        .send(Readable.from(registerCsv(register.entries), { objectMode: false }))
    }
    const out = new PassThrough()
    writeRegisterXlsx(out, { region: register.region, year, entries: register.entries }, register.openedAt).catch((error: unknown) => {
      // Headers are gone by now: the download ends as a failed transfer, never as a register silently cut short.
      request.log.error({ err: error }, 'register workbook aborted')
      out.destroy(error as Error)
    })
    return sendsSpreadsheet(reply, xlsxContentType, `register-${regionCode}-${year}.xlsx`, `${fileName}.xlsx`).send(out)
  })
}
