// Yearly hour requirements: the rule sets of DOMAIN.md, how one is chosen, and how hours are credited.
import { ServiceError } from '../errors.js'
import { fieldLabel } from '../text/field-names.js'

export type RuleSetId = 'guangdong' | 'accounting' | 'henan' | 'sichuan' | 'national'
export type HourCategory = 'public' | 'professional' | 'elective'

/** Hours as declared (1 学时 = 45 minutes). Self-study and publications are already converted to hours. */
export interface DeclaredHours {
  public: number
  professional: number
  elective: number
  /** Self-study results, 1 h per 1,000 characters [seed 003]. */
  selfStudy?: number
  /** Published work, 2 h per 1,000 characters [seed 003]. */
  publications?: number
  /** A Guangdong achievement this year [seed 004 art.7]: lead author/inventor, or contributor. */
  achievement?: 'lead' | 'contributor'
}

export interface RuleSet {
  readonly id: RuleSetId
  /** How the requirement is named on a certificate. */
  readonly name: string
  /** The regulation a certificate is issued under (the sentence 根据…，特发此证). */
  readonly regulation: string
  readonly total: number
  readonly minimums: Readonly<Partial<Record<HourCategory, number>>>
  /** Categories that count towards the total; accounting has no elective part. */
  readonly counted: readonly HourCategory[]
  /** Self-study plus publications count towards the total up to this many hours (Sichuan: 50). */
  readonly selfStudyCap?: number
  /** Share of the professional hours that is the mandatory guide; achievements credit the rest [004 art.6-7]. */
  readonly professionalMandatoryShare?: number
  readonly source: string
}

export const ruleSets: Readonly<Record<RuleSetId, RuleSet>> = {
  guangdong: {
    id: 'guangdong',
    name: '广东省专业技术人员继续教育学时要求',
    regulation: '《广东省专业技术人员继续教育条例》',
    total: 72,
    minimums: { public: 18, professional: 42, elective: 12 },
    counted: ['public', 'professional', 'elective'],
    professionalMandatoryShare: 1 / 3,
    source: '粤人社规〔2018〕11号; 广东省专业技术人员继续教育证书管理办法 第三条',
  },
  accounting: {
    id: 'accounting',
    name: '会计专业技术人员继续教育学分要求',
    regulation: '《会计专业技术人员继续教育规定》（财会〔2018〕10号）',
    total: 90,
    minimums: { public: 30, professional: 60 },
    counted: ['public', 'professional'],
    source: '财会〔2018〕10号',
  },
  henan: {
    id: 'henan',
    name: '河南省专业技术人员继续教育学时要求',
    regulation: '《河南省专业技术人员继续教育办法》',
    total: 90,
    minimums: { public: 30, professional: 60 },
    counted: ['public', 'professional', 'elective'],
    source: '河南省 2023 年通知 §2(3)',
  },
  sichuan: {
    id: 'sichuan',
    name: '四川省专业技术人员继续教育学时要求',
    regulation: '《四川省专业技术人员继续教育实施办法》',
    total: 90,
    minimums: { professional: 60 },
    counted: ['public', 'professional', 'elective'],
    selfStudyCap: 50,
    source: '川人社发〔2016〕20号 §2(2)',
  },
  national: {
    id: 'national',
    name: '专业技术人员继续教育学时要求',
    regulation: '《专业技术人员继续教育规定》（人力资源社会保障部令第25号）',
    total: 90,
    minimums: { professional: 60 },
    counted: ['public', 'professional', 'elective'],
    source: '人力资源社会保障部令第25号 第八条',
  },
}

const ruleSetByProvince: Readonly<Record<string, RuleSetId>> = { 44: 'guangdong', 41: 'henan', 51: 'sichuan' }
const accountingSeries = new Set(['accounting', '会计', '会计系列'])

export function isRuleSetId (value: string): value is RuleSetId {
  return Object.hasOwn(ruleSets, value)
}

const isAccountingSeries = (series: string | undefined) => series !== undefined && accountingSeries.has(series.trim().toLowerCase())

/**
 * The rule sets a certificate of this region and series may be issued under: the accounting set for
 * an accounting series (and only it); otherwise the province's own set (the national one where the
 * province has none) and, when no series is named, the accounting set, which applies anywhere.
 */
export function allowedRuleSets ({ regionCode, series }: { regionCode: string, series?: string }): RuleSetId[] {
  if (isAccountingSeries(series)) return ['accounting']
  const own = ruleSetByProvince[regionCode.slice(0, 2)] ?? 'national'
  return series === undefined || series.trim() === '' ? [own, 'accounting'] : [own]
}

/**
 * The applicable rule set: by professional series (accounting), else by province, else national.
 * An explicit `ruleSet` may choose among `allowedRuleSets` only: a set cannot be picked because it is easier to pass.
 */
