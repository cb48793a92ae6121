// GET /v/offline: how to verify certificates with no network — what to save, the command, the exit codes — Chinese first.
import { escapeHtml, renderPageFrame } from './verification-page.js'
import type { PageLanguage } from './verification-page-text.js'

export interface OfflineVerifierPageView {
  lang: PageLanguage
  path: string
  assets: { style: string, icon: string }
  publicBaseUrl: string
  bundle: { sha256: string, size: number }
  /** The published kids: one revocation list each. */
  kids: readonly string[]
  validityHours: number
}

const words = {
  zh: {
    title: '离线核验工具 ce-cert · 证书查验',
    h1: '离线核验工具 ce-cert',
    intro: '在没有网络的场所（如评审会场）核验证书 PDF、二维码内容或签名数据：只需一台装有 Node.js 20 或更高版本的电脑和一个文件，无需安装其他软件；核验时不连接网络，不使用数据库。',
    prepare: '一、联网时下载并保存',
    tool: '核验工具',
    size: (kb: number) => `约 ${kb} KB`,
    sha: 'SHA-256 校验值',
    shaHelp: '下载后请核对校验值：sha256sum ce-cert.mjs（Windows：certutil -hashfile ce-cert.mjs SHA256）。',
    keys: '签名公钥集（JWKS）',
    lists: (hours: number) => `每个签名密钥的撤销列表（签名文件，有效期 ${hours} 小时）`,
    commands: '在命令行中：',
    verify: '二、离线核验',
    verifyHelp: '证书 PDF 给出文件名；二维码内容（扫码枪或手机扫出的网址）须加引号。输出逐项列出每个核验项目（中文与英文），时间为北京时间。',
    notes: (hours: number, base: string) => [
      `撤销列表签发 ${hours} 小时后过期：此后工具不再给出“有效”（退出码 4），请联网重新下载撤销列表。`,
      `只输入证书编号无法离线核验（退出码 2）：请在线查验 ${base}/v/<证书编号>。`,
      '明知无法获取撤销列表时，可加 --no-revocation-check 只核验签名，结论会注明撤销状态未知。',
    ],
    exits: '三、退出码',
    exitHead: ['退出码', '含义'],
    exitRows: [
      ['0', '有效：签名有效，撤销列表在有效期内且未列入（或给出了 --no-revocation-check）'],
      ['1', '无效或伪造：PDF 被篡改或并非本服务签发、签名不符、二维码网址不属于本服务'],
      ['2', '用法错误：参数、文件、公钥集或撤销列表无法使用；或只给出了证书编号'],
      ['3', '已撤销'],
      ['4', '无法确定：签名有效，但没有有效期内的撤销列表'],
    ],
  },
  en: {
    title: 'Offline verifier ce-cert · Certificate verification',
    h1: 'Offline verifier ce-cert',
    intro: 'Verify certificate PDFs, QR codes and tokens where there is no network (a committee\'s meeting room): a computer with Node.js 20 or later and one file, nothing else to install; it uses no network and no database.',
    prepare: '1. While online, download and keep',
    tool: 'The verifier',
    size: (kb: number) => `about ${kb} KB`,
    sha: 'SHA-256',
    shaHelp: 'Check it once downloaded: sha256sum ce-cert.mjs (Windows: certutil -hashfile ce-cert.mjs SHA256).',
    keys: 'The signing keys (JWKS)',
    lists: (hours: number) => `Each signing key's revocation list (signed; valid for ${hours} hours)`,
    commands: 'On the command line:',
    verify: '2. Verify offline',
    verifyHelp: 'Give a PDF by its file name; quote the QR code\'s text (the address a scanner or phone reads). The output states each check in Chinese and English, times in China Standard Time.',
    notes: (hours: number, base: string) => [
      `A revocation list expires ${hours} hours after it was signed: the verifier then says no more than "unknown" (exit 4); download the lists again.`,
      `A certificate number alone cannot be verified offline (exit 2): look it up online at ${base}/v/<number>.`,
      'Knowing no list can be had, --no-revocation-check verifies the signature only, and the verdict says the revocation state is unknown.',
    ],
    exits: '3. Exit status',
    exitHead: ['Exit', 'Meaning'],
    exitRows: [
      ['0', 'valid: the signature holds and a current revocation list does not name it (or --no-revocation-check was given)'],
      ['1', 'invalid or altered: a PDF forged or changed, a signature that fails, a QR code pointing elsewhere'],
      ['2', 'usage error: arguments, files, JWKS or a revocation list that cannot be used; or a bare certificate number'],
      ['3', 'revoked'],
      ['4', 'unknown: the signature holds, but no current revocation list covers it'],
    ],
  },
} as const

