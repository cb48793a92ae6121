// Property tests (fast-check): no input makes the number parser, ID check, rules engine or issuing body throw anything but a ServiceError.
import t from 'tap'
import fc from 'fast-check'
import { isServiceError, type ErrorCode } from '../../src/errors.js'
import { formatCertificateNumber, parseCertificateNumber } from '../../src/certificates/certificate-number.js'
import { explainIdNumber, idCheckCharacter } from '../../src/certificates/id-number.js'
import { chooseRuleSet, evaluateHours, ruleSets, type DeclaredHours } from '../../src/certificates/hour-rules.js'
import { planIssuance, type IssueCertificateRequest } from '../../src/certificates/issuance-request.js'
import { findRegion } from '../../src/regions/region-table.js'
import type { Actor } from '../../src/actors/actor.js'
import { adminToken, build, issueBody, makeIdNumber } from '../helper.js'
import { loadPrintableCharacters } from '../../src/documents/index.js'

const today = new Date('2026-03-15T02:00:00Z')
const currentYear = 2026
const counties = ['440106', '440304', '410105', '510107', '110101', '441900']

/** Runs `f`; a thrown value must be a ServiceError with one of `codes`. */
function returnsOrRefuses<T> (f: () => T, codes: readonly ErrorCode[]): T | undefined {
  try {
    return f()
  } catch (error) {
    if (!isServiceError(error) || !codes.includes(error.code)) throw error
    return undefined
  }
}

// Any text, including lone surrogates, NUL, bidi controls and astral characters.
const anyText = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom(...'0123456789０１２３４５６７８９Xx-\u0000\u202e ') }))

t.test('the certificate number parser: a number or MALFORMED_CERTIFICATE_NUMBER, for any text', async t => {
  fc.assert(fc.property(anyText, input => {
    const parsed = returnsOrRefuses(() => parseCertificateNumber(input, currentYear), ['MALFORMED_CERTIFICATE_NUMBER'])
    if (parsed !== undefined) return parsed.number === input && /^\d{14}$/.test(input) && parsed.sequence >= 1
    return true
  }), { numRuns: 5000 })
  fc.assert(fc.property(fc.stringMatching(/^\d{14}$/), input => {
    returnsOrRefuses(() => parseCertificateNumber(input, currentYear), ['MALFORMED_CERTIFICATE_NUMBER'])
  }), { numRuns: 5000 })
  fc.assert(fc.property(fc.constantFrom(...counties), fc.integer({ min: 2000, max: currentYear }), fc.integer({ min: 1, max: 999_999 }), (region, year, sequence) => {
    const parsed = parseCertificateNumber(formatCertificateNumber(region, year, sequence), currentYear)
    return parsed.region.code === region && parsed.year === year && parsed.sequence === sequence
  }), { numRuns: 2000 })
  t.pass('5,000 texts, 5,000 digit strings and 2,000 round trips')
})

t.test('the ID number check: a reason or null, never an exception; every valid number passes and every wrong check digit fails', async t => {
  fc.assert(fc.property(anyText, input => {
    const reason = explainIdNumber(input, today)
    return reason === null || typeof reason === 'string'
  }), { numRuns: 5000 })
  const birth = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2026-03-14T00:00:00Z'), noInvalidDate: true }).map(d => d.toISOString().slice(0, 10).replace(/-/g, ''))
  fc.assert(fc.property(fc.constantFrom(...counties), birth, fc.integer({ min: 0, max: 999 }), fc.constantFrom(...'0123456789X'), (region, date, serial, wrong) => {
    const first17 = `${region}${date}${String(serial).padStart(3, '0')}`
    const right = idCheckCharacter(first17)
    if (explainIdNumber(first17 + right, today) !== null) return false
    return wrong === right || explainIdNumber(first17 + wrong, today) !== null
  }), { numRuns: 3000 })
  t.pass('5,000 texts and 3,000 generated numbers')
})

