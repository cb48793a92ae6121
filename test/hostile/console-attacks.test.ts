// The console's routes tried as an attacker would: guessing a verification report's code, stalling the service
// with a report's PDF, reading report codes out of the log, and the holder's download as a name or ID oracle.
import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'

const logLines: string[] = []
const built = await build(t, {
  env: { RATE_LIMIT_NAME_CHECKS_PER_HOUR: '20', LOG_LEVEL: 'info' },
  logStream: { write: line => { logLines.push(line) } },
})
const { app } = built
const county = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
const verifier = await built.createIssuer('verifier', '440000', '广东省工程系列高级职称评审委员会')
const as = (who: { apiKey: string }) => ({ authorization: `Bearer ${who.apiKey}` })
let serial = 0
let address = 0
const nextAddress = () => `198.51.100.${++address}`

async function issue (name: string) {
  const idNumber = makeIdNumber('440106', '19800101', ++serial)
  const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: as(county), payload: issueBody({ holder: { name, idNumber } }) })
  if (response.statusCode !== 201) throw new Error(response.body)
  return { number: response.json().number as string, idNumber }
}

async function makeReport (rows: Array<{ number: string, name?: string }>) {
  const made = await app.inject({ method: 'POST', url: '/v1/verification-reports', headers: as(verifier), payload: { rows } })
  if (made.statusCode !== 201) throw new Error(made.body)
  return made.json() as { number: string, code: string, links: { pdf: string } }
}

t.test('a report\'s code cannot be guessed from one address: wrong codes count against the address\'s hourly limit', async t => {
  const { number } = await issue('吴静')
  const report = await makeReport([{ number }])
  const guesser = nextAddress()
  const confirm = (code: string, remoteAddress: string) => app.inject({ url: `/v1/verification-reports/${report.number}?code=${code}`, remoteAddress })
  for (let i = 0; i < 20; i++) t.equal((await confirm(`ZZZZ${String(i).padStart(2, '2').replace(/[01]/g, '2')}`, guesser)).statusCode, 404)
  const blocked = await confirm(report.code, guesser)
  t.equal(blocked.statusCode, 429, 'after 20 wrong codes not even the right one is confirmed to that address')
  t.equal(blocked.json().code, 'RATE_LIMITED')
  t.ok(Number(blocked.headers['retry-after']) > 0)
  t.equal((await confirm('ZZZZZZ', nextAddress())).statusCode, 404, 'another address still gets an answer')
  const reader = nextAddress()
  for (let i = 0; i < 25; i++) t.equal((await confirm(report.code, reader)).statusCode, 200, 'right codes cost nothing')
})

t.test('a report\'s code never reaches the log', async t => {
  const { number } = await issue('钱进')
  const report = await makeReport([{ number }])
  logLines.length = 0
  t.equal((await app.inject({ url: `/v1/verification-reports/${report.number}?code=${report.code}`, remoteAddress: nextAddress() })).statusCode, 200)
  t.equal((await app.inject({ url: `/console/report?number=${report.number}&code=${report.code}`, remoteAddress: nextAddress() })).statusCode, 200)
  const logged = logLines.join('')
  t.match(logged, report.number, 'the request was logged')
  t.notMatch(logged, report.code, 'but not its code')
})