const code = (lines: string[]) => `<pre class="commands"><code>${lines.map(escapeHtml).join('\n')}</code></pre>`

/** The page, every value escaped. */
export function renderOfflineVerifierPage (view: OfflineVerifierPageView): string {
  const w = words[view.lang]
  const base = view.publicBaseUrl
  const kb = Math.round(view.bundle.size / 1024)
  const lists = view.kids.map(kid => `<li><a href="/.well-known/crl/${escapeHtml(kid)}.jws">${escapeHtml(kid)}.jws</a></li>`).join('')
  const main = `<h1>${escapeHtml(w.h1)}</h1>
<p class="intro">${escapeHtml(w.intro)}</p>
<section class="card" aria-labelledby="prepare-title">
  <h2 id="prepare-title">${escapeHtml(w.prepare)}</h2>
  <dl class="fields">
    <div class="field"><dt>${escapeHtml(w.tool)}</dt><dd><a href="/downloads/ce-cert.mjs" download>ce-cert.mjs</a> <span class="masked-note">${escapeHtml(w.size(kb))}</span></dd></div>
    <div class="field"><dt>${escapeHtml(w.sha)}</dt><dd><code class="digest" id="bundle-sha256">${escapeHtml(view.bundle.sha256)}</code></dd></div>
    <div class="field"><dt>${escapeHtml(w.keys)}</dt><dd><a href="/.well-known/jwks.json">jwks.json</a></dd></div>
    <div class="field"><dt>${escapeHtml(w.lists(view.validityHours))}</dt><dd><ul class="plain">${lists}</ul></dd></div>
  </dl>
  <p class="hint">${escapeHtml(w.shaHelp)}</p>
  <p>${escapeHtml(w.commands)}</p>
  ${code([
    `curl -O ${base}/downloads/ce-cert.mjs`,
    'sha256sum ce-cert.mjs',
    `curl -o jwks.json ${base}/.well-known/jwks.json`,
    'mkdir crl',
    ...view.kids.map(kid => `curl -o crl/${kid}.jws ${base}/.well-known/crl/${kid}.jws`),
  ])}
</section>
<section class="card" aria-labelledby="verify-title">
  <h2 id="verify-title">${escapeHtml(w.verify)}</h2>
  ${code([
    'node ce-cert.mjs verify 44010625000001.pdf --jwks jwks.json --revocations crl',
    `node ce-cert.mjs verify '${base}/v/44010625000001#…' --jwks jwks.json --revocations crl`,
  ])}
  <p>${escapeHtml(w.verifyHelp)}</p>
  <ul>${w.notes(view.validityHours, base).map(note => `<li>${escapeHtml(note)}</li>`).join('')}</ul>
</section>
<section class="card" aria-labelledby="exits-title">
  <h2 id="exits-title">${escapeHtml(w.exits)}</h2>
  <table class="exit-codes">
    <thead><tr>${w.exitHead.map(h => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>
    <tbody>${w.exitRows.map(([exit, meaning]) => `<tr><td>${escapeHtml(exit)}</td><td>${escapeHtml(meaning)}</td></tr>`).join('')}</tbody>
  </table>
</section>`
  return renderPageFrame({ lang: view.lang, title: w.title, path: view.path, assets: view.assets, main })
}
