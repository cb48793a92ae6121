// The batch template (GET /v1/certificates/batch/template): the columns in Chinese, and 填写说明 with the rules of the caller's region.
import type { Actor } from '../actors/actor.js'
import { firstYear } from '../certificates/certificate-number.js'
import { allowedRuleSets, ruleSets, type RuleSet } from '../certificates/hour-rules.js'
import { maxEmployerNameLength, maxHolderNameLength, maxSeriesLength } from '../certificates/issuance-request.js'
import { writeTemplate, type TemplateColumn } from '../spreadsheets/template-writing.js'
import { tableLimits } from '../spreadsheets/table-rows.js'
import { achievementValues } from './batch-table.js'
import { chinaYear } from '../text/china-time.js'

const categoryNames = { public: '公需科目', professional: '专业科目', elective: '选修科目' } as const

/** A rule set in a sentence: 每年不少于 72 学时，其中公需科目不少于 18 学时… */
export function describeRuleSet (rules: RuleSet): string {
  // Accounting counts credits (学分, 1 credit = 1 hour).
  const unit = rules.id === 'accounting' ? '学分' : '学时'
  const minimums = (Object.keys(categoryNames) as Array<keyof typeof categoryNames>)
    .flatMap(c => (rules.minimums[c] === undefined ? [] : [`${categoryNames[c]}不少于 ${rules.minimums[c]} ${unit}`]))
  const parts = [`每年不少于 ${rules.total} ${unit}${minimums.length === 0 ? '' : `，其中${minimums.join('、')}`}`]
  if (!rules.counted.includes('elective')) parts.push('选修科目不计入')
  if (rules.selfStudyCap !== undefined) parts.push(`自学（每 1,000 字 1 学时）与发表作品（每 1,000 字 2 学时）合计最多计 ${rules.selfStudyCap} 学时`)
  if (rules.professionalMandatoryShare !== undefined && rules.minimums.professional !== undefined) {
    const optional = Math.round(rules.minimums.professional * (1 - rules.professionalMandatoryShare) * 100) / 100
    parts.push(`当年取得专利、专著、省级课题或省级论文等成果的，第一完成人可抵专业科目中非必修部分 ${optional} 学时，其他完成人抵一半（${optional / 2} 学时）`)
  }
  return `${parts.join('；')}。（依据：${rules.source}）`
}

/** Hours that meet a rule set exactly: its minimums, the rest of the total as professional hours. */
function sampleHours (rules: RuleSet) {
  const hours = { public: rules.minimums.public ?? 0, professional: rules.minimums.professional ?? 0, elective: rules.counted.includes('elective') ? rules.minimums.elective ?? 0 : 0 }
  hours.professional += Math.max(0, rules.total - hours.public - hours.professional - hours.elective)
  return hours
}

