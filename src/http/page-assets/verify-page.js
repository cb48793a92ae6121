// Checks the signed certificate carried in the URL fragment (the QR code) in the browser, with WebCrypto against
// /.well-known/jwks.json, and shows the signed full name; a failed check is shown as a forgery warning.
// Served as is by the service (no build step, no inline script, no third-party code).
'use strict'
;(function () {
  const dataElement = document.getElementById('verify-page-data')
  const section = document.getElementById('signature')
  if (dataElement === null || section === null) return
  const page = JSON.parse(dataElement.textContent)
  const text = page.text
  const jws = window.location.hash.replace(/^#/, '').trim()

  // Switching language keeps the signature to check.
  const switcher = document.getElementById('lang-switch')
  if (switcher !== null && jws !== '') switcher.setAttribute('href', switcher.getAttribute('href').replace(/#.*$/, '') + '#' + jws)
  if (jws === '') return

  const certificateType = 'cec+jws'
  const maxLength = 4096

  function base64urlBytes (part) {
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((part.length + 3) % 4)
    const binary = window.atob(base64)
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    return bytes
  }

  function base64urlJson (part) {
    const value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64urlBytes(part)))
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not a JSON object')
    return value
  }

  const forged = (reason, values) => ({ state: 'forged', reason, values })
  const uncheckable = reason => ({ state: 'uncheckable', reason })

  async function importKey (jwk) {
    if (jwk.alg === 'ES256') {
      const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      return { key, params: { name: 'ECDSA', hash: 'SHA-256' } }
    }
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify'])
    return { key, params: { name: 'Ed25519' } }
  }

  /** The layers in order: token shape → header → published key → signature → key window → the page's number. */
  async function checkToken (token) {
    if (token.length > maxLength) return forged('too-large')
    const parts = token.split('.')
    if (parts.length !== 3 || !parts.every(p => /^[A-Za-z0-9_-]+$/.test(p))) return forged('malformed')
    let header
    try { header = base64urlJson(parts[0]) } catch { return forged('malformed') }
    if (header.typ !== certificateType) return forged('typ')
    if (header.alg !== 'ES256' && header.alg !== 'EdDSA') return forged('alg')
    if (typeof header.kid !== 'string' || header.kid === '') return forged('unknown-kid')
    if (window.crypto === undefined || window.crypto.subtle === undefined) return uncheckable('insecure')

    let jwks
    try {
      const response = await fetch('/.well-known/jwks.json', { credentials: 'omit', cache: 'no-cache' })
      if (!response.ok) throw new Error(String(response.status))
      jwks = await response.json()
    } catch { return uncheckable('jwks') }
    const jwk = (Array.isArray(jwks.keys) ? jwks.keys : []).find(k => k !== null && typeof k === 'object' && k.kid === header.kid)
    if (jwk === undefined) return forged('unknown-kid')
    if (jwk.alg !== header.alg) return forged('alg-mismatch')

    let verifier
    try { verifier = await importKey(jwk) } catch { return uncheckable(jwk.alg === 'EdDSA' ? 'ed25519' : 'key') }
    let signature
    try { signature = base64urlBytes(parts[2]) } catch { return forged('malformed') }
    // JOSE signs ES256 as raw r||s, which is also WebCrypto's format: 64 bytes, as for Ed25519.
    if (signature.length !== 64) return forged('bad-signature')
    const signingInput = new TextEncoder().encode(parts[0] + '.' + parts[1])
    let genuine
    try { genuine = await crypto.subtle.verify(verifier.params, verifier.key, signature, signingInput) } catch { return forged('bad-signature') }
    if (!genuine) return forged('bad-signature')

    let payload
    try { payload = base64urlJson(parts[1]) } catch { return forged('payload') }
    if (typeof payload.iat !== 'number' || typeof payload.nam !== 'string' || typeof payload.num !== 'string') return forged('payload')
    // The key's window, in seconds; a second of slack at its start, as the server allows.
    if (typeof jwk.iat !== 'number' || payload.iat < jwk.iat - 1 || (typeof jwk.exp === 'number' && payload.iat >= jwk.exp)) return forged('outside-key-validity')
    if (payload.num !== page.number) return forged('number-mismatch', { signed: payload.num })
    return { state: 'genuine', header, payload }
  }

  function element (tag, className, content) {
    const node = document.createElement(tag)
    if (className) node.className = className
    if (content !== undefined) node.textContent = String(content)
    return node
  }

  function heading (icon, words) {
    const h2 = element('h2')
    h2.id = 'signature-title'
    h2.append(element('span', 'sig-icon', icon), document.createTextNode(' ' + words))
    h2.firstChild.setAttribute('aria-hidden', 'true')
    return h2
  }

  function chinaDate (seconds) {
    const day = new Date(seconds * 1000 + 8 * 3600000).toISOString().slice(0, 10)
    if (page.lang === 'en') return day
    const [y, m, d] = day.split('-')
    return y + '年' + Number(m) + '月' + Number(d) + '日'
  }

  function hoursLine (hrs) {
    const h = text.hourWords
    const items = [[h.public, hrs.pub], [h.professional, hrs.pro], [h.elective, hrs.ele]]
    if (typeof hrs.slf === 'number' && hrs.slf > 0) items.push([h.selfStudy, hrs.slf])
    return items.map(([label, value]) => label + ' ' + value).join(' · ') + ' · ' + h.total + ' ' + hrs.tot + ' ' + h.unit
  }

  function signedFields (header, payload) {
    const rows = [
      [text.number, payload.num],
      [text.year, payload.yr],
      [text.hours, payload.hrs && typeof payload.hrs === 'object' ? hoursLine(payload.hrs) : ''],
      [text.issuer, payload.iss],
      [text.employer, payload.emp],
      [text.issuedAt, chinaDate(payload.iat)],
      [text.region, page.region !== null && page.region.code === payload.reg ? page.region.name + (page.lang === 'en' ? ' (' + payload.reg + ')' : '（' + payload.reg + '）') : payload.reg],
    ]
    const list = element('dl', 'fields')
    for (const [term, value] of rows) {
      if (value === undefined || value === null || value === '') continue
      const row = element('div', 'field')
      row.append(element('dt', '', term), element('dd', '', value))
      list.append(row)
    }
    return list
  }

  function showGenuine (header, payload) {
    const [title, note, tone] = page.verdict === 'revoked'
      ? [text.genuineButRevoked, text.genuineButRevokedNote, 'signature-warning']
      : page.verdict === 'not-found'
        ? [text.genuineButUnregistered, text.genuineButUnregisteredNote, 'signature-warning']
        : [text.genuine, text.genuineNote, 'signature-genuine']
    section.className = 'signature ' + tone
    const name = element('p', 'signed-name')
    name.append(element('span', 'signed-name-label', text.holderName), element('span', 'signed-name-value', payload.nam))
    name.lastChild.id = 'signed-name'
    section.append(heading(tone === 'signature-genuine' ? '✓' : '!', title), element('p', '', note), name, signedFields(header, payload),
      element('p', 'sig-key', text.key + ': ' + header.alg + ' · kid ' + header.kid))
  }

  function reasonText (result) {
    let words = text.reasons[result.reason] || result.reason
    for (const [key, value] of Object.entries(result.values || {})) words = words.replace('{' + key + '}', String(value))
    return words
  }

  function showForged (result) {
    section.className = 'signature signature-forged'
    section.setAttribute('role', 'alert')
    section.append(heading('⚠', text.forged), element('p', 'sig-lead', text.forgedNote), element('p', 'sig-reason', text.reasonLabel + reasonText(result)))
    // The warning goes first, and the register's verdict says it speaks only of the number.
    const verdict = document.querySelector('.verdict')
    if (verdict !== null) {
      verdict.before(section)
      if (page.verdict === 'valid' || page.verdict === 'revoked') verdict.append(element('p', 'verdict-caveat', text.forgedVerdict))
    }
  }

  function showUncheckable (result) {
    section.className = 'signature signature-uncheckable'
    section.append(heading('–', text.uncheckable), element('p', 'sig-reason', reasonText(result)))
  }

  section.hidden = false
  section.setAttribute('aria-labelledby', 'signature-title')
  section.dataset.state = 'checking'
  section.append(heading('…', text.heading), element('p', '', text.checking))

  checkToken(jws).catch(() => forged('malformed')).then(result => {
    section.replaceChildren()
    section.removeAttribute('role')
    if (result.state === 'genuine') showGenuine(result.header, result.payload)
    else if (result.state === 'forged') showForged(result)
    else showUncheckable(result)
    section.dataset.state = result.state
    if (result.state === 'forged') section.scrollIntoView({ block: 'start' })
  })
})()
