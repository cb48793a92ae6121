// The words of the public verification page in Chinese and English, and how dates and number problems read.
import type { CertificateNumberProblem } from '../certificates/certificate-number.js'
import { chinaDate, chinaDateZh } from '../text/china-time.js'

export type PageLanguage = 'zh' | 'en'

/** `?lang=en` switches to English; anything else is Chinese, the page's language. */
export function pageLanguage (raw: unknown): PageLanguage {
  return raw === 'en' ? 'en' : 'zh'
}

/** A calendar date in China time (UTC+8, no daylight saving): 2025年3月12日 or 2025-03-12. */
export function formatChinaDate (instant: string | number, lang: PageLanguage): string {
  const ms = typeof instant === 'number' ? instant * 1000 : Date.parse(instant)
  return lang === 'en' ? chinaDate(ms) : chinaDateZh(ms)
}

/** The exact reason a string is not a certificate number, for a person. */
export function describeNumberProblem (problem: CertificateNumberProblem, lang: PageLanguage): string {
  const zh = lang === 'zh'
  switch (problem.kind) {
    case 'length': return zh
      ? `证书编号应为 14 位数字，您输入的编号有 ${problem.length} 个字符。`
      : `A certificate number has 14 digits; this one has ${problem.length} characters.`
    case 'character': return zh
      ? `证书编号只能由数字 0–9 组成，第 ${problem.position} 个字符是“${problem.character}”。`
      : `A certificate number has only the digits 0–9; character ${problem.position} is “${problem.character}”.`
    case 'unknown-region': return zh
      ? `前 6 位“${problem.regionCode}”不是有效的行政区划代码（GB/T 2260）。`
      : `The first six digits, ${problem.regionCode}, are not a region code of GB/T 2260.`
    case 'future-year': return zh
      ? `第 7–8 位表示 ${problem.year} 年，该年度尚未到来。`
      : `Digits 7–8 give the year ${problem.year}, which has not come yet.`
    case 'zero-sequence': return zh
      ? '后 6 位顺序号从 000001 开始，000000 从不发放。'
      : 'The last six digits count from 000001; 000000 is never issued.'
  }
}

