// Hostile input, request by request: each gets a 4xx with a stable code (never a 5xx) and leaves every table exactly as it was.
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { createDeflate } from 'node:zlib'
import t from 'tap'
import type { InjectOptions } from 'fastify'
import { PDFDocument, PDFName, PDFRawStream } from 'pdf-lib'
import { adminToken, build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'
import { snapshotDatabase } from '../fixtures/database-snapshot.js'
import { hmacToken, strangerToken, unsignedToken } from '../verification/forged-tokens.js'
import { handMadeXlsx, xlsxType } from '../fixtures/spreadsheet-files.js'

const run = promisify(execFile)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** A PDF whose page content is a FlateDecode stream of ~1 MB that inflates to 512 MB. */
async function zipBombPdf (): Promise<Uint8Array> {
  const deflate = createDeflate({ level: 9 })
  const chunks: Buffer[] = []
  deflate.on('data', (chunk: Buffer) => chunks.push(chunk))
  const ended = new Promise(resolve => deflate.on('end', resolve))
  const zeros = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < 512; i++) if (!deflate.write(zeros)) await new Promise(resolve => deflate.once('drain', resolve))
  deflate.end()
  await ended
  const doc = await PDFDocument.create()
  const page = doc.addPage()
  const bomb = doc.context.register(PDFRawStream.of(doc.context.obj({ Filter: 'FlateDecode' }), Buffer.concat(chunks)))
  page.node.set(PDFName.of('Contents'), bomb)
  return doc.save()
}

