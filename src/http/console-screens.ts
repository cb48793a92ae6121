// The console's screens: which exist, who sees them in the navigation, and the server-rendered body of each.
// The pages only lay out forms and empty result regions; the browser script fills them from the JSON API.
import type { IssuerKind, UserRole } from '../db/schema.js'
import type { auditActions } from '../audit/audit-service.js'
import { escapeHtml } from './verification-page.js'

export type ScreenId = 'home' | 'issue' | 'batch' | 'certificates' | 'verify' | 'register' | 'people' | 'audit' | 'seal' | 'password'

export interface Screen {
  id: ScreenId
  title: string
  /** The organisations whose people see it; undefined: everyone signed in. */
  kinds?: readonly IssuerKind[]
  /** Only a 管理员. */
  adminOnly?: boolean
  /** Shown in the navigation (the password screen is reached from the header). */
  nav: boolean
  /** The screen's own script beside console.js, when it has one. */
  script?: string
}

const issuers: readonly IssuerKind[] = ['authority', 'employer']

/** In navigation order. Who may actually do what is the API's decision; this only hides what would be refused. */
export const screens: readonly Screen[] = [
  { id: 'home', title: '首页', nav: true },
  { id: 'issue', title: '颁发证书', kinds: issuers, nav: true, script: 'console-issue.js' },
  { id: 'batch', title: '批量颁发', kinds: issuers, nav: true, script: 'console-batch.js' },
  { id: 'certificates', title: '证书查询', kinds: issuers, nav: true, script: 'console-certificates.js' },
  { id: 'verify', title: '批量核验', kinds: ['verifier', 'authority'], nav: true, script: 'console-verify.js' },
  { id: 'register', title: '名册与统计', kinds: issuers, nav: true, script: 'console-register.js' },
  { id: 'people', title: '人员与密钥', adminOnly: true, nav: true, script: 'console-people.js' },
  { id: 'audit', title: '审计日志', kinds: ['authority'], nav: true, script: 'console-audit.js' },
  { id: 'seal', title: '印章', kinds: issuers, adminOnly: true, nav: true, script: 'console-seal.js' },
  { id: 'password', title: '修改密码', nav: false, script: 'console-password.js' },
]

export function findScreen (id: string): Screen | undefined {
  return screens.find(screen => screen.id === id)
}

export function mayOpen (screen: Screen, who: { kind: IssuerKind, role: UserRole }): boolean {
  return (screen.kinds === undefined || screen.kinds.includes(who.kind)) && (screen.adminOnly !== true || who.role === 'admin')
}

const field = (id: string, label: string, input: string, hint = '') =>
  `<div class="field"><label for="${id}">${escapeHtml(label)}</label>${input}${hint === '' ? '' : `<p class="hint" id="${id}-hint">${escapeHtml(hint)}</p>`}</div>`

const status = (id: string) => `<div id="${id}" class="status" role="status" aria-live="polite"></div>`

function homeBody (visible: readonly Screen[]): string {
  const cards = visible.filter(s => s.id !== 'home').map(s => `<li><a class="card" href="/console/${s.id}">${escapeHtml(s.title)}</a></li>`).join('\n')
  return `<p>请选择要办理的业务。</p>\n<ul class="cards">\n${cards}\n</ul>`
}

