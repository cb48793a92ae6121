import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'

const issuedAt = new Date('2026-03-15T02:00:00Z')

// One app for the whole file: building one costs seconds, and every case issues its own holders.
let now = issuedAt
const built = await build(t, { clock: () => now })
const tianhe = await built.createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
let serial = 100

async function issue (overrides: Record<string, unknown> = {}, apiKey = tianhe.apiKey) {
  serial += 1
  const body = issueBody(overrides, serial)
  const response = await built.app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: body })
  if (response.statusCode !== 201) throw new Error(response.body)
  return { ...(response.json() as { number: string, jws: string }), idNumber: (body.holder as { idNumber: string }).idNumber }
}

async function revoke (number: string, at: Date) {
  now = at
  const response = await built.app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: { authorization: `Bearer ${tianhe.apiKey}` }, payload: { reason: '重复发放' } })
  now = issuedAt
  if (response.statusCode !== 200) throw new Error(response.body)
}

const { app, database } = built

t.test('a valid certificate\'s page shows 有效 and the masked record, in Chinese, as a whole HTML page', async t => {
  const { number, idNumber } = await issue({ holder: { name: '欧阳娜娜', idNumber: makeIdNumber('440106', '19900101', 7) } })
  const page = await app.inject({ url: `/v/${number}` })
  t.equal(page.statusCode, 200)
  t.match(page.headers['content-type'], /^text\/html; charset=utf-8/)
  t.match(page.headers['content-security-policy'], /script-src 'self'/)
  t.match(page.body, /^<!doctype html>\n<html lang="zh-CN">/)
  t.match(page.body, /<h2 class="verdict-label" id="verdict-label">.*有效<\/h2>/)
  for (const fact of ['欧**娜', '2025 年度', '广东省广州市天河区', '广州市天河区人力资源和社会保障局', '2026年3月15日', '合计', '76 学时', number]) {
    t.ok(page.body.includes(fact), `shows ${fact}`)
  }
  t.notOk(page.body.includes('欧阳娜娜'), 'the full name is never rendered by the server')
  t.notOk(page.body.includes(idNumber), 'no ID number')
  t.notMatch(page.body, /(src|href)="(https?:)?\/\//, 'nothing from another origin')
})

t.test('a revoked certificate\'s page shows 已撤销 with the revocation date, with status 200', async t => {
  const { number } = await issue()
  await revoke(number, new Date('2026-06-01T01:00:00Z'))
  const page = await app.inject({ url: `/v/${number}` })
  t.equal(page.statusCode, 200)
  t.match(page.body, /data-verdict="revoked"/)
  t.match(page.body, /已撤销/)
  t.match(page.body, /该证书已于 2026年6月1日 撤销/)
})

t.test('an unknown number is 404 with the 未找到 verdict as a page', async t => {
  const page = await app.inject({ url: '/v/44010626000099' })
  t.equal(page.statusCode, 404)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /data-verdict="not-found"/)
  t.match(page.body, /未找到/)
})

t.test('a malformed number is 400 and the page says exactly what is wrong', async t => {
  const cases: Array<[string, string]> = [
    ['4401062600001', '您输入的编号有 13 个字符'],
    ['44010626O00001', '第 9 个字符是“O”'],
    ['99999926000001', '前 6 位“999999”不是有效的行政区划代码'],
    ['44010627000001', '第 7–8 位表示 2027 年，该年度尚未到来'],
    ['44010626000000', '000000 从不发放'],
  ]
  for (const [number, reason] of cases) {
    const page = await app.inject({ url: `/v/${encodeURIComponent(number)}` })
    t.equal(page.statusCode, 400, number)
    t.match(page.body, /data-verdict="malformed"/)
    t.match(page.body, /编号格式错误/)
    t.ok(page.body.includes(reason), `${number}: ${reason}`)
  }
  const api = await app.inject({ url: '/v1/certificates/4401062600001' })
  t.equal(api.json().code, 'MALFORMED_CERTIFICATE_NUMBER')
  t.same(api.json().details.problem, { kind: 'length', length: 13 }, 'the API carries the problem as data too')
})

