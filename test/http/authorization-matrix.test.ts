// The authorization matrix: every kind of caller (API keys, people signed in, the administrator) against every endpoint
// the app has, in and out of scope; a refusal changes nothing.
import { randomUUID } from 'node:crypto'
import t from 'tap'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { PNG } from 'pngjs'
import { adminToken, build, issueBody, makeIdNumber, signIn, type SignedIn } from '../helper.js'
import { recordRowWrites } from '../fixtures/database-snapshot.js'

const keyCallers = ['none', 'wrong key', 'revoked key', 'expired key', 'county', 'city', 'province', 'employer', 'verifier', 'admin'] as const
/** People signed in: the 管理员 and 经办人 of each kind of organisation, and sessions that must not get through. */
const sessionCallers = [
  'county 管理员', 'county 经办人', 'employer 管理员', 'employer 经办人', 'verifier 管理员', 'verifier 经办人',
  'disabled user', 'expired session', 'temporary password', 'no CSRF token',
] as const
const callers = [...keyCallers, ...sessionCallers] as const
type Caller = typeof callers[number]
type Scope = 'in' | 'out' | 'any'
type Org = 'county' | 'city' | 'province' | 'employer' | 'verifier'

const isSession = (caller: Caller) => (sessionCallers as readonly string[]).includes(caller)
/** Sessions that are no more (their person disabled, or 12 hours old): 401 wherever a caller is needed. */
const deadSessions: Caller[] = ['disabled user', 'expired session']
const deadKeys: Caller[] = ['none', 'wrong key', 'revoked key', 'expired key', 'admin']
/** The organisation a caller acts for ('no CSRF token' is a county 经办人 who forgot the token). */
function orgOf (caller: Caller): Org | undefined {
  if (caller === 'no CSRF token' || caller === 'temporary password') return 'county'
  const org = caller.split(' ')[0] as Org
  return ['county', 'city', 'province', 'employer', 'verifier'].includes(org) ? org : undefined
}
const isClerk = (caller: Caller) => caller.endsWith('经办人') || caller === 'no CSRF token'
const unsafe = (method: string) => !['GET', 'HEAD', 'OPTIONS'].includes(method)

/** Every METHOD and path the app routes, read from its router (so a new endpoint appears here by itself). */
function routesOf (app: FastifyInstance): string[] {
  const routes: string[] = []
  const stack: string[] = []
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line)
    if (match === null) continue
    const depth = match[1]!.length / 4
    stack.length = depth
    stack[depth] = match[2]!
    for (const method of match[3]?.split(', ') ?? []) routes.push(`${method} ${stack.join('')}`)
  }
  return routes
}

interface Context {
  app: FastifyInstance
  ids: Record<'county' | 'employer' | 'henan', number>
  /** A fresh certificate: in scope (Tianhe, issued by the employer) or out of it (Henan). */
  certificate (scope: Scope): Promise<string>
  batch (scope: Scope): number
  kid: string
  uploadSeal (caller: Caller): Promise<void>
  /** A fresh API key of the employer (the administrator's routes), or of the caller's organisation (in scope) or Henan's (out). */
  freshKeyId (caller?: Caller, scope?: Scope): Promise<number>
  /** A fresh 经办人 of the caller's organisation (in scope) or of Henan's (out). */
  freshUserId (caller: Caller, scope: Scope): Promise<number>
  /** For routes that end the caller's session: a new session like the caller's, with its password. */
  freshSession (caller: Caller): Promise<{ headers: Record<string, string>, password: string } | undefined>
  /** The credentials POST /v1/session is tried with. */
  credentials: { username: string, password: string }
  /** The signed token of a certificate issued by `certificate`. */
  jwsOf (number: string): string
}

interface Entry {
  scopes: Scope[]
  request (context: Context, scope: Scope, caller: Caller): Promise<InjectOptions> | InjectOptions
  /** The status each caller gets; a refusal must leave every table as it was. */
  expect (caller: Caller, scope: Scope, method: string): number
}

