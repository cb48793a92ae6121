// The OpenAPI document's frame; the paths come from the route schemas, with uploads shown as sent and errors as shared responses.
import { STATUS_CODES } from 'node:http'
import type { FastifyDynamicSwaggerOptions, SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger'
import type { Config } from '../config.js'
import { errorTable } from '../errors.js'
import { xlsxContentType } from '../spreadsheets/uploaded-table.js'

type Json = Record<string, any>

const csvText = { type: 'string', description: 'CSV text: UTF-8 with or without BOM, GB18030/GBK or UTF-16 with BOM; comma, tab or semicolon (all detected)' }
const binary = (description: string) => ({ type: 'string', format: 'binary', description })

/**
 * What a request body of each non-JSON type is on the wire. A route's own schema for such a type is what
 * its parser makes of it (a table read into the JSON shape, a Buffer) and is what Fastify validates; the
 * document shows what the client sends. A body type missing here fails the document, so none goes undescribed.
 */
const sentBodies: Readonly<Record<string, Json>> = {
  'text/csv': csvText,
  'application/csv': csvText,
  'text/tab-separated-values': { type: 'string', description: 'Tab-separated text, as Excel saves "Unicode 文本" (UTF-16 with BOM)' },
  'application/vnd.ms-excel': { ...csvText, description: `A .csv as browsers on Windows with Excel installed label it. ${csvText.description}` },
  [xlsxContentType]: binary('An .xlsx workbook: the first visible sheet with the header row'),
  'multipart/form-data': { type: 'object', description: 'Certificate PDFs as files (any field names); no other fields', additionalProperties: binary('A certificate PDF') },
  'application/pdf': binary('The certificate PDF as issued'),
  'image/png': binary('A PNG image'),
}

/** How each error status reads in Chinese, for the shared responses; a status missing here fails the document. */
const errorStatusZh: Readonly<Record<number, string>> = {
  400: '请求有误', 401: '未认证', 403: '无权操作', 404: '不存在', 405: '请求方法不允许', 409: '与现有记录冲突', 413: '请求过大',
  415: '内容类型不支持', 416: '字节范围无效', 422: '无法处理', 429: '请求过多', 503: '服务暂不可用',
}

const responseName = (status: number) => (STATUS_CODES[status] ?? `Status${status}`).replace(/[^A-Za-z]/g, '')

/** The shared response of an error status: error.json, and the codes of the error table it may carry. */
function errorResponse (status: number): Json {
  const zh = errorStatusZh[status]
  if (zh === undefined) throw new Error(`openapi.ts: no wording for the error status ${status}`)
  const codes = Object.entries(errorTable).filter(([, e]) => e.status === status).map(([code]) => code)
  const retry = status === 429 || status === 503
  return {
    description: `${STATUS_CODES[status]} (${zh}): the one error shape, its \`code\` one of ${codes.join(', ')}.`,
    ...(retry ? { headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer' } } } } : {}),
    content: { 'application/json': { schema: { $ref: '#/components/schemas/error' } } },
  }
}

/** The route's schema as documented: bodies of other types than JSON as they are sent. */
function documentedRoute ({ schema, url }: { schema: Json, url: string }) {
  const content = schema?.body?.content as Json | undefined
  if (content === undefined) return { schema, url }
  const documented = Object.fromEntries(Object.entries(content).map(([type, media]) => {
    if (type === 'application/json') return [type, media]
    const sent = sentBodies[type]
    if (sent === undefined) throw new Error(`openapi.ts: describe the request body type ${type} of ${url}`)
    return [type, { schema: { ...sent, description: media.schema?.description ?? sent.description } }]
  }))
  return { schema: { ...schema, body: { ...schema.body, content: documented } }, url }
}

/** Every error response (error.json, whatever the route produces otherwise) replaced by a reference to one shared response per status. */
function shareErrorResponses ({ openapiObject }: { openapiObject: Json }): Json {
  const statuses = new Set<number>()
  for (const path of Object.values<Json>(openapiObject.paths ?? {})) {
    for (const operation of Object.values<Json>(path)) {
      for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
        if (!Object.values<Json>(response.content ?? {}).some(media => media.schema?.$ref === '#/components/schemas/error')) continue
        statuses.add(Number(status))
        operation.responses[status] = { $ref: `#/components/responses/${responseName(Number(status))}` }
      }
    }
  }
  const responses = Object.fromEntries([...statuses].sort((a, b) => a - b).map(status => [responseName(status), errorResponse(status)]))
  return { ...openapiObject, components: { ...openapiObject.components, responses } }
}

export function openApiDocument (config: Config): FastifyDynamicSwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '专业技术人员继续教育证书服务 · Continuing-education certificate service',
        version: '1.0.0',
        description: 'Issues, signs and verifies the yearly continuing-education certificates of professional and technical staff. Errors share one shape (error.json) with a stable `code`.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: config.http.publicBaseUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An issuer API key (cek_…)' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the configuration' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ce_session', description: 'A person signed in (POST /v1/session): the HttpOnly session cookie' },
          csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The session\'s CSRF token (csrfToken of GET /v1/session), required with the cookie on every change' },
        },
      },
      tags: [
        { name: 'certificates', description: 'Issue, look up and revoke' },
        { name: 'verification', description: 'Check a certificate' },
        { name: 'reports', description: 'Issuance registers and statistics' },
        { name: 'sessions', description: 'Signing in and out (登录), the password' },
        { name: 'people', description: 'The organisation\'s users and API keys, for its 管理员' },
        { name: 'admin', description: 'Issuer accounts, their first administrators and API keys' },
        { name: 'system', description: 'Health' },
      ],
    },
    transform: documentedRoute as SwaggerTransform,
    transformObject: shareErrorResponses as SwaggerTransformObject,
    // Shared schemas keep their file names as component names.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`).replace(/\.json$/, '') },
  }
}