function issueBody (year: number): string {
  return `<form id="issue-form" method="post" class="form" novalidate>
  <fieldset><legend>持证人</legend>
    ${field('holder-name', '姓名', '<input id="holder-name" name="name" required maxlength="30" autocomplete="off">')}
    ${field('holder-id', '公民身份号码', '<input id="holder-id" name="idNumber" required maxlength="18" inputmode="text" autocomplete="off" aria-describedby="holder-id-hint holder-id-check">', '18 位，最后一位可为 X')}
    <p id="holder-id-check" class="check" aria-live="polite"></p>
  </fieldset>
  <fieldset><legend>单位与年度</legend>
    ${field('employer-name', '工作单位', '<input id="employer-name" name="employer" required maxlength="60" autocomplete="organization">')}
    ${field('year', '年度', `<input id="year" name="year" type="number" min="2000" max="2099" value="${year}" required>`)}
    ${field('series', '专业系列（选填）', '<input id="series" name="series" maxlength="32" autocomplete="off">', '如“会计”：会计系列按会计继续教育学分要求')}
  </fieldset>
  <fieldset><legend>学时</legend>
    <div class="hours">
      ${field('hours-public', '公需科目', '<input id="hours-public" name="public" type="number" min="0" max="1000" step="0.5" value="0" inputmode="decimal">')}
      ${field('hours-professional', '专业科目', '<input id="hours-professional" name="professional" type="number" min="0" max="1000" step="0.5" value="0" inputmode="decimal">')}
      ${field('hours-elective', '选修科目', '<input id="hours-elective" name="elective" type="number" min="0" max="1000" step="0.5" value="0" inputmode="decimal">')}
    </div>
    ${field('achievement', '业绩成果（选填）', '<select id="achievement" name="achievement"><option value="">无</option><option value="lead">第一完成人</option><option value="contributor">其他完成人</option></select>')}
  </fieldset>
  <section id="requirement" class="panel" aria-labelledby="requirement-title" aria-live="polite">
    <h2 id="requirement-title">学时要求</h2>
    <div id="requirement-body"><p class="muted">正在读取适用的学时规则……</p></div>
  </section>
  <div class="actions"><button type="submit" id="preview-button">预览证书</button></div>
</form>
<section id="preview" class="panel preview" aria-labelledby="preview-title" hidden tabindex="-1">
  <h2 id="preview-title">证书预览</h2>
  <div id="preview-body"></div>
  <div class="actions"><button type="button" id="issue-button">确认颁发</button> <button type="button" class="secondary" id="edit-button">返回修改</button></div>
</section>
${status('issue-status')}`
}

function batchBody (): string {
  return `<ol class="steps">
  <li><a href="/v1/certificates/batch/template" download>下载批量颁发模板（.xlsx）</a>，按模板填写名单。</li>
  <li>上传填好的 .xlsx 或 CSV 文件（任意编码），先检查每一行。</li>
  <li>不能颁发的行可在表中修改后重新检查，或移除；确认后颁发，并下载证书 PDF。</li>
</ol>
<form id="batch-form" method="post" class="form" novalidate>
  ${field('batch-file', '名单文件', '<input id="batch-file" name="file" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required>')}
  <div class="actions"><button type="submit">检查名单</button></div>
</form>
${status('batch-status')}
<section id="batch-preview" class="panel" aria-labelledby="batch-preview-title" hidden tabindex="-1">
  <h2 id="batch-preview-title">检查结果</h2>
  <p id="batch-summary"></p>
  <div class="table-wrap"><table id="batch-rows"><caption class="visually-hidden">每一行的检查结果</caption><thead><tr><th scope="col">行号</th><th scope="col">姓名</th><th scope="col">结果</th><th scope="col">说明</th><th scope="col">操作</th></tr></thead><tbody></tbody></table></div>
  <div class="actions"><button type="button" id="batch-issue">颁发可颁发的行</button></div>
</section>
<section id="batch-done" class="panel" aria-labelledby="batch-done-title" hidden tabindex="-1">
  <h2 id="batch-done-title">颁发结果</h2>
  <p id="batch-done-summary"></p>
  <progress id="batch-progress" max="100" value="0" hidden aria-label="打包进度"></progress>
  <div class="actions"><button type="button" id="batch-zip">下载全部证书（ZIP）</button></div>
  <div class="table-wrap"><table id="batch-issued"><caption class="visually-hidden">已颁发的证书</caption><thead><tr><th scope="col">行号</th><th scope="col">姓名</th><th scope="col">证书编号</th><th scope="col">PDF</th></tr></thead><tbody></tbody></table></div>
</section>`
}