const issuerOrgs: Org[] = ['county', 'city', 'province', 'employer']
const authorities: Org[] = ['county', 'city', 'province']
/** Any caller gets the same answer: the route is public and ignores the Authorization header. */
const publicRoute = (status: number, request: Entry['request'], scopes: Scope[] = ['any']): Entry => ({ scopes, request, expect: () => status })
/**
 * A route behind an issuer API key or a session: no key 401, a bad key (or the admin token) 401, an ended session 401,
 * a temporary password 403, then by the organisation's kind and scope; a 经办人 is refused what is for the 管理员
 * (`administrator`), and a session's change without its CSRF token is refused.
 */
const keyRoute = (request: Entry['request'], allowed: (org: Org, scope: Scope) => number, scopes: Scope[] = ['in', 'out'], administrator = false): Entry => ({
  scopes,
  request,
  expect: (caller, scope, method) => {
    if (deadKeys.includes(caller) || deadSessions.includes(caller)) return 401
    if (caller === 'temporary password') return 403
    // Who may act is settled before what is asked for: a 经办人 at a 管理员's route, or a change without its token, goes no further.
    if (administrator && isClerk(caller)) return 403
    if (caller === 'no CSRF token' && unsafe(method)) return 403
    return allowed(orgOf(caller)!, scope)
  },
})
/** A route for an organisation's 管理员 signed in: API keys and 经办人 are refused; in scope is the caller's own organisation. */
const peopleRoute = (ok: number, request: Entry['request'], scopes: Scope[] = ['any'], outOfScope = 404): Entry =>
  keyRoute(request, (_org, scope) => (scope === 'out' ? outOfScope : ok), scopes, true)
const withKeysRefused = (entry: Entry): Entry => ({
  ...entry,
  expect: (caller, scope, method) => (!isSession(caller) && !deadKeys.includes(caller) ? 403 : entry.expect(caller, scope, method)),
})
/** The session's own routes: any live session (a temporary password too); a change needs the CSRF token. */
const sessionRoute = (ok: number, request: Entry['request']): Entry => ({
  scopes: ['any'],
  request,
  expect: (caller, _scope, method) => (!isSession(caller) || deadSessions.includes(caller) ? 401 : caller === 'no CSRF token' && unsafe(method) ? 403 : ok),
})
const adminRoute = (status: number, request: Entry['request']): Entry => ({ scopes: ['any'], request, expect: caller => (caller === 'admin' ? status : 401) })
/** Issuers act within their area; verifiers do not issue. */
const withinScope = (ok: number, roles: Org[] = issuerOrgs) => (org: Org, scope: Scope) => (!roles.includes(org) ? 403 : scope === 'out' ? 403 : ok)

