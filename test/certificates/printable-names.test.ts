// Only printable names are accepted: every holder, employer and issuer name is checked against the glyphs of the
// certificate fonts before a number is taken; what the fonts cannot print is refused with the character named.
import t from 'tap'
import { adminToken, build, issueBody, makeIdNumber } from '../helper.js'
import { snapshotDatabase } from '../fixtures/database-snapshot.js'
import { loadPrintableCharacters } from '../../src/documents/index.js'

t.test('the fonts cover what Chinese certificates need: GB 18030-2022 level 1, ethnic names\' middle dots, rare name characters', async t => {
  const printable = await loadPrintableCharacters()
  const missing = (from: number, to: number) => { const out: number[] = []; for (let c = from; c <= to; c++) if (!printable.has(c)) out.push(c); return out }
  t.same(missing(0x4E00, 0x9FA5), [], 'the 20,902 ideographs of the basic block (GB 18030 level 1)')
  t.same(missing(0x3400, 0x4DB5), [], 'the 6,582 of Extension A (GB 18030 level 1)')
  for (const dot of '·•‧・') t.ok(printable.has(dot.codePointAt(0)!), `the middle dot ${dot}`)
  let extensionB = 0
  for (let c = 0x20000; c <= 0x2A6DF; c++) if (printable.has(c)) extensionB++
  t.ok(extensionB > 300, `${extensionB} characters of Extension B (rare characters of names) the fonts have`)
})

t.test('a holder or employer name the certificate cannot print is refused before it is numbered; a printable rare one is issued and prints', async t => {
  const { app, database, createIssuer } = await build(t)
  const employer = await createIssuer('employer', '440106', '甲公司')
  const headers = { authorization: `Bearer ${employer.apiKey}` }
  const printable = await loadPrintableCharacters()
  let serial = 0
  const issue = (holder: string, employerName = '广州天河软件科技有限公司') => app.inject({ method: 'POST', url: '/v1/certificates', headers, payload: issueBody({ holder: { name: holder, idNumber: makeIdNumber('440106', '19850312', ++serial) }, employer: { name: employerName } }) })

  const before = await snapshotDatabase(database.db)
  for (const [name, character, script] of [
    ['金민수', '민', 'Korean Hangul'],
    ['สมชาย', 'ส', 'Thai'],
    ['محمد', 'م', 'Arabic'],
    ['ᠪᠠᠲᠤ', 'ᠪ', 'Mongolian'],
    ['བཀྲཤིས', 'བ', 'Tibetan'],
    ['ꀀꀁ', 'ꀀ', 'Yi'],
    ['张𰀀', '𰀀', 'CJK Extension G'],
  ] as const) {
    const refused = await issue(name)
    t.equal(refused.statusCode, 422, `${script}: ${name}`)
    t.equal(refused.json().code, 'UNRENDERABLE_CHARACTER')
    t.ok(refused.json().messageZh.startsWith(`姓名中的字符“${character}”`), `the message names ${character}: ${refused.json().messageZh}`)
    t.equal(refused.json().details.field, 'holder.name')
  }
  const emoji = await issue('张三', '甲公司😀')
  t.equal(emoji.statusCode, 422, 'an employer name with an emoji')
  t.match(emoji.json().messageZh, /^工作单位中的字符“😀”（U\+1F600）无法在证书上打印，未予颁发。请使用规范汉字/)
  t.same(await snapshotDatabase(database.db), before, 'nothing was stored or numbered')

  let rare = 0x20000
  while (!printable.has(rare)) rare++
  const rareName = `张${String.fromCodePoint(rare)}`
  const issued = await issue(rareName)
  t.equal(issued.statusCode, 201, `${rareName}: a rare character the fonts have`)
  t.equal(issued.json().number, '44010625000001', 'the refusals took no number')
  const pdf = await app.inject({ url: `/v1/certificates/${issued.json().number}/pdf`, headers })
  t.equal(pdf.statusCode, 200, 'and it prints')
  t.equal((await issue('买买提·艾力')).statusCode, 201, 'an ethnic name with its middle dot')
})

t.test('a batch refuses the unprintable row and issues the rest; an issuer\'s name is checked as it is created', async t => {
  const { app, createIssuer } = await build(t)
  const employer = await createIssuer('employer', '440106', '甲公司')
  const rows = ['张三', '金민수', '李四'].map((name, i) => issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19850312', 100 + i) } }))
  const batch = await app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: { authorization: `Bearer ${employer.apiKey}` }, payload: { certificates: rows } })
  t.equal(batch.statusCode, 201)
  t.equal(batch.json().summary.issued, 2)
  const refused = batch.json().rows.find((r: { status: string }) => r.status === 'rejected')
  t.equal(refused.errors[0].code, 'UNRENDERABLE_CHARACTER')
  t.same(batch.json().rows.filter((r: { number?: string }) => r.number !== undefined).map((r: { number: string }) => r.number), ['44010625000001', '44010625000002'], 'contiguous numbers for the printable rows')

  const issuer = await app.inject({ method: 'POST', url: '/v1/admin/issuers', headers: { authorization: `Bearer ${adminToken}` }, payload: { name: '某公司™😀', kind: 'employer', regionCode: '440106' } })
  t.equal(issuer.statusCode, 422)
  t.match(issuer.json().messageZh, /^发证机构名称中的字符“😀”/)
})