t.test('a table of hostile requests: each refused with a 4xx, nothing changed', async t => {
  const { app, database, createIssuer } = await build(t)
  const county = await createIssuer('authority', '440106', '天河区人社局')
  const employer = await createIssuer('employer', '440106', '甲公司')
  const auth = { authorization: `Bearer ${county.apiKey}` }
  const employerAuth = { authorization: `Bearer ${employer.apiKey}` }
  const verifierAuth = { authorization: `Bearer ${(await createIssuer('verifier', '440000', '评审委员会')).apiKey}` }
  const admin = { authorization: `Bearer ${adminToken}` }
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: auth, payload: issueBody() })
  t.equal(issued.statusCode, 201)
  const { number, jws } = issued.json() as { number: string, jws: string }
  const [header, payload] = jws.split('.')
  const kid = (JSON.parse(Buffer.from(header!, 'base64url').toString()) as { kid: string }).kid

  const directory = await temporaryDirectory(t)
  const plainPdf = path.join(directory, 'plain.pdf')
  await writeFile(plainPdf, await (await PDFDocument.create()).save())
  await run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', plainPdf, path.join(directory, 'encrypted.pdf')])
  const encryptedPdf = await readFile(path.join(directory, 'encrypted.pdf'))
  const bombPdf = await zipBombPdf()
  const bombXlsx = handMadeXlsx(Buffer.concat([Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'), Buffer.alloc(100 * 1024 * 1024, 0x61), Buffer.from('</t></is></c></row></sheetData></worksheet>')]), { declaredSize: 4096 })
  t.ok(bombPdf.length < 5 * 1024 * 1024, `the bomb is ${bombPdf.length} bytes`)

  const issue = (body: unknown, extra: Partial<InjectOptions> = {}): InjectOptions => ({ method: 'POST', url: '/v1/certificates', headers: auth, payload: body as Record<string, unknown>, ...extra })
  const withHolder = (name: string, idNumber = makeIdNumber('440106', '19850312', 99)) => issue(issueBody({ holder: { name, idNumber } }, 99))
  const raw = (url: string, contentType: string, body: string | Buffer, headers: Record<string, string> = auth): InjectOptions => ({ method: 'POST', url, headers: { ...headers, 'content-type': contentType }, payload: body })
  const verify = (body: unknown): InjectOptions => ({ method: 'POST', url: '/v1/verify', payload: body as Record<string, unknown> })
  const verifyPdf = (pdf: Uint8Array): InjectOptions => raw('/v1/verify', 'application/pdf', Buffer.from(pdf), {})
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
  const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`
  const tenMegabytes = 'x'.repeat(10 * 1024 * 1024)
  const sql = "'); DROP TABLE certificates; --"

  const cases: Array<[string, InjectOptions, number, string?]> = [
    // SQL metacharacters where the field has a grammar of its own
    ['SQL in the holder name', withHolder(`张三${sql}`), 400, 'VALIDATION_FAILED'],
    ['SQL in the ID number', withHolder('张三', "44010619850312' OR"), 400, 'INVALID_ID_NUMBER'],
    ['SQL in the region code', issue(issueBody({ regionCode: "4401' OR '1'='1" }, 98)), 400, 'VALIDATION_FAILED'],
    ['SQL in the rule set', issue(issueBody({ ruleSet: `guangdong${sql}` }, 98)), 400, 'VALIDATION_FAILED'],
    ['SQL in a certificate number (lookup)', { url: `/v1/certificates/${encodeURIComponent(`${number}' OR '1'='1`)}` }, 400, 'MALFORMED_CERTIFICATE_NUMBER'],
    ['SQL in a certificate number (revoke)', { method: 'POST', url: `/v1/certificates/${encodeURIComponent(`1' OR 1=1 --`)}/revoke`, headers: auth, payload: { reason: '核查' } }, 400, 'MALFORMED_CERTIFICATE_NUMBER'],
    ['SQL in a kid', { url: `/.well-known/crl/${encodeURIComponent("x' OR 1=1 --")}.json` }, 400, 'VALIDATION_FAILED'],
    ['SQL in a register region', { url: `/v1/registers/${encodeURIComponent("440106' --")}/2025`, headers: auth }, 400, 'VALIDATION_FAILED'],
    ['SQL in a register page cursor', { url: `/v1/registers/440106/2025?after=${encodeURIComponent("0' OR '1'='1")}`, headers: auth }, 400, 'VALIDATION_FAILED'],
    ['SQL in the stats region', { url: `/v1/stats?regionCode=${encodeURIComponent('44%')}`, headers: auth }, 400, 'VALIDATION_FAILED'],
    ['SQL in the audit time', { url: `/v1/audit?from=${encodeURIComponent("2025-01-01' OR '1'='1")}`, headers: auth }, 400, 'VALIDATION_FAILED'],
    ['SQL in an issuer id', { method: 'POST', url: `/v1/admin/issuers/${encodeURIComponent('1 OR 1=1')}/keys`, headers: { authorization: `Bearer ${adminToken}` }, payload: {} }, 400, 'VALIDATION_FAILED'],
    ['SQL in an issuer kind', { method: 'POST', url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, payload: { name: '某局', kind: `authority${sql}`, regionCode: '440106' } }, 400, 'VALIDATION_FAILED'],
    // NUL bytes and control characters in every free-text field
    ['NUL in the holder name', withHolder('张\u0000三'), 400, 'VALIDATION_FAILED'],
    ['a bell in the holder name', withHolder('张\u0007三'), 400, 'VALIDATION_FAILED'],
    ['NUL in the employer name', issue(issueBody({ employer: { name: '甲公司\u0000' } }, 98)), 400, 'VALIDATION_FAILED'],
    ['an escape sequence in the employer name', issue(issueBody({ employer: { name: '甲公司\u001b[2J' } }, 98)), 400, 'VALIDATION_FAILED'],
    ['a lone surrogate in the employer name', issue(issueBody({ employer: { name: '甲公司\ud800' } }, 98)), 400, 'VALIDATION_FAILED'],
    ['NUL in the series', issue(issueBody({ series: '会计\u0000' }, 98)), 400, 'VALIDATION_FAILED'],
    ['NUL in a revocation reason', { method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: auth, payload: { reason: '核查\u0000不实' } }, 400, 'VALIDATION_FAILED'],
    ['NUL in an issuer name', { method: 'POST', url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, payload: { name: '某局\u0000', kind: 'authority', regionCode: '440106' } }, 400, 'VALIDATION_FAILED'],
    ['NUL in the ID number', withHolder('张三', `${makeIdNumber().slice(0, 17)}\u0000`), 400, 'INVALID_ID_NUMBER'],
    ['a control character in the Idempotency-Key', issue(issueBody({}, 97), { headers: { ...auth, 'idempotency-key': 'key\u0001' } }), 400, 'INVALID_IDEMPOTENCY_KEY'],
    ['NUL in a certificate number', { url: `/v1/certificates/4401062500000${encodeURIComponent('\u0000')}` }, 400, 'MALFORMED_CERTIFICATE_NUMBER'],
    // Right-to-left overrides, invisible characters and look-alikes in names
    ['a right-to-left override in the holder name', withHolder('\u202e三张'), 400, 'VALIDATION_FAILED'],
    ['a zero-width space in the holder name', withHolder('张\u200b三'), 400, 'VALIDATION_FAILED'],
    ['a right-to-left override in the employer name', issue(issueBody({ employer: { name: '甲公司\u202e司公乙' } }, 98)), 400, 'VALIDATION_FAILED'],
    ['a Cyrillic а inside a Latin name', withHolder('Ivаn Petrov'), 400, 'VALIDATION_FAILED'],
    ['a Greek ο inside a Latin name', withHolder('Jοhn Smith'), 400, 'VALIDATION_FAILED'],
    ['a Latin o among Han characters', withHolder('张o三'), 400, 'VALIDATION_FAILED'],
    ['full-width Latin letters', withHolder('ＪＯＨＮ'), 400, 'VALIDATION_FAILED'],
    ['a Kangxi radical for 一', withHolder('张⼀'), 400, 'VALIDATION_FAILED'],
    ['a ligature in a Latin name', withHolder('Soﬁa Rossi'), 400, 'VALIDATION_FAILED'],
    // Sizes and shapes no client needs
    ['10 MB to issue', raw('/v1/certificates', 'application/json', `{"x":"${tenMegabytes}"}`), 413, 'PAYLOAD_TOO_LARGE'],
    ['10 MB batch', raw('/v1/certificates/batch', 'application/json', `{"x":"${tenMegabytes}"}`), 413, 'PAYLOAD_TOO_LARGE'],
    ['10 MB CSV batch', raw('/v1/certificates/batch', 'text/csv', tenMegabytes), 413, 'PAYLOAD_TOO_LARGE'],
    ['10 MB to verify as JSON', raw('/v1/verify', 'application/json', `{"jws":"${tenMegabytes}"}`, {}), 413, 'PAYLOAD_TOO_LARGE'],
    ['10 MB to verify as PDF', raw('/v1/verify', 'application/pdf', Buffer.alloc(10 * 1024 * 1024), {}), 413, 'PAYLOAD_TOO_LARGE'],
    ['10 MB seal', { method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...auth, 'content-type': 'image/png' }, payload: Buffer.alloc(10 * 1024 * 1024) }, 413, 'PAYLOAD_TOO_LARGE'],
    ['10 MB to the administrator', raw('/v1/admin/issuers', 'application/json', `{"x":"${tenMegabytes}"}`, { authorization: `Bearer ${adminToken}` }), 413, 'PAYLOAD_TOO_LARGE'],
    ['arrays nested 30,000 deep', raw('/v1/certificates', 'application/json', deep(30_000)), 400],
    ['objects nested 10,000 deep', raw('/v1/certificates', 'application/json', deepObject(10_000)), 400],
    ['a batch nested 3,000,000 deep', raw('/v1/certificates/batch', 'application/json', `{"certificates":[${deep(3_000_000)}]}`), 400, 'VALIDATION_FAILED'],
    ['a verify body nested 20,000 deep', raw('/v1/verify', 'application/json', `{"jws":${deep(20_000)}}`, {}), 400],
    ['__proto__ in the body', raw('/v1/certificates', 'application/json', JSON.stringify(issueBody({}, 96)).replace('{', '{"__proto__":{"admin":true},')), 400],
    // Wrong content types
    ['text/plain to issue', raw('/v1/certificates', 'text/plain', JSON.stringify(issueBody({}, 96))), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['XML to issue', raw('/v1/certificates', 'application/xml', '<holder/>'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a form to issue', raw('/v1/certificates', 'application/x-www-form-urlencoded', 'holder=x'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['multipart to issue', raw('/v1/certificates', 'multipart/form-data; boundary=x', '--x--'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['a PNG to verify', raw('/v1/verify', 'image/png', Buffer.from('89504e470d0a1a0a', 'hex'), {}), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['JSON as a seal', { method: 'PUT', url: '/v1/issuers/me/seal', headers: auth, payload: { png: 'x' } }, 400, 'INVALID_SEAL_IMAGE'],
    ['text/plain to the administrator', raw('/v1/admin/issuers', 'text/plain', 'name=x', { authorization: `Bearer ${adminToken}` }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['UTF-16 CSV', raw('/v1/certificates/batch', 'text/csv', Buffer.from('\ufeffname,idNumber\r\n张三,1\r\n', 'utf16le')), 400, 'MALFORMED_CSV'],
    // Spreadsheets built to cost: each bounded before the work it would cause
    ['a CSV batch whose header is 4 million commas', raw('/v1/certificates/batch', 'text/csv', ','.repeat(4_000_000)), 413, 'TABLE_TOO_LARGE'],
    ['a CSV batch with a 5 MB cell', raw('/v1/certificates/batch', 'text/csv', `name,idNumber\r\n"${'张'.repeat(2_000_000)}"`), 413, 'TABLE_TOO_LARGE'],
    ['an .xlsx batch whose sheet lies about its size (a zip bomb)', raw('/v1/certificates/batch', xlsxType, bombXlsx), 413, 'TABLE_TOO_LARGE'],
    ['an .xlsx batch whose used range is A1:XFD1048576', raw('/v1/certificates/batch', xlsxType, handMadeXlsx('<worksheet><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>')), 413, 'TABLE_TOO_LARGE'],
    ['an Excel 97-2003 .xls batch', raw('/v1/certificates/batch', xlsxType, Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])), 400, 'MALFORMED_XLSX'],
    ['an .xlsx verification list that is a zip bomb', raw('/v1/verify/batch', xlsxType, bombXlsx), 413, 'TABLE_TOO_LARGE'],
    ['a verification list whose header is 4 million tabs', raw('/v1/verify/batch', 'text/csv', '\t'.repeat(4_000_000)), 413, 'TABLE_TOO_LARGE'],
    // Full-width digits where digits are meant
    ['a certificate number in full-width digits', { url: `/v1/certificates/${encodeURIComponent('４４０１０６２５００００００１')}` }, 400, 'MALFORMED_CERTIFICATE_NUMBER'],
    ['an ID number in full-width digits', withHolder('张三', '４４０１０６１９８５０３１２００１Ｘ'), 400, 'INVALID_ID_NUMBER'],
    ['a region code in full-width digits', issue(issueBody({ regionCode: '４４０１０６' }, 98)), 400, 'VALIDATION_FAILED'],
    ['a year in full-width digits', issue(issueBody({ year: '２０２５' }, 98)), 400, 'VALIDATION_FAILED'],
    ['hours in full-width digits', issue(issueBody({ hours: { public: '２０', professional: 44, elective: 12 } }, 98)), 400, 'VALIDATION_FAILED'],
    ['a register year in full-width digits', { url: `/v1/registers/440106/${encodeURIComponent('２０２５')}`, headers: auth }, 400, 'VALIDATION_FAILED'],
    // Forged and broken tokens
    ['a token with alg none', verify({ jws: unsignedToken(jws) }), 400, 'UNSUPPORTED_ALGORITHM'],
    ['a token signed with HS256', verify({ jws: await hmacToken(jws) }), 400, 'UNSUPPORTED_ALGORITHM'],
    ['a token with a kid never published', verify({ jws: await strangerToken(jws) }), 422, 'UNKNOWN_SIGNING_KEY'],
    ['a token without a kid', verify({ jws: `${b64({ alg: 'ES256', typ: 'cec+jws' })}.${payload}.${jws.split('.')[2]}` }), 422],
    ['a token with a kid of 10,000 characters', verify({ jws: `${b64({ alg: 'ES256', typ: 'cec+jws', kid: 'k'.repeat(10_000) })}.${payload}.${jws.split('.')[2]}` }), 413, 'TOKEN_TOO_LARGE'],
    ['a token in broken base64', verify({ jws: `${header}.${payload!.slice(0, -3)}***.${jws.split('.')[2]}` }), 400, 'INVALID_TOKEN'],
    ['a token with a header that is not JSON', verify({ jws: `${Buffer.from('{"alg":').toString('base64url')}.${payload}.${jws.split('.')[2]}` }), 400, 'INVALID_TOKEN'],
    ['a token of 1 MB', verify({ jws: `${jws}${'A'.repeat(1024 * 1024)}` }), 413],
    ['a QR text of a foreign URL with a forged token', verify({ qr: `https://evil.example/v/${number}#${unsignedToken(jws)}` }), 422, 'UNTRUSTED_QR_ADDRESS'],
    ['a QR text of this service with a forged token', verify({ qr: `https://cert.example.gov.cn/v/${number}#${unsignedToken(jws)}` }), 400, 'UNSUPPORTED_ALGORITHM'],
    // PDFs that are bombs, not PDFs, or locked
    ['a PDF that is a zip bomb (and unsigned)', verifyPdf(bombPdf), 422, 'PDF_ALTERED'],
    ['a PDF that is not a PDF', verifyPdf(Buffer.from('GIF89a not a pdf at all')), 400, 'INVALID_PDF'],
    ['an empty PDF body', verifyPdf(new Uint8Array()), 400],
    ['an encrypted PDF (and unsigned)', verifyPdf(encryptedPdf), 422, 'PDF_ALTERED'],
    ['a PDF seal', { method: 'PUT', url: '/v1/issuers/me/seal', headers: { ...auth, 'content-type': 'image/png' }, payload: encryptedPdf }, 400, 'INVALID_SEAL_IMAGE'],
    // Values PostgreSQL would refuse after the schema let them through: ids past int32, cursors past 2^53, times no database reads alike
    ['a batch id past int32', { url: '/v1/batches/2147483648', headers: employerAuth }, 400, 'VALIDATION_FAILED'],
    ['a batch ZIP id past int32', { url: '/v1/batches/2147483648/pdfs', headers: employerAuth }, 400, 'VALIDATION_FAILED'],
    ['an issuer id past int32', { method: 'POST', url: '/v1/admin/issuers/2147483648/keys', headers: admin, payload: {} }, 400, 'VALIDATION_FAILED'],
    ['an API key id past int32', { method: 'DELETE', url: '/v1/admin/issuers/1/keys/99999999999', headers: admin }, 400, 'VALIDATION_FAILED'],
    ['an audit cursor past bigint', { url: '/v1/audit?after=9223372036854775808', headers: auth }, 400, 'VALIDATION_FAILED'],
    ['an audit cursor of 1e21', { url: '/v1/audit?after=1e21', headers: auth }, 400, 'VALIDATION_FAILED'],
    ['a leap second', { url: '/v1/audit?from=2016-12-31T23:59:60Z', headers: auth }, 400, 'VALIDATION_FAILED'],
    ['the year 0', { url: '/v1/audit?from=0000-01-01T00:00:00Z', headers: auth }, 400, 'VALIDATION_FAILED'],
    ['the last minute of 9999 at -23:59', { url: `/v1/audit?to=${encodeURIComponent('9999-12-31T23:59:59-23:59')}`, headers: auth }, 400, 'VALIDATION_FAILED'],
    ['February 30th', { url: '/v1/audit?from=2025-02-30T00:00:00Z', headers: auth }, 400, 'VALIDATION_FAILED'],
    ['a key expiring at a leap second', { method: 'POST', url: '/v1/admin/issuers/1/keys', headers: admin, payload: { expiresAt: '2016-12-31T23:59:60Z' } }, 400, 'VALIDATION_FAILED'],
    ['a first key expiring in the year 0', { method: 'POST', url: '/v1/admin/issuers', headers: admin, payload: { name: '某局', kind: 'employer', regionCode: '440106', keyExpiresAt: '0000-01-01T00:00:00Z' } }, 400, 'VALIDATION_FAILED'],
    // JSON nested past any stack, before anything (the Idempotency-Key hash) walks it
    ['a batch nested 20,000 deep with an Idempotency-Key', raw('/v1/certificates/batch', 'application/json', `{"certificates":${deep(20_000)}}`, { ...auth, 'idempotency-key': 'deep-1' }), 400, 'VALIDATION_FAILED'],
    ['a bulk verification nested 20,000 deep', raw('/v1/verify/batch', 'application/json', `{"rows":[{"number":${deep(20_000)}}]}`, verifierAuth), 400, 'VALIDATION_FAILED'],
    ['a certificate request nested 33 deep', raw('/v1/certificates', 'application/json', `{"holder":${deepObject(33)}}`), 400, 'VALIDATION_FAILED'],
    // Fastify's own refusals in the one error shape
    ['an escape that is no character', { url: '/v1/certificates/%ED%A0%80' }, 400, 'MALFORMED_URL'],
    ['an escape that is no character, on the page', { url: '/v/%ED%A0%80' }, 400],
    ['a number parameter of 200 characters', { url: `/v1/certificates/${'1'.repeat(200)}` }, 414, 'URI_TOO_LONG'],
    ['an unknown address under /v', { url: '/v/44010625000001/extra' }, 404],
  ]
  void kid

  for (const [what, request, status, code] of cases) {
    const before = await snapshotDatabase(database.db)
    const response = await app.inject(request)
    t.equal(response.statusCode, status, `${what}: ${status}`)
    t.ok(response.statusCode >= 400 && response.statusCode < 500, `${what}: a 4xx`)
    if (String(response.headers['content-type']).includes('json')) {
      const body = response.json()
      if (code !== undefined) t.equal(body.code, code, `${what}: ${code}`)
      t.notMatch(response.body, /at .+\.(ts|js):\d+/, `${what}: no stack trace`)
    }
    if (what.includes('on the page') || what.includes('under /v')) t.match(response.headers['content-type'], /^text\/html/, `${what}: answered with a page`)
    t.same(await snapshotDatabase(database.db), before, `${what}: nothing changed`)
  }
  t.equal((await app.inject({ url: '/readyz' })).statusCode, 200, 'the service still serves')
  void employer
})

