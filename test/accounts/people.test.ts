// An organisation manages its own people and keys through its 管理员: clerks and API keys may not; it always keeps
// one active 管理员; it never reaches another organisation's people; its API keys show their last use and end when revoked.
import t from 'tap'
import { build, signIn } from '../helper.js'
import { snapshotDatabase } from '../fixtures/database-snapshot.js'

t.test('a 管理员 adds a 经办人, who signs in with the temporary password and must change it', async t => {
  const { app, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const admin = await signInNewUser(org.id, 'admin')
  const added = await app.inject({ method: 'POST', url: '/v1/issuers/me/users', headers: admin.headers, payload: { username: 'liu.clerk', displayName: '刘经办' } })
  t.equal(added.statusCode, 201)
  t.match(added.json().user, { username: 'liu.clerk', role: 'clerk', mustChangePassword: true }, 'a 经办人 by default')
  t.equal(added.headers['cache-control'], 'no-store', 'the temporary password is not cached')
  const first = await signIn(app, 'liu.clerk', added.json().temporaryPassword)
  t.equal(first.body.mustChangePassword, true)
  t.match(first.body.user, { role: 'clerk', roleName: '经办人' })
  const listed = await app.inject({ url: '/v1/issuers/me/users', headers: { cookie: admin.cookie } })
  t.same(listed.json().map((u: { username: string }) => u.username).sort(), [admin.username, 'liu.clerk'].sort())

  const reset = await app.inject({ method: 'POST', url: `/v1/issuers/me/users/${added.json().user.id}/password-reset`, headers: admin.headers })
  t.equal(reset.statusCode, 200)
  t.not(reset.json().temporaryPassword, added.json().temporaryPassword)
  t.equal((await app.inject({ url: '/v1/session', headers: { cookie: first.cookie } })).json().code, 'SESSION_EXPIRED', 'a reset ends the person\'s sessions')
  t.equal((await app.inject({ method: 'POST', url: '/v1/session', payload: { username: 'liu.clerk', password: added.json().temporaryPassword } })).json().code, 'SIGN_IN_FAILED', 'the old password is gone')
  t.equal((await signIn(app, 'liu.clerk', reset.json().temporaryPassword)).body.mustChangePassword, true)
})

t.test('clerks and API keys do not manage people, keys or the seal; a 管理员 does', async t => {
  const { app, database, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const admin = await signInNewUser(org.id, 'admin')
  const clerk = await signInNewUser(org.id, 'clerk')
  const requests = [
    { method: 'GET' as const, url: '/v1/issuers/me/users' },
    { method: 'POST' as const, url: '/v1/issuers/me/users', payload: { username: 'someone', displayName: '某人' } },
    { method: 'PATCH' as const, url: `/v1/issuers/me/users/${admin.userId}`, payload: { disabled: true } },
    { method: 'POST' as const, url: `/v1/issuers/me/users/${admin.userId}/password-reset` },
    { method: 'GET' as const, url: '/v1/issuers/me/keys' },
    { method: 'POST' as const, url: '/v1/issuers/me/keys', payload: {} },
    { method: 'DELETE' as const, url: '/v1/issuers/me/keys/1' },
    { method: 'DELETE' as const, url: '/v1/issuers/me/seal' },
  ]
  const before = await snapshotDatabase(database.db)
  for (const request of requests) {
    const byClerk = await app.inject({ ...request, headers: clerk.headers })
    t.equal(byClerk.statusCode, 403, `${request.method} ${request.url} by a 经办人`)
    t.equal(byClerk.json().code, 'FORBIDDEN_ROLE')
    t.match(byClerk.json().messageZh, /经办人无权执行此操作，须由本单位管理员办理/)
  }
  for (const request of requests.slice(0, 7)) {
    const byKey = await app.inject({ ...request, headers: { authorization: `Bearer ${org.apiKey}` } })
    t.equal(byKey.statusCode, 403, `${request.method} ${request.url} by the API key`)
    t.equal(byKey.json().code, 'SESSION_REQUIRED')
  }
  t.same(await snapshotDatabase(database.db), before, 'no refusal changed anything')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/issuers/me/seal', headers: { authorization: `Bearer ${org.apiKey}` } })).statusCode, 204, 'the organisation\'s API key keeps its seal rights, unchanged')
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/issuers/me/seal', headers: admin.headers })).statusCode, 204, 'and its 管理员 has them')
})

t.test('an organisation keeps one active 管理员, and never reaches another organisation\'s people', async t => {
  const { app, database, createIssuer, signInNewUser } = await build(t)
  const org = await createIssuer('employer', '440106', '甲公司')
  const neighbour = await createIssuer('employer', '440106', '乙公司')
  const admin = await signInNewUser(org.id, 'admin')
  const theirs = await signInNewUser(neighbour.id, 'clerk')
  const patch = (id: number, payload: object) => app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${id}`, headers: admin.headers, payload })

  for (const payload of [{ disabled: true }, { role: 'clerk' }]) {
    const last = await patch(admin.userId, payload)
    t.equal(last.statusCode, 409, `${JSON.stringify(payload)} of the only 管理员`)
    t.equal(last.json().code, 'LAST_ADMINISTRATOR')
  }
  const second = await signInNewUser(org.id, 'admin')
  // Two administrators demoting each other at once: one of them stays.
  const both = await Promise.all([
    patch(second.userId, { role: 'clerk' }),
    app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${admin.userId}`, headers: second.headers, payload: { role: 'clerk' } }),
  ])
  t.same(both.map(r => r.statusCode).sort(), [200, 409], 'of two demotions at once, one is refused')
  const admins = await database.db.selectFrom('users').select('id').where('issuer_id', '=', org.id).where('role', '=', 'admin').where('disabled_at', 'is', null).execute()
  t.equal(admins.length, 1, 'one active 管理员 is left')

  const stillAdmin = admins[0]!.id === admin.userId ? admin : second
  const before = await snapshotDatabase(database.db)
  for (const request of [
    { method: 'PATCH' as const, url: `/v1/issuers/me/users/${theirs.userId}`, payload: { disabled: true } },
    { method: 'POST' as const, url: `/v1/issuers/me/users/${theirs.userId}/password-reset` },
  ]) {
    const refused = await app.inject({ ...request, headers: stillAdmin.headers })
    t.equal(refused.statusCode, 404, `${request.method} ${request.url}: another organisation's person`)
    t.equal(refused.json().code, 'USER_NOT_FOUND')
  }
  t.same(await snapshotDatabase(database.db), before, 'nothing changed')
  t.equal((await app.inject({ url: '/v1/session', headers: { cookie: theirs.cookie } })).statusCode, 200, 'their session goes on')
})