t.test('the rules engine: every rule set and any amounts give an evaluation or VALIDATION_FAILED, and "met" means met', async t => {
  const amount = fc.oneof(fc.double(), fc.integer({ min: -5, max: 2000 }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY))
  const hours = fc.record({
    public: amount, professional: amount, elective: amount,
    selfStudy: fc.option(amount, { nil: undefined }), publications: fc.option(amount, { nil: undefined }),
    achievement: fc.option(fc.oneof(fc.constantFrom('lead', 'contributor'), fc.string()), { nil: undefined }),
  }) as fc.Arbitrary<DeclaredHours>
  fc.assert(fc.property(fc.constantFrom(...Object.values(ruleSets)), hours, (ruleSet, declared) => {
    const evaluation = returnsOrRefuses(() => evaluateHours(ruleSet, declared), ['VALIDATION_FAILED'])
    if (evaluation === undefined || evaluation.shortfalls.length > 0) return true
    const { credited } = evaluation
    return Number.isFinite(credited.total) && credited.total >= ruleSet.total &&
      Object.entries(ruleSet.minimums).every(([category, minimum]) => credited[category as 'public'] >= minimum)
  }), { numRuns: 10_000 })
  fc.assert(fc.property(fc.option(anyText, { nil: undefined }), fc.option(anyText, { nil: undefined }), anyText, (ruleSet, series, regionCode) => {
    returnsOrRefuses(() => chooseRuleSet({ ruleSet, series, regionCode }), ['UNKNOWN_RULE_SET'])
  }), { numRuns: 5000 })
  t.pass('10,000 evaluations and 5,000 rule-set choices')
})

t.test('an issuing body of any content: a plan or a ServiceError, for every kind of account', async t => {
  const actors: Actor[] = [
    { issuerId: 1, name: '天河区人社局', kind: 'authority', region: findRegion('440106')!, via: 'api-key' },
    { issuerId: 2, name: '广东省人社厅', kind: 'authority', region: findRegion('440000')!, via: 'api-key' },
    { issuerId: 3, name: '甲公司', kind: 'employer', region: findRegion('440106')!, via: 'api-key' },
    { issuerId: 4, name: '评审委员会', kind: 'verifier', region: findRegion('440000')!, via: 'api-key' },
  ]
  const body = fc.record({
    holder: fc.record({ name: anyText, idNumber: fc.oneof(anyText, fc.stringMatching(/^\d{17}[\dX]$/)) }),
    employer: fc.record({ name: anyText }),
    year: fc.oneof(fc.integer({ min: 1990, max: 2110 }), fc.double()),
    hours: fc.record({ public: fc.double(), professional: fc.double(), elective: fc.double() }),
    regionCode: fc.option(fc.oneof(anyText, fc.constantFrom(...counties, '440100', '440000')), { nil: undefined }),
    series: fc.option(anyText, { nil: undefined }),
    ruleSet: fc.option(anyText, { nil: undefined }),
  }) as fc.Arbitrary<IssueCertificateRequest>
  const codes: ErrorCode[] = ['VALIDATION_FAILED', 'INVALID_ID_NUMBER', 'INVALID_YEAR', 'FORBIDDEN_ROLE', 'UNKNOWN_REGION', 'OUT_OF_SCOPE', 'UNKNOWN_RULE_SET', 'HOURS_REQUIREMENT_NOT_MET', 'UNRENDERABLE_CHARACTER']
  const secret = Buffer.alloc(32, 7)
  const printable = await loadPrintableCharacters()
  fc.assert(fc.property(fc.constantFrom(...actors), body, (actor, request) => {
    const plan = returnsOrRefuses(() => planIssuance(actor, request, { now: today, holderIdSecret: secret, printable }), codes)
    return plan === undefined || (/^[0-9a-f]{64}$/.test(plan.holderIdHmac) && plan.holderName.length > 0)
  }), { numRuns: 5000 })
  t.pass('5,000 bodies')
})

