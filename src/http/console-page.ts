// The console's page frame: header with the organisation and person, navigation by role, the main region, sign-out.
import { escapeHtml } from './verification-page.js'
import type { Screen } from './console-screens.js'

export interface ConsolePerson {
  displayName: string
  roleName: string
  organisation: string
  kindName: string
}

export interface ConsolePageView {
  title: string
  /** The screen open, for the navigation's aria-current and the body's data-screen. */
  screen: string
  body: string
  /** URLs of the stylesheet and scripts (console.js first). */
  assets: { style: string, scripts: string[] }
  /** Signed in: who, the navigation, and the CSRF token the script sends with every change. */
  signedIn?: { person: ConsolePerson, nav: readonly Screen[], csrfToken: string }
}

const brand = '专业技术人员继续教育证书管理系统'

function header (view: ConsolePageView): string {
  const signedIn = view.signedIn
  const who = signedIn === undefined
    ? ''
    : `<div class="who"><span>${escapeHtml(signedIn.person.organisation)}</span> · <span>${escapeHtml(signedIn.person.displayName)}（${escapeHtml(signedIn.person.roleName)}）</span>
      <a href="/console/password">修改密码</a>
      <button type="button" id="sign-out" class="link-button">退出登录</button></div>`
  return `<header class="masthead"><div class="masthead-inner"><p class="brand"><a href="/console">${brand}</a></p>${who}</div></header>`
}

function navigation (view: ConsolePageView): string {
  if (view.signedIn === undefined) return ''
  const items = view.signedIn.nav.map(screen => {
    const current = screen.id === view.screen ? ' aria-current="page"' : ''
    return `<li><a href="/console${screen.id === 'home' ? '' : `/${screen.id}`}"${current}>${escapeHtml(screen.title)}</a></li>`
  }).join('')
  return `<nav class="nav" aria-label="主导航"><ul>${items}</ul></nav>`
}

/** The whole HTML document of a console screen. */
export function renderConsolePage (view: ConsolePageView): string {
  const csrf = view.signedIn === undefined ? '' : `\n<meta name="csrf-token" content="${escapeHtml(view.signedIn.csrfToken)}">`
  const scripts = view.assets.scripts.map(src => `<script src="${escapeHtml(src)}" defer></script>`).join('\n')
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(view.title)} · ${brand}</title>${csrf}
<link rel="stylesheet" href="${escapeHtml(view.assets.style)}">
${scripts}
</head>
<body data-screen="${escapeHtml(view.screen)}">
<a class="skip-link" href="#main">跳到正文</a>
${header(view)}
<div class="layout">
${navigation(view)}
<main id="main" tabindex="-1">
<h1>${escapeHtml(view.title)}</h1>
${view.body}
</main>
</div>
</body>
</html>
`
}

/** The sign-in form; `notice` says why the person is here (session ended, signed out). */
export function signInBody (notice: string | undefined): string {
  return `${notice === undefined ? '' : `<p class="notice" role="status">${escapeHtml(notice)}</p>`}
<form id="sign-in-form" method="post" class="form narrow" novalidate>
  <div class="field"><label for="username">用户名</label><input id="username" name="username" required maxlength="64" autocomplete="username" autocapitalize="none" spellcheck="false"></div>
  <div class="field"><label for="password">密码</label><input id="password" name="password" type="password" required maxlength="256" autocomplete="current-password"></div>
  <p id="sign-in-error" class="error" role="alert" hidden></p>
  <div class="actions"><button type="submit">登录</button></div>
</form>
<p class="muted">持证人下载本人证书，请使用<a href="/console/download">证书自助下载</a>；查验证书真伪，请访问<a href="/v">证书查验</a>。</p>`
}

/** The holder's self-service download: number, full name and ID number. */
export function holderDownloadBody (): string {
  return `<p>持证人可凭证书编号、本人姓名和公民身份号码下载本人的电子证书（PDF）。信息不符的尝试会被记录，并计入该证书的核对次数限制。</p>
<form id="download-form" method="post" class="form narrow" novalidate>
  <div class="field"><label for="download-number">证书编号</label><input id="download-number" name="number" required maxlength="20" inputmode="numeric" autocomplete="off"></div>
  <div class="field"><label for="download-name">姓名</label><input id="download-name" name="name" required maxlength="30" autocomplete="name"></div>
  <div class="field"><label for="download-id">公民身份号码</label><input id="download-id" name="idNumber" required maxlength="18" autocomplete="off"></div>
  <div class="actions"><button type="submit">下载证书</button></div>
</form>
<div id="download-status" class="status" role="status" aria-live="polite"></div>
<p class="muted">查验证书真伪，请访问<a href="/v">证书查验</a>。工作人员请<a href="/console/sign-in">登录</a>。</p>`
}

/** A verification report confirmed by its number and code (the QR code of its PDF leads here). */
export function reportConfirmationBody (): string {
  return `<p>凭核验报告上的报告编号和验证码，核实报告内容是否由本服务签发且未被改动。</p>
<form id="report-form" method="post" class="form inline" novalidate>
  <div class="field"><label for="report-number">报告编号</label><input id="report-number" name="number" required maxlength="12" autocomplete="off"></div>
  <div class="field"><label for="report-code">验证码</label><input id="report-code" name="code" required maxlength="6" autocomplete="off" autocapitalize="characters"></div>
  <div class="actions"><button type="submit">核实报告</button></div>
</form>
<div id="report-status" class="status" role="status" aria-live="polite"></div>
<section id="report" class="panel wide" aria-labelledby="report-title" hidden>
  <h2 id="report-title">核验报告</h2>
  <p id="report-verdict"></p>
  <dl id="report-facts" class="facts"></dl>
  <div class="table-wrap"><table id="report-rows"><caption class="visually-hidden">报告所列的核验结果</caption><thead><tr><th scope="col">行号</th><th scope="col">证书编号</th><th scope="col">持证人</th><th scope="col">结果</th><th scope="col">说明</th></tr></thead><tbody></tbody></table></div>
</section>`
}
