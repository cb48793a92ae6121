// Sessions the server can end: the cookie's attributes, idle and absolute ends, signing out here and everywhere,
// disabling and password changes ending every session, CSRF on every change, and the person in the audit trail.
import { createHash } from 'node:crypto'
import t from 'tap'
import { build, cookieOf, issueBody, signIn } from '../helper.js'
import { snapshotDatabase } from '../fixtures/database-snapshot.js'

t.test('the cookie is HttpOnly, SameSite=Strict, Secure behind HTTPS, and holds a random id the database keeps only hashed', async t => {
  const https = await build(t)
  const org = await https.createIssuer('employer', '440106', '甲公司')
  const person = await https.signInNewUser(org.id, 'clerk')
  const response = await https.app.inject({ method: 'POST', url: '/v1/session', payload: { username: person.username, password: person.password } })
  const header = String(response.headers['set-cookie'])
  t.match(header, /^ce_session=[A-Za-z0-9_-]{43}; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Strict$/, header)
  const id = cookieOf(response.headers['set-cookie']).split('=')[1]!
  const rows = await https.database.db.selectFrom('sessions').select(['id_hash', 'csrf_secret']).execute()
  t.ok(rows.some(r => r.id_hash === createHash('sha256').update(id).digest('base64url')), 'the table has the id\'s SHA-256')
  t.notOk(JSON.stringify(rows).includes(id), 'and never the id')
  t.equal(response.headers['cache-control'], 'no-store', 'the answer (with its CSRF token) is not cached')

  const plain = await build(t, { env: { PUBLIC_BASE_URL: 'http://127.0.0.1:3000' } })
  const other = await plain.createIssuer('employer', '440106', '乙公司')
  const local = await plain.signInNewUser(other.id, 'clerk')
  const overHttp = await plain.app.inject({ method: 'POST', url: '/v1/session', payload: { username: local.username, password: local.password } })
  t.notMatch(String(overHttp.headers['set-cookie']), /Secure/, 'over plain HTTP (a workstation) the cookie is not Secure, or the browser would drop it')
  const forwarded = await build(t, { env: { PUBLIC_BASE_URL: 'http://127.0.0.1:3000', TRUST_PROXY: '127.0.0.1' } })
  const third = await forwarded.createIssuer('employer', '440106', '丙公司')
  const proxied = await forwarded.signInNewUser(third.id, 'clerk')
  const behindProxy = await forwarded.app.inject({ method: 'POST', url: '/v1/session', headers: { 'x-forwarded-proto': 'https' }, payload: { username: proxied.username, password: proxied.password } })
  t.match(String(behindProxy.headers['set-cookie']), /; Secure;/, 'behind a trusted proxy that terminated HTTPS it is Secure')
})

t.test('a session ends after 30 minutes unused and 12 hours after sign-in, used or not', async t => {
  let now = new Date('2026-03-15T00:00:00Z')
  const { app, createIssuer, signInNewUser } = await build(t, { clock: () => now })
  const org = await createIssuer('employer', '440106', '甲公司')
  const person = await signInNewUser(org.id, 'clerk')
  const read = () => app.inject({ url: '/v1/session', headers: { cookie: person.cookie } })
  const minutes = (n: number) => { now = new Date(now.getTime() + n * 60_000) }

  minutes(29)
  t.equal((await read()).statusCode, 200, 'used after 29 minutes')
  t.equal((await read()).json().idleEndsAt, new Date(now.getTime() + 30 * 60_000).toISOString(), 'each use moves the idle end')
  minutes(29)
  t.equal((await read()).statusCode, 200, 'and 29 minutes after that')
  minutes(31)
  const idle = await read()
  t.equal(idle.statusCode, 401, 'ended after 31 minutes unused')
  t.equal(idle.json().code, 'SESSION_EXPIRED')
  t.equal(idle.json().messageZh, '登录已失效（已退出、超时或被管理员终止），请重新登录。')

  const again = await signIn(app, person.username, person.password)
  for (let i = 0; i < 35; i++) {
    minutes(20)
    t.equal((await app.inject({ url: '/v1/session', headers: { cookie: again.cookie } })).statusCode, 200, `in use after ${(i + 1) * 20} minutes`)
  }
  minutes(20)
  t.equal((await app.inject({ url: '/v1/session', headers: { cookie: again.cookie } })).json().code, 'SESSION_EXPIRED', 'ended 12 hours after sign-in, in use or not')
})