t.test('the holder\'s download is no name or ID oracle: a right ID with a wrong name answers as a wrong ID does, and both spend the one budget', async t => {
  const { number, idNumber } = await issue('郑小洁')
  const from = nextAddress()
  const download = (name: string, id: string) => app.inject({ method: 'POST', url: `/v1/certificates/${number}/holder-pdf`, payload: { name, idNumber: id }, remoteAddress: from })
  const shape = (r: { statusCode: number, headers: Record<string, unknown>, json (): Record<string, unknown> }) =>
    ({ status: r.statusCode, length: r.headers['content-length'], body: { ...r.json(), requestId: undefined } })
  const rightIdWrongName = await download('郑大洁', idNumber)
  const wrongIdRightName = await download('郑小洁', makeIdNumber('440106', '19800101', 998))
  const bothWrong = await download('郑大洁', makeIdNumber('440106', '19800101', 997))
  t.same(shape(rightIdWrongName), shape(wrongIdRightName))
  t.same(shape(rightIdWrongName), shape(bothWrong))
  t.notMatch(rightIdWrongName.body, '郑小洁')
  for (let i = 0; i < 7; i++) await app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent(`郑${i}洁`)}`, remoteAddress: nextAddress() })
  t.equal((await app.inject({ url: `/v1/certificates/${number}?name=${encodeURIComponent('郑小洁')}`, remoteAddress: nextAddress() })).json().code, 'NAME_CHECK_LIMITED',
    '3 wrong downloads and 7 wrong names spend the 10: the lookup confirms nothing more')
  t.equal((await app.inject({ method: 'POST', url: '/v1/verify/batch', headers: as(verifier), payload: { rows: [{ number, name: '郑小洁' }] } })).json().rows[0].verdict, 'name-unchecked', 'nor does bulk verification')
  t.equal((await makeReport([{ number, name: '郑小洁' }]) as unknown as { rows: Array<{ verdict: string }> }).rows[0]!.verdict, 'name-unchecked', 'nor a signed report')
  t.equal((await download('郑小洁', idNumber)).json().code, 'NAME_CHECK_LIMITED', 'nor the download itself')
})

t.test('a large report\'s PDF is drawn off the event loop: other requests are answered meanwhile', async t => {
  const rows = Array.from({ length: 1500 }, (_, i) => ({ number: `440106250${String(i + 1).padStart(5, '0')}` }))
  const report = await makeReport(rows)
  let worst = 0
  let last = performance.now()
  const timer = setInterval(() => { const now = performance.now(); worst = Math.max(worst, now - last); last = now }, 5)
  const pdf = await app.inject({ url: report.links.pdf, headers: as(verifier) })
  clearInterval(timer)
  t.equal(pdf.statusCode, 200)
  t.equal(pdf.rawPayload.subarray(0, 5).toString(), '%PDF-')
  t.ok(worst < 400, `the event loop stalled at most ${Math.round(worst)} ms (a 1,500-row report on the loop stalls it ~1 s)`)
})

t.test('every change the console\'s new routes make with a session needs its CSRF token; a cookie alone does nothing', async t => {
  const clerk = await built.signInNewUser(county.id, 'clerk')
  const committee = await built.signInNewUser(verifier.id, 'clerk')
  const { number } = await issue('冯涛')
  const before = await built.database.db.selectFrom('verification_reports').select(eb => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  const calls: Array<[string, { cookie: string }, object]> = [
    ['/v1/certificates/check', clerk.headers, { hours: { public: 1, professional: 1, elective: 1 } }],
    ['/v1/certificates/search', clerk.headers, { number }],
    ['/v1/verification-reports', committee.headers, { rows: [{ number, name: '冯海' }] }],
  ]
  for (const [url, headers, payload] of calls) {
    const refused = await app.inject({ method: 'POST', url, headers: { cookie: headers.cookie }, payload })
    t.equal(refused.json().code, 'CSRF_TOKEN_INVALID', `${url} without the token`)
    const wrong = await app.inject({ method: 'POST', url, headers: { cookie: headers.cookie, 'x-csrf-token': clerk.csrfToken === committee.csrfToken ? 'x' : (headers === clerk.headers ? committee.csrfToken : clerk.csrfToken) }, payload })
    t.equal(wrong.json().code, 'CSRF_TOKEN_INVALID', `${url} with another session's token`)
  }
  const after = await built.database.db.selectFrom('verification_reports').select(eb => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  t.same(after, before, 'no report was made')
  const budgets = await built.database.db.selectFrom('failure_budgets').selectAll().where('subject', '=', `certificate:${number}`).execute()
  t.same(budgets, [], 'and no name was counted')
  t.equal((await app.inject({ method: 'POST', url: '/v1/certificates/search', headers: clerk.headers, payload: { number } })).json().certificates.length, 1, 'with the token it works')
})

t.test('names of organisations and people are escaped in every console page', async t => {
  const hostile = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
  const org = await built.createIssuer('authority', '440100', '广州市人力资源和社会保障局')
  await built.database.db.updateTable('issuers').set({ name: hostile }).where('id', '=', org.id).execute()
  const admin = await built.signInNewUser(org.id, 'admin')
  await built.database.db.updateTable('users').set({ display_name: hostile }).where('id', '=', admin.userId).execute()
  for (const screen of ['', '/issue', '/certificates', '/register', '/people', '/audit', '/seal', '/password', '/verify', '/no-such', '/download', '/report']) {
    const page = await app.inject({ url: `/console${screen}`, headers: { cookie: admin.cookie } })
    t.notMatch(page.body, '<script>alert', `/console${screen}: no script of a name`)
    t.notMatch(page.body, '<img src=x', `/console${screen}: no element of a name`)
  }
  t.match((await app.inject({ url: '/console', headers: { cookie: admin.cookie } })).body, '&lt;script&gt;alert(1)&lt;/script&gt;', 'the names are shown, escaped')
  const page = await app.inject({ url: '/console/report?number=%22%3E%3Cscript%3Ealert(3)%3C/script%3E&code=%3Cimg%3E' })
  t.notMatch(page.body, '<script>alert(3)', 'the report page does not echo its query')
})