t.test('a 管理员 creates and revokes the organisation\'s API keys; a key shows its last use', async t => {
  let now = new Date('2026-03-15T02:00:00Z')
  const { app, createIssuer, signInNewUser } = await build(t, { clock: () => now })
  const org = await createIssuer('employer', '440106', '甲公司')
  const other = await createIssuer('employer', '440106', '乙公司')
  const admin = await signInNewUser(org.id, 'admin')
  const created = await app.inject({ method: 'POST', url: '/v1/issuers/me/keys', headers: admin.headers, payload: {} })
  t.equal(created.statusCode, 201)
  const { apiKey, keyId } = created.json()
  const stats = () => app.inject({ url: '/v1/stats?regionCode=440106&year=2025', headers: { authorization: `Bearer ${apiKey}` } })
  t.equal((await stats()).statusCode, 200, 'the new key works')
  const listed = async () => (await app.inject({ url: '/v1/issuers/me/keys', headers: { cookie: admin.cookie } })).json() as Array<{ keyId: number, status: string, lastUsedAt: string | null }>
  t.equal((await listed()).find(k => k.keyId === keyId)?.lastUsedAt, now.toISOString(), 'its last use')
  now = new Date(now.getTime() + 30_000)
  await stats()
  t.equal((await listed()).find(k => k.keyId === keyId)?.lastUsedAt, new Date(now.getTime() - 30_000).toISOString(), 'kept to the minute')
  now = new Date(now.getTime() + 60_000)
  await stats()
  t.equal((await listed()).find(k => k.keyId === keyId)?.lastUsedAt, now.toISOString())
  t.notOk(JSON.stringify(await listed()).includes(apiKey), 'a listing never shows a key')

  // Keys 1 and 2 are the first keys of the two organisations, made when they were created.
  t.equal((await app.inject({ method: 'DELETE', url: '/v1/issuers/me/keys/1', headers: admin.headers })).statusCode, 204, 'its own first key is revoked')
  t.equal((await app.inject({ url: '/v1/stats?regionCode=440106&year=2025', headers: { authorization: `Bearer ${org.apiKey}` } })).json().code, 'INVALID_API_KEY')
  const foreign = await app.inject({ method: 'DELETE', url: '/v1/issuers/me/keys/2', headers: admin.headers })
  t.equal(foreign.statusCode, 404, 'another organisation\'s key is not found')
  t.equal(foreign.json().code, 'API_KEY_NOT_FOUND')
  t.equal((await app.inject({ url: '/v1/stats?regionCode=440106&year=2025', headers: { authorization: `Bearer ${other.apiKey}` } })).statusCode, 200, 'and still works')
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/issuers/me/keys/${keyId}`, headers: admin.headers })).statusCode, 204)
  t.equal((await stats()).json().code, 'INVALID_API_KEY', 'a revoked key is refused from the next request on')
  t.equal((await listed()).find(k => k.keyId === keyId)?.status, 'revoked')
})
