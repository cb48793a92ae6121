// The masked name must not become the full name: every way of checking a name shares one budget per certificate.
import t from 'tap'
import { adminToken, build, issueBody, makeIdNumber, type TestApp } from '../helper.js'

const start = new Date('2026-03-02T08:00:00Z')
let now = start
const hours = (h: number) => new Date(start.getTime() + h * 3_600_000)

async function withHolders (t: Parameters<typeof build>[0], env: Record<string, string> = {}, database?: TestApp['database']) {
  const built = await build(t, { clock: () => now, env, ...(database === undefined ? {} : { database }) })
  const county = await built.createIssuer('authority', '440106', '天河区人社局')
  const issue = async (serial: number, name: string) => {
    const response = await built.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${county.apiKey}` }, payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', serial) } }, serial) })
    if (response.statusCode !== 201) throw new Error(response.body)
    return response.json().number as string
  }
  return { ...built, county, issue }
}

let client = 0
/** Each request from an address of its own: the budget is the certificate's, not the address's. */
const fresh = () => `198.18.${Math.floor(++client / 250)}.${1 + client % 250}`
const lookup = (app: TestApp['app'], number: string, name: string, method: 'GET' | 'HEAD' = 'GET') =>
  app.inject({ method, url: `/v1/certificates/${number}?name=${encodeURIComponent(name)}`, remoteAddress: fresh() })
const page = (app: TestApp['app'], number: string, name: string) => app.inject({ url: `/v/${number}?name=${encodeURIComponent(name)}`, remoteAddress: fresh() })

t.test('10 wrong names from ten addresses over both routes spend the budget; then no name is checked, the right one neither', async t => {
  now = start
  const { app, issue } = await withHolders(t)
  const number = await issue(1, '张小三')
  const other = await issue(2, '李小四')
  const guesses = ['张大三', '张一三', '张二三', '张四三', '张五三', '张六三', '张七三', '张八三', '张九三', '张十三']
  for (const [i, guess] of guesses.entries()) {
    const response = i % 2 === 0 ? await lookup(app, number, guess) : await page(app, number, guess)
    t.equal(response.statusCode, 200, `guess ${i + 1} is answered`)
    if (i % 2 === 0) t.equal(response.json().nameMatches, false)
  }
  const right = await lookup(app, number, '张小三')
  t.equal(right.statusCode, 429, 'the 11th check, with the right name, is refused')
  t.equal(right.json().code, 'NAME_CHECK_LIMITED')
  t.match(right.json().messageZh, /24 小时内已被核对错误姓名 10 次/)
  t.equal(Number(right.headers['retry-after']), 24 * 3600, 'Retry-After: until the oldest wrong name is a day old')
  t.equal(right.json().nameMatches, undefined, 'nothing says whether it matched')
  const rightOnPage = await page(app, number, '张小三')
  t.equal(rightOnPage.statusCode, 429, 'the page shares the budget')
  t.match(rightOnPage.headers['content-type'], /text\/html/)
  t.notOk(/name-check-(match|mismatch)/.test(rightOnPage.body), 'and confirms nothing')
  t.equal((await app.inject({ url: `/v1/certificates/${number}`, remoteAddress: fresh() })).statusCode, 200, 'a lookup without a name goes on')
  t.equal((await app.inject({ url: `/v/${number}`, remoteAddress: fresh() })).statusCode, 200, 'and so does the page')
  t.equal((await lookup(app, other, '李小四')).json().nameMatches, true, 'another certificate has its own budget')

  now = hours(23.9)
  t.equal((await lookup(app, number, '张小三')).statusCode, 429, 'still refused just before the day is over')
  now = hours(24.01)
  const later = await lookup(app, number, '张小三')
  t.equal(later.statusCode, 200, 'once the first wrong names are a day old, names are checked again')
  t.equal(later.json().nameMatches, true)
})

t.test('right names do not spend the budget; wrong ones are counted exactly even when sent all at once', async t => {
  now = start
  const { app, issue } = await withHolders(t)
  const number = await issue(3, '欧阳娜娜')
  for (let i = 0; i < 30; i++) t.equal((await lookup(app, number, '欧阳娜娜')).json().nameMatches, true)
  const burst = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? lookup(app, number, `欧阳${i}娜`) : page(app, number, `欧阳${i}娜`))))
  t.equal(burst.filter(r => r.statusCode === 200).length, 10, 'of 60 simultaneous wrong guesses only 10 were answered')
  t.equal(burst.filter(r => r.statusCode === 429).length, 50)
})

t.test('HEAD never answers a name check, so its Content-Length cannot tell a match from a miss', async t => {
  now = start
  const { app, issue } = await withHolders(t)
  const number = await issue(4, '王五')
  for (const name of ['王五', '王六']) {
    for (const url of [`/v1/certificates/${number}?name=${encodeURIComponent(name)}`, `/v/${number}?name=${encodeURIComponent(name)}`]) {
      const head = await app.inject({ method: 'HEAD', url, remoteAddress: fresh() })
      t.equal(head.statusCode, 405, `HEAD ${url.split('?')[0]} with a name is refused`)
    }
  }
  const get = await lookup(app, number, '王五')
  t.equal(get.json().nameMatches, true, 'and spent nothing: GET still checks')
  const encoded = await app.inject({ url: `/v1/certificates/${number}?%6Eame=${encodeURIComponent('王六')}`, remoteAddress: fresh() })
  t.equal(encoded.json().nameMatches, false, 'a percent-encoded "name" is a name check like any other, and counted')
})

t.test('two instances on one database share the budget', async t => {
  now = start
  const first = await withHolders(t)
  const second = await build(t, { clock: () => now, database: first.database })
  const number = await first.issue(5, '赵六')
  for (let i = 0; i < 10; i++) t.equal((await lookup(i % 2 === 0 ? first.app : second.app, number, `赵${i}`)).statusCode, 200)
  t.equal((await lookup(second.app, number, '赵六')).statusCode, 429)
  t.equal((await lookup(first.app, number, '赵六')).statusCode, 429)
})

t.test('an address may check only RATE_LIMIT_NAME_CHECKS_PER_HOUR names, on any route; lookups without a name go on', async t => {
  now = start
  const { app, issue } = await withHolders(t, { RATE_LIMIT_NAME_CHECKS_PER_HOUR: '3' })
  const number = await issue(6, '孙七')
  const remoteAddress = '198.19.0.7'
  const checks = [
    await app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent('孙七')}`, remoteAddress }),
    await app.inject({ url: `/v/${number}?name=${encodeURIComponent('孙八')}`, remoteAddress }),
    await app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent('孙九')}`, remoteAddress }),
    await app.inject({ url: `/v/${number}?name=${encodeURIComponent('孙七')}`, remoteAddress }),
    await app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent('孙七')}`, remoteAddress }),
  ]
  t.same(checks.map(r => r.statusCode), [200, 200, 200, 429, 429])
  t.equal(checks[4]!.json().code, 'RATE_LIMITED')
  t.ok(Number(checks[4]!.headers['retry-after']) > 3000, 'come back within the hour')
  t.equal((await app.inject({ url: `/v1/certificates/${number}`, remoteAddress })).statusCode, 200, 'the number alone is still looked up')
  t.equal((await lookup(app, number, '孙七')).json().nameMatches, true, 'another address may check')
})