function certificatesBody (): string {
  return `<form id="search-form" method="post" class="form inline" role="search">
  ${field('search-number', '证书编号', '<input id="search-number" name="number" maxlength="20" inputmode="numeric" autocomplete="off">')}
  ${field('search-name', '姓名', '<input id="search-name" name="name" maxlength="30" autocomplete="off">')}
  ${field('search-id', '公民身份号码', '<input id="search-id" name="idNumber" maxlength="18" autocomplete="off">', '只用于比对，不保存、不显示')}
  <div class="actions"><button type="submit">查询</button></div>
</form>
${status('search-status')}
<div class="table-wrap"><table id="search-results" hidden><caption class="visually-hidden">查询结果</caption><thead><tr><th scope="col">证书编号</th><th scope="col">姓名</th><th scope="col">年度</th><th scope="col">状态</th><th scope="col">操作</th></tr></thead><tbody></tbody></table></div>
<section id="certificate" class="panel" aria-labelledby="certificate-title" hidden tabindex="-1">
  <h2 id="certificate-title">证书</h2>
  <dl id="certificate-facts" class="facts"></dl>
  <div class="actions"><a id="certificate-pdf" class="button" href="#" download>下载 PDF</a> <button type="button" id="revoke-open" class="danger">撤销证书</button></div>
</section>
<dialog id="revoke-dialog" aria-labelledby="revoke-title">
  <form id="revoke-form" method="dialog" novalidate>
    <h2 id="revoke-title">撤销证书</h2>
    <p>撤销后，该证书在查验页面和接口中显示为<strong>“已撤销”</strong>，二维码和 PDF 也不再被认可为有效证书；此操作<strong>不能恢复</strong>。撤销后可为持证人重新颁发该年度的证书。</p>
    ${field('revoke-reason', '撤销原因', '<textarea id="revoke-reason" name="reason" required maxlength="200" rows="3"></textarea>')}
    ${status('revoke-status')}
    <div class="actions"><button type="submit" id="revoke-confirm" class="danger" value="confirm">确认撤销</button> <button type="button" id="revoke-cancel" class="secondary">取消</button></div>
  </form>
</dialog>`
}

function verifyBody (): string {
  return `<p>上传申报人员名单（.xlsx 或 CSV，含证书编号，可含姓名），或一组证书 PDF，逐行显示核验结果。<a href="/v1/verify/batch/template" download>下载核验名单模板（.xlsx）</a></p>
<form id="verify-form" method="post" class="form">
  ${field('verify-list', '申报人员名单（.xlsx 或 CSV）', '<input id="verify-list" name="list" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet">')}
  ${field('verify-pdfs', '或：证书 PDF（可多选）', '<input id="verify-pdfs" name="pdfs" type="file" accept=".pdf,application/pdf" multiple>')}
  <div class="field"><label class="choice"><input id="verify-with-report" name="withReport" type="checkbox"> 同时生成签名核验报告（PDF 只需上传一次）</label></div>
  <div class="actions"><button type="submit">开始核验</button></div>
</form>
${status('verify-status')}
<section id="verify-result" class="panel wide" aria-labelledby="verify-result-title" hidden tabindex="-1">
  <h2 id="verify-result-title">核验结果</h2>
  <p id="verify-summary"></p>
  <div class="actions"><button type="button" id="verify-xlsx" class="secondary">下载核验结果（.xlsx）</button> <button type="button" id="verify-csv" class="secondary">下载核验结果（CSV）</button> <button type="button" id="verify-report">生成签名核验报告（PDF）</button></div>
  <p class="hint">下载的是屏幕上的结果，不再重新核验。签名核验报告会对同一名单或同一组 PDF 重新核验一次（姓名核对次数计入同一限额；PDF 需再上传一次，核验前勾选“同时生成签名核验报告”则只上传一次，屏幕随之显示报告中的结果）；报告有自己的编号、验证码和二维码，任何人可凭此核实报告真伪。</p>
  <div id="verify-report-status" class="status" role="status" aria-live="polite"></div>
  <div class="table-wrap"><table id="verify-rows"><caption class="visually-hidden">每一行的核验结果，可按列排序</caption><thead><tr>
    <th scope="col" aria-sort="none"><button type="button" class="sort" data-key="row">行号</button></th>
    <th scope="col" aria-sort="none"><button type="button" class="sort" data-key="number">证书编号</button></th>
    <th scope="col" aria-sort="none"><button type="button" class="sort" data-key="name">姓名</button></th>
    <th scope="col" aria-sort="ascending"><button type="button" class="sort" data-key="verdict">结果</button></th>
    <th scope="col">说明</th></tr></thead><tbody></tbody></table></div>
</section>`
}

