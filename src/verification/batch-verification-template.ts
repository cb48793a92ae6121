// The bulk verification template (GET /v1/verify/batch/template): 证书编号 and 姓名, and 填写说明.
import type { Actor } from '../actors/actor.js'
import { nameCheckBudget } from '../certificates/name-checks.js'
import { tableLimits } from '../spreadsheets/table-rows.js'
import { writeTemplate, type TemplateColumn } from '../spreadsheets/template-writing.js'

/** The template for `actor`'s committee or department. */
export function writeVerificationTemplate (actor: Actor): Promise<Buffer> {
  const columns: TemplateColumn[] = [
    { header: '序号', width: 6, kind: 'text', sample: '示例', explanation: '可不填；不读入。序号为“示例”的行是示例行，不会核验，上传前请删除。' },
    {
      header: '证书编号*',
      width: 18,
      kind: 'text',
      sample: '44010625000001',
      required: true,
      explanation: '14 位证书编号。本列已设为“文本”格式：请直接输入或以“值”粘贴；改成“常规”或“数值”后，Excel 会把编号显示为 4.40106E+13，这样的行只会报“格式错误”，不会核验。',
      validation: { type: 'textLength', operator: 'equal', allowBlank: true, formulae: [14], showErrorMessage: true, errorTitle: '证书编号', error: '证书编号为 14 位数字。' },
    },
    { header: '姓名', width: 12, kind: 'text', sample: '张三', explanation: '选填。填写后核对是否为该证书的持证人（与公开查询的比对方式相同：忽略空格、全半角，间隔号不论写法）；不填只核验证书本身。' },
    { header: '备注', width: 24, kind: 'text', sample: '示例行，上传前请删除', explanation: '可不填；不读入。' },
  ]
  const notes: Array<string | readonly [string, string]> = [
    ['核验单位', `${actor.name}（${actor.region.fullName}）`],
    '【填写与上传】',
    ['表头', '第 2 行是表头，不要改动列名；第 1 行的标题可以删改。序号、备注和没有列名的列不读入，其他新增的列（例如身份证号）会导致整个文件不能读取：核验不需要、也不接收身份证号。'],
    ['行数', `每个文件最多 ${tableLimits.maxDataRows.toLocaleString('en-US')} 行；同一编号出现多次的，只在第一次出现的行核验。`],
    ['文件格式', '可直接上传本 .xlsx 文件；也可另存为“CSV UTF-8（逗号分隔）”“CSV（逗号分隔）”（GBK 编码）或“Unicode 文本”后上传。核验结果可导出为 .xlsx 或 CSV，改正后可原样再次上传。'],
    '【核验结果】',
    ['显示内容', '结果只显示公开查询可见的内容：脱敏姓名（如 张*三）、所填姓名是否一致、证书状态、年度、发证地区、发证机构、日期与学时；不显示身份证号和完整姓名。'],
    ['姓名核对次数', `为防止猜测姓名，每张证书 24 小时内最多核对 ${nameCheckBudget.failuresPerCertificate} 次错误姓名，每个账户每天的错误姓名也有上限；超过后该行结果为“姓名未核对”。`],
  ]
  return writeTemplate({ listName: '核验名单', title: '专业技术人员继续教育证书批量核验名单', columns, notes })
}
