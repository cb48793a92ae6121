import t from 'tap'
import { build, createTestDatabase, issueBody, makeIdNumber, type TestApp } from '../helper.js'
import { loadSigningKeys, type SigningKeyRing } from '../../src/signing/signing-keys.js'
import { createCertificateService, type BeforeCommit, type IssuedCertificate } from '../../src/certificates/certificate-service.js'
import { findRegion } from '../../src/regions/region-table.js'
import { createNameCheckService } from '../../src/certificates/name-checks.js'
import { loadPrintableCharacters } from '../../src/documents/index.js'

async function issueMany (testApp: TestApp, apiKey: string, count: number, options: { regionCode?: string, serialBase?: number } = {}) {
  return Promise.all(Array.from({ length: count }, (_, i) => testApp.app.inject({
    method: 'POST',
    url: '/v1/certificates',
    headers: { authorization: `Bearer ${apiKey}` },
    payload: issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', `19${String(50 + Math.floor(((options.serialBase ?? 0) + i) / 1000)).padStart(2, '0')}0101`, ((options.serialBase ?? 0) + i) % 1000) } }),
  })))
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i)
const expectedNumbers = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => prefix + String(i + 1).padStart(6, '0'))

t.test('200 certificates issued at once for one county get exactly 000001…000200', async t => {
  const database = await createTestDatabase(t, 12)
  const testApp = await build(t, { database })
  const { apiKey } = await testApp.createIssuer('authority', '440106')
  const responses = await issueMany(testApp, apiKey, 200)
  t.same(responses.map(r => r.statusCode).filter(s => s !== 201), [], 'all issued')
  const numbers = responses.map(r => r.json().number as string).sort()
  t.same(numbers, expectedNumbers('44010625', 200))
})

t.test('two counties interleaved keep separate gapless sequences', async t => {
  const testApp = await build(t, { database: await createTestDatabase(t, 12) })
  const tianhe = await testApp.createIssuer('authority', '440106')
  const futian = await testApp.createIssuer('authority', '440304')
  const [a, b] = await Promise.all([
    issueMany(testApp, tianhe.apiKey, 60),
    issueMany(testApp, futian.apiKey, 60, { serialBase: 500 }),
  ])
  t.same(a.map(r => r.json().number as string).sort(), expectedNumbers('44010625', 60))
  t.same(b.map(r => r.json().number as string).sort(), expectedNumbers('44030425', 60))
})

t.test('a holder issued twice at once gets one certificate, and the refused request leaves no hole', async t => {
  const testApp = await build(t, { database: await createTestDatabase(t, 12) })
  const { apiKey } = await testApp.createIssuer('authority', '440106')
  const same = issueBody({ holder: { name: '李四', idNumber: makeIdNumber('440106', '19700101', 999) } })
  const duplicates = Array.from({ length: 5 }, () => testApp.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: same }))
  const [dupes, others] = await Promise.all([Promise.all(duplicates), issueMany(testApp, apiKey, 20)])
  t.equal(dupes.filter(r => r.statusCode === 201).length, 1, 'exactly one of the duplicates was issued')
  t.same(dupes.filter(r => r.statusCode !== 201).map(r => r.json().code), Array(4).fill('CERTIFICATE_EXISTS'))
  const numbers = [...dupes, ...others].filter(r => r.statusCode === 201).map(r => r.json().number as string).sort()
  t.same(numbers, expectedNumbers('44010625', 21), 'the numbers stay contiguous')
})

t.test('a failure after the number was taken gives the number back', async t => {
  const database = await createTestDatabase(t)
  const testApp = await build(t, { database })
  await testApp.createIssuer('authority', '440106')
  const realKeys = await loadSigningKeys(testApp.keysDir, 'ES256', () => new Date())
  t.teardown(() => realKeys.close())
  let calls = 0
  // The signer fails on its second use: the transaction has already allocated 000002 by then.
  const flakyKeys: SigningKeyRing = {
    ...realKeys,
    current (at) {
      if (++calls === 2) throw new Error('signing device unavailable')
      return realKeys.current(at)
    },
  }
  const service = createCertificateService({ db: database.db, keys: flakyKeys, holderIdSecret: Buffer.alloc(32, 1), clock: () => new Date(), publicBaseUrl: 'https://cert.example.gov.cn', nameChecks: createNameCheckService({ db: database.db, clock: () => new Date(), mismatchesPerAccountPerDay: 100 }), printable: await loadPrintableCharacters() })
  const actor = { issuerId: 1, name: '天河区', kind: 'authority' as const, region: findRegion('440106')!, via: 'api-key' as const }
  const issue = (serial: number) => service.issueCertificate(actor, issueBody({}, serial) as never)
  t.equal((await issue(1)).number, '44010625000001')
  await t.rejects(issue(2), /signing device unavailable/)
  t.equal((await issue(3)).number, '44010625000002', 'the failed issuance left no hole')
  const stored = await database.db.selectFrom('certificates').select('number').orderBy('number').execute()
  t.same(stored.map(r => r.number), ['44010625000001', '44010625000002'])
})