let serial = 0
/** Issuing and revoking calls carry an Idempotency-Key: a refused one must not keep it either. */
const idempotent = () => ({ 'idempotency-key': randomUUID() })
/** A body that meets the rules of its region (Guangdong 72 h, Henan 90 h), for a new holder. */
const bodyFor = (regionCode: string, name: string, birth: string) => issueBody({
  regionCode,
  holder: { name, idNumber: makeIdNumber(regionCode, birth, ++serial) },
  ...(regionCode.startsWith('41') ? { hours: { public: 30, professional: 60, elective: 12 } } : {}),
})
const matrix: Record<string, Entry> = {
  'GET /healthz': publicRoute(200, () => ({ url: '/healthz' })),
  'GET /readyz': publicRoute(200, () => ({ url: '/readyz' })),
  'GET /openapi.json': publicRoute(200, () => ({ url: '/openapi.json' })),
  'GET /docs': publicRoute(200, () => ({ url: '/docs' })),
  'GET /docs/': publicRoute(200, () => ({ url: '/docs/' })),
  'GET /docs/static/index.html': publicRoute(302, () => ({ url: '/docs/static/index.html' })),
  'GET /docs/static/swagger-initializer.js': publicRoute(200, () => ({ url: '/docs/static/swagger-initializer.js' })),
  'GET /docs/*': publicRoute(200, () => ({ url: '/docs/static/swagger-ui.css' })),
  'GET /docs/json': publicRoute(200, () => ({ url: '/docs/json' })),
  'GET /docs/yaml': publicRoute(200, () => ({ url: '/docs/yaml' })),
  'GET /assets/verify-page.js': publicRoute(200, () => ({ url: '/assets/verify-page.js' })),
  'GET /assets/verify-page.css': publicRoute(200, () => ({ url: '/assets/verify-page.css' })),
  'GET /assets/verify-page-icon.svg': publicRoute(200, () => ({ url: '/assets/verify-page-icon.svg' })),
  'GET /assets/verify-page-verifier.js': publicRoute(200, () => ({ url: '/assets/verify-page-verifier.js' })),
  'GET /verify-sw.js': publicRoute(200, () => ({ url: '/verify-sw.js' })),
  'GET /console/assets/:file': publicRoute(200, () => ({ url: '/console/assets/console.js' })),
  // The console's pages: a live session gets its page (a temporary password the password screen), anyone else the sign-in page.
  'GET /console': { scopes: ['any'], request: () => ({ url: '/console' }), expect: caller => (isSession(caller) && !deadSessions.includes(caller) ? 200 : 303) },
  'GET /console/:screen': {
    scopes: ['any'],
    request: () => ({ url: '/console/issue' }),
    expect: caller => (!isSession(caller) || deadSessions.includes(caller) ? 303 : orgOf(caller) === 'verifier' ? 403 : 200),
  },
  'GET /v/offline': publicRoute(200, () => ({ url: '/v/offline' })),
  'GET /downloads/ce-cert.mjs': publicRoute(200, () => ({ url: '/downloads/ce-cert.mjs' })),
  'GET /.well-known/jwks.json': publicRoute(200, () => ({ url: '/.well-known/jwks.json' })),
  'GET /.well-known/crl/:kid.json': publicRoute(200, c => ({ url: `/.well-known/crl/${c.kid}.json` })),
  'GET /.well-known/crl/:kid.jws': publicRoute(200, c => ({ url: `/.well-known/crl/${c.kid}.jws` })),
  'GET /v': publicRoute(200, () => ({ url: '/v' })),
  'GET /v/:number': publicRoute(200, async (c, scope) => ({ url: `/v/${await c.certificate(scope)}` }), ['in', 'out']),
  'GET /v1/certificates/:number': publicRoute(200, async (c, scope) => ({ url: `/v1/certificates/${await c.certificate(scope)}` }), ['in', 'out']),
  'POST /v1/verify': publicRoute(200, async (c, scope) => ({ method: 'POST', url: '/v1/verify', payload: { jws: c.jwsOf(await c.certificate(scope)) } }), ['in', 'out']),
  'OPTIONS *': publicRoute(404, () => ({ method: 'OPTIONS', url: '/v1/certificates' })),

  'POST /v1/certificates': keyRoute((_c, scope) => ({ method: 'POST', url: '/v1/certificates', headers: idempotent(), payload: bodyFor(scope === 'out' ? '410105' : '440106', '王五', '19700101') }), withinScope(201)),
  'POST /v1/certificates/check': keyRoute(() => ({ method: 'POST', url: '/v1/certificates/check', payload: { hours: { public: 20, professional: 44, elective: 12 } } }), org => (issuerOrgs.includes(org) ? 200 : 403), ['any']),
  // Out of scope is not an error but nothing found.
  'POST /v1/certificates/search': keyRoute(async (c, scope) => ({ method: 'POST', url: '/v1/certificates/search', payload: { number: await c.certificate(scope) } }), org => (issuerOrgs.includes(org) ? 200 : 403)),
  // Public; an ID number that is none is refused before anything is compared or counted.
  'POST /v1/certificates/:number/holder-pdf': publicRoute(400, async (c, scope) => ({ method: 'POST', url: `/v1/certificates/${await c.certificate(scope)}/holder-pdf`, payload: { name: '王五', idNumber: '123' } }), ['in', 'out']),
  'POST /v1/certificates/batch': keyRoute((_c, scope) => ({ method: 'POST', url: '/v1/certificates/batch', headers: idempotent(), payload: { certificates: [bodyFor(scope === 'out' ? '410105' : '440106', '赵六', '19710101')] } }),
    // A row out of scope is that row's OUT_OF_SCOPE, never an issuance; a batch of nothing but such rows is 422 BATCH_NOTHING_ISSUED.
    (org, scope) => (!issuerOrgs.includes(org) ? 403 : scope === 'out' ? 422 : 201)),
  'GET /v1/certificates/batch/template': keyRoute(() => ({ url: '/v1/certificates/batch/template' }), org => (issuerOrgs.includes(org) ? 200 : 403), ['any']),
  'GET /v1/certificates/:number/pdf': keyRoute(async (c, scope) => ({ url: `/v1/certificates/${await c.certificate(scope)}/pdf` }), withinScope(200)),
  'POST /v1/certificates/:number/revoke': keyRoute(async (c, scope) => ({ method: 'POST', url: `/v1/certificates/${await c.certificate(scope)}/revoke`, headers: idempotent(), payload: { reason: '核查不实' } }), withinScope(200)),
  'GET /v1/batches/:id': keyRoute((c, scope) => ({ url: `/v1/batches/${c.batch(scope)}` }), (org, scope) => (org === 'employer' && scope === 'in' ? 200 : 403)),
  'GET /v1/batches/:id/pdfs': keyRoute((c, scope) => ({ url: `/v1/batches/${c.batch(scope)}/pdfs` }), (org, scope) => (org === 'employer' && scope === 'in' ? 200 : 403)),
  // The batches' archives are ready before the matrix runs (prepared by their own issuers): asking again is 200.
  'POST /v1/batches/:id/archive': keyRoute((c, scope) => ({ method: 'POST', url: `/v1/batches/${c.batch(scope)}/archive` }), (org, scope) => (org === 'employer' && scope === 'in' ? 200 : 403)),
  'GET /v1/batches/:id/archive': keyRoute((c, scope) => ({ url: `/v1/batches/${c.batch(scope)}/archive` }), (org, scope) => (org === 'employer' && scope === 'in' ? 200 : 403)),
  'GET /v1/batches/:id/archive.zip': keyRoute((c, scope) => ({ url: `/v1/batches/${c.batch(scope)}/archive.zip` }), (org, scope) => (org === 'employer' && scope === 'in' ? 200 : 403)),
  'GET /v1/registers/:regionCode/:year': keyRoute((_c, scope) => ({ url: `/v1/registers/${scope === 'out' ? '410105' : '440106'}/2025` }), withinScope(200)),
  'GET /v1/stats': keyRoute((_c, scope) => ({ url: `/v1/stats?regionCode=${scope === 'out' ? '410105' : '440106'}&year=2025` }), withinScope(200)),
  'GET /v1/audit': keyRoute((_c, scope) => ({ url: `/v1/audit?regionCode=${scope === 'out' ? '410105' : '440106'}` }), withinScope(200, authorities)),
  'POST /v1/verify/batch': keyRoute(async (c, scope) => ({ method: 'POST', url: '/v1/verify/batch', payload: { rows: [{ number: await c.certificate(scope) }] } }), org => (['verifier', ...authorities].includes(org) ? 200 : 403)),
  'POST /v1/verify/batch/export': keyRoute(() => ({ method: 'POST', url: '/v1/verify/batch/export?format=csv', payload: exportedReport }), org => (['verifier', ...authorities].includes(org) ? 200 : 403), ['any']),
  'POST /v1/verification-reports': keyRoute(async (c, scope) => ({ method: 'POST', url: '/v1/verification-reports', payload: { rows: [{ number: await c.certificate(scope) }] } }), org => (['verifier', ...authorities].includes(org) ? 201 : 403)),
  // A report of nobody's: those who may make reports are told it is not theirs, the others that they may not.
  'GET /v1/verification-reports/:number/pdf': keyRoute(() => ({ url: '/v1/verification-reports/HY2026999999/pdf' }), org => (['verifier', ...authorities].includes(org) ? 404 : 403), ['any']),
  'GET /v1/verification-reports/:number': publicRoute(404, () => ({ url: '/v1/verification-reports/HY2026999999?code=AAAAAA' })),
  'GET /v1/verify/batch/template': keyRoute(() => ({ url: '/v1/verify/batch/template' }), org => (['verifier', ...authorities].includes(org) ? 200 : 403), ['any']),
  'PUT /v1/issuers/me/seal': keyRoute(() => ({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { 'content-type': 'image/png' }, payload: seal }), withinScope(200), ['any'], true),
  'GET /v1/issuers/me/seal': keyRoute(async (c, _scope, caller) => { await c.uploadSeal(caller); return { url: '/v1/issuers/me/seal' } }, withinScope(200), ['any']),
  'DELETE /v1/issuers/me/seal': keyRoute(() => ({ method: 'DELETE', url: '/v1/issuers/me/seal' }), withinScope(204), ['any'], true),

  'GET /v1/issuers/me/users': withKeysRefused(peopleRoute(200, () => ({ url: '/v1/issuers/me/users' }))),
  'POST /v1/issuers/me/users': withKeysRefused(peopleRoute(201, () => ({ method: 'POST', url: '/v1/issuers/me/users', payload: { username: `staff${++serial}`, displayName: '新同事' } }))),
  'PATCH /v1/issuers/me/users/:id': withKeysRefused(peopleRoute(200, async (c, scope, caller) => ({ method: 'PATCH', url: `/v1/issuers/me/users/${await c.freshUserId(caller, scope)}`, payload: { displayName: '改名' } }), ['in', 'out'])),
  'POST /v1/issuers/me/users/:id/password-reset': withKeysRefused(peopleRoute(200, async (c, scope, caller) => ({ method: 'POST', url: `/v1/issuers/me/users/${await c.freshUserId(caller, scope)}/password-reset` }), ['in', 'out'])),
  'GET /v1/issuers/me/keys': withKeysRefused(peopleRoute(200, () => ({ url: '/v1/issuers/me/keys' }))),
  'POST /v1/issuers/me/keys': withKeysRefused(peopleRoute(201, () => ({ method: 'POST', url: '/v1/issuers/me/keys', payload: {} }))),
  'DELETE /v1/issuers/me/keys/:keyId': withKeysRefused(peopleRoute(204, async (c, scope, caller) => ({ method: 'DELETE', url: `/v1/issuers/me/keys/${await c.freshKeyId(caller, scope)}` }), ['in', 'out'])),

  'POST /v1/session': publicRoute(200, c => ({ method: 'POST', url: '/v1/session', payload: c.credentials })),
  'GET /v1/session': sessionRoute(200, () => ({ url: '/v1/session' })),
  'GET /v1/sessions': sessionRoute(200, () => ({ url: '/v1/sessions' })),
  'DELETE /v1/session': sessionRoute(204, async (c, _scope, caller) => ({ method: 'DELETE', url: '/v1/session', headers: (await c.freshSession(caller))?.headers })),
  'DELETE /v1/sessions': sessionRoute(204, async (c, _scope, caller) => ({ method: 'DELETE', url: '/v1/sessions', headers: (await c.freshSession(caller))?.headers })),
  'PUT /v1/session/password': sessionRoute(200, async (c, _scope, caller) => {
    const fresh = await c.freshSession(caller)
    return { method: 'PUT', url: '/v1/session/password', headers: fresh?.headers, payload: { currentPassword: fresh?.password ?? 'not-a-password', newPassword: `Matrix-${++serial}-changed-口令` } }
  }),

  'POST /v1/admin/issuers': adminRoute(201, () => ({ method: 'POST', url: '/v1/admin/issuers', payload: { name: `某公司${++serial}`, kind: 'employer', regionCode: '440106' } })),
  'GET /v1/admin/issuers': adminRoute(200, () => ({ url: '/v1/admin/issuers' })),
  'POST /v1/admin/issuers/:id/keys': adminRoute(201, c => ({ method: 'POST', url: `/v1/admin/issuers/${c.ids.employer}/keys`, payload: {} })),
  'DELETE /v1/admin/issuers/:id/keys/:keyId': adminRoute(204, async c => ({ method: 'DELETE', url: `/v1/admin/issuers/${c.ids.employer}/keys/${await c.freshKeyId()}` })),
  'POST /v1/admin/issuers/:id/users': adminRoute(201, c => ({ method: 'POST', url: `/v1/admin/issuers/${c.ids.employer}/users`, payload: { username: `first${++serial}`, displayName: '首任管理员' } })),
}

