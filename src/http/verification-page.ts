// The public verification page as server-rendered HTML: the verdict, the masked record, the lookup form.
import type { CertificateNumberProblem } from '../certificates/certificate-number.js'
import type { PublicCertificate } from '../certificates/certificate-service.js'
import { describeNumberProblem, formatChinaDate, pageText, type PageLanguage, type PageText } from './verification-page-text.js'

/** What the page reports: a record, or why there is none. */
export type PageOutcome =
  | { kind: 'found', certificate: PublicCertificate }
  | { kind: 'not-found', number: string }
  | { kind: 'malformed', number: string, problem: CertificateNumberProblem }
  | { kind: 'form' }
  | { kind: 'error', message: string }

export interface VerificationPageView {
  lang: PageLanguage
  outcome: PageOutcome
  /** The name the visitor asked to check, as typed; `tooLong` when it was not checked. */
  checkedName?: { name: string, tooLong: boolean }
  /** URLs of the page's own stylesheet, scripts and icon. */
  assets: { style: string, script: string, verifier: string, icon: string }
  /** PUBLIC_BASE_URL: the address the page's script gives the service when it asks it to verify a QR code's token. */
  publicBaseUrl: string
  /** The path and query of this page, for the language switch. */
  path: string
}

const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;' }

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml (text: string | number): string {
  return String(text).replace(/[&<>"']/g, ch => htmlEscapes[ch]!)
}

/** JSON that is safe inside a <script type="application/json"> element. */
function scriptJson (value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

type VerdictKind = 'valid' | 'revoked' | 'not-found' | 'malformed'
const verdictIcons: Record<VerdictKind, string> = { valid: '✓', revoked: '✕', 'not-found': '?', malformed: '!' }

function verdictOf (outcome: PageOutcome): VerdictKind | undefined {
  if (outcome.kind === 'found') return outcome.certificate.status === 'valid' ? 'valid' : 'revoked'
  if (outcome.kind === 'not-found' || outcome.kind === 'malformed') return outcome.kind
  return undefined
}

/**
 * The register's verdict for the number. With a QR code's token in the fragment, the page's script replaces it with
 * the token's verdict (hidden meanwhile) and shows the register's state below, in #registry-state.
 */
function verdictSection (outcome: PageOutcome, text: PageText, lang: PageLanguage): string {
  const verdict = verdictOf(outcome)
  const pending = `<p class="verdict-pending" aria-live="polite">${escapeHtml(text.pending)}</p>`
  const registryState = '<section id="registry-state" class="registry-state" hidden></section>'
  if (verdict === undefined) return `${pending}\n<section id="verdict" class="verdict" hidden></section>\n${registryState}`
  const number = outcome.kind === 'found' ? outcome.certificate.number : (outcome as { number: string }).number
  const label = { valid: text.verdict.valid, revoked: text.verdict.revoked, 'not-found': text.verdict.notFound, malformed: text.verdict.malformed }[verdict]
  const notes: string[] = []
  if (outcome.kind === 'found') {
    const revokedAt = outcome.certificate.revokedAt
    notes.push(revokedAt === undefined ? text.verdictNote.valid : text.verdictNote.revoked(formatChinaDate(revokedAt, lang)))
  } else if (outcome.kind === 'not-found') {
    notes.push(text.verdictNote.notFound)
  } else if (outcome.kind === 'malformed') {
    notes.push(describeNumberProblem(outcome.problem, lang), text.verdictNote.malformed)
  }
  // A malformed "number" may be anything: show a bounded, escaped echo of it.
  const shown = [...number].length > 40 ? `${[...number].slice(0, 40).join('')}…` : number
  const numberLine = outcome.kind === 'malformed'
    ? `<p class="verdict-number">${escapeHtml(text.youTyped)}：<span class="number">${escapeHtml(shown)}</span></p>`
    : `<p class="verdict-number">${escapeHtml(text.numberLabel)} <span class="number">${escapeHtml(number)}</span></p>`
  return `${pending}
<section id="verdict" class="verdict verdict-${verdict}" aria-labelledby="verdict-label" data-verdict="${verdict}">
  ${numberLine}
  <h2 class="verdict-label" id="verdict-label"><span class="verdict-icon" aria-hidden="true">${verdictIcons[verdict]}</span> ${escapeHtml(label)}</h2>
  ${notes.map((note, i) => `<p class="${i === 0 ? 'verdict-note' : 'verdict-help'}">${escapeHtml(note)}</p>`).join('\n  ')}
</section>
${registryState}`
}

function nameCheckSection (view: VerificationPageView, text: PageText): string {
  if (view.checkedName === undefined || view.outcome.kind !== 'found') return ''
  const { name, tooLong } = view.checkedName
  const matches = view.outcome.certificate.nameMatches
  const state = tooLong || matches === undefined ? 'unchecked' : matches ? 'match' : 'mismatch'
  const message = state === 'unchecked' ? text.nameTooLong : state === 'match' ? text.nameMatches(name) : text.nameDiffers(name)
  const icon = state === 'match' ? '✓' : state === 'mismatch' ? '✕' : '–'
  return `<section class="name-check name-check-${state}" aria-labelledby="name-check-title"${state === 'mismatch' ? ' role="alert"' : ''}>
  <h2 id="name-check-title">${escapeHtml(text.nameCheck)}</h2>
  <p><span class="check-icon" aria-hidden="true">${icon}</span> ${escapeHtml(message)}</p>
</section>`
}

function detailsSection (certificate: PublicCertificate, text: PageText, lang: PageLanguage): string {
  const h = certificate.hours
  const hourRows: Array<[string, number]> = [[text.hours.public, h.public], [text.hours.professional, h.professional], [text.hours.elective, h.elective]]
  if (h.selfStudy > 0) hourRows.push([text.hours.selfStudy, h.selfStudy])
  const rows: Array<[string, string]> = [
    [text.field.holder, `${escapeHtml(certificate.holder.maskedName)} <span class="masked-note">${escapeHtml(text.masked)}</span>`],
    [text.field.year, escapeHtml(text.yearValue(certificate.year))],
    [text.field.region, escapeHtml(certificate.region.name || certificate.region.code)],
    [text.field.issuer, escapeHtml(certificate.issuer.name)],
    [text.field.issuedAt, escapeHtml(formatChinaDate(certificate.issuedAt, lang))],
    [text.field.hours, `<ul class="hours">${hourRows.map(([label, value]) => `<li><span>${escapeHtml(label)}</span> <span class="value">${escapeHtml(value)}</span></li>`).join('')}<li class="hours-total"><span>${escapeHtml(text.hours.total)}</span> <span class="value">${escapeHtml(h.total)} ${escapeHtml(text.hours.unit)}</span></li></ul>`],
    [text.field.ruleSet, escapeHtml(certificate.ruleSet.name)],
  ]
  if (certificate.revokedAt !== undefined) rows.push([text.field.revokedAt, escapeHtml(formatChinaDate(certificate.revokedAt, lang))])
  return `<section class="card details" aria-labelledby="details-title">
  <h2 id="details-title">${escapeHtml(text.details)}</h2>
  <dl class="fields">
    ${rows.map(([term, value]) => `<div class="field"><dt>${escapeHtml(term)}</dt><dd>${value}</dd></div>`).join('\n    ')}
  </dl>
</section>`
}

function lookupForm (view: VerificationPageView, text: PageText): string {
  // Prefilled only where the visitor may want to correct what was typed.
  const typed = view.outcome.kind === 'not-found' || view.outcome.kind === 'malformed' ? view.outcome.number : ''
  const number = [...typed].slice(0, 40).join('')
  const name = view.checkedName?.name ?? ''
  return `<section class="card lookup" aria-labelledby="lookup-title">
  <h2 id="lookup-title">${escapeHtml(text.lookup)}</h2>
  <p>${escapeHtml(text.lookupIntro)}</p>
  <form method="get" action="/v">
    ${view.lang === 'en' ? '<input type="hidden" name="lang" value="en">' : ''}
    <div class="form-field">
      <label for="number">${escapeHtml(text.numberLabel)}</label>
      <input id="number" name="number" type="text" inputmode="numeric" autocomplete="off" spellcheck="false" maxlength="40" required aria-describedby="number-hint" value="${escapeHtml(number)}">
      <p class="hint" id="number-hint">${escapeHtml(text.numberHint)}</p>
    </div>
    <div class="form-field">
      <label for="name">${escapeHtml(text.nameLabel)}</label>
      <input id="name" name="name" type="text" autocomplete="off" maxlength="64" aria-describedby="name-hint" value="${escapeHtml(name)}">
      <p class="hint" id="name-hint">${escapeHtml(text.nameHint)}</p>
    </div>
    <button type="submit">${escapeHtml(text.submit)}</button>
  </form>
</section>`
}

/** The signature check's empty frame, and what the browser script needs to fill it: words and the server's verdict. */
function signatureFrame (view: VerificationPageView, text: PageText): string {
  const outcome = view.outcome
  const data = {
    number: outcome.kind === 'found' ? outcome.certificate.number : outcome.kind === 'not-found' || outcome.kind === 'malformed' ? outcome.number : null,
    verdict: verdictOf(outcome) ?? null,
    region: outcome.kind === 'found' ? outcome.certificate.region : null,
    lang: view.lang,
    qrBase: view.publicBaseUrl,
    text: { ...text.signature, hourWords: text.hours },
  }
  return `<section id="signature" class="signature" aria-live="polite" hidden></section>
<noscript><p class="noscript">${escapeHtml(text.noscript)}</p></noscript>
<script type="application/json" id="verify-page-data">${scriptJson(data)}</script>`
}

function titleOf (view: VerificationPageView, text: PageText): string {
  const o = view.outcome
  if (o.kind === 'found') return text.title(`${o.certificate.status === 'valid' ? text.verdict.valid : text.verdict.revoked} ${o.certificate.number}`)
  if (o.kind === 'not-found') return text.title(text.verdict.notFound)
  if (o.kind === 'malformed') return text.title(text.verdict.malformed)
  if (o.kind === 'error') return text.title(text.errorTitle)
  return text.h1
}

/** Adds or replaces `lang` in a path's query, keeping everything else. */
function withLanguage (path: string, lang: PageLanguage): string {
  const url = new URL(path, 'http://page.invalid')
  if (lang === 'zh') url.searchParams.delete('lang')
  else url.searchParams.set('lang', lang)
  return url.pathname + url.search
}

/** What every page of /v has around its content: head, masthead with the language switch, footer. */
export interface PageFrame {
  lang: PageLanguage
  title: string
  /** The path and query of the page, for the language switch. */
  path: string
  assets: { style: string, icon: string }
  /** Scripts to load in <head>, in order, before the body is drawn. */
  scripts?: readonly string[]
  /** The content of <main>, already escaped. */
  main: string
}

/** A whole page of /v around `frame.main`, which the caller has escaped. */
export function renderPageFrame (frame: PageFrame): string {
  const text = pageText(frame.lang)
  const other = text.switchLang as PageLanguage
  return `<!doctype html>
<html lang="${text.htmlLang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light">
<title>${escapeHtml(frame.title)}</title>
<link rel="icon" type="image/svg+xml" href="${escapeHtml(frame.assets.icon)}">
<link rel="stylesheet" href="${escapeHtml(frame.assets.style)}">
${(frame.scripts ?? []).map(src => `<script src="${escapeHtml(src)}"></script>`).join('\n')}
</head>
<body>
<a class="skip-link" href="#main">${escapeHtml(text.skip)}</a>
<header class="masthead">
  <div class="wrap masthead-inner">
    <svg class="emblem" viewBox="0 0 48 48" width="40" height="40" aria-hidden="true" focusable="false"><circle cx="24" cy="24" r="22" fill="none" stroke="currentColor" stroke-width="2.5"/><circle cx="24" cy="24" r="17" fill="none" stroke="currentColor" stroke-width="1"/><path d="M15 24.5l6 6 12-13" fill="none" stroke="currentColor" stroke-width="3.2" stroke-linecap="round" stroke-linejoin="round"/></svg>
    <div class="masthead-text">
      <p class="masthead-title">${escapeHtml(text.service)}</p>
      <p class="masthead-sub">${escapeHtml(text.serviceSub)}</p>
    </div>
    <a class="lang-switch" id="lang-switch" href="${escapeHtml(withLanguage(frame.path, other))}" lang="${other === 'en' ? 'en' : 'zh-CN'}" hreflang="${other === 'en' ? 'en' : 'zh-CN'}">${escapeHtml(text.switchLabel)}</a>
  </div>
</header>
<main id="main" class="wrap">
${frame.main}
</main>
<footer class="footer">
  <div class="wrap">
    <p>${escapeHtml(text.footer)}</p>
    <p><a href="/.well-known/jwks.json">${escapeHtml(text.footerKeys)}</a> · <a href="/v/offline${frame.lang === 'en' ? '?lang=en' : ''}">${escapeHtml(text.footerOffline)}</a> · <a href="/docs">${escapeHtml(text.footerApi)}</a></p>
  </div>
</footer>
</body>
</html>
`
}

/** The whole page. Everything that comes from the database or the request is escaped here. */
export function renderVerificationPage (view: VerificationPageView): string {
  const { lang, outcome } = view
  const text = pageText(lang)
  const error = outcome.kind === 'error'
    ? `<section class="verdict verdict-error" aria-labelledby="error-title"><h2 class="verdict-label" id="error-title"><span class="verdict-icon" aria-hidden="true">!</span> ${escapeHtml(text.errorTitle)}</h2><p class="verdict-note">${escapeHtml(outcome.message)}</p></section>`
    : ''
  return renderPageFrame({
    lang,
    title: titleOf(view, text),
    path: view.path,
    assets: view.assets,
    scripts: [view.assets.verifier, view.assets.script],
    main: `<h1>${escapeHtml(text.h1)}</h1>
${verdictSection(outcome, text, lang)}${error}
${nameCheckSection(view, text)}
${signatureFrame(view, text)}
${outcome.kind === 'found' ? detailsSection(outcome.certificate, text, lang) : ''}
${lookupForm(view, text)}`,
  })
}