const zh = {
  htmlLang: 'zh-CN',
  service: '专业技术人员继续教育证书',
  serviceSub: '证书查验服务',
  switchLabel: 'English',
  switchLang: 'en',
  skip: '跳到主要内容',
  h1: '证书查验',
  numberLabel: '证书编号',
  verdict: { valid: '有效', revoked: '已撤销', notFound: '未找到', malformed: '编号格式错误' },
  verdictNote: {
    valid: '该编号的证书已登记，状态有效。',
    revoked: (date: string) => `该证书已于 ${date} 撤销，不再有效。`,
    notFound: '登记记录中没有该编号的证书。请核对编号；如编号无误，该证书可能是伪造的。',
    malformed: '证书编号由 14 位数字组成：行政区划代码 6 位、年度 2 位、顺序号 6 位。',
  },
  youTyped: '您输入的编号',
  masked: '姓名已部分隐藏',
  details: '证书信息',
  field: {
    holder: '持证人', year: '年度', region: '地区', issuer: '发证单位',
    issuedAt: '发证日期', hours: '学时', ruleSet: '学时标准', revokedAt: '撤销日期',
  },
  yearValue: (year: number) => `${year} 年度`,
  hours: { public: '公需科目', professional: '专业科目', elective: '选修科目', selfStudy: '自学与著述', total: '合计', unit: '学时' },
  nameCheck: '姓名核对',
  nameMatches: (name: string) => `一致：“${name}”与持证人姓名相符。`,
  nameDiffers: (name: string) => `不一致：“${name}”与持证人姓名不符。请确认持证人身份。`,
  nameTooLong: '输入的姓名过长，未进行核对。',
  noscript: '证书状态已在上方显示，无需 JavaScript。如网址中带有二维码签名，核验签名需要启用 JavaScript。',
  lookup: '查验其他证书',
  lookupIntro: '输入证书上“证书编号”后的 14 位数字，查验证书的真伪和状态。',
  numberHint: '14 位数字，例如 44010625000001',
  nameLabel: '持证人姓名（选填）',
  nameHint: '填写后将核对姓名是否与证书一致',
  submit: '查验',
  errorTitle: '暂时无法查验',
  footer: '查验结果以发证机关登记记录为准。本页面不显示公民身份号码。',
  footerKeys: '签名公钥（JWKS）',
  footerOffline: '离线核验工具',
  pending: '正在核验二维码中的签名…',
  footerApi: '接口文档',
  title: (what: string) => `${what} · 证书查验`,
  signature: {
    heading: '二维码签名核验',
    checking: '正在核验二维码中的签名…',
    genuine: '签名真实有效',
    genuineNote: '以下内容由发证机关签名，未被篡改。请与纸质证书逐项核对，特别是持证人姓名。',
    genuineButRevoked: '签名真实，但证书已撤销',
    genuineButRevokedNote: '二维码内容确由发证机关签发，但该证书已被撤销，不再有效。',
    genuineButUnregistered: '签名真实，但未找到登记记录',
    genuineButUnregisteredNote: '二维码内容确由发证机关签发，但登记记录中没有该证书，请向发证机关核实。',
    titleTemplate: '{what} · 证书查验',
    verdicts: { valid: '有效', revoked: '已撤销', notFound: '未找到', forged: '伪造或被篡改', unknown: '无法确定', offline: '离线' },
    notes: {
      validOnline: '二维码签名真实，与发放名册记录一致，证书有效。',
      revokedOnline: '二维码签名真实，但该证书已于 {date} 撤销，不再有效。',
      notFoundOnline: '二维码签名真实，但发放名册中没有该证书，请向发证机关核实。',
      forged: '二维码中的签名数据未通过核验。该证书可能是伪造的或已被篡改，请勿采信，并向发证机关核实。',
      validOffline: '离线核验：二维码签名真实，本机保存的撤销列表未列入该证书。',
      revokedOffline: '离线核验：本机保存的撤销列表列有该证书，证书已撤销。',
      staleOffline: '离线核验：二维码签名真实，但本机保存的撤销列表已过期，无法确定证书是否已被撤销。请联网后重新打开本页。',
      missingOffline: '离线核验：二维码签名真实，但本机没有该签名密钥的撤销列表，无法确定证书是否已被撤销。',
      offlineNumber: '当前离线，无法查询发放名册。扫描证书上的二维码可离线核验其签名。',
      offlineUnchecked: '当前离线，且本机未保存核验所需的公钥，无法核验二维码。',
    },
    registry: {
      heading: '该编号的登记状态',
      details: '该编号的登记信息',
      note: '仅说明发放名册中该编号的记录，不能证明您手中的证书真实。',
      valid: '有效', revoked: '已撤销', notFound: '未找到', malformed: '编号格式错误', offline: '离线，未能查询',
    },
    revocation: {
      age: '撤销数据：撤销列表签发于 {signed}（北京时间），有效期至 {until}。',
      none: '撤销数据：本机没有该签名密钥的撤销列表。',
    },
    genuineUnknown: '签名真实，撤销状态未知',
    genuineUnknownNote: '二维码内容确由发证机关签发，但无法确认证书是否已被撤销。',
    compactForm: '二维码紧凑签名',
    compactScope: '二维码只签名证书编号、姓名、年度、学时和签发时间；发证单位和工作单位以 PDF 证书或发放名册为准。',
    reasonLabel: '原因：',
    uncheckable: '无法在此核验签名',
    holderName: '持证人姓名',
    number: '证书编号', year: '年度', hours: '学时', issuer: '发证单位', employer: '工作单位',
    issuedAt: '签发日期', ruleSet: '学时标准', region: '地区代码', key: '签名',
    reasons: {
      'too-large': '签名数据过长。',
      malformed: '签名数据格式不正确。',
      typ: '签名数据不是证书签名（类型不符）。',
      alg: '签名算法不被接受。',
      'unknown-kid': '签名所用的密钥不是本机构公布的密钥。',
      'alg-mismatch': '签名算法与公布的密钥不符。',
      'bad-signature': '签名与内容不符：内容被改动过，属于另一份证书，或并非由发证机关签名。',
      payload: '签名内容无法读取。',
      'outside-key-validity': '签发时间不在签名密钥的有效期内。',
      'number-mismatch': '二维码中签名的证书编号（{signed}）与本页编号不符。',
      insecure: '本页面未通过安全连接（HTTPS）打开，浏览器无法核验签名。',
      jwks: '无法获取签名公钥，请稍后重试。',
      ed25519: '本浏览器不支持 Ed25519 签名核验，请使用较新版本的浏览器。',
      key: '签名公钥无法使用。',
    },
  },
}

