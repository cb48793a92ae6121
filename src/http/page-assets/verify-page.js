// The verification page's one story: with a QR code's token in the fragment, the verdict is the token's — checked here
// (verify-page-verifier.js), then against the register (POST /v1/verify) online, or against the saved revocation list
// offline — and the register's state for the number is secondary. A failed signature is 伪造或被篡改, never a green 有效.
// Also registers the service worker that keeps the page, its assets, the JWKS and the revocation lists for offline use.
'use strict'
;(function () {
  const fragment = window.location.hash.replace(/^#/, '').trim()
  // Loaded in <head>, before the body is drawn: the register's verdict stays hidden until the token has been checked.
  if (fragment !== '') document.documentElement.classList.add('qr-checking')

  function registerWorker () {
    if (!('serviceWorker' in navigator)) return
    navigator.serviceWorker.register('/verify-sw.js', { scope: '/v/' })
      .then(() => navigator.serviceWorker.ready)
      .then(() => { document.documentElement.dataset.offlineReady = 'true' })
      .catch(() => {})
  }

  function main () {
    const dataElement = document.getElementById('verify-page-data')
    if (dataElement === null) return
    const page = JSON.parse(dataElement.textContent)
    const text = page.text
    const pathNumber = (/\/v\/([^/]+)$/.exec(window.location.pathname) || [])[1]
    // Offline, the service worker answers any /v/<number> with the saved form page: no register, the number from the address.
    const shell = page.number === null && pathNumber !== undefined
    const number = shell ? decodeURIComponent(pathNumber) : page.number
    const registry = shell ? 'offline' : page.verdict

    const switcher = document.getElementById('lang-switch')
    if (switcher !== null && fragment !== '') switcher.setAttribute('href', switcher.getAttribute('href').replace(/#.*$/, '') + '#' + fragment)
    if (shell) switcher?.setAttribute('href', window.location.pathname + (page.lang === 'en' ? '' : '?lang=en') + window.location.hash)

    const verdictSection = document.getElementById('verdict')
    const signatureSection = document.getElementById('signature')
    if (verdictSection === null || signatureSection === null) return

    function element (tag, className, content) {
      const node = document.createElement(tag)
      if (className) node.className = className
      if (content !== undefined) node.textContent = String(content)
      return node
    }

    function pad (n) { return String(n).padStart(2, '0') }
    /** A time in China Standard Time (UTC+8 all year): 2026年3月16日 10:00, or 2026-03-16 10:00. */
    function chinaTime (seconds, withTime) {
      const t = new Date(seconds * 1000 + 8 * 3600000)
      const clock = withTime ? ' ' + pad(t.getUTCHours()) + ':' + pad(t.getUTCMinutes()) : ''
      if (page.lang === 'en') return t.toISOString().slice(0, 10) + clock
      return t.getUTCFullYear() + '年' + (t.getUTCMonth() + 1) + '月' + t.getUTCDate() + '日' + clock
    }
    const fill = (words, values) => Object.entries(values || {}).reduce((w, [key, value]) => w.replace('{' + key + '}', String(value)), words)

    /** The verdict at the top of the page, and the page's title: the one story the page tells. */
    function setVerdict (kind, label, notes, icon) {
      verdictSection.hidden = false
      verdictSection.className = 'verdict verdict-' + kind
      verdictSection.dataset.verdict = kind
      if (kind === 'forged') verdictSection.setAttribute('role', 'alert')
      const numberLine = element('p', 'verdict-number', text.number + ' ')
      numberLine.append(element('span', 'number', number))
      const heading = element('h2', 'verdict-label')
      heading.id = 'verdict-label'
      const mark = element('span', 'verdict-icon', icon)
      mark.setAttribute('aria-hidden', 'true')
      heading.append(mark, document.createTextNode(' ' + label))
      verdictSection.replaceChildren(numberLine, heading, ...notes.filter(Boolean).map((note, i) => element('p', i === 0 ? 'verdict-note' : 'verdict-help', note)))
      document.title = fill(text.titleTemplate, { what: label + ' ' + number })
      document.documentElement.classList.remove('qr-checking')
    }

    /** What the register says of the number, shown under a verdict it does not decide. */
    function showRegistryState () {
      const box = document.getElementById('registry-state')
      if (box === null) return
      const words = { valid: text.registry.valid, revoked: text.registry.revoked, 'not-found': text.registry.notFound, malformed: text.registry.malformed, offline: text.registry.offline }[registry] || text.registry.offline
      box.hidden = false
      box.replaceChildren(element('h2', '', text.registry.heading), element('p', 'registry-state-value', words), element('p', 'registry-state-note', text.registry.note))
    }

    function hoursLine (h) {
      const w = text.hourWords
      const items = [[w.public, h.pub], [w.professional, h.pro], [w.elective, h.ele]]
      if (typeof h.slf === 'number' && h.slf > 0) items.push([w.selfStudy, h.slf])
      return items.map(([label, value]) => label + ' ' + value).join(' · ') + ' · ' + w.total + ' ' + h.tot + ' ' + w.unit
    }

    /** The signed name (to compare with the paper) and what else the token signed. */
    function showSigned (result, tone, title, note) {
      const s = result.signed
      signatureSection.className = 'signature ' + tone
      const heading = element('h2', '', title)
      heading.id = 'signature-title'
      const name = element('p', 'signed-name')
      name.append(element('span', 'signed-name-label', text.holderName), element('span', 'signed-name-value', s.holderName))
      name.lastChild.id = 'signed-name'
      const region = page.region !== null && page.region.code === s.regionCode ? page.region.name + (page.lang === 'en' ? ' (' + s.regionCode + ')' : '（' + s.regionCode + '）') : s.regionCode
      const rows = [[text.year, s.year], [text.hours, hoursLine(s.hours)], [text.issuer, s.issuer], [text.employer, s.employer], [text.issuedAt, chinaTime(s.iat, false)], [text.region, region]]
      const list = element('dl', 'fields')
      for (const [term, value] of rows) {
        if (value === undefined || value === null || value === '') continue
        const row = element('div', 'field')
        row.append(element('dt', '', term), element('dd', '', value))
        list.append(row)
      }
      signatureSection.replaceChildren(heading, element('p', '', note), name, list, element('p', 'sig-key', text.key + ': ' + result.alg + ' · kid ' + result.kid + (result.form === 'compact' ? ' · ' + text.compactForm : '')))
      if (result.form === 'compact') signatureSection.append(element('p', 'sig-key', text.compactScope))
    }

    function reasonText (result) {
      return fill(text.reasons[result.reason] || result.reasonText || result.reason, result.values)
    }

    /** The verdict says it all: nothing of the token is shown, and what follows is the register's, named as such. */
    function showForged (reason) {
      setVerdict('forged', text.verdicts.forged, [text.notes.forged, text.reasonLabel + reason], '⚠')
      showRegistryState()
      const details = document.getElementById('details-title')
      if (details !== null) details.textContent = text.registry.details
      signatureSection.replaceChildren()
      signatureSection.hidden = true
      signatureSection.dataset.state = 'forged'
    }

    function revocationAge (list) {
      return list === null ? text.revocation.none : fill(text.revocation.age, { signed: chinaTime(list.iat, true), until: chinaTime(list.nextUpdate, true) })
    }

    async function fetchJson (url) {
      const response = await fetch(url, { credentials: 'omit', cache: 'no-cache' })
      if (!response.ok) throw new Error(String(response.status))
      return response.json()
    }

    async function revocationListOf (kid, jwks) {
      try {
        const response = await fetch('/.well-known/crl/' + encodeURIComponent(kid) + '.jws', { credentials: 'omit', cache: 'no-cache' })
        if (!response.ok) return null
        return await window.CertificateVerifier.checkRevocationList(await response.text(), kid, number, jwks, new Date())
      } catch { return null }
    }

    /** The register's verdict on the token, or null when the service cannot be reached. */
    async function askService () {
      try {
        const response = await fetch('/v1/verify', {
          method: 'POST', credentials: 'omit', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ qr: page.qrBase + '/v/' + number + '#' + fragment }),
        })
        const body = await response.json()
        if (response.ok) return body
        if (body && body.details && typeof body.details.verdict === 'string') return body.details
        return null
      } catch { return null }
    }

    async function check () {
      if (fragment === '') {
        if (shell) setVerdict('unknown', text.verdicts.offline, [text.notes.offlineNumber], '?')
        return
      }
      signatureSection.hidden = false
      signatureSection.setAttribute('aria-labelledby', 'signature-title')
      signatureSection.dataset.state = 'checking'
      const heading = element('h2', '', text.heading)
      heading.id = 'signature-title'
      signatureSection.replaceChildren(heading, element('p', '', text.checking))

      let jwks = null
      try { jwks = await fetchJson('/.well-known/jwks.json') } catch {}
      const local = jwks === null ? { state: 'uncheckable', reason: 'jwks' } : await window.CertificateVerifier.checkToken(fragment, number, jwks)
      if (local.state === 'forged') return showForged(reasonText(local))

      const report = shell ? null : await askService()
      if (report !== null) {
        if (report.verdict === 'invalid' || report.verdict === 'altered') {
          const failed = (report.checks || []).find(c => !c.ok)
          return showForged(failed ? (page.lang === 'en' ? failed.reason : failed.reasonZh) : text.reasons['bad-signature'])
        }
        const signed = local.state === 'genuine' ? local : signedFromReport(report)
        const list = local.state === 'genuine' ? await revocationListOf(local.kid, jwks) : null
        const age = list === null ? null : revocationAge(list)
        if (report.verdict === 'valid') {
          setVerdict('valid', text.verdicts.valid, [text.notes.validOnline, age], '✓')
          showSigned(signed, 'signature-genuine', text.genuine, text.genuineNote)
        } else if (report.verdict === 'revoked') {
          const on = report.certificate && report.certificate.revokedAt ? chinaTime(Date.parse(report.certificate.revokedAt) / 1000, false) : ''
          setVerdict('revoked', text.verdicts.revoked, [fill(text.notes.revokedOnline, { date: on })], '✕')
          showSigned(signed, 'signature-warning', text.genuineButRevoked, text.genuineButRevokedNote)
        } else {
          setVerdict('not-found', text.verdicts.notFound, [text.notes.notFoundOnline], '?')
          showSigned(signed, 'signature-warning', text.genuineButUnregistered, text.genuineButUnregisteredNote)
        }
        signatureSection.dataset.state = 'genuine'
        return
      }
      if (local.state !== 'genuine') {
        // Neither this browser nor the service could check the token: the register's verdict stands, with the reason it is alone.
        document.documentElement.classList.remove('qr-checking')
        if (shell) setVerdict('unknown', text.verdicts.unknown, [text.notes.offlineUnchecked], '?')
        signatureSection.className = 'signature signature-uncheckable'
        const title = element('h2', '', text.uncheckable)
        title.id = 'signature-title'
        signatureSection.replaceChildren(title, element('p', 'sig-reason', reasonText(local)))
        signatureSection.dataset.state = 'uncheckable'
        return
      }
      // Offline: the signature holds; the saved revocation list decides, while it is current.
      const list = await revocationListOf(local.kid, jwks)
      const age = revocationAge(list)
      if (list !== null && list.state === 'revoked') {
        setVerdict('revoked', text.verdicts.revoked, [text.notes.revokedOffline, age], '✕')
        showSigned(local, 'signature-warning', text.genuineButRevoked, text.genuineButRevokedNote)
      } else if (list !== null && list.state === 'not-revoked') {
        setVerdict('valid', text.verdicts.valid, [text.notes.validOffline, age], '✓')
        showSigned(local, 'signature-genuine', text.genuine, text.genuineNote)
      } else {
        setVerdict('unknown', text.verdicts.unknown, [list === null ? text.notes.missingOffline : text.notes.staleOffline, age], '?')
        showSigned(local, 'signature-warning', text.genuineUnknown, text.genuineUnknownNote)
      }
      signatureSection.dataset.state = 'genuine'
      signatureSection.dataset.offline = 'true'
    }

    /** What the service's report shows of the signed certificate, when this browser could not check the token itself. */
    function signedFromReport (report) {
      const c = report.certificate || {}
      const h = c.hours || {}
      return {
        form: /^[0-9]+$/.test(fragment) ? 'compact' : 'jws', kid: c.kid, alg: c.alg,
        signed: { number, holderName: c.holderName, year: c.year, hours: { pub: h.public, pro: h.professional, ele: h.elective, slf: h.selfStudy, tot: h.total }, iat: Date.parse(c.issuedAt) / 1000, regionCode: c.region && c.region.code, issuer: c.issuer && c.issuer.name, employer: c.employerName },
      }
    }

    check().catch(() => {
      document.documentElement.classList.remove('qr-checking')
      signatureSection.dataset.state = 'uncheckable'
    }).then(() => {
      if (signatureSection.dataset.state === 'forged') verdictSection.scrollIntoView({ block: 'start' })
    })
  }

  document.addEventListener('DOMContentLoaded', () => {
    registerWorker()
    main()
  })
})()
