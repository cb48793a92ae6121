// Every error the service can answer with: stable code → HTTP status → English and Chinese message.
// Codes are part of the API contract: never rename or reuse one.

interface ErrorDefinition {
  readonly status: number
  readonly en: string
  readonly zh: string
}

export const errorTable = {
  // 400: the request cannot be understood
  VALIDATION_FAILED: { status: 400, en: 'The request is not valid.', zh: '请求内容不符合要求。' },
  MALFORMED_JSON: { status: 400, en: 'The request body is not valid JSON.', zh: '请求正文不是有效的 JSON。' },
  MALFORMED_URL: { status: 400, en: 'The address cannot be read: it holds an escape (%..) that is no character.', zh: '网址无法识别：其中的转义序列（%..）不是有效字符。' },
  MALFORMED_REQUEST: { status: 400, en: 'The request cannot be read as HTTP.', zh: '请求不是可识别的 HTTP 请求。' },
  MALFORMED_CERTIFICATE_NUMBER: { status: 400, en: 'The certificate number is malformed.', zh: '证书编号格式错误。' },
  INVALID_ID_NUMBER: { status: 400, en: 'The resident ID number is not valid.', zh: '公民身份号码无效。' },
  UNKNOWN_REGION: { status: 400, en: 'The region code is not a known GB/T 2260 division.', zh: '行政区划代码不存在。' },
  INVALID_YEAR: { status: 400, en: 'The year is not possible for a certificate.', zh: '年度不合法。' },
  UNKNOWN_RULE_SET: { status: 400, en: 'The rule set is not known.', zh: '学时规则不存在。' },
  INVALID_ISSUER_REGION: { status: 400, en: 'The region code does not fit this kind of issuer.', zh: '行政区划代码与发证机构类型不符。' },
  INVALID_SEAL_IMAGE: { status: 400, en: 'The seal must be a PNG image.', zh: '印章须为 PNG 图片。' },
  INVALID_TOKEN: { status: 400, en: 'The signed certificate token cannot be read.', zh: '无法读取证书签名数据。' },
  UNSUPPORTED_ALGORITHM: { status: 400, en: 'The token uses a signature algorithm this service does not accept.', zh: '签名算法不被接受。' },
  INVALID_PDF: { status: 400, en: 'The file is not a readable PDF.', zh: '文件不是可读取的 PDF。' },
  PDF_WITHOUT_CERTIFICATE: { status: 400, en: 'The PDF carries no signed certificate.', zh: 'PDF 中没有证书签名数据。' },
  MALFORMED_CSV: { status: 400, en: 'The CSV cannot be read: it must be text (UTF-8, GB18030/GBK or UTF-16) with a header row of known columns.', zh: 'CSV 文件无法读取：须为文本（UTF-8、GB18030/GBK 或 UTF-16 编码），并有一行可识别的表头。' },
  MALFORMED_XLSX: { status: 400, en: 'The .xlsx workbook cannot be read, or holds no sheet with a header row of known columns.', zh: '.xlsx 工作簿无法读取，或其中没有带可识别表头的工作表。' },
  INVALID_IDEMPOTENCY_KEY: { status: 400, en: 'The Idempotency-Key header is not valid.', zh: '幂等键格式不正确。' },
  // 401 / 403: who you are, and where you may act
  AUTHENTICATION_REQUIRED: { status: 401, en: 'This request needs an API key (Authorization: Bearer …) or a signed-in session.', zh: '此请求需要 API 密钥或登录。' },
  SIGN_IN_FAILED: { status: 401, en: 'The username or the password is wrong.', zh: '用户名或密码错误。' },
  SESSION_EXPIRED: { status: 401, en: 'The session has ended (signed out, timed out, or ended by an administrator): sign in again.', zh: '登录已失效（已退出、超时或被管理员终止），请重新登录。' },
  INVALID_API_KEY: { status: 401, en: 'The API key is not valid, revoked or expired.', zh: 'API 密钥无效、已吊销或已过期。' },
  INVALID_ADMIN_TOKEN: { status: 401, en: 'The administrator token is not valid.', zh: '管理员令牌无效。' },
  ADMIN_DISABLED: { status: 403, en: 'Administration over HTTP is disabled: no ADMIN_TOKEN is configured.', zh: '未配置 ADMIN_TOKEN，管理接口已停用。' },
  FORBIDDEN_ROLE: { status: 403, en: 'This kind of account may not do this.', zh: '该类账户无权执行此操作。' },
  SESSION_REQUIRED: { status: 403, en: 'Only a person signed in as the organisation\'s administrator may do this; an API key may not.', zh: '此操作须由本单位管理员登录后办理，API 密钥不能办理。' },
  CSRF_TOKEN_INVALID: { status: 403, en: 'The request made with a session lacks its CSRF token (header X-CSRF-Token), or the token is not this session\'s.', zh: '登录状态下的请求缺少或带有错误的防跨站令牌（请求头 X-CSRF-Token）。' },
  ACCOUNT_DISABLED: { status: 403, en: 'This user account is disabled: ask the organisation\'s administrator.', zh: '该用户账户已停用，请联系本单位管理员。' },
  PASSWORD_CHANGE_REQUIRED: { status: 403, en: 'The password is temporary: change it (PUT /v1/session/password) before anything else.', zh: '当前密码为临时密码，请先修改密码。' },
  HOLDER_NOT_MATCHED: { status: 403, en: 'The name or the ID number is not the holder\'s: the certificate is given only to its holder.', zh: '姓名或公民身份号码与证书持有人不符，证书只提供给持证人本人。' },
  OUT_OF_SCOPE: { status: 403, en: 'This is outside the area or records your account may act on.', zh: '超出本账户的管辖范围。' },
  // 404
  NOT_FOUND: { status: 404, en: 'There is nothing at this address.', zh: '请求的地址不存在。' },
  CERTIFICATE_NOT_FOUND: { status: 404, en: 'No certificate has this number.', zh: '未找到该编号的证书。' },
  BATCH_NOT_FOUND: { status: 404, en: 'No batch has this id.', zh: '未找到该批次。' },
  ARCHIVE_NOT_FOUND: { status: 404, en: 'No archive of this batch was asked for, or it has expired.', zh: '该批次尚未生成压缩包，或压缩包已过期。' },
  ISSUER_NOT_FOUND: { status: 404, en: 'No issuer has this id.', zh: '未找到该发证机构。' },
  REPORT_NOT_FOUND: { status: 404, en: 'No verification report has this number and code.', zh: '未找到该编号和验证码的核验报告。' },
  USER_NOT_FOUND: { status: 404, en: 'The organisation has no user with this id.', zh: '本单位没有该用户。' },
  API_KEY_NOT_FOUND: { status: 404, en: 'The organisation has no active API key with this id.', zh: '本单位没有该有效 API 密钥。' },
  REVOCATION_LIST_NOT_FOUND: { status: 404, en: 'No signing key has this kid, so there is no revocation list for it.', zh: '没有该签名密钥，也就没有对应的撤销列表。' },
  // 405 / 406 / 409 / 413 / 415 / 422 / 429
  METHOD_NOT_ALLOWED: { status: 405, en: 'This method is not allowed here.', zh: '不支持该请求方法。' },
  NOT_ACCEPTABLE: { status: 406, en: 'The requested response format is not available.', zh: '无法提供所请求的格式。' },
  CERTIFICATE_EXISTS: { status: 409, en: 'The holder already has a valid certificate for this year.', zh: '该人员本年度已有有效证书。' },
  NUMBER_RANGE_EXHAUSTED: { status: 409, en: 'The county has used all 999,999 numbers of this year.', zh: '该地区本年度证书编号已用完。' },
  DUPLICATE_IN_BATCH: { status: 409, en: 'The holder appears more than once for this year in the batch.', zh: '同一人员同一年度在本批次中重复出现。' },
  ARCHIVE_NOT_READY: { status: 409, en: 'The archive of this batch is not ready.', zh: '该批次的压缩包尚未就绪。' },
  ARCHIVE_REQUIRED: { status: 409, en: 'This batch is too large to zip at once: prepare it as an archive.', zh: '该批次证书较多，无法即时打包，请先生成压缩包。' },
  USERNAME_TAKEN: { status: 409, en: 'This username is taken.', zh: '该用户名已被使用。' },
  LAST_ADMINISTRATOR: { status: 409, en: 'The organisation would be left without an active administrator.', zh: '本单位将没有可用的管理员，不能执行此操作。' },
  TOO_MANY_USERS: { status: 409, en: 'The organisation has as many users as it may have.', zh: '本单位用户数已达上限。' },
  CERTIFICATE_ALREADY_REVOKED: { status: 409, en: 'The certificate is already revoked.', zh: '该证书已被撤销。' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, en: 'This Idempotency-Key was used with a different request.', zh: '该幂等键已用于另一个请求。' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, en: 'A request with this Idempotency-Key is still being processed.', zh: '使用该幂等键的请求仍在处理中。' },
  REQUEST_TIMEOUT: { status: 408, en: 'The request did not arrive in time.', zh: '请求未在规定时间内传送完毕。' },
  PAYLOAD_TOO_LARGE: { status: 413, en: 'The request body is too large.', zh: '请求正文过大。' },
  URI_TOO_LONG: { status: 414, en: 'A part of the address is longer than any this service uses.', zh: '网址中的某一段超出本服务允许的长度。' },
  TOKEN_TOO_LARGE: { status: 413, en: 'The token is longer than any certificate token can be.', zh: '签名数据超出证书所能达到的长度。' },
  RANGE_NOT_SATISFIABLE: { status: 416, en: 'The range asked for lies outside the file.', zh: '请求的字节范围超出文件大小。' },
  TABLE_TOO_LARGE: { status: 413, en: 'The table has more columns, lines or characters in a cell, or inflates to more, than any batch needs.', zh: '表格的列数、行数、单元格长度或解压后的大小超出上限。' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, en: 'This content type is not accepted here.', zh: '不支持该内容类型。' },
  PASSWORD_TOO_WEAK: { status: 422, en: 'The password is too weak.', zh: '密码强度不足。' },
  CURRENT_PASSWORD_WRONG: { status: 422, en: 'The current password is wrong.', zh: '当前密码错误。' },
  HOURS_REQUIREMENT_NOT_MET: { status: 422, en: 'The hours do not meet the yearly requirement.', zh: '学时未达到年度要求。' },
  BATCH_NOTHING_ISSUED: { status: 422, en: 'No row of the batch can be issued, so no batch was made; the rows\' errors are in details.', zh: '批次中没有任何一行可以颁发，未生成批次；各行的错误见 details。' },
  UNKNOWN_SIGNING_KEY: { status: 422, en: 'The token names a signing key (kid) this service never published.', zh: '签名密钥（kid）不是本服务发布的密钥。' },
  SIGNATURE_INVALID: { status: 422, en: 'The signature does not match the content: the certificate was altered or not signed by this service.', zh: '签名与内容不符：证书被篡改或并非本服务签发。' },
  ISSUED_OUTSIDE_KEY_VALIDITY: { status: 422, en: 'The certificate claims an issue time outside its signing key\'s validity window.', zh: '证书的签发时间不在签名密钥的有效期内。' },
  INVALID_CERTIFICATE_PAYLOAD: { status: 422, en: 'The signed content is not a well-formed certificate.', zh: '签名内容不是格式正确的证书。' },
  UNTRUSTED_QR_ADDRESS: { status: 422, en: 'The QR code points to an address that is not this service\'s verification page.', zh: '二维码指向的不是本服务的网址。' },
  PDF_ALTERED: { status: 422, en: 'The PDF is not the certificate as this service signed it: it was forged or altered.', zh: 'PDF 不是本服务签发时的原件：伪造或被篡改。' },
  CERTIFICATE_MISMATCH: { status: 422, en: 'The certificate presented does not match the issuance register.', zh: '所出示的证书与发放名册记录不符。' },
  UNRENDERABLE_CHARACTER: { status: 422, en: 'A character of the certificate cannot be printed with the fonts available.', zh: '证书中有无法打印的字符。' },
  RULE_SET_NOT_ALLOWED: { status: 422, en: 'This rule set may not be chosen for the region and series of the certificate.', zh: '该地区和专业系列不得选用此学时规则。' },
  RATE_LIMITED: { status: 429, en: 'Too many requests; wait and try again.', zh: '请求过于频繁，请稍后再试。' },
  NAME_CHECK_LIMITED: { status: 429, en: 'Too many wrong names were checked against this certificate; no name is checked until the wait is over.', zh: '该证书的姓名核对错误次数过多，等待期结束前不再核对姓名。' },
  SIGN_IN_LOCKED: { status: 429, en: 'Too many failed sign-ins for this username or from this address: sign-in is locked for a while.', zh: '该用户名或该地址登录失败次数过多，登录已暂时锁定。' },
  AUTHENTICATION_THROTTLED: { status: 429, en: 'Too many failed authentications from this address; wait and try again.', zh: '该地址认证失败次数过多，请稍后再试。' },
  HEADERS_TOO_LARGE: { status: 431, en: 'The request headers are too large.', zh: '请求头过大。' },
  // 5xx: never for bad input
  INTERNAL_ERROR: { status: 500, en: 'Something went wrong on our side.', zh: '服务器内部错误。' },
  DATABASE_UNAVAILABLE: { status: 503, en: 'The database is unavailable; try again shortly.', zh: '数据库暂时不可用，请稍后再试。' },
  OVERLOADED: { status: 503, en: 'The service is overloaded; try again shortly.', zh: '服务繁忙，请稍后再试。' },
} as const satisfies Record<string, ErrorDefinition>

export type ErrorCode = keyof typeof errorTable

/** A message for people, in both languages: Chinese first for the people this service serves, English beside it. */
export interface Wording {
  readonly en: string
  readonly zh: string
}

/**
 * The one error type of the domain. `wording` refines the table's messages for this case (both
 * languages, equally precise); `details` carries machine-readable facts (e.g. every hour shortfall).
 */
export class ServiceError extends Error {
  readonly code: ErrorCode
  readonly status: number
  readonly messageZh: string
  readonly details: unknown

  constructor (code: ErrorCode, wording?: Wording, details?: unknown) {
    const words = wording ?? errorTable[code]
    super(words.en)
    this.name = 'ServiceError'
    this.code = code
    this.status = errorTable[code].status
    this.messageZh = words.zh
    this.details = details
  }
}

export function isServiceError (error: unknown): error is ServiceError {
  return error instanceof ServiceError
}
