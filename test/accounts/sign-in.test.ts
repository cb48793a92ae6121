// Signing in: temporary passwords, the password policy and its storage, one answer for an unknown user and a wrong
// password, locks per username and per address (exact under concurrency, shared by instances), every outcome audited.
import t from 'tap'
import { adminToken, build, cookieOf, issueBody, signIn } from '../helper.js'
import { snapshotDatabase } from '../fixtures/database-snapshot.js'
import { verifyPassword } from '../../src/accounts/passwords.js'

const strong = 'Kaiping-diaolou-1907'

t.test('the first 管理员 is created by the administrator with a temporary password, which must be changed before anything else', async t => {
  const { app, database, createIssuer } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const made = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${org.id}/users`, headers: { authorization: `Bearer ${adminToken}` }, payload: { username: 'Chen.Jing', displayName: '陈静' } })
  t.equal(made.statusCode, 201)
  const { user, temporaryPassword } = made.json()
  t.match(user, { username: 'chen.jing', displayName: '陈静', role: 'admin', status: 'active', mustChangePassword: true }, 'a 管理员 by default, the username in lowercase')
  t.match(temporaryPassword, /^[A-Za-z2-9]{5}-[A-Za-z2-9]{5}-[A-Za-z2-9]{5}$/, 'a temporary password without look-alike characters')

  const stored = await database.db.selectFrom('users').select('password_hash').executeTakeFirstOrThrow()
  t.notOk(stored.password_hash.includes(temporaryPassword), 'the password is not stored')
  const [, scheme, version, parameters, salt, hash] = stored.password_hash.split('$')
  t.same([scheme, version, parameters], ['argon2id', 'v=19', 'm=19456,t=2,p=1'], 'argon2id, 19 MiB, 2 passes, 1 lane, stored with the hash')
  t.equal(Buffer.from(salt!, 'base64').length, 16, 'a 16-byte salt')
  t.equal(Buffer.from(hash!, 'base64').length, 32, 'a 32-byte hash')
  t.ok(await verifyPassword(temporaryPassword, stored.password_hash))
  t.notOk(await verifyPassword(`${temporaryPassword}x`, stored.password_hash))

  const first = await signIn(app, 'chen.jing', temporaryPassword)
  t.equal(first.body.mustChangePassword, true)
  const headers = { cookie: first.cookie, 'x-csrf-token': first.csrfToken }
  for (const request of [
    { method: 'POST' as const, url: '/v1/certificates', payload: issueBody() },
    { method: 'GET' as const, url: '/v1/stats?regionCode=440106&year=2025' },
    { method: 'GET' as const, url: '/v1/issuers/me/users' },
  ]) {
    const refused = await app.inject({ ...request, headers })
    t.equal(refused.statusCode, 403, `${request.method} ${request.url} with a temporary password`)
    t.equal(refused.json().code, 'PASSWORD_CHANGE_REQUIRED')
  }
  t.equal((await app.inject({ url: '/v1/session', headers })).statusCode, 200, 'the session itself can be read')

  const before = await snapshotDatabase(database.db)
  for (const [newPassword, why] of [
    ['short1!', 'shorter than 10'],
    ['chen.jing-2026!', 'contains the username'],
    ['woaini1314', 'a common Chinese password'],
    ['Password2026', 'a common English password'],
    ['zhangwei19850312', 'a pinyin name and a date'],
    ['qwertyuiop123', 'a keyboard run'],
  ] as const) {
    const weak = await app.inject({ method: 'PUT', url: '/v1/session/password', headers, payload: { currentPassword: temporaryPassword, newPassword } })
    t.equal(weak.statusCode, 422, `${newPassword}: refused (${why})`)
    t.equal(weak.json().code, 'PASSWORD_TOO_WEAK')
    t.match(weak.json().messageZh, /^该密码不能使用：/)
  }
  t.same(await snapshotDatabase(database.db), before, 'a refused password changed nothing')

  const wrongCurrent = await app.inject({ method: 'PUT', url: '/v1/session/password', headers, payload: { currentPassword: 'not-the-password', newPassword: strong } })
  t.equal(wrongCurrent.statusCode, 422)
  t.equal(wrongCurrent.json().code, 'CURRENT_PASSWORD_WRONG')

  const changed = await app.inject({ method: 'PUT', url: '/v1/session/password', headers, payload: { currentPassword: temporaryPassword, newPassword: strong } })
  t.equal(changed.statusCode, 200)
  t.equal(changed.json().mustChangePassword, false)
  t.equal((await app.inject({ url: '/v1/session', headers })).json().code, 'SESSION_EXPIRED', 'the session of the temporary password ended')
  const after = { cookie: cookieOf(changed.headers['set-cookie']), 'x-csrf-token': changed.json().csrfToken as string }
  t.equal((await app.inject({ method: 'POST', url: '/v1/certificates', headers: after, payload: issueBody() })).statusCode, 201, 'the new session issues')
  const refusedOld = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'chen.jing', password: temporaryPassword } })
  t.equal(refusedOld.json().code, 'SIGN_IN_FAILED', 'the temporary password no longer signs in')
})

t.test('the command line creates an organisation\'s first 管理员 too (npm run admin -- create-user): see test/cli/admin-cli.test.ts', async t => {
  const { app, createIssuer } = await build(t)
  const org = await createIssuer('verifier', '440000', '广东省职称评审委员会')
  const taken = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${org.id}/users`, headers: { authorization: `Bearer ${adminToken}` }, payload: { username: 'pingshen', displayName: '评审办' } })
  t.equal(taken.statusCode, 201)
  const again = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${org.id}/users`, headers: { authorization: `Bearer ${adminToken}` }, payload: { username: 'PingShen', displayName: '另一人' } })
  t.equal(again.statusCode, 409, 'usernames are unique whatever their case')
  t.equal(again.json().code, 'USERNAME_TAKEN')
  const badName = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${org.id}/users`, headers: { authorization: `Bearer ${adminToken}` }, payload: { username: '陈静', displayName: '陈静' } })
  t.equal(badName.statusCode, 400)
  t.match(badName.json().messageZh, /用户名须为 3 至 32 个字符/)
  const noIssuer = await app.inject({ method: 'POST', url: '/v1/admin/issuers/999/users', headers: { authorization: `Bearer ${adminToken}` }, payload: { username: 'nobody', displayName: '某人' } })
  t.equal(noIssuer.json().code, 'ISSUER_NOT_FOUND')
})