t.test('over HTTP, any JSON body to POST /v1/certificates gets 201 or a 4xx, never a 5xx', async t => {
  const { app, createIssuer } = await build(t, { clock: () => today })
  const { apiKey } = await createIssuer('authority', '440106')
  const valid = issueBody()
  // Mostly near-valid bodies with one part replaced by anything JSON can carry.
  const mutated = fc.oneof(
    fc.jsonValue(),
    fc.record({ holder: fc.jsonValue(), employer: fc.constant(valid.employer), year: fc.constant(2025), hours: fc.constant(valid.hours) }),
    fc.record({ holder: fc.record({ name: fc.string({ unit: 'binary' }), idNumber: fc.string({ unit: 'binary' }) }), employer: fc.record({ name: fc.string({ unit: 'binary' }) }), year: fc.jsonValue(), hours: fc.constant(valid.hours) }),
    fc.record({ holder: fc.constant(valid.holder), employer: fc.constant(valid.employer), year: fc.constant(2025), hours: fc.dictionary(fc.constantFrom('public', 'professional', 'elective', 'selfStudy', 'achievement', 'x'), fc.jsonValue()) }),
    // Plausible bodies (half of all): real names, valid ID numbers, hours around the requirement, regions in and out of scope.
    { weight: 4, arbitrary: fc.record({
      holder: fc.record({ name: fc.constantFrom('张三', '欧阳娜娜', '买买提·艾力', '𠮷田', 'Anne-Marie Dupont'), idNumber: fc.integer({ min: 0, max: 49_999 }).map(i => makeIdNumber('440106', `19${50 + Math.floor(i / 1000)}0101`, i % 1000)) }),
      employer: fc.record({ name: fc.constantFrom('甲公司', "O'Brien & Co."), }),
      year: fc.integer({ min: 2020, max: 2026 }),
      hours: fc.record({ public: fc.integer({ min: 0, max: 80 }).map(h => h / 2 + 10), professional: fc.integer({ min: 0, max: 100 }).map(h => h / 2 + 20), elective: fc.integer({ min: 0, max: 40 }) }),
      regionCode: fc.constantFrom('440106', '440106', '440104', '440100', '999999'),
      series: fc.constantFrom('engineering', ' ', '会计'),
    }, { requiredKeys: ['holder', 'employer', 'year', 'hours'] }) },
  )
  const statuses = new Map<number, number>()
  await fc.assert(fc.asyncProperty(mutated, async value => {
    const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, payload: JSON.stringify(value) })
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
    return response.statusCode < 500 && (response.statusCode === 201 || typeof response.json().code === 'string')
  }), { numRuns: 300 })
  t.ok([...statuses.keys()].every(s => s < 500), `statuses: ${JSON.stringify(Object.fromEntries(statuses))}`)
  t.ok(statuses.has(201) && statuses.has(400), 'both issued and refused bodies were tried')
})

t.test('over HTTP, any id, cursor or time in a path or query gets an answer or a 4xx, never a 5xx', async t => {
  const { app, createIssuer } = await build(t, { clock: () => today })
  const county = await createIssuer('authority', '440106')
  const auth = { authorization: `Bearer ${county.apiKey}` }
  const admin = { authorization: `Bearer ${adminToken}` }
  const year = fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1999, 2000, 2100, 2101))
  const pad = (n: number, width: number) => String(n).padStart(width, '0')
  // RFC 3339 look-alikes around every edge: leap seconds, day 31 of short months, odd offsets, years no database reads alike.
  const time = fc.tuple(year, fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 24 }), fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 61 }),
    fc.constantFrom('Z', '+08:00', '-23:59', '+14:00', '+15:00', '', 'z', '+0800'))
    .map(([y, m, d, h, min, s, zone]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(min, 2)}:${pad(s, 2)}${zone}`)
  const integer = fc.oneof(fc.integer(), fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String), fc.constantFrom('1e21', '0x10', '-0', '2147483648', '9223372036854775808', ' 1', '1.5'))
  const request = fc.oneof(
    integer.map(id => ({ url: `/v1/batches/${encodeURIComponent(String(id))}`, headers: auth })),
    integer.map(id => ({ url: `/v1/batches/${encodeURIComponent(String(id))}/pdfs`, headers: auth })),
    fc.tuple(integer, integer).map(([id, key]) => ({ method: 'DELETE' as const, url: `/v1/admin/issuers/${encodeURIComponent(String(id))}/keys/${encodeURIComponent(String(key))}`, headers: admin })),
    integer.map(after => ({ url: `/v1/audit?after=${encodeURIComponent(String(after))}`, headers: auth })),
    fc.tuple(time, time).map(([from, to]) => ({ url: `/v1/audit?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, headers: auth })),
    time.map(expiresAt => ({ method: 'POST' as const, url: '/v1/admin/issuers/1/keys', headers: admin, payload: { expiresAt } })),
  )
  const statuses = new Map<number, number>()
  await fc.assert(fc.asyncProperty(request, async options => {
    const response = await app.inject(options)
    statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
    return response.statusCode < 500 && (response.statusCode < 400 || typeof response.json().code === 'string')
  }), { numRuns: 400 })
  t.ok([...statuses.keys()].every(s => s < 500), `statuses: ${JSON.stringify(Object.fromEntries(statuses))}`)
})