t.test('an ID number put in the list\'s number column is not kept in, or shown by, the public verification report', async t => {
  const { number } = await issue('韩梅')
  const idNumber = makeIdNumber('440106', '19790203', 321)
  const made = await app.inject({ method: 'POST', url: '/v1/verification-reports', headers: as(verifier), payload: { rows: [{ number, name: '韩梅' }, { number: idNumber, name: '韩梅' }, { number: ` ${idNumber.slice(0, 9)}-${idNumber.slice(9)} ` }] } })
  t.equal(made.statusCode, 201)
  t.notMatch(made.body, idNumber.slice(0, 9), 'not in the answer')
  const report = made.json()
  t.same(report.rows.map((r: { verdict: string }) => r.verdict), ['valid', 'malformed', 'malformed'])
  const confirmed = await app.inject({ url: `/v1/verification-reports/${report.number}?code=${report.code}`, remoteAddress: nextAddress() })
  t.equal(confirmed.statusCode, 200)
  t.notMatch(confirmed.body, idNumber.slice(0, 9), 'not shown to whoever holds the code')
  t.equal(confirmed.json().rows[0].number, number, 'a certificate number is shown')
  const stored = await built.database.db.selectFrom('verification_reports').select('report').execute()
  t.notMatch(JSON.stringify(stored), idNumber.slice(0, 9), 'not stored')
})

t.test('the 管理员 of one organisation cannot touch another\'s people or keys by their ids; a 经办人 touches none', async t => {
  const other = await built.createIssuer('employer', '440106', '广州天河另一家公司')
  const otherAdmin = await built.signInNewUser(other.id, 'admin')
  const victim = await built.signInNewUser(other.id, 'clerk')
  const keys = await app.inject({ url: '/v1/issuers/me/keys', headers: otherAdmin.headers })
  const victimKey = (keys.json() as Array<{ keyId: number }>)[0]!.keyId
  const admin = await built.signInNewUser(county.id, 'admin')
  const clerk = await built.signInNewUser(county.id, 'clerk')
  const tries = (who: typeof admin) => [
    app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${victim.userId}`, headers: who.headers, payload: { disabled: true } }),
    app.inject({ method: 'POST', url: `/v1/issuers/me/users/${victim.userId}/password-reset`, headers: who.headers }),
    app.inject({ method: 'DELETE', url: `/v1/issuers/me/keys/${victimKey}`, headers: who.headers }),
  ]
  for (const answer of await Promise.all(tries(admin))) t.equal(answer.statusCode, 404, `another organisation's id is not found: ${answer.json().code}`)
  for (const answer of await Promise.all(tries(clerk))) t.equal(answer.json().code, 'FORBIDDEN_ROLE', 'a clerk does no admin work')
  t.equal((await app.inject({ method: 'POST', url: '/v1/certificates/search', headers: as(other), payload: { number: (await issue('林木')).number } })).json().certificates.length, 0, 'an employer does not find another\'s certificates')
  t.equal((await app.inject({ method: 'POST', url: '/v1/certificates/search', headers: as(verifier), payload: { name: '林木' } })).json().code, 'FORBIDDEN_ROLE', 'a committee reads no register')
  t.equal((await app.inject({ method: 'GET', url: '/v1/verification-reports/HY2026000001/pdf', headers: as(county) })).json().code, 'REPORT_NOT_FOUND', 'nor another\'s report PDF')
  const still = await app.inject({ method: 'POST', url: '/v1/certificates/search', headers: victim.headers, payload: { name: '无此人' } })
  t.equal(still.statusCode, 200, 'the other organisation\'s clerk is still signed in and enabled')
})

t.test('a console form sent before its script runs puts no password, name or ID number in a URL or the log', async t => {
  const admin = await built.signInNewUser(county.id, 'admin')
  for (const screen of ['/sign-in', '/download', '/report', '/issue', '/batch', '/certificates', '/verify', '/register', '/people', '/audit', '/seal', '/password']) {
    const page = await app.inject({ url: `/console${screen}`, headers: screen === '/sign-in' || screen === '/download' || screen === '/report' ? {} : { cookie: admin.cookie } })
    const forms = page.body.match(/<form\b[^>]*>/g) ?? []
    t.ok(forms.length > 0, `/console${screen} has a form`)
    for (const form of forms) t.match(form, /method="(post|dialog)"/, `/console${screen}: ${form} is never sent as a GET (the browser's default, into the address bar, history and log)`)
  }
  const idNumber = makeIdNumber('440106', '19700101', 555)
  logLines.length = 0
  await app.inject({ url: `/console/download?number=44010625000001&name=${encodeURIComponent('郑小洁')}&idNumber=${idNumber}`, remoteAddress: nextAddress() })
  await app.inject({ url: '/console/sign-in?username=chen.jing&password=Secret-Pass-123', remoteAddress: nextAddress() })
  await app.inject({ url: '/console/password?currentPassword=Old-Pass-456&newPassword=New-Pass-789', remoteAddress: nextAddress() })
  const logged = logLines.join('')
  t.match(logged, '/console/download', 'the requests were logged')
  for (const secret of [idNumber, 'Secret-Pass-123', 'Old-Pass-456', 'New-Pass-789']) t.notMatch(logged, secret, `the log does not keep ${secret.slice(0, 3)}…`)
})