t.test('a hostile name is escaped and an ID number never reaches the page', async t => {
  const hostile = await built.createIssuer('authority', '440106', '<img src=x onerror=alert(1)>"\'&')
  const { number, idNumber } = await issue({}, hostile.apiKey)
  await database.db.updateTable('certificates').set({ holder_name: '<script>alert(1)</script>' }).where('number', '=', number).execute()
  const page = await app.inject({ url: `/v/${number}?name=${encodeURIComponent('"><script>alert(2)</script>')}` })
  t.equal(page.statusCode, 200)
  t.notOk(page.body.includes('<img'), 'no injected element')
  t.notOk(page.body.includes('<script>alert'), 'no injected script')
  t.ok(page.body.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;'), 'the issuer name shows as text')
  t.ok(page.body.includes(`&lt;${'*'.repeat(23)}&gt;`), 'the masked hostile holder name shows as text')
  t.ok(page.body.includes('&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;'), 'the checked name shows as text')
  t.notOk(page.body.includes(idNumber), 'no ID number')
  t.notOk(page.body.includes(idNumber.slice(0, 17)), 'not even part of it')
})

t.test('a name to check is compared with the holder\'s name', async t => {
  const { number } = await issue({ holder: { name: '买买提·艾力', idNumber: makeIdNumber('440106', '19700101', 9) } })
  const same = await app.inject({ url: `/v/${number}?name=${encodeURIComponent('买买提•艾力')}` })
  t.match(same.body, /name-check-match/)
  t.match(same.body, /一致：“买买提•艾力”与持证人姓名相符/)
  const other = await app.inject({ url: `/v/${number}?name=${encodeURIComponent('李四')}` })
  t.equal(other.statusCode, 200, 'a wrong name does not change the certificate\'s verdict')
  t.match(other.body, /name-check-mismatch/)
  t.match(other.body, /不一致：“李四”与持证人姓名不符/)
  const long = await app.inject({ url: `/v/${number}?name=${'名'.repeat(65)}` })
  t.match(long.body, /输入的姓名过长，未进行核对/)
})

t.test('the form redirects to the number\'s page, forgiving spaces and full-width digits', async t => {
  const form = await app.inject({ url: '/v' })
  t.equal(form.statusCode, 200)
  t.match(form.body, /<label for="number">证书编号<\/label>/)
  t.match(form.body, /<label for="name">持证人姓名（选填）<\/label>/)
  const typed = await app.inject({ url: `/v?number=${encodeURIComponent('４４０１０６ 26 000001')}&name=${encodeURIComponent(' 张三 ')}&lang=en` })
  t.equal(typed.statusCode, 303)
  t.equal(typed.headers.location, `/v/44010626000001?name=${encodeURIComponent('张三')}&lang=en`)
  const empty = await app.inject({ url: '/v?number=' })
  t.equal(empty.statusCode, 200)
})

t.test('?lang=en gives the page in English, with a switch back to Chinese', async t => {
  const { number } = await issue()
  const page = await app.inject({ url: `/v/${number}?lang=en&name=x` })
  t.match(page.body, /<html lang="en">/)
  t.match(page.body, /Valid<\/h2>/)
  t.match(page.body, /Issue date/)
  t.ok(page.body.includes(`href="/v/${number}?name=x" lang="zh-CN" hreflang="zh-CN">中文</a>`))
  const malformed = await app.inject({ url: '/v/123?lang=en' })
  t.match(malformed.body, /this one has 3 characters/)
})

t.test('the page\'s scripts, stylesheet and service worker are served by the service itself', async t => {
  const page = await app.inject({ url: '/v' })
  t.match(page.headers['content-security-policy'], /worker-src 'self'/)
  const urls = [...page.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map(m => m[1]!.replace(/&amp;/g, '&'))
  const types: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/, svg: /^image\/svg\+xml/ }
  t.equal(urls.length, 4)
  const worker = await app.inject({ url: '/verify-sw.js' })
  t.match(worker.headers['content-type'], /^text\/javascript/)
  t.equal(worker.headers['cache-control'], 'no-cache')
  t.notMatch(worker.body, /https?:\/\//, 'no external address')
  const precache = JSON.parse(/^const precache = (.*)$/m.exec(worker.body)![1]!) as { assets: string[], pages: string[] }
  t.same(precache.assets.sort(), [...urls].sort(), 'it keeps exactly the page\'s assets')
  t.same(precache.pages, ['/v', '/v?lang=en'])
  for (const url of urls) {
    const asset = await app.inject({ url })
    t.equal(asset.statusCode, 200, url)
    t.match(asset.headers['content-type'], types[/\.(\w+)\?/.exec(url)![1]!]!)
    // An SVG names its XML namespace with a URL; nothing is fetched from it.
    t.notMatch(asset.body.replace('xmlns="http://www.w3.org/2000/svg"', ''), /https?:\/\//, 'no external address')
  }
})

t.test('a query the page cannot read is a 400 page, not a stack trace', async t => {
  const page = await app.inject({ url: '/v/44010625000001?name=a&name=b' })
  t.equal(page.statusCode, 400)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /请求内容不符合要求/)
})