t.test('text fields that may hold quotes store them verbatim and touch nothing else', async t => {
  const { app, database, createIssuer } = await build(t)
  const county = await createIssuer('authority', '440106')
  const auth = { authorization: `Bearer ${county.apiKey}` }
  const sql = "O'Brien & Co.\"; DROP TABLE certificates; --"
  const issuer = await app.inject({ method: 'POST', url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, payload: { name: "某局'); DELETE FROM issuers; --", kind: 'employer', regionCode: '440106' } })
  t.equal(issuer.statusCode, 201)
  t.equal(issuer.json().name, "某局'); DELETE FROM issuers; --")
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { ...auth, 'idempotency-key': "k'; DROP TABLE idempotency_keys; --" }, payload: issueBody({ employer: { name: sql }, series: "x'--" }) })
  t.equal(issued.statusCode, 201)
  const revoked = await app.inject({ method: 'POST', url: `/v1/certificates/${issued.json().number as string}/revoke`, headers: auth, payload: { reason: "'; UPDATE certificates SET status = 'valid'; --" } })
  t.equal(revoked.statusCode, 200)
  const lookup = await app.inject({ url: `/v1/certificates/${issued.json().number as string}?name=${encodeURIComponent("' OR '1'='1")}` })
  t.equal(lookup.json().nameMatches, false)
  const row = await database.db.selectFrom('certificates').select(['employer_name', 'series', 'status', 'revocation_reason']).executeTakeFirstOrThrow()
  t.same(row, { employer_name: sql, series: "x'--", status: 'revoked', revocation_reason: "'; UPDATE certificates SET status = 'valid'; --" })
  const counts = await snapshotDatabase(database.db)
  t.equal(counts.issuers!.rows, 2)
  t.equal(counts.certificates!.rows, 1)
  t.equal(counts.idempotency_keys!.rows, 1)
})