/** A bulk verification's report as POST /v1/verify/batch answers it. */
const exportedReport = {
  summary: { rows: 1, verdicts: { valid: 0, revoked: 0, 'not-found': 1, 'name-mismatch': 0, 'name-unchecked': 0, duplicate: 0, malformed: 0, 'invalid-signature': 0, altered: 0 } },
  source: 'rows',
  checkedAt: '2026-03-15T02:00:00.000Z',
  rows: [{ row: 1, number: '44010626999999', verdict: 'not-found', reason: 'no certificate has this number', reasonZh: '发放名册中没有该编号的证书。' }],
}
const seal = (() => { const png = new PNG({ width: 4, height: 4 }); png.data.fill(180); return PNG.sync.write(png) })()

t.test('every caller against every endpoint, in and out of scope', async t => {
  let now = new Date('2026-03-15T02:00:00Z')
  const { app, database, createIssuer, signInNewUser } = await build(t, { clock: () => now })
  const adminHeaders = { authorization: `Bearer ${adminToken}` }
  const county = await createIssuer('authority', '440106', '天河区人社局')
  const city = await createIssuer('authority', '440100', '广州市人社局')
  const province = await createIssuer('authority', '440000', '广东省人社厅')
  const employer = await createIssuer('employer', '440106', '甲公司')
  const verifier = await createIssuer('verifier', '440000', '评审委员会')
  const henan = await createIssuer('authority', '410105', '金水区人社局')
  const adminPost = async (url: string, payload: object) => (await app.inject({ method: 'POST', url, headers: adminHeaders, payload })).json() as { apiKey: string, keyId: number }
  const revoked = await adminPost(`/v1/admin/issuers/${county.id}/keys`, {})
  t.equal((await app.inject({ method: 'DELETE', url: `/v1/admin/issuers/${county.id}/keys/${revoked.keyId}`, headers: adminHeaders })).statusCode, 204)
  const expired = await adminPost(`/v1/admin/issuers/${county.id}/keys`, { expiresAt: '2026-03-14T00:00:00Z' })

  const orgs: Record<Org, { id: number, apiKey: string }> = { county, city, province, employer, verifier }
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const sessionHeaders = (s: SignedIn) => s.headers as Record<string, string>
  const roleOf = (caller: Caller) => (caller.endsWith('管理员') ? 'admin' : 'clerk')
  const people: Partial<Record<Caller, SignedIn>> = {}
  for (const caller of sessionCallers.slice(0, 6)) people[caller] = await signInNewUser(orgs[orgOf(caller)!].id, roleOf(caller))
  const countyAdmin = people['county 管理员']!
  const disabled = await signInNewUser(county.id, 'clerk')
  t.equal((await app.inject({ method: 'PATCH', url: `/v1/issuers/me/users/${disabled.userId}`, headers: countyAdmin.headers, payload: { disabled: true } })).statusCode, 200)
  now = new Date(now.getTime() - 13 * 3_600_000)
  const expiredSession = await signInNewUser(county.id, 'clerk')
  now = new Date(now.getTime() + 13 * 3_600_000)
  const temporary = async () => {
    const created = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${county.id}/users`, headers: adminHeaders, payload: { username: `temp${++serial}`, displayName: '新同事' } })
    const password = created.json().temporaryPassword as string
    const signedIn = await signIn(app, created.json().user.username, password)
    return { headers: { cookie: signedIn.cookie, 'x-csrf-token': signedIn.csrfToken }, password }
  }
  const withoutToken = await signInNewUser(county.id, 'clerk')
  const headersOf: Record<Caller, Record<string, string>> = {
    none: {},
    'wrong key': bearer('cek_this-key-was-never-issued-0000000000000000000'),
    'revoked key': bearer(revoked.apiKey),
    'expired key': bearer(expired.apiKey),
    county: bearer(county.apiKey),
    city: bearer(city.apiKey),
    province: bearer(province.apiKey),
    employer: bearer(employer.apiKey),
    verifier: bearer(verifier.apiKey),
    admin: bearer(adminToken),
    ...Object.fromEntries(Object.entries(people).map(([caller, s]) => [caller, sessionHeaders(s)])) as Record<typeof sessionCallers[number], Record<string, string>>,
    'disabled user': sessionHeaders(disabled),
    'expired session': sessionHeaders(expiredSession),
    'temporary password': (await temporary()).headers,
    'no CSRF token': { cookie: withoutToken.cookie },
  }
  const signInUser = await signInNewUser(employer.id, 'clerk')
  const issueAs = async (who: { apiKey: string }, regionCode: string) => {
    const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${who.apiKey}` }, payload: bodyFor(regionCode, '李四', '19800101') })
    if (response.statusCode !== 201) throw new Error(response.body)
    return response.json() as { number: string, jws: string }
  }
  const tokens = new Map<string, string>()
  const batchOf = async (who: { apiKey: string }, regionCode: string) => {
    const response = await app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: { authorization: `Bearer ${who.apiKey}` }, payload: { certificates: [bodyFor(regionCode, '孙七', '19810101')] } })
    if (response.json().summary?.issued !== 1) throw new Error(response.body)
    return response.json().batchId as number
  }
  const batches = { in: await batchOf(employer, '440106'), out: await batchOf(henan, '410105') }
  for (const [who, id] of [[employer, batches.in], [henan, batches.out]] as const) {
    const headers = { authorization: `Bearer ${who.apiKey}` }
    await app.inject({ method: 'POST', url: `/v1/batches/${id}/archive`, headers })
    for (let i = 0; i < 200 && (await app.inject({ url: `/v1/batches/${id}/archive`, headers })).json().status !== 'ready'; i++) await new Promise(resolve => setTimeout(resolve, 25))
  }
  const context: Context = {
    app,
    ids: { county: county.id, employer: employer.id, henan: henan.id },
    kid: (await app.inject({ url: '/.well-known/jwks.json' })).json().keys[0].kid,
    async certificate (scope) {
      const issued = scope === 'out' ? await issueAs(henan, '410105') : await issueAs(employer, '440106')
      tokens.set(issued.number, issued.jws)
      return issued.number
    },
    batch: scope => (scope === 'out' ? batches.out : batches.in),
    async uploadSeal (caller) {
      const org = orgOf(caller)
      if (org === undefined || !issuerOrgs.includes(org)) return
      await app.inject({ method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...bearer(orgs[org].apiKey), 'content-type': 'image/png' }, payload: seal })
    },
    async freshKeyId (caller, scope) {
      const owner = caller === undefined ? employer.id : scope === 'out' ? henan.id : orgs[orgOf(caller) ?? 'county'].id
      return (await adminPost(`/v1/admin/issuers/${owner}/keys`, {})).keyId
    },
    async freshUserId (caller, scope) {
      const owner = scope === 'out' ? henan.id : orgs[orgOf(caller) ?? 'county'].id
      const created = await app.inject({ method: 'POST', url: `/v1/admin/issuers/${owner}/users`, headers: adminHeaders, payload: { username: `staff${++serial}`, displayName: '同事', role: 'clerk' } })
      return created.json().user.id as number
    },
    async freshSession (caller) {
      if (caller === 'temporary password') return await temporary()
      if (!isSession(caller) || deadSessions.includes(caller)) return undefined
      const fresh = await signInNewUser(orgs[orgOf(caller)!].id, caller === 'no CSRF token' ? 'clerk' : roleOf(caller))
      return { headers: caller === 'no CSRF token' ? { cookie: fresh.cookie } : sessionHeaders(fresh), password: fresh.password }
    },
    credentials: { username: signInUser.username, password: signInUser.password },
    jwsOf: number => tokens.get(number) ?? '',
  }

  // Every row written from here on is logged (a snapshot of every table before and after each of ~1,500 refusals took a minute).
  const writes = await recordRowWrites(database.db)
  const start = await writes.mark()
  await context.certificate('in')
  t.ok((await writes.since(start)).some(change => change.startsWith('+ certificates ')), 'the log of row writes sees a change when there is one')

  const routes = routesOf(app)
  t.ok(routes.length > 30, `${routes.length} routes found in the router`)
  const gets = new Set(routes.filter(r => r.startsWith('GET ')).map(r => r.slice(4)))
  t.same(routes.filter(r => r.startsWith('HEAD ') && !gets.has(r.slice(5))), [], 'every HEAD route is the GET route answered without a body')
  const endpoints = routes.filter(r => !r.startsWith('HEAD '))
  t.same(endpoints.filter(r => matrix[r] === undefined), [], 'every endpoint has a row in the matrix (add one for a new endpoint)')
  t.same(Object.keys(matrix).filter(r => !endpoints.includes(r)), [], 'and the matrix names no endpoint that is gone')

  for (const route of endpoints) {
    const entry = matrix[route]
    if (entry === undefined) continue
    for (const caller of callers) {
      for (const scope of entry.scopes) {
        const request = await entry.request(context, scope, caller)
        const options: InjectOptions = { ...request, headers: { ...headersOf[caller], ...request.headers } }
        const expected = entry.expect(caller, scope, request.method ?? 'GET')
        // Only a refusal is checked for writes (a 2xx where a refusal was expected fails anyway).
        const before = expected >= 400 ? await writes.mark() : undefined
        const response = await app.inject(options)
        const what = `${route} as ${caller}${scope === 'any' ? '' : scope === 'in' ? ' (in scope)' : ' (out of scope)'}`
        if (response.statusCode !== expected) t.fail(`${what}: ${response.statusCode}, expected ${expected}: ${response.body.slice(0, 300)}`)
        else t.pass(`${what}: ${expected}`)
        if (expected === 401) {
          const code = response.json().code as string
          const sessionOnly = route.includes('/v1/session')
          const wanted = caller === 'none' || (isSession(caller) && route.includes('/admin/')) || (!isSession(caller) && sessionOnly)
            ? 'AUTHENTICATION_REQUIRED'
            : isSession(caller) ? 'SESSION_EXPIRED' : route.includes('/admin/') ? 'INVALID_ADMIN_TOKEN' : 'INVALID_API_KEY'
          t.equal(code, wanted, `${what}: ${wanted}`)
        }
        // The console's pages answer a refusal as a page, not as JSON.
        if (expected === 403 && isSession(caller) && !route.startsWith('GET /console')) {
          const code = response.json().code as string
          const wanted = caller === 'temporary password' ? ['PASSWORD_CHANGE_REQUIRED'] : caller === 'no CSRF token' && unsafe(request.method ?? 'GET') ? ['CSRF_TOKEN_INVALID', 'FORBIDDEN_ROLE'] : ['FORBIDDEN_ROLE', 'OUT_OF_SCOPE']
          if (!wanted.includes(code)) t.fail(`${what}: ${code}, expected one of ${wanted.join(', ')}`)
        }
        if (response.statusCode >= 400 && before !== undefined) t.same(await writes.since(before), [], `${what}: the refusal changed nothing`)
      }
    }
  }

  const henanCertificates = await database.db.selectFrom('certificates').select('number').where('region_code', '=', '410105').execute()
  t.ok(henanCertificates.every(c => c.number.startsWith('41010525')), 'nothing was ever issued in Henan by a Guangdong account')
  const byGuangdong = await database.db.selectFrom('certificates').select('number').where('region_code', '=', '410105').where('issuer_id', '!=', henan.id).execute()
  t.same(byGuangdong, [], 'the out-of-scope batches issued nothing')
})

