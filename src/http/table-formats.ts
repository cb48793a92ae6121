// Tables over HTTP: the content types an upload may have, the format a table is asked in (JSON, CSV, .xlsx), how a download is sent.
import type { FastifyReply, FastifyRequest } from 'fastify'
import { xlsxContentType } from '../spreadsheets/uploaded-table.js'

export type TableFormat = 'json' | 'csv' | 'xlsx'

/**
 * Content types a table may be uploaded as: CSV (application/vnd.ms-excel is what browsers call a
 * .csv on Windows with Excel installed), tab-separated "Unicode 文本", and .xlsx. The reader tells
 * them apart by their bytes, whichever is declared.
 */
export const tableContentTypes = ['text/csv', 'application/csv', 'text/tab-separated-values', 'application/vnd.ms-excel', xlsxContentType]

/** The `format` query parameter of a route that answers a table. */
export const tableFormatQuery = { type: 'string', enum: ['json', 'csv', 'xlsx'], description: 'json (default), csv, or xlsx; without it, an Accept header naming text/csv or the .xlsx type chooses' } as const

/** ?format= when given; else the first of text/csv and the .xlsx type the Accept header names; else JSON. */
export function requestedFormat (request: FastifyRequest<{ Querystring: { format?: TableFormat } }>): TableFormat {
  if (request.query.format !== undefined) return request.query.format
  const accept = (request.headers.accept ?? '').toLowerCase().split(',').map(type => type.split(';')[0]!.trim())
  const named = accept.find(type => type === 'text/csv' || type === xlsxContentType)
  return named === undefined ? 'json' : named === 'text/csv' ? 'csv' : 'xlsx'
}

/** Headers of a spreadsheet download: its type, file names (ASCII and Chinese), and no shared cache. */
export function sendsSpreadsheet (reply: FastifyReply, type: string, asciiName: string, chineseName: string): FastifyReply {
  return reply.type(type)
    .header('content-disposition', `attachment; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(chineseName)}`)
    .header('cache-control', 'private, no-store')
}
