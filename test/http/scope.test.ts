import t from 'tap'
import { build, issueBody, makeIdNumber } from '../helper.js'

t.test('who may issue where', async t => {
  const { app, createIssuer } = await build(t)
  const province = await createIssuer('authority', '440000', '广东省人力资源和社会保障厅')
  const city = await createIssuer('authority', '440100', '广州市人力资源和社会保障局')
  const county = await createIssuer('authority', '440106', '广州市天河区人力资源和社会保障局')
  const employer = await createIssuer('employer', '440106', '广州天河软件科技有限公司')
  const verifier = await createIssuer('verifier', '440000', '广东省工程系列高级职称评审委员会')
  let serial = 0
  const issue = async (who: { apiKey: string }, regionCode?: string) => {
    const response = await app.inject({
      method: 'POST',
      url: '/v1/certificates',
      headers: { authorization: `Bearer ${who.apiKey}` },
      payload: issueBody(regionCode === undefined ? {} : { regionCode }, ++serial),
    })
    return { status: response.statusCode, code: response.json().code as string | undefined, number: response.json().number as string | undefined }
  }

  t.match(await issue(province), { status: 201, number: '44000025000001' }, 'the province issues for 省直单位 under 440000')
  t.match(await issue(city), { status: 201, number: '44010025000001' }, 'a city under its own code')
  t.match(await issue(county), { status: 201, number: '44010625000001' })
  t.match(await issue(employer), { status: 201, number: '44010625000002' }, 'an employer shares its county sequence')
  t.match(await issue(city, '440106'), { status: 201, number: '44010625000003' }, 'a city may number under one of its counties')
  t.match(await issue(province, '440304'), { status: 201, number: '44030425000001' })

  t.match(await issue(county, '440105'), { status: 403, code: 'OUT_OF_SCOPE' }, 'a county not for its neighbour')
  t.match(await issue(county, '440100'), { status: 403, code: 'OUT_OF_SCOPE' }, 'a county not for its city')
  t.match(await issue(city, '440304'), { status: 403, code: 'OUT_OF_SCOPE' }, 'Guangzhou not for Shenzhen')
  t.match(await issue(province, '410105'), { status: 403, code: 'OUT_OF_SCOPE' }, 'Guangdong not for Henan')
  t.match(await issue(employer, '440100'), { status: 403, code: 'OUT_OF_SCOPE' }, 'an employer only in its county')
  t.match(await issue(verifier), { status: 403, code: 'FORBIDDEN_ROLE' }, 'a committee does not issue')

  const missing = await app.inject({ method: 'POST', url: '/v1/certificates', payload: issueBody() })
  t.equal(missing.statusCode, 401)
  t.equal(missing.json().code, 'AUTHENTICATION_REQUIRED')
  const wrong = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: 'Bearer cek_nope' }, payload: issueBody() })
  t.equal(wrong.statusCode, 401)
  t.equal(wrong.json().code, 'INVALID_API_KEY')
})

t.test('who may revoke what', async t => {
  const { app, createIssuer } = await build(t)
  const tianheEmployer = await createIssuer('employer', '440106', '甲公司')
  const otherEmployer = await createIssuer('employer', '440106', '乙公司')
  const tianhe = await createIssuer('authority', '440106')
  const yuexiu = await createIssuer('authority', '440104')
  const guangzhou = await createIssuer('authority', '440100')
  const shenzhen = await createIssuer('authority', '440300')
  const province = await createIssuer('authority', '440000')
  const verifier = await createIssuer('verifier', '440000')
  const headers = (who: { apiKey: string }) => ({ authorization: `Bearer ${who.apiKey}` })
  for (let serial = 1; serial <= 4; serial++) {
    const response = await app.inject({ method: 'POST', url: '/v1/certificates', headers: headers(tianheEmployer), payload: issueBody({ holder: { name: '张三', idNumber: makeIdNumber('440106', '19850312', serial) } }) })
    t.equal(response.statusCode, 201)
  }
  const revoke = async (who: { apiKey: string }, number: string) => {
    const response = await app.inject({ method: 'POST', url: `/v1/certificates/${number}/revoke`, headers: headers(who), payload: { reason: '核查不实' } })
    return { status: response.statusCode, code: response.json().code as string | undefined }
  }
  t.match(await revoke(otherEmployer, '44010625000001'), { status: 403, code: 'OUT_OF_SCOPE' }, 'not another employer\'s certificate')
  t.match(await revoke(yuexiu, '44010625000001'), { status: 403, code: 'OUT_OF_SCOPE' }, 'not a neighbouring county')
  t.match(await revoke(shenzhen, '44010625000001'), { status: 403, code: 'OUT_OF_SCOPE' }, 'not another city')
  t.match(await revoke(verifier, '44010625000001'), { status: 403, code: 'FORBIDDEN_ROLE' })
  const still = (await app.inject({ url: '/v1/certificates/44010625000001' })).json()
  t.equal(still.status, 'valid', 'refusals changed nothing')

  t.match(await revoke(tianheEmployer, '44010625000001'), { status: 200 }, 'the employer revokes its own')
  t.match(await revoke(tianhe, '44010625000002'), { status: 200 }, 'the county revokes in its county')
  t.match(await revoke(guangzhou, '44010625000003'), { status: 200 }, 'the city revokes in its counties')
  t.match(await revoke(province, '44010625000004'), { status: 200 }, 'the province revokes in the whole province')
  t.match(await revoke(province, '44010625000099'), { status: 404, code: 'CERTIFICATE_NOT_FOUND' })
})