/** The template for `actor`, with the rule sets its own region may issue under, as of `now`. */
export function writeBatchTemplate (actor: Actor, now: Date): Promise<Buffer> {
  const region = actor.region
  const allowed = allowedRuleSets({ regionCode: region.code }).map(id => ruleSets[id])
  const own = allowed[0]!
  const hours = sampleHours(own)
  const year = chinaYear(now)
  const whole = (min: number, max: number, what: string) => ({ type: 'whole' as const, operator: 'between' as const, allowBlank: true, formulae: [min, max], showErrorMessage: true, errorTitle: what, error: `${what}须为 ${min} 至 ${max} 之间的整数。` })
  const hoursRule = { type: 'decimal' as const, operator: 'between' as const, allowBlank: true, formulae: [0, 1000], showErrorMessage: true, errorTitle: '学时', error: '学时须为 0 至 1000 之间的数字（可为 0.5 的倍数），不要带单位。' }
  const list = (values: readonly string[], what: string) => ({ type: 'list' as const, allowBlank: true, formulae: [`"${values.join(',')}"`], showErrorMessage: true, errorTitle: what, error: `${what}只能填：${values.join('、')}，或留空。` })
  const columns: TemplateColumn[] = [
    { header: '序号', width: 6, kind: 'text', sample: '示例', explanation: '可不填；不读入。序号为“示例”的行是示例行，不会颁发，上传前请删除。' },
    { header: '姓名*', width: 12, kind: 'text', sample: '张三', required: true, explanation: `与身份证一致，最多 ${maxHolderNameLength} 个字。` },
    { header: '身份证号*', width: 22, kind: 'text', sample: '11010519491231002X', required: true, explanation: '18 位公民身份号码。本列已设为“文本”格式：请直接输入或以“值”粘贴，不要改成“常规”或“数值”，否则 Excel 会把号码变成 4.40106E+17 或把末 3 位变成 000，这样的行不会颁发。只用于核对“一人一年一证”，不保存。' },
    { header: '工作单位*', width: 30, kind: 'text', sample: '广州天河软件科技有限公司', required: true, explanation: `最多 ${maxEmployerNameLength} 个字。` },
    { header: '年度*', width: 8, kind: 'number', sample: year, required: true, explanation: `证书所属年度，4 位数字，${firstYear}–${year}。`, validation: whole(firstYear, year, '年度') },
    { header: '公需科目（学时）*', width: 12, kind: 'number', sample: hours.public, required: true, explanation: '数字，可为 0.5 的倍数；不要带“学时”等单位；空白按 0 计。', validation: hoursRule },
    { header: '专业科目（学时）*', width: 12, kind: 'number', sample: hours.professional, required: true, explanation: '同上。', validation: hoursRule },
    { header: '选修科目（学时）*', width: 12, kind: 'number', sample: hours.elective, required: true, explanation: '同上。', validation: hoursRule },
    { header: '自学（学时）', width: 10, kind: 'number', sample: null, explanation: '四川省规则：自学成果，每 1,000 字 1 学时；其他地区不计入。', validation: hoursRule },
    { header: '发表作品（学时）', width: 12, kind: 'number', sample: null, explanation: '四川省规则：发表作品，每 1,000 字 2 学时；其他地区不计入。', validation: hoursRule },
    { header: '成果', width: 12, kind: 'text', sample: null, explanation: `广东省规则：当年取得专利、专著、省级课题或省级论文等成果的，填“${achievementValues.lead[1]}”或“${achievementValues.contributor[1]}”（也可填 lead / contributor）；没有请留空。`, validation: list([achievementValues.lead[1]!, achievementValues.contributor[1]!, 'lead', 'contributor'], '成果') },
    { header: '行政区划代码', width: 14, kind: 'text', sample: region.level === 'county' ? region.code : null, explanation: `证书编号所属的县（区）的 6 位代码；留空则为本账户的代码 ${region.code}（${region.fullName}）。` },
    { header: '专业系列', width: 12, kind: 'text', sample: null, explanation: `如“会计”：会计系列按财会〔2018〕10号的学分要求审核。最多 ${maxSeriesLength} 个字。` },
    { header: '学时规则', width: 12, kind: 'text', sample: null, explanation: `一般留空（按地区和专业系列自动选定）；可填 ${allowed.map(r => `${r.id}（${r.name}）`).join('、')}。`, validation: list(allowed.map(r => r.id), '学时规则') },
    { header: '备注', width: 20, kind: 'text', sample: '示例行，上传前请删除', explanation: '可不填；不读入。' },
  ]
  const notes: Array<string | readonly [string, string]> = [
    ['发证机构', `${actor.name}（${region.fullName}）`],
    '【学时要求】',
    ...allowed.map(rules => [rules.name, describeRuleSet(rules)] as const),
    '【填写与上传】',
    ['表头', '第 2 行是表头，不要改动列名（带 * 的为必填列）；第 1 行的标题可以删改。列的顺序可以调整，序号、备注和没有列名的列不读入，其他新增的列会导致整个文件不能读取。'],
    ['行数', `每个文件最多 ${tableLimits.maxDataRows.toLocaleString('en-US')} 行；空行会被跳过。`],
    ['一人一年一证', '本人该年度已有有效证书的、或同一人同一年度在文件中出现多次的，这些行不会颁发，其余行照常颁发。'],
    ['文件格式', '可直接上传本 .xlsx 文件；也可另存为“CSV UTF-8（逗号分隔）”“CSV（逗号分隔）”（GBK 编码）或“Unicode 文本”后上传。'],
    ['先检查再颁发', '上传时加 ?dryRun=true 只检查每一行、不颁发也不占用证书编号；确认无误后再正式上传。'],
  ]
  return writeTemplate({ listName: '批量颁发名单', title: `${region.fullName} 专业技术人员继续教育证书批量颁发名单`, columns, notes })
}
