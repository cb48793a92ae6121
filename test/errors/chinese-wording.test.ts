import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'
import { errorTable, type ErrorCode } from '../../src/errors.js'
import { knownFieldName } from '../../src/text/field-names.js'

const han = /\p{Script=Han}/u

interface Operation { requestBody?: { content: Record<string, { schema: unknown }> }, parameters?: Array<{ in: string, name: string }> }
interface OpenApi { paths: Record<string, Record<string, Operation>>, components: { schemas: Record<string, unknown> } }

/** Every field a caller can send, as [where, dotted path], read from the OpenAPI document the service publishes. */
function requestFields (document: OpenApi): Array<[string, string]> {
  const fields = new Map<string, [string, string]>()
  const where: Record<string, string> = { query: 'querystring', path: 'params', header: 'headers' }
  const walk = (schema: any, path: string, seen: Set<unknown>): void => {
    if (schema === null || typeof schema !== 'object' || seen.has(schema)) return
    seen.add(schema)
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.split('/').pop().replace(/#$/, '').replace(/\.json$/, '')
      // A report the service wrote, sent back to be saved as a file: nobody types its fields.
      if (name === 'batch-verification-report') return
      walk(document.components.schemas[name] ?? document.components.schemas[`${name}.json`], path, seen)
    }
    for (const key of ['anyOf', 'oneOf', 'allOf']) for (const branch of schema[key] ?? []) walk(branch, path, seen)
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const inner = path === '' ? name : `${path}.${name}`
      fields.set(`body.${inner}`, ['body', inner])
      walk(property, inner, seen)
    }
    walk(schema.items, path, seen)
  }
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      for (const parameter of operation.parameters ?? []) fields.set(`${parameter.in}.${parameter.name}`, [where[parameter.in] ?? parameter.in, parameter.name.toLowerCase() === parameter.name ? parameter.name : parameter.name])
      for (const content of Object.values(operation.requestBody?.content ?? {})) walk(content.schema, '', new Set())
    }
  }
  return [...fields.values()]
}

t.test('every error code and every field a caller sends has its Chinese wording', async t => {
  const { app } = await build(t)
  for (const code of Object.keys(errorTable) as ErrorCode[]) {
    const { en, zh } = errorTable[code]
    t.match(zh, han, `${code} has a Chinese message`)
    t.not(zh, en, code)
  }
  const fields = requestFields((await app.inject({ url: '/openapi.json' })).json() as OpenApi)
  t.ok(fields.length > 40, `the document lists the request fields (${fields.length})`)
  for (const [where, path] of fields) {
    const name = where === 'headers' ? knownFieldName(where, path.toLowerCase()) : knownFieldName(where, path)
    t.ok(name !== undefined && han.test(name), `${where}.${path} has a Chinese name`)
  }
})

t.test('validation names every failing field in Chinese, with what is wrong', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  const body = issueBody() as { holder: object, hours: object }
  const response = await app.inject({
    method: 'POST',
    url: '/v1/certificates',
    headers: { authorization: `Bearer ${apiKey}` },
    payload: { holder: body.holder, year: '2025年', hours: { ...body.hours, public: -1 }, colour: 'red' },
  })
  t.equal(response.statusCode, 400)
  const error = response.json()
  t.equal(error.code, 'VALIDATION_FAILED')
  for (const words of ['工作单位（employer）为必填项', '年度（year）须为整数', '公需科目学时（hours.public）不能小于 0', '“colour”不是可以提交的字段']) {
    t.ok(error.messageZh.includes(words), `messageZh says ${words}: ${error.messageZh}`)
  }
  t.ok(error.details.length >= 4, 'every failing field is in details')
  for (const detail of error.details) t.match(detail.reasonZh, han, `${detail.field} is explained in Chinese`)
  t.match(error.message, /body\.employer/, 'the English message names the fields too')

  const batch = await app.inject({
    method: 'POST',
    url: '/v1/certificates/batch',
    headers: { authorization: `Bearer ${apiKey}` },
    payload: { certificates: [issueBody(), { ...issueBody({}, 2), year: 1990.5 }] },
  })
  t.equal(batch.statusCode, 201, 'a batch issues its good rows')
  t.match(batch.json().rows[1].errors[0].messageZh, /年度（year）须为整数/, 'and explains its bad row in Chinese')
})

t.test('every failing field is named, yet a hostile body cannot make the error large', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  const payload = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`${i}`.padStart(300, 'x'), i]))
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload })
  t.equal(response.statusCode, 400)
  t.ok(response.body.length < 64 * 1024, `${response.body.length} bytes`)
  const error = response.json()
  t.equal(error.details.length, 50, 'at most 50 fields are named')
  t.ok(error.messageZh.endsWith('…。'), 'and the message says there is more')
  t.ok(error.details.every((d: { field: string }) => d.field.length <= 'body.'.length + 61), 'long names are cut')
})

t.test('the domain refusals say in Chinese what the English says', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  const post = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload })

  const oldYear = (await post(issueBody({ year: 2031 }))).json()
  t.equal(oldYear.code, 'INVALID_YEAR')
  t.match(oldYear.messageZh, /年度须在 \d{4} 至 \d{4} 年之间，2031 不在此范围内/)

  const short = (await post(issueBody({ hours: { public: 10, professional: 44, elective: 12 } }))).json()
  t.equal(short.code, 'HOURS_REQUIREMENT_NOT_MET')
  t.match(short.messageZh, /公需科目 10 学时，至少需 \d+ 学时/, 'the shortfall per category')

  const digits = (await post(issueBody({ holder: { name: '张3', idNumber: makeIdNumber() } }))).json()
  t.equal(digits.code, 'VALIDATION_FAILED')
  t.match(digits.messageZh, /姓名/, 'the name field is named')
  t.match(digits.messageZh, /不能有“3”/, 'with the character')

  t.equal((await post(issueBody())).statusCode, 201)
  const again = (await post(issueBody())).json()
  t.equal(again.code, 'CERTIFICATE_EXISTS')
  t.match(again.messageZh, /44010625000001/, 'the existing number, which this issuer may see')

  const number = (await app.inject({ url: '/v1/certificates/4401062500001' })).json()
  t.equal(number.code, 'MALFORMED_CERTIFICATE_NUMBER')
  t.match(number.messageZh, /证书编号应为 14 位数字，此处有 13 个字符/)
})

// Routes anyone may call with a body; every other route with a body must ask who is calling first.
const publicWithBody = new Set(['POST /v1/verify', 'POST /v1/session', 'POST /v1/certificates/{number}/holder-pdf'])

t.test('a bad body without credentials is 401 on every route that needs them: authentication comes first', async t => {
  const { app } = await build(t)
  const document = (await app.inject({ url: '/openapi.json' })).json() as OpenApi
  let checked = 0
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (operation.requestBody === undefined || publicWithBody.has(`${method.toUpperCase()} ${path}`)) continue
      const url = path.replace(/\{number\}/g, '44010625000001').replace(/\{[^}]+\}/g, '1')
      const response = await app.inject({ method: method.toUpperCase() as 'POST', url, payload: { certainly: 'not valid', year: 'x' } })
      t.ok([401, 403].includes(response.statusCode), `${method.toUpperCase()} ${path}: ${response.statusCode} ${response.json().code}`)
      t.notOk(['VALIDATION_FAILED', 'MALFORMED_JSON'].includes(response.json().code), `${method.toUpperCase()} ${path} did not read the body first`)
      checked++
    }
  }
  t.ok(checked >= 10, `${checked} routes with a body checked`)
})