t.test('an unknown username and a wrong password get the same answer, and both are audited', async t => {
  const { app, database, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('authority', '440106', '天河区人社局')
  const clerk = await signInNewUser(org.id, 'clerk', 'li.clerk')
  const unknown = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'no.such.user', password: 'whatever-it-is' } })
  const wrong = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: clerk.username, password: 'whatever-it-is' } })
  const shape = (r: typeof unknown) => ({ status: r.statusCode, cookie: r.headers['set-cookie'], body: { ...r.json(), requestId: undefined } })
  t.same(shape(unknown), shape(wrong), 'the same status, body and no cookie')
  t.equal(wrong.json().code, 'SIGN_IN_FAILED')
  t.equal(wrong.json().messageZh, '用户名或密码错误。')
  const failures = await database.db.selectFrom('audit_events').select(['subject', 'actor_type', 'region_code', 'details']).where('action', '=', 'session.sign_in_failed').orderBy('id').execute()
  t.same(failures.map(f => [f.subject, f.actor_type, f.region_code]), [['unknown user', 'anonymous', '000000'], [`user:${clerk.userId}`, 'anonymous', '440106']], 'both failures are in the audit trail; the username typed is not')
  const right = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: clerk.username.toUpperCase(), password: clerk.password } })
  t.equal(right.statusCode, 200, 'the username is matched whatever its case')
  const signedIn = await database.db.selectFrom('audit_events').selectAll().where('action', '=', 'session.signed_in').execute()
  t.ok(signedIn.length >= 2 && signedIn.every(e => e.actor_type === 'user' && e.actor_user_id === clerk.userId), 'every sign-in is audited with the person')
})