export type PageText = typeof zh

const en: PageText = {
  htmlLang: 'en',
  service: 'Continuing-Education Certificates',
  serviceSub: 'Certificate verification service',
  switchLabel: '中文',
  switchLang: 'zh',
  skip: 'Skip to the main content',
  h1: 'Certificate verification',
  numberLabel: 'Certificate number',
  verdict: { valid: 'Valid', revoked: 'Revoked', notFound: 'Not found', malformed: 'Malformed number' },
  verdictNote: {
    valid: 'A certificate with this number is on record and valid.',
    revoked: (date: string) => `This certificate was revoked on ${date} and is no longer valid.`,
    notFound: 'No certificate with this number is on record. Check the number; if it is right, the certificate may be forged.',
    malformed: 'A certificate number has 14 digits: a 6-digit region code, 2 digits of year and a 6-digit running number.',
  },
  youTyped: 'You entered',
  masked: 'name partly hidden',
  details: 'Certificate details',
  field: {
    holder: 'Holder', year: 'Year', region: 'Region', issuer: 'Issued by',
    issuedAt: 'Issue date', hours: 'Hours', ruleSet: 'Requirement', revokedAt: 'Revoked on',
  },
  yearValue: (year: number) => String(year),
  hours: { public: 'Public subjects', professional: 'Professional', elective: 'Elective', selfStudy: 'Self-study and publications', total: 'Total', unit: 'hours' },
  nameCheck: 'Name check',
  nameMatches: (name: string) => `Matches: “${name}” is the holder's name.`,
  nameDiffers: (name: string) => `Does not match: “${name}” is not the holder's name. Confirm who holds this certificate.`,
  nameTooLong: 'The name entered is too long; it was not checked.',
  noscript: 'The certificate status above needs no JavaScript. If the address carries the QR code signature, checking it needs JavaScript.',
  lookup: 'Check another certificate',
  lookupIntro: 'Enter the 14 digits after “证书编号” on the certificate to check whether it is genuine and valid.',
  numberHint: '14 digits, e.g. 44010625000001',
  nameLabel: 'Holder name (optional)',
  nameHint: 'If given, checked against the certificate',
  submit: 'Verify',
  errorTitle: 'Verification is not possible right now',
  footer: 'The issuing authority\'s register is authoritative. This page never shows a resident ID number.',
  footerKeys: 'Signing keys (JWKS)',
  footerOffline: 'Offline verifier',
  pending: 'Checking the signature from the QR code…',
  footerApi: 'API documentation',
  title: (what: string) => `${what} · Certificate verification`,
  signature: {
    heading: 'QR code signature',
    checking: 'Checking the signature from the QR code…',
    genuine: 'Genuine signature',
    genuineNote: 'The issuing authority signed what follows and it has not been altered. Compare it with the paper certificate, the holder\'s name above all.',
    genuineButRevoked: 'Genuine signature, but the certificate is revoked',
    genuineButRevokedNote: 'The issuing authority did sign this QR code, but the certificate has been revoked and is no longer valid.',
    genuineButUnregistered: 'Genuine signature, but no record found',
    genuineButUnregisteredNote: 'The issuing authority did sign this QR code, but the register has no such certificate; ask the issuing authority.',
    titleTemplate: '{what} · Certificate verification',
    verdicts: { valid: 'Valid', revoked: 'Revoked', notFound: 'Not found', forged: 'Forged or altered', unknown: 'Cannot be told', offline: 'Offline' },
    notes: {
      validOnline: 'The QR code\'s signature is genuine and matches the issuance register: the certificate is valid.',
      revokedOnline: 'The QR code\'s signature is genuine, but the certificate was revoked on {date} and is no longer valid.',
      notFoundOnline: 'The QR code\'s signature is genuine, but the issuance register has no such certificate; ask the issuing authority.',
      forged: 'The signed data in the QR code failed verification. The certificate may be forged or altered: do not accept it, and ask the issuing authority.',
      validOffline: 'Checked offline: the QR code\'s signature is genuine and the saved revocation list does not name the certificate.',
      revokedOffline: 'Checked offline: the saved revocation list names this certificate: it is revoked.',
      staleOffline: 'Checked offline: the QR code\'s signature is genuine, but the saved revocation list has expired, so whether the certificate was revoked cannot be told. Open this page again online.',
      missingOffline: 'Checked offline: the QR code\'s signature is genuine, but no revocation list of its signing key is saved here, so whether it was revoked cannot be told.',
      offlineNumber: 'You are offline: the issuance register cannot be asked. Scan the certificate\'s QR code to check its signature offline.',
      offlineUnchecked: 'You are offline and the signing keys are not saved here: the QR code cannot be checked.',
    },
    registry: {
      heading: 'What the register says of this number',
      details: 'The register\'s record of this number',
      note: 'This is the register\'s record for the number only; it does not prove the certificate in hand genuine.',
      valid: 'Valid', revoked: 'Revoked', notFound: 'Not found', malformed: 'Malformed number', offline: 'Offline: not asked',
    },
    revocation: {
      age: 'Revocation data: the revocation list was signed {signed} China Standard Time and holds until {until}.',
      none: 'Revocation data: no revocation list of the signing key is saved here.',
    },
    genuineUnknown: 'Genuine signature, revocation unknown',
    genuineUnknownNote: 'The issuing authority did sign this QR code, but whether the certificate was revoked cannot be told.',
    compactForm: 'compact QR signature',
    compactScope: 'The QR code signs the number, name, year, hours and issue time only; the issuer and employer are those of the PDF certificate or the register.',
    reasonLabel: 'Reason: ',
    uncheckable: 'The signature cannot be checked here',
    holderName: 'Holder\'s name',
    number: 'Certificate number', year: 'Year', hours: 'Hours', issuer: 'Issued by', employer: 'Employer',
    issuedAt: 'Signed on', ruleSet: 'Requirement', region: 'Region code', key: 'Signature',
    reasons: {
      'too-large': 'The signed data is too long.',
      malformed: 'The signed data is not well-formed.',
      typ: 'The signed data is not a certificate signature (wrong type).',
      alg: 'The signature algorithm is not accepted.',
      'unknown-kid': 'The signing key is not one this service publishes.',
      'alg-mismatch': 'The signature algorithm does not fit the published key.',
      'bad-signature': 'The signature does not match the content: it was altered, belongs to another certificate, or was not signed by the issuing authority.',
      payload: 'The signed content cannot be read.',
      'outside-key-validity': 'The issue time lies outside the signing key\'s validity period.',
      'number-mismatch': 'The QR code signs certificate number {signed}, not the number of this page.',
      insecure: 'This page was not opened over a secure connection (HTTPS), so the browser cannot check signatures.',
      jwks: 'The signing keys could not be fetched; try again later.',
      ed25519: 'This browser cannot check Ed25519 signatures; use a newer browser.',
      key: 'The published signing key cannot be used.',
    },
  },
}

/** All the words of the page in one language. */
export function pageText (lang: PageLanguage): PageText {
  return lang === 'en' ? en : zh
}