t.test('requests issued together share a transaction, but one member\'s failure fails only that member', async t => {
  const database = await createTestDatabase(t)
  const keys = await loadSigningKeys((await build(t, { database })).keysDir, 'ES256', () => new Date())
  t.teardown(() => keys.close())
  const service = createCertificateService({ db: database.db, keys, holderIdSecret: Buffer.alloc(32, 1), clock: () => new Date(), publicBaseUrl: 'https://cert.example.gov.cn', nameChecks: createNameCheckService({ db: database.db, clock: () => new Date(), mismatchesPerAccountPerDay: 100 }), printable: await loadPrintableCharacters() })
  await database.db.insertInto('issuers').values({ name: '天河区', kind: 'authority', region_code: '440106' }).execute()
  const actor = { issuerId: 1, name: '天河区', kind: 'authority' as const, region: findRegion('440106')!, via: 'api-key' as const }
  const issueAll = (serials: number[], beforeCommit: (serial: number) => BeforeCommit<IssuedCertificate>) =>
    Promise.allSettled(serials.map(serial => service.issueCertificate(actor, issueBody({}, serial) as never, beforeCommit(serial))))

  const transactions = new Set<unknown>()
  const together = await issueAll(range(0, 12), () => async trx => { transactions.add(trx) })
  t.equal(together.filter(r => r.status === 'fulfilled').length, 12)
  t.ok(transactions.size < 12, `12 requests at once committed in ${transactions.size} transactions`)

  // One member of the next group fails inside the shared transaction.
  const results = await issueAll(range(12, 24), serial => async () => {
    if (serial === 19) throw new Error('the idempotency record of request 19 could not be written')
  })
  t.equal(results.filter(r => r.status === 'fulfilled').length, 11, 'the other eleven were issued')
  t.match((results[7] as PromiseRejectedResult).reason, /request 19/, 'the failing member got its own error')
  const stored = await database.db.selectFrom('certificates').select('number').orderBy('number').execute()
  t.same(stored.map(r => r.number), expectedNumbers('44010625', 23), 'no hole where the failed member was')
  const audit = await database.db.selectFrom('audit_events').select('subject').where('action', '=', 'certificate.issued').execute()
  t.equal(audit.length, 23, 'one audit event per stored certificate')
})

t.test('a county whose numbers run out refuses with NUMBER_RANGE_EXHAUSTED and stores nothing', async t => {
  const testApp = await build(t)
  const { apiKey } = await testApp.createIssuer('authority', '440106')
  await testApp.database.db.insertInto('number_sequences').values({ region_code: '440106', year: 2025, last_value: 999_998 }).execute()
  const issue = (serial: number) => testApp.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: issueBody({}, serial) })
  const last = await issue(1)
  t.equal(last.json().number, '44010625999999', 'the last number is still issued')
  const refused = await issue(2)
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'NUMBER_RANGE_EXHAUSTED')
  t.match(refused.json().message, /天河区/)
  const batch = await testApp.app.inject({
    method: 'POST', url: '/v1/certificates/batch', headers: { authorization: `Bearer ${apiKey}` },
    payload: { certificates: [issueBody({}, 3), issueBody({}, 4)] },
  })
  t.equal(batch.json().code, 'NUMBER_RANGE_EXHAUSTED', 'a batch too large for what is left is refused whole')
  const counter = await testApp.database.db.selectFrom('number_sequences').select('last_value').where('region_code', '=', '440106').executeTakeFirstOrThrow()
  t.equal(counter.last_value, 999_999, 'the counter did not move past the end')
  t.equal((await testApp.database.db.selectFrom('certificates').select('number').execute()).length, 1)
})
