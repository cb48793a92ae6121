// Turns an issuing request into a checked plan: names, ID number, year, region, scope and hour rules.
import { createHmac } from 'node:crypto'
import { ServiceError } from '../errors.js'
import { findRegion, unknownRegionWording, type Region } from '../regions/region-table.js'
import type { Actor } from '../actors/actor.js'
import { mayIssueIn } from '../issuers/issuer-scope.js'
import { explainLookAlikeName, normaliseName, personName } from '../text/names.js'
import { chinaYear } from '../text/china-time.js'
import { assertPrintable, type PrintableCharacters } from '../documents/index.js'
import { firstYear } from './certificate-number.js'
import { normaliseIdNumber } from './id-number.js'
import { diagnoseEnteredIdNumber } from './entered-id-number.js'
import { chooseRuleSet, evaluateHours, type DeclaredHours, type HourEvaluation, type RuleSet, type Shortfall } from './hour-rules.js'

/** The body of POST /v1/certificates (schemas/issue-certificate-request.json). */
export interface IssueCertificateRequest {
  holder: { name: string, idNumber: string }
  employer: { name: string }
  year: number
  hours: DeclaredHours
  regionCode?: string
  series?: string
  ruleSet?: string
}

/** A request that passed every check, ready for a number. */
export interface IssuancePlan {
  holderName: string
  holderIdHmac: string
  employerName: string
  year: number
  region: Region
  series: string | null
  ruleSet: RuleSet
  declared: DeclaredHours
  evaluation: HourEvaluation
}

export const maxHolderNameLength = 30
export const maxEmployerNameLength = 60
export const maxSeriesLength = 32

const categoryZh: Readonly<Record<Shortfall['category'], string>> = { public: '公需科目', professional: '专业科目', elective: '选修科目', total: '总学时' }

/** Keyed hash of an ID number: matches a holder across certificates without storing the number. */
export function holderIdHmac (secret: Buffer, idNumber: string): string {
  return createHmac('sha256', secret).update(normaliseIdNumber(idNumber)).digest('hex')
}

/** What planning needs besides the request: the time, the ID-number key, and what the certificate can print. */
export interface IssuanceContext { now: Date, holderIdSecret: Buffer, printable: PrintableCharacters }

/** Checks a request for an actor; throws the ServiceError of the first problem found (all hour shortfalls at once). */
export function planIssuance (actor: Actor, request: IssueCertificateRequest, context: IssuanceContext): IssuancePlan {
  const holderName = normaliseName(request.holder.name, 'holder.name', maxHolderNameLength, personName)
  const lookAlike = explainLookAlikeName(holderName)
  if (lookAlike !== null) {
    const zh = lookAlike.startsWith('it mixes') ? '混用了不同文字（如拉丁字母中夹有西里尔字母）' : '含有全角字母、合字或部首等易混淆的兼容字符'
    throw new ServiceError('VALIDATION_FAILED', { en: `holder.name is refused: ${lookAlike}.`, zh: `姓名不予接受：${zh}。` }, [{ field: 'holder.name', reason: 'look-alike' }])
  }
  const employerName = normaliseName(request.employer.name, 'employer.name', maxEmployerNameLength)
  // Before any number is taken: a name the certificate cannot print is refused, not issued and then unprintable.
  assertPrintable(holderName, 'holder.name', context.printable)
  assertPrintable(employerName, 'employer.name', context.printable)
  const series = request.series === undefined || request.series.trim() === '' ? null : normaliseName(request.series, 'series', maxSeriesLength)
  const idProblem = diagnoseEnteredIdNumber(request.holder.idNumber, { today: context.now })
  if (idProblem !== null) {
    throw new ServiceError('INVALID_ID_NUMBER', { en: `The resident ID number is not valid: ${idProblem.reason}.`, zh: `公民身份号码无效：${idProblem.reasonZh}` }, { reason: idProblem.reason, reasonZh: idProblem.reasonZh })
  }

  const currentYear = chinaYear(context.now)
  if (!Number.isInteger(request.year) || request.year < firstYear || request.year > currentYear) {
    throw new ServiceError('INVALID_YEAR', { en: `The year must be from ${firstYear} to ${currentYear}; ${request.year} is not.`, zh: `年度须在 ${firstYear} 至 ${currentYear} 年之间，${request.year} 不在此范围内。` })
  }

  if (actor.kind === 'verifier') throw new ServiceError('FORBIDDEN_ROLE', { en: 'A verifier account cannot issue certificates.', zh: '核验账户不能颁发证书。' })
  const regionCode = request.regionCode ?? actor.region.code
  const region = findRegion(regionCode)
  if (region === undefined) throw new ServiceError('UNKNOWN_REGION', unknownRegionWording(regionCode))
  if (!mayIssueIn(actor, regionCode)) {
    throw new ServiceError('OUT_OF_SCOPE', {
      en: `${actor.name} (${actor.region.fullName}) may not issue certificates numbered under ${regionCode} (${region.fullName}).`,
      zh: `${actor.name}（${actor.region.fullName}）无权以 ${regionCode}（${region.fullName}）的编号颁发证书。`,
    })
  }

  const ruleSet = chooseRuleSet({ ruleSet: request.ruleSet, series: request.series, regionCode })
  const evaluation = evaluateHours(ruleSet, request.hours)
  if (evaluation.shortfalls.length > 0) {
    const list = evaluation.shortfalls.map(s => `${s.category} ${s.given} of ${s.required}`).join('; ')
    const listZh = evaluation.shortfalls.map(s => `${categoryZh[s.category]} ${s.given} 学时，至少需 ${s.required} 学时`).join('；')
    throw new ServiceError('HOURS_REQUIREMENT_NOT_MET', { en: `The hours do not meet ${ruleSet.id}: ${list}.`, zh: `学时未达到“${ruleSet.name}”：${listZh}。` }, { ruleSet: ruleSet.id, shortfalls: evaluation.shortfalls })
  }

  return {
    holderName,
    holderIdHmac: holderIdHmac(context.holderIdSecret, request.holder.idNumber),
    employerName,
    year: request.year,
    region,
    series,
    ruleSet,
    declared: request.hours,
    evaluation,
  }
}