export function chooseRuleSet (request: { ruleSet?: string, series?: string, regionCode: string }): RuleSet {
  const allowed = allowedRuleSets(request)
  if (request.ruleSet === undefined) return ruleSets[allowed[0]!]
  if (!isRuleSetId(request.ruleSet)) {
    throw new ServiceError('UNKNOWN_RULE_SET', {
      en: `There is no rule set '${request.ruleSet}'; known: ${Object.keys(ruleSets).join(', ')}.`,
      zh: `学时规则“${request.ruleSet}”不存在，可选：${Object.values(ruleSets).map(r => `${r.id}（${r.name}）`).join('、')}。`,
    })
  }
  if (!allowed.includes(request.ruleSet)) {
    const chosen = ruleSets[request.ruleSet]
    const named = request.series !== undefined && request.series.trim() !== ''
    const who = named ? `region ${request.regionCode} and series ${request.series!.trim()}` : `region ${request.regionCode}`
    const whoZh = named ? `行政区划 ${request.regionCode}、专业系列“${request.series!.trim()}”` : `行政区划 ${request.regionCode}`
    throw new ServiceError('RULE_SET_NOT_ALLOWED', {
      en: `The rule set ${chosen.id} may not be chosen for ${who}; allowed: ${allowed.join(', ')}.`,
      zh: `${whoZh}不得选用“${chosen.name}”，只可选用：${allowed.map(id => ruleSets[id].name).join('、')}。`,
    }, { ruleSet: chosen.id, allowed })
  }
  return ruleSets[request.ruleSet]
}

export interface Shortfall { category: HourCategory | 'total', required: number, given: number }

export interface HourEvaluation {
  ruleSet: RuleSetId
  /** Hours credited per category after the rule set's conversions and caps. */
  credited: Record<HourCategory, number> & { selfStudy: number, total: number }
  shortfalls: Shortfall[]
}

/** 366 × 24: no declaration can hold more. */
const hoursInAYear = 8784

const round = (n: number) => Math.round(n * 100) / 100

/** Credits declared hours under a rule set and lists every shortfall (empty when the requirement is met). */
export function evaluateHours (ruleSet: RuleSet, hours: DeclaredHours): HourEvaluation {
  // NaN compares false with every minimum, so it would pass as "met": only real amounts a year can hold are hours.
  for (const category of ['public', 'professional', 'elective', 'selfStudy', 'publications'] as const) {
    const value = hours[category]
    if (value === undefined && (category === 'selfStudy' || category === 'publications')) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > hoursInAYear) {
      throw new ServiceError('VALIDATION_FAILED', { en: `hours.${category} must be a number of hours from 0 to ${hoursInAYear}.`, zh: `${fieldLabel(`hours.${category}`)}须为 0 至 ${hoursInAYear} 之间的学时数。` }, [{ field: `hours.${category}`, reason: 'not-an-amount' }])
    }
  }
  if (hours.achievement !== undefined && hours.achievement !== 'lead' && hours.achievement !== 'contributor') {
    throw new ServiceError('VALIDATION_FAILED', { en: 'hours.achievement must be lead or contributor.', zh: `${fieldLabel('hours.achievement')}须为 lead（主持）或 contributor（参与）。` }, [{ field: 'hours.achievement', reason: 'unknown' }])
  }
  let professional = hours.professional
  if (hours.achievement !== undefined && ruleSet.professionalMandatoryShare !== undefined) {
    const optionalPart = (ruleSet.minimums.professional ?? 0) * (1 - ruleSet.professionalMandatoryShare)
    professional += hours.achievement === 'lead' ? optionalPart : optionalPart / 2
  }
  const credited = {
    public: ruleSet.counted.includes('public') ? hours.public : 0,
    professional: ruleSet.counted.includes('professional') ? round(professional) : 0,
    elective: ruleSet.counted.includes('elective') ? hours.elective : 0,
    selfStudy: ruleSet.selfStudyCap === undefined ? 0 : Math.min(ruleSet.selfStudyCap, (hours.selfStudy ?? 0) + (hours.publications ?? 0)),
    total: 0,
  }
  credited.total = round(credited.public + credited.professional + credited.elective + credited.selfStudy)
  const shortfalls: Shortfall[] = []
  for (const category of ['public', 'professional', 'elective'] as const) {
    const required = ruleSet.minimums[category]
    if (required !== undefined && credited[category] < required) shortfalls.push({ category, required, given: credited[category] })
  }
  if (credited.total < ruleSet.total) shortfalls.push({ category: 'total', required: ruleSet.total, given: credited.total })
  return { ruleSet: ruleSet.id, credited, shortfalls }
}
