// One clock for people: the certificate year turns at midnight in China, and every date a person reads is China's.
import t from 'tap'
import { build, issueBody } from '../helper.js'
import { chinaDate, chinaDateTime, chinaDateZh, chinaYear } from '../../src/text/china-time.js'

t.test('the helpers read an instant in China Standard Time', async t => {
  const justAfterMidnight = new Date('2026-12-31T16:30:00Z')
  t.equal(chinaYear(justAfterMidnight), 2027)
  t.equal(chinaDate(justAfterMidnight), '2027-01-01')
  t.equal(chinaDateZh(justAfterMidnight), '2027年1月1日')
  t.equal(chinaDateTime(justAfterMidnight), '2027-01-01 00:30:00')
  t.equal(chinaDateTime('2026-06-30T23:59:59Z', 'minute'), '2026-07-01 07:59')
})

t.test('the certificate year turns at midnight in China, not in UTC', async t => {
  let now = new Date('2026-12-31T15:59:59Z')
  const { app, createIssuer } = await build(t, { clock: () => now })
  const employer = await createIssuer('employer', '440106', '甲公司')
  const issue = (year: number, serial: number) => app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${employer.apiKey}` }, payload: issueBody({ year }, serial) })
  const early = await issue(2027, 1)
  t.equal(early.statusCode, 400, '23:59:59 on 31 December in China: 2027 has not begun')
  t.equal(early.json().code, 'INVALID_YEAR')
  t.match(early.json().messageZh, /2026 年之间/)
  now = new Date('2026-12-31T16:00:00Z')
  const issued = await issue(2027, 2)
  t.equal(issued.statusCode, 201, 'midnight in China (16:00 UTC): the first certificate of 2027')
  t.equal(issued.json().number, '44010627000001')
})

t.test('a revocation a person reads is dated in China: the register, the CSV of a bulk verification, the check', async t => {
  let now = new Date('2026-03-01T10:00:00Z')
  const { app, createIssuer } = await build(t, { clock: () => now })
  const employer = await createIssuer('employer', '440106', '甲公司')
  const committee = await createIssuer('verifier', '440000', '评审委员会')
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${employer.apiKey}` }, payload: issueBody() })
  const { number, jws } = issued.json()
  now = new Date('2026-12-01T17:00:00Z') // 2026-12-02 01:00 in China
  t.equal((await app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: { authorization: `Bearer ${employer.apiKey}` }, payload: { reason: '重复发放' } })).statusCode, 200)

  const register = await app.inject({ url: '/v1/registers/440106/2025?format=csv', headers: { authorization: `Bearer ${employer.apiKey}` } })
  t.match(register.body, /2026-12-02/, 'the register')
  t.notMatch(register.body, /2026-12-01/)
  const csv = await app.inject({ method: 'POST', url: '/v1/verify/batch?format=csv', headers: { authorization: `Bearer ${committee.apiKey}` }, payload: { rows: [{ number }] } })
  t.match(csv.body, /撤销（2026-12-02）/, 'the bulk report\'s explanation')
  t.notMatch(csv.body, /2026-12-01/, 'and nowhere the UTC day')
  const checked = await app.inject({ method: 'POST', url: '/v1/verify', payload: { jws } })
  const status = checked.json().checks.find((c: { name: string }) => c.name === 'status')
  t.match(status.reasonZh, /已撤销（2026-12-02）/, 'the verification check')
})
