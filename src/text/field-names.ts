// The Chinese name of every field a caller sends, and why a value was refused, for messages people read.
import type { Wording } from '../errors.js'

/**
 * Keyed by where the field is (body, querystring, params, headers) and its dotted path without
 * array indices; a body field nested in a list (certificates.3.holder.name) is named by its own
 * path. test/errors/field-wording.test.ts walks the OpenAPI document so none is missing.
 */
const fieldNames: Readonly<Record<string, string>> = {
  'body.holder': '持证人',
  'body.holder.name': '姓名',
  'body.holder.idNumber': '公民身份号码',
  'body.employer': '工作单位',
  'body.employer.name': '工作单位名称',
  'body.year': '年度',
  'body.series': '专业系列',
  'body.ruleSet': '学时规则',
  'body.hours': '学时',
  'body.hours.public': '公需科目学时',
  'body.hours.professional': '专业科目学时',
  'body.hours.elective': '选修科目学时',
  'body.hours.selfStudy': '自学学时',
  'body.hours.publications': '论文著作折算学时',
  'body.hours.achievement': '科研成果（主持或参与）',
  'body.certificates': '证书清单',
  'body.reason': '撤销原因',
  'body.rows': '核验名单',
  'body.rows.number': '证书编号',
  'body.rows.name': '姓名',
  'body.idNumber': '公民身份号码',
  'body.number': '证书编号',
  'body.hours.total': '总学时',
  'body.jws': '签名数据（JWS）',
  'body.qr': '二维码内容',
  'body.name': '名称',
  'body.kind': '机构类型',
  'body.regionCode': '行政区划代码',
  'body.keyExpiresAt': 'API 密钥到期时间',
  'body.expiresAt': '到期时间',
  'body.username': '用户名',
  'body.password': '密码',
  'body.currentPassword': '当前密码',
  'body.newPassword': '新密码',
  'body.displayName': '显示名称',
  'body.role': '角色',
  'body.disabled': '停用状态',
  'headers.idempotency-key': '幂等键（Idempotency-Key）',
  'params.id': '编号',
  'params.keyId': '密钥编号',
  'params.kid': '签名密钥标识（kid）',
  'params.number': '证书编号',
  'params.regionCode': '行政区划代码',
  'params.year': '年度',
  'querystring.action': '操作类型',
  'querystring.after': '翻页位置',
  'querystring.code': '验证码',
  'querystring.dryRun': '试运行（dryRun）',
  'querystring.format': '格式',
  'querystring.from': '起始时间',
  'querystring.to': '截止时间',
  'querystring.lang': '语言',
  'querystring.limit': '每页条数',
  'querystring.name': '姓名',
  'querystring.number': '证书编号',
  'querystring.regionCode': '行政区划代码',
  'querystring.year': '年度',
}

/** Where a field lies and its path, e.g. ('body', 'certificates.3.holder.name'). */
function labelKeys (where: string, path: string): string[] {
  const parts = path.split('.').filter(part => part !== '' && !/^\d+$/.test(part))
  const keys: string[] = []
  for (let start = 0; start < parts.length; start++) keys.push(`${where}.${parts.slice(start).join('.')}`)
  return keys
}

/** The Chinese name of a field, or undefined when the table lacks it (the test keeps that from happening). */
export function knownFieldName (where: string, path: string): string | undefined {
  for (const key of labelKeys(where, path)) {
    const name = fieldNames[key]
    if (name !== undefined) return name
  }
  return undefined
}

/** "姓名（holder.name）": the Chinese name with the path a developer looks for; the path alone if unnamed. */
export function fieldLabel (path: string, where = 'body'): string {
  const name = knownFieldName(where, path)
  return name === undefined ? `“${path}”` : `${name}（${path}）`
}

/** One failure of ajv's, as Fastify hands it over. */
export interface SchemaFailure {
  readonly instancePath: string
  readonly keyword: string
  readonly message?: string
  readonly params?: Record<string, unknown>
}

interface FieldProblem {
  readonly field: string
  readonly reason: string
  readonly reasonZh: string
}

const typeNames: Readonly<Record<string, string>> = {
  string: '文本', number: '数字', integer: '整数', boolean: '是或否（true/false）', object: '对象', array: '列表', null: '空值',
}

