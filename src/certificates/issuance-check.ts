// What a form being filled in needs to know before it issues: the ID number's problem, the applicable rule set's
// requirement and what the hours typed so far still lack — by the same functions issuance itself runs.
import type { Actor } from '../actors/actor.js'
import { diagnoseEnteredIdNumber, type EnteredIdNumberProblem } from './entered-id-number.js'
import { findRegion } from '../regions/region-table.js'
import { allowedRuleSets, chooseRuleSet, evaluateHours, ruleSets, type DeclaredHours, type HourEvaluation, type RuleSetId } from './hour-rules.js'

export interface IssuanceCheckRequest {
  idNumber?: string
  hours?: DeclaredHours
  regionCode?: string
  series?: string
  ruleSet?: string
}

export interface IssuanceCheck {
  /** When an ID number was sent: null when it is valid, else why not (never repeating it). */
  idNumber?: EnteredIdNumberProblem | null
  /** The title and the regulation the certificate would be printed with. */
  certificate: { title: string, regulation: string }
  ruleSet: { id: RuleSetId, name: string, total: number, minimums: Partial<Record<'public' | 'professional' | 'elective', number>>, counted: string[], selfStudyCap?: number }
  allowedRuleSets: Array<{ id: RuleSetId, name: string }>
  /** When hours were sent: what they are credited with, and every shortfall (none: the requirement is met). */
  hours?: HourEvaluation & { met: boolean }
}

/**
 * Checks a partly filled issuance: nothing is stored, no number is taken. The rule set is the one issuance
 * would choose (by series, else by the province of `regionCode`, by default the actor's own region).
 */
export function checkIssuanceInput (actor: Actor, request: IssuanceCheckRequest, now: Date): IssuanceCheck {
  const regionCode = request.regionCode ?? actor.region.code
  const series = request.series?.trim() === '' ? undefined : request.series
  const ruleSet = chooseRuleSet({ ruleSet: request.ruleSet, series, regionCode })
  const evaluation = request.hours === undefined ? undefined : evaluateHours(ruleSet, request.hours)
  return {
    ...(request.idNumber === undefined ? {} : { idNumber: diagnoseEnteredIdNumber(request.idNumber, { today: now }) }),
    certificate: {
      // As the PDF prints it (documents/certificate-pdf.ts): the province's name, except under the national rule set.
      title: `${ruleSet.id === 'national' ? '' : findRegion(regionCode)?.provinceName ?? ''}专业技术人员继续教育证书`,
      regulation: ruleSet.regulation,
    },
    ruleSet: {
      id: ruleSet.id, name: ruleSet.name, total: ruleSet.total, minimums: ruleSet.minimums, counted: [...ruleSet.counted],
      ...(ruleSet.selfStudyCap === undefined ? {} : { selfStudyCap: ruleSet.selfStudyCap }),
    },
    allowedRuleSets: allowedRuleSets({ regionCode, series }).map(id => ({ id, name: ruleSets[id].name })),
    ...(evaluation === undefined ? {} : { hours: { ...evaluation, met: evaluation.shortfalls.length === 0 } }),
  }
}
