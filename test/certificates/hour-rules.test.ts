import t from 'tap'
import { ServiceError } from '../../src/errors.js'
import { allowedRuleSets, chooseRuleSet, evaluateHours, ruleSets } from '../../src/certificates/hour-rules.js'

const none = { public: 0, professional: 0, elective: 0 }

t.test('Guangdong: 72 hours, at least 18 public, 42 professional, 12 elective', async t => {
  t.same(evaluateHours(ruleSets.guangdong, { public: 18, professional: 42, elective: 12 }).shortfalls, [])
  t.same(evaluateHours(ruleSets.guangdong, { public: 17, professional: 43, elective: 12 }).shortfalls, [
    { category: 'public', required: 18, given: 17 },
  ])
  t.same(evaluateHours(ruleSets.guangdong, none).shortfalls.map(s => s.category), ['public', 'professional', 'elective', 'total'])
})

t.test('Guangdong achievements credit the non-mandatory professional part, contributors half', async t => {
  const lead = evaluateHours(ruleSets.guangdong, { public: 18, professional: 14, elective: 12, achievement: 'lead' })
  t.equal(lead.credited.professional, 42, '14 mandatory + 28 from the achievement')
  t.same(lead.shortfalls, [])
  const contributor = evaluateHours(ruleSets.guangdong, { public: 18, professional: 14, elective: 12, achievement: 'contributor' })
  t.equal(contributor.credited.professional, 28)
  t.match(contributor.shortfalls, [{ category: 'professional', required: 42, given: 28 }, { category: 'total' }])
})

t.test('accounting: 90 credits, 30 public and 60 professional; elective hours do not count', async t => {
  t.same(evaluateHours(ruleSets.accounting, { public: 30, professional: 60, elective: 0 }).shortfalls, [])
  const withElective = evaluateHours(ruleSets.accounting, { public: 30, professional: 50, elective: 20 })
  t.equal(withElective.credited.elective, 0)
  t.same(withElective.shortfalls, [
    { category: 'professional', required: 60, given: 50 },
    { category: 'total', required: 90, given: 80 },
  ])
})

t.test('Henan: 90 hours, 30 public and 60 professional', async t => {
  t.same(evaluateHours(ruleSets.henan, { public: 30, professional: 60, elective: 0 }).shortfalls, [])
  t.same(evaluateHours(ruleSets.henan, { public: 29, professional: 61, elective: 0 }).shortfalls, [{ category: 'public', required: 30, given: 29 }])
})

t.test('Sichuan: 90 hours, 60 professional; self-study and publications count up to 50 together', async t => {
  t.same(evaluateHours(ruleSets.sichuan, { public: 0, professional: 60, elective: 0, selfStudy: 20, publications: 10 }).shortfalls, [])
  const capped = evaluateHours(ruleSets.sichuan, { public: 0, professional: 30, elective: 0, selfStudy: 40, publications: 40 })
  t.equal(capped.credited.selfStudy, 50)
  t.same(capped.shortfalls, [{ category: 'professional', required: 60, given: 30 }, { category: 'total', required: 90, given: 80 }])
  t.equal(evaluateHours(ruleSets.guangdong, { ...none, selfStudy: 30 }).credited.selfStudy, 0, 'only Sichuan credits self-study')
})

t.test('national default: 90 hours with at least 60 professional', async t => {
  t.same(evaluateHours(ruleSets.national, { public: 10, professional: 60, elective: 20 }).shortfalls, [])
  t.same(evaluateHours(ruleSets.national, { public: 40, professional: 50, elective: 0 }).shortfalls, [{ category: 'professional', required: 60, given: 50 }])
})

t.test('the rule set is explicit, else by series, else by province, else national', async t => {
  t.equal(chooseRuleSet({ regionCode: '440106' }).id, 'guangdong')
  t.equal(chooseRuleSet({ regionCode: '410105' }).id, 'henan')
  t.equal(chooseRuleSet({ regionCode: '510107' }).id, 'sichuan')
  t.equal(chooseRuleSet({ regionCode: '110101' }).id, 'national')
  t.equal(chooseRuleSet({ regionCode: '440106', series: '会计' }).id, 'accounting')
  t.equal(chooseRuleSet({ regionCode: '440106', series: 'accounting' }).id, 'accounting')
  t.equal(chooseRuleSet({ regionCode: '440106', ruleSet: 'accounting' }).id, 'accounting', 'an override may name the accounting series')
  const error = t.throws(() => chooseRuleSet({ regionCode: '440106', ruleSet: 'mars' })) as ServiceError
  t.equal(error.code, 'UNKNOWN_RULE_SET')
})

t.test('an override may choose only the sets of its region and series, never an easier one', async t => {
  const allowed = (regionCode: string, series?: string) => allowedRuleSets({ regionCode, ...(series === undefined ? {} : { series }) })
  t.same(allowed('440106'), ['guangdong', 'accounting'])
  t.same(allowed('410105'), ['henan', 'accounting'])
  t.same(allowed('510107'), ['sichuan', 'accounting'])
  t.same(allowed('110101'), ['national', 'accounting'], 'national where the province has no set of its own')
  t.same(allowed('440106', '会计'), ['accounting'], 'an accountant is held to the accounting rules')
  t.same(allowed('440106', '工程'), ['guangdong'], 'another series keeps its province\'s set')
  const refusals: Array<[string, string, string?]> = [
    ['440106', 'sichuan'], ['440106', 'national'], ['440106', 'henan'], ['410105', 'guangdong'], ['110101', 'sichuan'],
    ['440106', 'national', '会计'], ['440106', 'guangdong', '会计'], ['440106', 'accounting', '工程'],
  ]
  for (const [regionCode, ruleSet, series] of refusals) {
    const error = t.throws(() => chooseRuleSet({ regionCode, ruleSet, ...(series === undefined ? {} : { series }) })) as ServiceError
    t.equal(error.code, 'RULE_SET_NOT_ALLOWED', `${ruleSet} for ${regionCode}${series === undefined ? '' : ` (${series})`}`)
    t.match(error.messageZh, /不得选用/)
  }
})