const formatNames: Readonly<Record<string, string>> = {
  'date-time': '日期时间（如 2026-12-01T08:00:00+08:00）', date: '日期（如 2026-12-01）', uri: '网址', email: '电子邮箱',
}

/** Why ajv refused a value, in Chinese, from its keyword and parameters. */
function reasonInChinese (failure: SchemaFailure): string {
  const p = failure.params ?? {}
  switch (failure.keyword) {
    case 'required': return '为必填项，不能缺少'
    case 'additionalProperties': return '不是可以提交的字段，请删除'
    case 'type': return `须为${String(p.type).split(',').map(t => typeNames[t] ?? t).join('或')}`
    case 'minimum': return `不能小于 ${String(p.limit)}`
    case 'maximum': return `不能大于 ${String(p.limit)}`
    case 'exclusiveMinimum': return `须大于 ${String(p.limit)}`
    case 'exclusiveMaximum': return `须小于 ${String(p.limit)}`
    case 'minLength': return `至少需 ${String(p.limit)} 个字符`
    case 'maxLength': return `最多 ${String(p.limit)} 个字符`
    case 'minItems': return `至少需 ${String(p.limit)} 项`
    case 'maxItems': return `最多 ${String(p.limit)} 项`
    case 'minProperties': return `至少需填写 ${String(p.limit)} 项`
    case 'maxProperties': return `最多填写 ${String(p.limit)} 项`
    case 'enum': return `须为以下之一：${(p.allowedValues as unknown[] | undefined)?.map(String).join('、') ?? ''}`
    case 'const': return `须为 ${String(p.allowedValue)}`
    case 'pattern': return '格式不正确'
    case 'format': return `须为${formatNames[String(p.format)] ?? String(p.format)}格式`
    case 'multipleOf': return `须为 ${String(p.multipleOf)} 的整数倍`
    case 'uniqueItems': return '不能有重复项'
    case 'anyOf':
    case 'oneOf': return '不符合任何一种允许的写法'
    default: return '不符合要求'
  }
}

/** Longer paths are cut: a hostile body's 60 KB property name must not make a 240 KB error. */
const maxPathCharacters = 60

/** The field a failure is about: a missing or extra property is named by itself, not by its parent. */
function failingPath (failure: SchemaFailure): string {
  const path = failure.instancePath.replace(/^\//, '').replace(/\//g, '.')
  const own = failure.params?.missingProperty ?? failure.params?.additionalProperty
  return [path, typeof own === 'string' ? own : ''].filter(Boolean).join('.')
}

const shortened = (path: string) => path.length <= maxPathCharacters ? path : `${path.slice(0, maxPathCharacters)}…`

/** At most this many fields are named in one message: enough for any form, bounded for a hostile body. */
const maxNamedFields = 50

/**
 * Every failing field of a request, named in both languages. An anyOf failure is reported only
 * when none of its branches' own failures is (ajv lists those too, and they say more).
 */
export function describeSchemaFailures (where: string, failures: readonly SchemaFailure[]): { wording: Wording, problems: FieldProblem[] } {
  const seen = new Set<string>()
  const problems: FieldProblem[] = []
  const specific = failures.filter(f => f.keyword !== 'anyOf' && f.keyword !== 'oneOf' && f.keyword !== 'if')
  for (const failure of specific.length > 0 ? specific : failures) {
    const whole = failingPath(failure)
    const key = `${whole}|${failure.keyword}`
    const path = shortened(whole)
    if (seen.has(key)) continue
    seen.add(key)
    problems.push({
      field: [where, path].filter(Boolean).join('.'),
      reason: failure.message ?? 'invalid',
      reasonZh: `${fieldLabel(path, where)}${reasonInChinese(failure)}`,
    })
    if (problems.length === maxNamedFields) break
  }
  const more = failures.length > problems.length && problems.length === maxNamedFields ? '…' : ''
  return {
    wording: {
      en: `The request is not valid: ${problems.map(p => `${p.field} ${p.reason}`).join('; ')}${more}.`,
      zh: `请求内容不符合要求：${problems.map(p => p.reasonZh).join('；')}${more}。`,
    },
    problems,
  }
}
