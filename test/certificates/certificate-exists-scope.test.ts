// An ID number must not reveal a certificate elsewhere: CERTIFICATE_EXISTS names the certificate only to a caller who may read it.
import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'

t.test('the existing number is told to those who may read the certificate, and to nobody else', async t => {
  const { app, createIssuer } = await build(t, { clock: () => new Date('2026-03-02T08:00:00Z') })
  const tianheEmployer = await createIssuer('employer', '440106', '天河甲公司')
  const callers = {
    '天河 employer that issued it': tianheEmployer,
    '天河 county authority': await createIssuer('authority', '440106', '天河区人社局'),
    '广州 city authority': await createIssuer('authority', '440100', '广州市人社局'),
    '广东 province authority': await createIssuer('authority', '440000', '广东省人社厅'),
    'another 天河 employer': await createIssuer('employer', '440106', '天河乙公司'),
    '南山 employer': await createIssuer('employer', '440305', '南山丙公司'),
    '南山 district authority': await createIssuer('authority', '440305', '南山区人社局'),
    '金水 authority (Henan)': await createIssuer('authority', '410105', '金水区人社局'),
  }
  const idNumber = makeIdNumber('440106', '19850312', 7)
  const first = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${tianheEmployer.apiKey}` }, payload: issueBody({ holder: { name: '张小三', idNumber } }) })
  t.equal(first.statusCode, 201)
  const number = first.json().number as string
  const mayRead = ['天河 employer that issued it', '天河 county authority', '广州 city authority', '广东 province authority']

  for (const [who, caller] of Object.entries(callers)) {
    const henanHours = who.startsWith('金水') ? { hours: { public: 30, professional: 60, elective: 12 } } : {}
    const body = issueBody({ holder: { name: '张小三', idNumber }, ...henanHours })
    const single = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${caller.apiKey}` }, payload: body })
    t.equal(single.statusCode, 409, `${who}: 409`)
    t.equal(single.json().code, 'CERTIFICATE_EXISTS')
    const batch = await app.inject({ method: 'POST', url: '/v1/certificates/batch', headers: { authorization: `Bearer ${caller.apiKey}` }, payload: { certificates: [body, issueBody(henanHours, 900 + Object.keys(callers).indexOf(who))] } })
    const rowError = batch.json().rows[0].errors[0]
    t.equal(rowError.code, 'CERTIFICATE_EXISTS', `${who}: the batch row too`)
    for (const answer of [single.body, JSON.stringify(rowError)]) {
      if (mayRead.includes(who)) t.ok(answer.includes(number), `${who} is told ${number}`)
      else t.notOk(answer.includes(number) || answer.includes('天河甲公司'), `${who} learns neither the number nor the issuer`)
    }
    t.match(single.json().messageZh, /已有有效证书/, `${who}: told in Chinese that one exists`)
  }
})
