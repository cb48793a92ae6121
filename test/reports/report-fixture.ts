// Issuers at every level of Guangdong and a few certificates of 2025, for the register and statistics tests.
import type { TestContext } from '../helper.js'
import { build, issueBody, makeIdNumber } from '../helper.js'

export async function buildReportFixture (t: TestContext) {
  const built = await build(t)
  const issuer = (kind: 'authority' | 'employer' | 'verifier', region: string, name: string) => built.createIssuer(kind, region, name)
  const accounts = {
    province: await issuer('authority', '440000', '广东省人力资源和社会保障厅'),
    guangzhou: await issuer('authority', '440100', '广州市人力资源和社会保障局'),
    shenzhen: await issuer('authority', '440300', '深圳市人力资源和社会保障局'),
    tianhe: await issuer('authority', '440106', '广州市天河区人力资源和社会保障局'),
    yuexiu: await issuer('authority', '440104', '广州市越秀区人力资源和社会保障局'),
    employer: await issuer('employer', '440106', '广州天河软件科技有限公司'),
    otherEmployer: await issuer('employer', '440106', '广州天河另一家公司'),
    committee: await issuer('verifier', '440000', '广东省工程系列职称评审委员会'),
  }
  let serial = 0
  const issue = async (apiKey: string, name: string, overrides: Record<string, unknown> = {}) => {
    const response = await built.app.inject({
      method: 'POST',
      url: '/v1/certificates',
      headers: { authorization: `Bearer ${apiKey}` },
      payload: issueBody({ holder: { name, idNumber: makeIdNumber('440106', '19900101', ++serial) }, ...overrides }),
    })
    if (response.statusCode !== 201) throw new Error(response.body)
    return response.json().number as string
  }
  const numbers = {
    tianhe: [await issue(accounts.tianhe.apiKey, '张三'), await issue(accounts.tianhe.apiKey, '李四', { employer: { name: '=HYPERLINK("http://evil.example","点我")' } }), await issue(accounts.tianhe.apiKey, '王五')],
    employer: [await issue(accounts.employer.apiKey, '赵六', { hours: { public: 30, professional: 50, elective: 20 } }), await issue(accounts.employer.apiKey, '买买提·艾力')],
    yuexiu: [await issue(accounts.yuexiu.apiKey, '孙七'), await issue(accounts.yuexiu.apiKey, '周八')],
    guangzhouOwn: [await issue(accounts.guangzhou.apiKey, '吴九')],
    shenzhen: [await issue(accounts.shenzhen.apiKey, '郑十', { regionCode: '440304' })],
    provinceOwn: [await issue(accounts.province.apiKey, '欧阳娜娜')],
  }
  const revoked = await built.app.inject({
    method: 'POST',
    url: `/v1/certificates/${numbers.tianhe[2]!}/revoke`,
    headers: { authorization: `Bearer ${accounts.tianhe.apiKey}` },
    payload: { reason: '学时材料不实' },
  })
  if (revoked.statusCode !== 200) throw new Error(revoked.body)
  return { ...built, accounts, numbers, idNumbers: Array.from({ length: serial }, (_, i) => makeIdNumber('440106', '19900101', i + 1)) }
}