t.test('an Idempotency-Key belongs to one account: another account with the same key neither replays nor blocks', async t => {
  const { app, createIssuer } = await build(t)
  const first = await createIssuer('employer', '440106', '甲公司')
  const second = await createIssuer('employer', '440106', '乙公司')
  const verifier = await createIssuer('verifier', '440000')
  const send = (who: { apiKey: string }, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${who.apiKey}`, 'idempotency-key': 'shared-key-1' }, payload: body })
  const refused = await send(verifier, issueBody({}, 1))
  t.equal(refused.statusCode, 403, 'a verifier is refused')
  const a = await send(first, issueBody({}, 1))
  t.equal(a.statusCode, 201, 'the refusal did not take the key')
  const replay = await send(first, issueBody({}, 1))
  t.equal(replay.headers['idempotent-replayed'], 'true')
  t.equal(replay.json().number, a.json().number, 'the same account replays its first answer')
  const b = await send(second, issueBody({}, 2))
  t.equal(b.statusCode, 201, 'another account with the same key and another body is not IDEMPOTENCY_KEY_REUSED')
  t.not(b.json().number, a.json().number)
  t.equal(b.headers['idempotent-replayed'], undefined, 'and is not handed the first account\'s answer')
  const sameBody = await send(second, issueBody({}, 1))
  t.equal(sameBody.statusCode, 422, 'its own key with another body is refused')
  t.equal(sameBody.json().code, 'IDEMPOTENCY_KEY_REUSED')
})