t.test('bulk verification is no oracle: one name per number per request, the same budget, a daily budget per account, all audited', async t => {
  now = start
  const { app, issue, createIssuer } = await withHolders(t, { NAME_CHECK_MISMATCHES_PER_ACCOUNT_PER_DAY: '15' })
  const committee = await createIssuer('verifier', '440000', '评审委员会')
  const province = await createIssuer('authority', '440000', '广东省人社厅')
  const bulk = (rows: unknown[], key = committee.apiKey) => app.inject({ method: 'POST', url: '/v1/verify/batch', headers: { authorization: `Bearer ${key}` }, payload: { rows } })
  const target = await issue(7, '张小三')

  // 10,000 names for one number in one request: only the first is compared.
  const flood = await bulk([...Array.from({ length: 9_999 }, (_, i) => ({ number: target, name: `张${String.fromCharCode(0x4e00 + i)}三` })), { number: target, name: '张小三' }])
  t.equal(flood.statusCode, 200)
  t.match(flood.json().summary.verdicts, { 'name-mismatch': 1, duplicate: 9_999 })
  t.equal(flood.json().rows.at(-1).verdict, 'duplicate', 'the right name at the end is not compared')
  t.notOk(flood.json().rows.slice(1).some((r: { nameMatches?: boolean }) => 'nameMatches' in r))

  // Nine more wrong names, one per request: the certificate's budget is spent for bulk and public alike.
  for (let i = 0; i < 9; i++) t.equal((await bulk([{ number: target, name: `张${i}三` }])).json().rows[0].verdict, 'name-mismatch')
  const spent = await bulk([{ number: target, name: '张小三' }], province.apiKey)
  t.match(spent.json().rows[0], { verdict: 'name-unchecked', reasonZh: /该证书 24 小时内姓名核对错误已达 10 次/, certificate: { status: 'valid' } })
  t.notOk('nameMatches' in spent.json().rows[0], 'another account cannot confirm the right name either')
  t.equal((await lookup(app, target, '张小三')).json().code, 'NAME_CHECK_LIMITED', 'nor the public lookup')

  // The account's own budget: 15 wrong names a day (10 spent above). A request that crosses it is told nothing.
  const holders = await Promise.all(Array.from({ length: 7 }, (_, i) => issue(20 + i, `持证人${'甲乙丙丁戊己庚'[i]}`)))
  const crossing = await bulk([...holders.slice(0, 6).map(number => ({ number, name: '冒名者' })), { number: holders[6], name: '持证人庚' }])
  t.same(crossing.json().rows.map((r: { verdict: string }) => r.verdict), new Array(7).fill('name-unchecked'), 'six wrong names cross the budget: no name of the request is reported')
  t.match(crossing.json().rows[6].reasonZh, /超过 15 个/)
  const after = await bulk([{ number: holders[6], name: '持证人庚' }])
  t.equal(after.json().rows[0].verdict, 'name-unchecked', 'and then no name is compared for the account')
  t.equal((await bulk([{ number: holders[6] }])).json().rows[0].verdict, 'valid', 'numbers alone are still verified')
  t.equal((await bulk([{ number: holders[6], name: '持证人庚' }], province.apiKey)).json().rows[0].verdict, 'valid', 'another account has its own budget')

  const audit = await app.inject({ url: '/v1/audit?regionCode=440000&action=verification.batch&limit=1000', headers: { authorization: `Bearer ${province.apiKey}` } })
  t.equal(audit.statusCode, 200, audit.body.slice(0, 300))
  const events = audit.json().events as Array<{ actor: { issuerId?: number }, details: { rows: number, numbers: string[], mismatches: number, withheld: boolean } }>
  t.equal(events.length, 15, 'every bulk verification is in the audit trail')
  t.match(events[0], { actor: { issuerId: committee.id }, details: { rows: 10_000, numbers: [target], mismatches: 1, withheld: false } })
  t.match(events.find(e => e.details.withheld), { details: { rows: 7, mismatches: 6, withheld: true } })
  void adminToken
})