t.test('signing out ends this session; signing out everywhere ends all of them; so does disabling, and changing the password', async t => {
  const { app, database, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const admin = await signInNewUser(org.id, 'admin')
  const clerk = await signInNewUser(org.id, 'clerk')
  const works = async (headers: { cookie: string }) => (await app.inject({ url: '/v1/session', headers })).statusCode === 200

  const laptop = await signIn(app, clerk.username, clerk.password, '127.0.0.21')
  const phone = await signIn(app, clerk.username, clerk.password, '127.0.0.22')
  const list = await app.inject({ url: '/v1/sessions', headers: { cookie: laptop.cookie } })
  t.same(list.json().map((s: { address: string }) => s.address).filter((a: string) => a.startsWith('127.0.0.2')).sort(), ['127.0.0.21', '127.0.0.22'], 'the person sees where they are signed in')
  t.equal(list.json().filter((s: { current: boolean }) => s.current).length, 1)

  const noToken = await app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: laptop.cookie } })
  t.equal(noToken.json().code, 'CSRF_TOKEN_INVALID', 'signing out is a change: it needs the CSRF token')
  const out = await app.inject({ method: 'DELETE', url: '/v1/session', headers: { cookie: laptop.cookie, 'x-csrf-token': laptop.csrfToken } })
  t.equal(out.statusCode, 204)
  t.match(String(out.headers['set-cookie']), /^ce_session=; Max-Age=0; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Strict$|^ce_session=;.*Expires=Thu, 01 Jan 1970/, 'the cookie is cleared')
  t.notOk(await works({ cookie: laptop.cookie }), 'the signed-out cookie no longer works, even if kept')
  t.ok(await works({ cookie: phone.cookie }), 'the other session goes on')

  const everywhere = await app.inject({ method: 'DELETE', url: '/v1/sessions', headers: { cookie: phone.cookie, 'x-csrf-token': phone.csrfToken } })
  t.equal(everywhere.statusCode, 204)
  t.notOk(await works({ cookie: phone.cookie }))
  t.notOk(await works({ cookie: clerk.cookie }), 'every session of the person ended')
  t.ok(await works({ cookie: admin.cookie }), 'another person\'s did not')

  const third = await signIn(app, clerk.username, clerk.password)
  const disabled = await app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${clerk.userId}`, headers: admin.headers, payload: { disabled: true } })
  t.equal(disabled.json().status, 'disabled')
  t.notOk(await works({ cookie: third.cookie }), 'disabling ends the sessions at once')
  t.equal((await database.db.selectFrom('sessions').selectAll().innerJoin('users', 'users.id', 'sessions.user_id').where('users.id', '=', clerk.userId).execute()).length, 0, 'none is left in the table')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${clerk.userId}`, headers: admin.headers, payload: { disabled: false } })).json().status, 'active')

  const a = await signIn(app, clerk.username, clerk.password)
  const b = await signIn(app, clerk.username, clerk.password)
  const changed = await app.inject({ method: 'PUT', url: '/v1/session/password', headers: { cookie: a.cookie, 'x-csrf-token': a.csrfToken }, payload: { currentPassword: clerk.password, newPassword: 'Lingnan-kapok-tree-2026' } })
  t.equal(changed.statusCode, 200)
  t.notOk(await works({ cookie: a.cookie }), 'the session that changed the password ended')
  t.notOk(await works({ cookie: b.cookie }), 'and every other')
  t.ok(await works({ cookie: cookieOf(changed.headers['set-cookie']) }), 'the new one started here works')

  const actions = (await database.db.selectFrom('audit_events').select('action').where('subject', '=', `user:${clerk.userId}`).orderBy('id').execute()).map(e => e.action)
  for (const action of ['session.signed_in', 'session.signed_out', 'session.signed_out_everywhere', 'user.disabled', 'user.enabled', 'user.password_changed']) {
    t.ok(actions.includes(action), `${action} is in the audit trail`)
  }
})