function registerBody (regionCode: string, year: number): string {
  return `<form id="register-form" method="post" class="form inline" aria-label="筛选">
  ${field('register-region', '行政区划代码', `<input id="register-region" name="regionCode" value="${escapeHtml(regionCode)}" pattern="[0-9]{6}" maxlength="6" inputmode="numeric" required>`, '本区或下级区划，6 位代码')}
  ${field('register-year', '年度', `<input id="register-year" name="year" type="number" min="2000" max="2099" value="${year}" required>`)}
  <div class="actions"><button type="submit">查询</button></div>
</form>
${status('register-status')}
<section id="stats" class="panel wide" aria-labelledby="stats-title" hidden>
  <h2 id="stats-title">统计</h2>
  <p id="stats-summary"></p>
  <figure id="stats-chart" class="chart"></figure>
  <div class="table-wrap"><table id="stats-table"><caption class="visually-hidden">各区划的发证统计</caption><thead><tr><th scope="col">区划</th><th scope="col" class="num">颁发</th><th scope="col" class="num">有效</th><th scope="col" class="num">撤销</th><th scope="col" class="num">有效证书总学时</th></tr></thead><tbody></tbody></table></div>
</section>
<section id="register" class="panel wide" aria-labelledby="register-title" hidden>
  <h2 id="register-title">证书发放名册</h2>
  <div class="actions"><a id="register-xlsx" class="button secondary" href="#" download>导出 .xlsx</a> <a id="register-csv" class="button secondary" href="#" download>导出 CSV</a></div>
  <div class="table-wrap"><table id="register-table"><caption class="visually-hidden">证书发放名册</caption><thead><tr><th scope="col">证书编号</th><th scope="col">姓名</th><th scope="col">工作单位</th><th scope="col">发证日期</th><th scope="col">状态</th><th scope="col" class="num">总学时</th></tr></thead><tbody></tbody></table></div>
  <div class="actions"><button type="button" id="register-more" class="secondary" hidden>显示更多</button></div>
</section>`
}

function peopleBody (): string {
  return `<section class="panel wide" aria-labelledby="users-title">
  <h2 id="users-title">工作人员</h2>
  <form id="user-form" method="post" class="form inline" aria-label="新增工作人员">
    ${field('user-username', '用户名', '<input id="user-username" name="username" required maxlength="64" autocomplete="off" autocapitalize="none" spellcheck="false">')}
    ${field('user-display', '姓名', '<input id="user-display" name="displayName" required maxlength="64" autocomplete="off">')}
    ${field('user-role', '角色', '<select id="user-role" name="role"><option value="clerk">经办人</option><option value="admin">管理员</option></select>')}
    <div class="actions"><button type="submit">新增</button></div>
  </form>
  ${status('users-status')}
  <div class="table-wrap"><table id="users-table"><caption class="visually-hidden">本单位工作人员</caption><thead><tr><th scope="col">用户名</th><th scope="col">姓名</th><th scope="col">角色</th><th scope="col">状态</th><th scope="col">最近登录</th><th scope="col">操作</th></tr></thead><tbody></tbody></table></div>
</section>
<section class="panel wide" aria-labelledby="keys-title">
  <h2 id="keys-title">API 密钥</h2>
  <p class="muted">供本单位业务系统调用接口；密钥只在创建时显示一次，请妥善保存。</p>
  <div class="actions"><button type="button" id="key-create">创建 API 密钥</button></div>
  ${status('keys-status')}
  <div class="table-wrap"><table id="keys-table"><caption class="visually-hidden">本单位 API 密钥</caption><thead><tr><th scope="col">编号</th><th scope="col">前缀</th><th scope="col">状态</th><th scope="col">创建时间</th><th scope="col">最近使用</th><th scope="col">操作</th></tr></thead><tbody></tbody></table></div>
</section>`
}

function auditBody (regionCode: string): string {
  return `<form id="audit-form" method="post" class="form inline" aria-label="筛选">
  ${field('audit-region', '行政区划代码', `<input id="audit-region" name="regionCode" value="${escapeHtml(regionCode)}" pattern="[0-9]{6}" maxlength="6" inputmode="numeric">`)}
  ${field('audit-from', '起始日期', '<input id="audit-from" name="from" type="date">')}
  ${field('audit-to', '截止日期（含）', '<input id="audit-to" name="to" type="date">')}
  ${field('audit-action', '事件', `<select id="audit-action" name="action"><option value="">全部</option>${auditActionOptions}</select>`)}
  <div class="actions"><button type="submit">查询</button> <button type="button" id="audit-export" class="secondary">导出 CSV</button></div>
</form>
${status('audit-status')}
<div class="table-wrap"><table id="audit-table" hidden><caption class="visually-hidden">审计日志</caption><thead><tr><th scope="col">时间</th><th scope="col">事件</th><th scope="col">操作者</th><th scope="col">对象</th><th scope="col">变化</th></tr></thead><tbody></tbody></table></div>
<div class="actions"><button type="button" id="audit-more" class="secondary" hidden>显示更多</button></div>`
}

