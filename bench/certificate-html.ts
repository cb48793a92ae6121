// The PDF bench's baseline document: the same certificate as an HTML page, for Chromium to print.
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import QRCode from 'qrcode'
import type { CertificatePdfInput } from '../src/documents/index.js'

const require = createRequire(import.meta.url)
const fontUrl = (file: string) => pathToFileURL(require.resolve(`@expo-google-fonts/${file}`)).href
// The same faces the service embeds: Noto Serif SC, with Noto Serif JP for what SC lacks.
const fontFaces = [
  ['Certificate Serif', 400, 'noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf'],
  ['Certificate Serif', 700, 'noto-serif-sc/700Bold/NotoSerifSC_700Bold.ttf'],
  ['Certificate Serif Fallback', 400, 'noto-serif-jp/400Regular/NotoSerifJP_400Regular.ttf'],
  ['Certificate Serif Fallback', 700, 'noto-serif-jp/700Bold/NotoSerifJP_700Bold.ttf'],
].map(([family, weight, file]) => `@font-face { font-family: '${family}'; font-weight: ${weight}; src: url('${fontUrl(String(file))}'); }`).join('\n')

const escape = (text: string) => text.replace(/[&<>"']/g, c => `&#${c.charCodeAt(0)};`)

function chinaDate (date: Date): string {
  const china = new Date(date.getTime() + 8 * 3600_000)
  return `${china.getUTCFullYear()}年${china.getUTCMonth() + 1}月${china.getUTCDate()}日`
}

/** The certificate as one A4 HTML page: frame, title, sentence, hours table, issuer with seal, vector QR code. */
export async function certificateHtml (input: CertificatePdfInput): Promise<string> {
  const qr = await QRCode.toString([{ data: Buffer.from(input.verifyUrl, 'utf8'), mode: 'byte' }], { type: 'svg', errorCorrectionLevel: 'M', margin: 0 })
  const seal = input.seal === undefined ? '' : `<img class="seal" src="data:image/png;base64,${Buffer.from(input.seal).toString('base64')}">`
  const rows = [...input.hourRows, { label: '合计', given: input.totalHours.given, required: input.totalHours.required }]
    .map(r => `<tr><td>${escape(r.label)}</td><td>${r.given}</td><td>${r.required ?? '—'}</td></tr>`).join('')
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>${escape(input.provinceName)}专业技术人员继续教育证书 ${input.number}</title><style>
${fontFaces}
@page { size: A4; margin: 0 }
* { box-sizing: border-box }
body { margin: 0; font-family: 'Certificate Serif', 'Certificate Serif Fallback', serif; color: #1a1a1a }
.page { position: relative; width: 210mm; height: 297mm; padding: 24mm 25mm }
.frame { position: absolute; inset: 8.5mm; border: 2.6pt solid #991a1a }
.frame::after { content: ''; position: absolute; inset: 1.8mm; border: 0.7pt solid #991a1a }
.number { text-align: right; font-size: 11pt; color: #555 }
h1 { text-align: center; color: #991a1a; font-size: 26pt; margin: 20mm 0 4mm }
.ornament { text-align: center; color: #991a1a; margin-bottom: 12mm }
.name { text-align: center; font-size: 22pt; font-weight: 700 }
.employer { text-align: center; font-size: 12pt; color: #555; margin: 2mm 10mm 6mm }
.sentence { font-size: 14pt; line-height: 30pt; text-align: justify; text-indent: 2em }
.sentence u { text-decoration-thickness: 0.6pt }
.caption { text-align: center; font-size: 11pt; color: #555; margin-top: 8mm }
table { margin: 2mm auto; border-collapse: collapse; font-size: 12pt }
td { border: 0.5pt solid #737373; width: 39mm; text-align: center; padding: 1.6mm }
tr:first-child td { background: #f5ede6 }
.foot { position: absolute; left: 25mm; right: 25mm; bottom: 24mm; display: flex; justify-content: space-between; align-items: flex-end }
.qr { width: 48mm; text-align: center; font-size: 9pt; color: #555 }
.issuer { position: relative; width: 75mm; font-size: 13pt; line-height: 22pt }
.seal { position: absolute; width: 42mm; left: 20mm; top: -14mm; opacity: 0.85 }
</style></head><body><div class="page"><div class="frame"></div>
<div class="number">证书编号：${input.number}</div>
<h1>${escape(input.provinceName)}专业技术人员继续教育证书</h1>
<div class="ornament">———— ◆ ————</div>
<div class="name">${escape(input.holderName)}</div>
<div class="employer">工作单位：${escape(input.employerName)}</div>
<p class="sentence"><u>${escape(input.holderName)}</u> 参加专业技术人员继续教育学习，经审核，已完成 <u>${input.year}</u> 年度专业技术人员继续教育学习任务，根据${escape(input.regulationName)}，特发此证。</p>
<div class="caption">学时完成情况（${escape(input.ruleSetName)}）</div>
<table><tr><td>类别</td><td>完成学时</td><td>要求学时</td></tr>${rows}</table>
<div class="foot"><div class="qr">${qr}<div>扫描二维码核验证书真伪</div><div>Scan to verify</div></div>
<div class="issuer">${seal}<div>发证单位：${escape(input.issuerName)}</div><div>发证时间：${chinaDate(input.issuedAt)}</div></div></div>
</div></body></html>`
}
