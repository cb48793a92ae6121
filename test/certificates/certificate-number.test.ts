import t from 'tap'
import { ServiceError } from '../../src/errors.js'
import { explainCertificateNumber, formatCertificateNumber, parseCertificateNumber } from '../../src/certificates/certificate-number.js'

t.test('the 201st certificate of 天河区 in 2025 is 44010625000201', async t => {
  t.equal(formatCertificateNumber('440106', 2025, 201), '44010625000201')
  t.equal(formatCertificateNumber('440106', 2025, 1), '44010625000001')
  t.equal(formatCertificateNumber('440000', 2009, 999_999), '44000009999999')
})

t.test('formatting refuses values that cannot form a number', async t => {
  t.throws(() => formatCertificateNumber('44010', 2025, 1), RangeError)
  t.throws(() => formatCertificateNumber('440106', 1999, 1), RangeError)
  t.throws(() => formatCertificateNumber('440106', 2025, 0), RangeError)
  t.throws(() => formatCertificateNumber('440106', 2025, 1_000_000), RangeError)
})

t.test('parsing gives region, year and sequence', async t => {
  const parsed = parseCertificateNumber('44010625000201', 2026)
  t.equal(parsed.region.fullName, '广东省广州市天河区')
  t.equal(parsed.year, 2025)
  t.equal(parsed.sequence, 201)
})

t.test('each kind of malformed number gets its own reason', async t => {
  const cases: Array<[string, RegExp]> = [
    ['4401062500020', /14 digits; this has 13/],
    ['440106250002011', /14 digits; this has 15/],
    ['4401062500020X', /character 14 is 'X'/],
    ['４４０１０６２５０００２０１', /character 1 is '４'/],
    ['99999925000201', /not a GB\/T 2260 region code/],
    ['44010699000201', /year 2099, which has not come yet/],
    ['44010625000000', /starts at 000001/],
  ]
  for (const [input, reason] of cases) {
    t.match(explainCertificateNumber(input, 2026), reason, input)
    const error = t.throws(() => parseCertificateNumber(input, 2026)) as ServiceError
    t.equal(error.code, 'MALFORMED_CERTIFICATE_NUMBER', input)
  }
  t.equal(explainCertificateNumber('44010626000001', 2026), null, 'the current year is possible')
})