t.test('a person has at most 20 sessions: signing in again ends the oldest', async t => {
  let now = new Date('2026-03-15T02:00:00Z')
  const { app, database, createIssuer, signInNewUser } = await build(t, { clock: () => now })
  const org = await createIssuer('employer', '440106', '甲公司')
  const person = await signInNewUser(org.id, 'clerk')
  const sessions = []
  for (let i = 0; i < 22; i++) {
    now = new Date(now.getTime() + 1000)
    sessions.push(await signIn(app, person.username, person.password))
  }
  const rows = await database.db.selectFrom('sessions').select('id_hash').where('user_id', '=', person.userId).execute()
  t.equal(rows.length, 20)
  t.equal((await app.inject({ url: '/v1/session', headers: { cookie: sessions[21]!.cookie } })).statusCode, 200, 'the newest works')
  t.equal((await app.inject({ url: '/v1/session', headers: { cookie: sessions[1]!.cookie } })).json().code, 'SESSION_EXPIRED', 'the oldest ended')
  t.equal((await app.inject({ url: '/v1/session', headers: { cookie: sessions[2]!.cookie } })).statusCode, 200)
})

t.test('every change made with a session needs its own CSRF token; reads do not; an API key needs none', async t => {
  const { app, database, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const person = await signInNewUser(org.id, 'clerk')
  const other = await signInNewUser(org.id, 'clerk')
  const issue = (headers: Record<string, string>, serial: number) => app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody({}, serial) })
  const before = await snapshotDatabase(database.db)
  for (const [what, headers] of [
    ['no token', { cookie: person.cookie }],
    ['an empty token', { cookie: person.cookie, 'x-csrf-token': '' }],
    ['another session\'s token', { cookie: person.cookie, 'x-csrf-token': other.csrfToken }],
    ['a made-up token', { cookie: person.cookie, 'x-csrf-token': 'abc-def' }],
  ] as const) {
    const refused = await issue(headers, 1)
    t.equal(refused.statusCode, 403, what)
    t.equal(refused.json().code, 'CSRF_TOKEN_INVALID', what)
  }
  t.same(await snapshotDatabase(database.db), before, 'nothing was issued')
  t.equal((await app.inject({ url: '/v1/stats?regionCode=440106&year=2025', headers: { cookie: person.cookie } })).statusCode, 200, 'a read needs no token')
  t.equal((await issue(person.headers, 2)).statusCode, 201, 'with the session\'s token it is issued')
  const fresh = (await app.inject({ url: '/v1/session', headers: { cookie: person.cookie } })).json().csrfToken
  t.equal((await issue({ cookie: person.cookie, 'x-csrf-token': fresh }, 3)).statusCode, 201, 'any token made for the session works')
  t.equal((await issue({ authorization: `Bearer ${org.apiKey}` }, 4)).statusCode, 201, 'an API key works unchanged')
  const both = await issue({ authorization: 'Bearer cek_not-a-key-00000000000000000000000000000', cookie: person.cookie, 'x-csrf-token': person.csrfToken }, 5)
  t.equal(both.json().code, 'INVALID_API_KEY', 'a Bearer header decides: the cookie beside it is not a way around a wrong key')
  const forged = await app.inject({ url: '/v1/session', headers: { cookie: 'ce_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } })
  t.equal(forged.json().code, 'SESSION_EXPIRED', 'a made-up session id is an ended session')
})

t.test('what a session does is audited with the person and the organisation', async t => {
  const { app, createIssuer, signInNewUser } = await build(t)
  const county = await createIssuer('authority', '440106', '天河区人社局')
  const clerk = await signInNewUser(county.id, 'clerk', 'zhou.clerk')
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: clerk.headers, payload: issueBody() })
  t.equal(issued.statusCode, 201)
  const revoked = await app.inject({ method: 'POST', url: `/v1/certificates/${issued.json().number}/revoke`, headers: clerk.headers, payload: { reason: '重复发放' } })
  t.equal(revoked.statusCode, 200)
  const trail = await app.inject({ url: '/v1/audit?regionCode=440106', headers: { cookie: clerk.cookie } })
  t.equal(trail.statusCode, 200)
  const events = trail.json().events as Array<{ action: string, actor: Record<string, unknown> }>
  for (const action of ['certificate.issued', 'certificate.revoked']) {
    const event = events.find(e => e.action === action)
    t.same(event?.actor, { type: 'user', issuerId: county.id, name: '天河区人社局', user: { id: clerk.userId, name: '测试用户 (zhou.clerk)' } }, `${action}: the organisation and the person`)
  }
  t.ok(events.some(e => e.action === 'user.created' && e.actor.type === 'admin'), 'the person\'s creation by the administrator is there too')
})
