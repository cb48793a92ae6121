import t from 'tap'
import { childRegions, findRegion } from '../../src/regions/region-table.js'
import { buildReportFixture } from './report-fixture.js'

const { app, accounts } = await buildReportFixture(t)
const get = (apiKey: string | undefined, url: string) =>
  app.inject({ url, headers: apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` } })
const hours = (n: number, extra: Partial<Record<'public' | 'professional' | 'elective', number>> = {}) => {
  const h = { public: 20 * n + (extra.public ?? 0), professional: 44 * n + (extra.professional ?? 0), elective: 12 * n + (extra.elective ?? 0) }
  return { ...h, selfStudy: 0, total: h.public + h.professional + h.elective }
}
// The employer's first certificate has 30/50/20 hours: 10/6/8 more than the standard 20/44/12.
const employerExtra = { public: 10, professional: 6, elective: 8 }

t.test('the province sees each of its cities, the certificates it numbered itself as 本级, and the total', async t => {
  const response = await get(accounts.province.apiKey, '/v1/stats?regionCode=440000&year=2025')
  t.equal(response.statusCode, 200)
  const stats = response.json()
  t.match(stats, { regionCode: '440000', regionName: '广东省', year: 2025, scope: 'area' })
  t.same(stats.total, { issued: 10, revoked: 1, valid: 9, hours: hours(9, employerExtra) })
  const area = (code: string) => stats.areas.find((a: { code: string }) => a.code === code)
  t.same(area('440100'), { code: '440100', name: '广州市', level: 'city', issued: 8, revoked: 1, valid: 7, hours: hours(7, employerExtra) })
  t.same(area('440300'), { code: '440300', name: '深圳市', level: 'city', issued: 1, revoked: 0, valid: 1, hours: hours(1) })
  t.same(area('440000'), { code: '440000', name: '广东省（本级）', level: 'own', issued: 1, revoked: 0, valid: 1, hours: hours(1) })
  t.same(area('441900'), { code: '441900', name: '东莞市', level: 'county', issued: 0, revoked: 0, valid: 0, hours: hours(0) }, 'a city without counties is a child too')
  t.equal(stats.areas.length, childRegions(findRegion('440000')!).length + 1, 'every child area, and 本级')
})

t.test('a city sees each of its counties; a county sees its own figures', async t => {
  const city = (await get(accounts.guangzhou.apiKey, '/v1/stats?regionCode=440100&year=2025')).json()
  const area = (code: string) => city.areas.find((a: { code: string }) => a.code === code)
  t.match(area('440106'), { name: '天河区', level: 'county', issued: 5, revoked: 1, valid: 4, hours: hours(4, employerExtra) })
  t.match(area('440104'), { name: '越秀区', issued: 2, revoked: 0, valid: 2 })
  t.match(area('440100'), { level: 'own', issued: 1 })
  t.match(area('440113'), { name: '番禺区', issued: 0 })
  t.same(city.total, { issued: 8, revoked: 1, valid: 7, hours: hours(7, employerExtra) })

  const county = (await get(accounts.tianhe.apiKey, '/v1/stats?year=2025')).json()
  t.match(county, { regionCode: '440106', scope: 'area', areas: [] }, 'the caller\'s own area by default')
  t.same(county.total, { issued: 5, revoked: 1, valid: 4, hours: hours(4, employerExtra) })
})

t.test('an employer gets figures for its own certificates only', async t => {
  const own = (await get(accounts.employer.apiKey, '/v1/stats?year=2025')).json()
  t.match(own, { regionCode: '440106', scope: 'own' })
  t.same(own.total, { issued: 2, revoked: 0, valid: 2, hours: hours(2, employerExtra) })
  const province = (await get(accounts.employer.apiKey, '/v1/stats?regionCode=440000&year=2025')).json()
  t.match(province.areas.find((a: { code: string }) => a.code === '440100'), { issued: 2 })
  t.equal(province.total.issued, 2)
  const other = (await get(accounts.otherEmployer.apiKey, '/v1/stats?year=2025')).json()
  t.equal(other.total.issued, 0)
})

t.test('statistics outside the caller\'s scope are refused', async t => {
  const cases: Array<[string, string | undefined, string, number, string]> = [
    ['a county authority, its city', accounts.tianhe.apiKey, '440100', 403, 'OUT_OF_SCOPE'],
    ['a county authority, a neighbouring county', accounts.tianhe.apiKey, '440104', 403, 'OUT_OF_SCOPE'],
    ['a city authority, another city', accounts.guangzhou.apiKey, '440300', 403, 'OUT_OF_SCOPE'],
    ['a city authority, the province', accounts.guangzhou.apiKey, '440000', 403, 'OUT_OF_SCOPE'],
    ['the province authority, another province', accounts.province.apiKey, '510000', 403, 'OUT_OF_SCOPE'],
    ['an employer, another county', accounts.employer.apiKey, '440104', 403, 'OUT_OF_SCOPE'],
    ['a verifier', accounts.committee.apiKey, '440000', 403, 'FORBIDDEN_ROLE'],
    ['no API key', undefined, '440000', 401, 'AUTHENTICATION_REQUIRED'],
    ['an unknown region', accounts.province.apiKey, '440199', 400, 'UNKNOWN_REGION'],
    ['a region code that is not 6 digits', accounts.province.apiKey, '44', 400, 'VALIDATION_FAILED'],
  ]
  for (const [name, apiKey, region, status, code] of cases) {
    const response = await get(apiKey, `/v1/stats?regionCode=${region}&year=2025`)
    t.equal(response.statusCode, status, name)
    t.equal(response.json().code, code, name)
  }
})