/** The audit trail's actions in Chinese, for the filter and the table (console-audit.js reads them from the options). */
export const auditActionNames: Readonly<Record<typeof auditActions[number], string>> = {
  'certificate.issued': '颁发证书', 'certificate.revoked': '撤销证书', 'issuer.created': '创建发证机构', 'issuer.seal_changed': '更换印章',
  'api_key.created': '创建 API 密钥', 'api_key.revoked': '吊销 API 密钥', 'verification.batch': '批量核验', 'user.created': '新增人员',
  'user.disabled': '停用人员', 'user.enabled': '启用人员', 'user.role_changed': '变更角色', 'user.password_reset': '重置密码',
  'user.password_changed': '修改密码', 'session.signed_in': '登录', 'session.sign_in_failed': '登录失败', 'session.sign_in_locked': '登录锁定',
  'session.signed_out': '退出登录', 'session.signed_out_everywhere': '退出所有设备',
}
const auditActionOptions = Object.entries(auditActionNames).map(([value, name]) => `<option value="${value}">${escapeHtml(name)}</option>`).join('')

function sealBody (organisation: string, year: number): string {
  return `<p>印章盖在每本证书的“发证单位”处，包括已颁发的证书。请上传透明背景的 PNG 图片（不超过 512 KB、边长不超过 1024 像素），先在样例证书上查看效果，再保存。</p>
<form id="seal-form" method="post" class="form">
  ${field('seal-file', '印章图片（PNG）', '<input id="seal-file" name="seal" type="file" accept="image/png">')}
  <div class="actions"><button type="submit" id="seal-save" disabled>保存印章</button> <button type="button" id="seal-remove" class="secondary">删除现有印章</button></div>
</form>
${status('seal-status')}
<section class="panel preview" aria-labelledby="seal-preview-title">
  <h2 id="seal-preview-title">样例证书</h2>
  <p id="seal-preview-note" class="muted">现有印章</p>
  <div class="certificate-sample">
    <p class="meta">证书编号：样例</p>
    <p class="title">专业技术人员继续教育证书</p>
    <p class="text">张三 参加专业技术人员继续教育学习，经审核，已完成 ${year} 年度专业技术人员继续教育学习任务，特发此证。</p>
    <div class="seal-area"><p class="meta">发证单位：${escapeHtml(organisation)}</p><p class="meta">发证时间：${year} 年</p><img id="seal-image" alt="印章" hidden></div>
  </div>
</section>`
}

function passwordBody (mustChange: boolean): string {
  return `${mustChange ? '<p class="notice">您正在使用临时密码，请先设置新密码后再办理业务。</p>' : ''}
<form id="password-form" method="post" class="form narrow" novalidate>
  ${field('current-password', '当前密码', '<input id="current-password" name="currentPassword" type="password" required autocomplete="current-password">')}
  ${field('new-password', '新密码', '<input id="new-password" name="newPassword" type="password" required minlength="10" autocomplete="new-password" aria-describedby="new-password-hint">', '至少 10 个字符，不含用户名，不要使用常见密码')}
  <div class="actions"><button type="submit">保存新密码</button></div>
</form>
${status('password-status')}`
}

const pending = (what: string) => `<p class="notice">${escapeHtml(what)}功能正在建设中，请暂时使用 API（<a href="/docs">接口文档</a>）。</p>`

/** The body of a screen for the person signed in. */
export function screenBody (screen: Screen, context: { visible: readonly Screen[], year: number, regionCode: string, organisation: string, mustChangePassword: boolean }): string {
  switch (screen.id) {
    case 'home': return homeBody(context.visible)
    case 'issue': return issueBody(context.year)
    case 'batch': return batchBody()
    case 'certificates': return certificatesBody()
    case 'verify': return verifyBody()
    case 'register': return registerBody(context.regionCode, context.year)
    case 'people': return peopleBody()
    case 'seal': return sealBody(context.organisation, context.year)
    case 'audit': return auditBody(context.regionCode)
    case 'password': return passwordBody(context.mustChangePassword)
    default: return pending(screen.title)
  }
}