t.test('five failures lock a username for 15 minutes, a right password too; all instances see the lock; the lock is audited once', async t => {
  let now = new Date('2026-03-15T02:00:00Z')
  const first = await build(t, { clock: () => now })
  const second = await build(t, { clock: () => now, database: first.database })
  const org = await first.createIssuer('employer', '440106', '甲公司')
  const person = await first.signInNewUser(org.id, 'clerk', 'wang.wu')
  const attempt = (app: typeof first.app, password: string, remoteAddress: string) => app.inject({ method: 'POST', url: '/v1/session', remoteAddress, payload: { username: person.username, password } })

  // Twenty wrong passwords at once, from twenty addresses, half to each instance: exactly five are checked.
  const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => attempt(i % 2 === 0 ? first.app : second.app, `wrong-${i}`, `127.0.0.${10 + i}`)))
  const codes = flood.map(r => r.json().code as string)
  t.equal(codes.filter(c => c === 'SIGN_IN_FAILED').length, 5, 'five failures were counted')
  t.equal(codes.filter(c => c === 'SIGN_IN_LOCKED').length, 15, 'the rest were refused unchecked')
  const locked = flood.find(r => r.json().code === 'SIGN_IN_LOCKED')!
  t.equal(locked.statusCode, 429)
  t.ok(Number(locked.headers['retry-after']) > 0 && Number(locked.headers['retry-after']) <= 900, `Retry-After ${String(locked.headers['retry-after'])} s`)

  t.equal((await attempt(second.app, person.password, '127.0.0.99')).json().code, 'SIGN_IN_LOCKED', 'the right password from another address, on the other instance, is refused too')
  now = new Date(now.getTime() + 14 * 60_000)
  t.equal((await attempt(first.app, person.password, '127.0.0.99')).json().code, 'SIGN_IN_LOCKED', 'still locked after 14 minutes')
  now = new Date(now.getTime() + 61_000)
  t.equal((await attempt(first.app, person.password, '127.0.0.99')).statusCode, 200, 'signed in once the failures are 15 minutes old')
  const locks = await first.database.db.selectFrom('audit_events').select(['subject', 'details']).where('action', '=', 'session.sign_in_locked').execute()
  t.equal(locks.length, 1, 'the lock is audited once')
  t.equal(locks[0]!.subject, `user:${person.userId}`)
  t.match(locks[0]!.details, { lockedBy: 'username' })
})

t.test('twenty failures lock an address, whichever usernames it tries; other addresses still sign in', async t => {
  const { app, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const person = await signInNewUser(org.id, 'clerk')
  const guesser = '127.0.0.66'
  for (let i = 0; i < 20; i++) {
    const r = await app.inject({ method: 'POST', url: '/v1/session', remoteAddress: guesser, payload: { username: `guess${i}`, password: 'password-guess' } })
    t.equal(r.json().code, 'SIGN_IN_FAILED', `guess ${i + 1}`)
  }
  const lockedOut = await app.inject({ method: 'POST', url: '/v1/session', remoteAddress: guesser, payload: { username: person.username, password: person.password } })
  t.equal(lockedOut.json().code, 'SIGN_IN_LOCKED', 'the address is locked, for a real account with its right password too')
  const elsewhere = await app.inject({ method: 'POST', url: '/v1/session', remoteAddress: '127.0.0.67', payload: { username: person.username, password: person.password } })
  t.equal(elsewhere.statusCode, 200, 'the person signs in from their own address')
})

t.test('a success forgives the username\'s failures, not the address\'s', async t => {
  const { app, createIssuer, signInNewUser } = await build(t, { env: { SIGN_IN_FAILURES_PER_ADDRESS: '6' } })
  const org = await createIssuer('employer', '440106', '甲公司')
  const person = await signInNewUser(org.id, 'clerk')
  const at = '127.0.0.70'
  const send = (password: string) => app.inject({ method: 'POST', url: '/v1/session', remoteAddress: at, payload: { username: person.username, password } })
  for (let i = 0; i < 4; i++) t.equal((await send('wrong-password')).json().code, 'SIGN_IN_FAILED')
  t.equal((await send(person.password)).statusCode, 200, 'the fifth attempt is right')
  t.equal((await send('wrong-password')).json().code, 'SIGN_IN_FAILED', 'the fifth failure of the address')
  t.equal((await send('wrong-password')).json().code, 'SIGN_IN_FAILED', 'the username started again: six failures in all, and still no lock of the username')
  t.equal((await send(person.password)).json().code, 'SIGN_IN_LOCKED', 'but the address has had its six')
})

t.test('a disabled person with the right password is told so; a sign-in form posted from another site is refused', async t => {
  const { app, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const admin = await signInNewUser(org.id, 'admin')
  const clerk = await signInNewUser(org.id, 'clerk')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${clerk.userId}`, headers: admin.headers, payload: { disabled: true } })).statusCode, 200)
  const disabled = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: clerk.username, password: clerk.password } })
  t.equal(disabled.statusCode, 403)
  t.equal(disabled.json().code, 'ACCOUNT_DISABLED')
  t.equal(disabled.headers['set-cookie'], undefined)
  const wrongWhileDisabled = await app.inject({ method: 'POST', url: '/v1/session', payload: { username: clerk.username, password: 'not-it-at-all' } })
  t.equal(wrongWhileDisabled.json().code, 'SIGN_IN_FAILED', 'without the password, a disabled account looks like any other')

  // A cross-site <form> can only send urlencoded, multipart or text/plain bodies: none is read here.
  const form = await app.inject({ method: 'POST', url: '/v1/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `username=${admin.username}&password=${admin.password}` })
  t.equal(form.statusCode, 415)
  t.equal(form.headers['set-cookie'], undefined)
})
