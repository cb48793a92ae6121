// A batch's PDFs as a ZIP a county can live with: complete or refused, named <number>-<姓名>.pdf, large ones prepared in the background and resumable.
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import t from 'tap'
import { build, issueBody, makeIdNumber, temporaryDirectory } from '../helper.js'

const run = promisify(execFile)
const { app, database, createIssuer } = await build(t)
const employer = await createIssuer('employer', '440106', '广州天河软件科技有限公司')
const auth = { authorization: `Bearer ${employer.apiKey}` }
const names = ['张三', '欧阳娜娜', '买买提·艾力', '李四']
async function batchOf (count: number, first: number): Promise<{ id: number, numbers: string[] }> {
  const certificates = Array.from({ length: count }, (_, i) => issueBody({ holder: { name: names[i % names.length], idNumber: makeIdNumber('440106', `19${60 + Math.floor((first + i) / 900)}0101`, (first + i) % 900) } }))
  const response = await app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: auth, payload: { certificates } })
  if (response.statusCode !== 201) throw new Error(response.body.slice(0, 300))
  return { id: response.json().batchId, numbers: response.json().rows.map((r: { number: string }) => r.number) }
}
const dir = await temporaryDirectory(t, 'ce-zips-')
const listing = async (zip: Buffer, name: string) => {
  const file = path.join(dir, name)
  await writeFile(file, zip)
  await run('unzip', ['-tq', file]) // every entry's CRC checks out: a complete archive
  return (await run('zipinfo', ['-1', file])).stdout.trim().split('\n')
}

t.test('a small batch is one complete ZIP of <number>-<姓名>.pdf, sent with its length', async t => {
  const small = await batchOf(5, 0)
  const response = await app.inject({ url: `/v1/batches/${small.id}/pdfs`, headers: auth })
  t.equal(response.statusCode, 200, response.body.slice(0, 300))
  t.equal(response.headers['content-type'], 'application/zip')
  t.equal(Number(response.headers['content-length']), response.rawPayload.length)
  t.match(response.headers['content-disposition'], /filename\*=UTF-8''/)
  const entries = await listing(response.rawPayload, 'small.zip')
  t.same(entries, small.numbers.map((number, i) => `${number}-${names[i % names.length]}.pdf`))
})

t.test('a certificate that cannot be rendered fails the ZIP clearly, never a truncated 200', async t => {
  const broken = await batchOf(3, 100)
  // A name issued before names were checked against the fonts: U+323AF is in no font.
  await database.db.updateTable('certificates').set({ holder_name: '张\u{323AF}' }).where('number', '=', broken.numbers[1]!).execute()
  const response = await app.inject({ url: `/v1/batches/${broken.id}/pdfs`, headers: auth })
  t.equal(response.statusCode, 422)
  t.equal(response.json().code, 'UNRENDERABLE_CHARACTER')
  t.match(response.json().messageZh, /无法打印|字符/)

  const prepared = await app.inject({ method: 'POST', url: `/v1/batches/${broken.id}/archive`, headers: auth })
  t.equal(prepared.statusCode, 202)
  let state = prepared.json()
  for (let i = 0; i < 200 && state.status === 'preparing'; i++) {
    await new Promise(resolve => setTimeout(resolve, 50))
    state = (await app.inject({ url: `/v1/batches/${broken.id}/archive`, headers: auth })).json()
  }
  t.match(state, { status: 'failed', error: { code: 'UNRENDERABLE_CHARACTER' } })
  t.equal((await app.inject({ url: `/v1/batches/${broken.id}/archive.zip`, headers: auth })).json().code, 'ARCHIVE_NOT_READY', 'nothing to download')
})

t.test('a large batch is prepared in the background with its progress, then downloads whole or in resumable ranges', async t => {
  const large = await batchOf(201, 200)
  const refused = await app.inject({ url: `/v1/batches/${large.id}/pdfs`, headers: auth })
  t.equal(refused.statusCode, 409)
  t.equal(refused.json().code, 'ARCHIVE_REQUIRED')
  t.equal((await app.inject({ url: `/v1/batches/${large.id}/archive`, headers: auth })).json().code, 'ARCHIVE_NOT_FOUND')

  const started = await app.inject({ method: 'POST', url: `/v1/batches/${large.id}/archive`, headers: auth })
  t.equal(started.statusCode, 202)
  t.equal(started.headers.location, `/v1/batches/${large.id}/archive`)
  t.match(started.json(), { batchId: large.id, status: 'preparing', total: 201, links: { download: `/v1/batches/${large.id}/archive.zip` } })
  const again = await app.inject({ method: 'POST', url: `/v1/batches/${large.id}/archive`, headers: auth })
  t.equal(again.json().status, 'preparing', 'asking again does not start another')
  const percents: number[] = []
  let state = started.json()
  for (let i = 0; i < 600 && state.status === 'preparing'; i++) {
    await new Promise(resolve => setTimeout(resolve, 50))
    state = (await app.inject({ url: `/v1/batches/${large.id}/archive`, headers: auth })).json()
    percents.push(state.percent)
  }
  t.match(state, { status: 'ready', done: 201, percent: 100, bytes: Number, sha256: /^[0-9a-f]{64}$/ })
  t.same([...percents].sort((a, b) => a - b), percents, 'the percentage only grows')

  const whole = await app.inject({ url: `/v1/batches/${large.id}/archive.zip`, headers: auth })
  t.equal(whole.statusCode, 200)
  t.equal(Number(whole.headers['content-length']), state.bytes)
  t.equal(whole.headers['accept-ranges'], 'bytes')
  t.equal((await listing(whole.rawPayload, 'large.zip')).length, 201)
  t.equal((await import('node:crypto')).createHash('sha256').update(whole.rawPayload).digest('hex'), state.sha256)

  const half = Math.floor(state.bytes / 2)
  const first = await app.inject({ url: `/v1/batches/${large.id}/archive.zip`, headers: { ...auth, range: `bytes=0-${half - 1}` } })
  const rest = await app.inject({ url: `/v1/batches/${large.id}/archive.zip`, headers: { ...auth, range: `bytes=${half}-` } })
  t.equal(first.statusCode, 206)
  t.equal(rest.statusCode, 206)
  t.equal(rest.headers['content-range'], `bytes ${half}-${state.bytes - 1}/${state.bytes}`)
  t.same(Buffer.concat([first.rawPayload, rest.rawPayload]), whole.rawPayload, 'a download resumed with Range gives the same file')
  t.equal((await app.inject({ url: `/v1/batches/${large.id}/archive.zip`, headers: { ...auth, range: `bytes=${state.bytes + 10}-` } })).statusCode, 416)

  const stranger = await createIssuer('employer', '440106', '另一家公司')
  for (const url of [`/v1/batches/${large.id}/archive`, `/v1/batches/${large.id}/archive.zip`]) {
    t.equal((await app.inject({ url, headers: { authorization: `Bearer ${stranger.apiKey}` } })).statusCode, 403, `${url}: only the issuing account`)
  }
})
