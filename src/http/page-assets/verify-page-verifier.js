// Checks a certificate's QR token in the browser with WebCrypto — the compact token of docs/QR-FORMAT.md or, on QR codes
// printed before it, the JWS — and the signed revocation lists, against a JWKS; online and offline alike.
// Served as is by the service (no build step, no third-party code); the page's script calls window.CertificateVerifier.
'use strict'
;(function () {
  const maxJwsLength = 4096
  const maxCompactDigits = 1200
  const certificateType = 'cec+jws'
  const revocationListType = 'cec-crl+jws'
  const coseAlgorithms = { '-7': 'ES256', '-8': 'EdDSA' }
  const shortKidLength = 4

  const forged = (reason, values) => ({ state: 'forged', reason, values })
  const uncheckable = reason => ({ state: 'uncheckable', reason })

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

  /** Digits to bytes: groups of 17 digits are 7 bytes; a last, shorter group 3, 5, 8, 10, 13 or 15 digits for 1…6 bytes. */
  function digitsToBytes (digits) {
    const widths = [0, 3, 5, 8, 10, 13, 15, 17]
    const lastBytes = widths.indexOf(digits.length % 17)
    if (digits.length % 17 !== 0 && lastBytes < 1) return null
    const bytes = []
    for (let start = 0; start < digits.length; start += 17) {
      const group = digits.slice(start, start + 17)
      const length = group.length === 17 ? 7 : lastBytes
      let value = BigInt(group)
      const out = []
      for (let i = 0; i < length; i++) {
        out.unshift(Number(value & 0xffn))
        value >>= 8n
      }
      if (value !== 0n) return null
      bytes.push(...out)
    }
    return new Uint8Array(bytes)
  }

  /** The CBOR the token uses (RFC 8949): integers, byte and text strings, arrays, maps, floats; no tags, no indefinite lengths. */
  function decodeCbor (bytes) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let at = 0
    const need = n => { if (at + n > bytes.length) throw new Error('truncated') }
    function argument (info) {
      if (info < 24) return info
      const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[info]
      if (size === undefined) throw new Error('unsupported length')
      need(size)
      const value = size === 1 ? view.getUint8(at) : size === 2 ? view.getUint16(at) : size === 4 ? view.getUint32(at) : view.getBigUint64(at)
      at += size
      if (typeof value === 'bigint') {
        if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('integer too large')
        return Number(value)
      }
      return value
    }
    function float16 (half) {
      const exponent = (half >> 10) & 0x1f
      const fraction = half & 0x3ff
      const magnitude = exponent === 0 ? fraction * 2 ** -24 : exponent === 31 ? (fraction === 0 ? Infinity : NaN) : (1024 + fraction) * 2 ** (exponent - 25)
      return half & 0x8000 ? -magnitude : magnitude
    }
    function item () {
      need(1)
      const initial = bytes[at++]
      const major = initial >> 5
      const info = initial & 0x1f
      if (major === 7) {
        if (info === 20) return false
        if (info === 21) return true
        if (info === 22) return null
        const size = { 25: 2, 26: 4, 27: 8 }[info]
        if (size === undefined) throw new Error('unsupported simple value')
        need(size)
        const value = size === 2 ? float16(view.getUint16(at)) : size === 4 ? view.getFloat32(at) : view.getFloat64(at)
        at += size
        if (!Number.isFinite(value)) throw new Error('not a finite number')
        return value
      }
      if (major === 6) throw new Error('tags are not used')
      const length = argument(info)
      if (major === 0) return length
      if (major === 1) return -1 - length
      if (major === 2 || major === 3) {
        need(length)
        const slice = bytes.slice(at, at + length)
        at += length
        return major === 2 ? slice : new TextDecoder('utf-8', { fatal: true }).decode(slice)
      }
      if (major === 4) return Array.from({ length }, () => item())
      const map = new Map()
      for (let i = 0; i < length; i++) {
        const key = item()
        if (map.has(key)) throw new Error('duplicate key')
        map.set(key, item())
      }
      return map
    }
    const value = item()
    if (at !== bytes.length) throw new Error('bytes after the item')
    return value
  }

  function cborHead (major, length) {
    if (length < 24) return [(major << 5) | length]
    if (length < 256) return [(major << 5) | 24, length]
    return [(major << 5) | 25, length >> 8, length & 0xff]
  }
  const cborBytes = bytes => [...cborHead(2, bytes.length), ...bytes]

  /** The COSE Sig_structure: ["Signature1", protected, external_aad = the number's ASCII digits, payload]. */
  function signatureInput (protectedHeader, number, payload) {
    const context = new TextEncoder().encode('Signature1')
    return new Uint8Array([0x84, ...cborHead(3, context.length), ...context, ...cborBytes(protectedHeader), ...cborBytes(new TextEncoder().encode(number)), ...cborBytes(payload)])
  }

  async function importKey (jwk) {
    if (jwk.alg === 'ES256') {
      const key = await crypto.subtle.importKey('jwk', { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
      return { key, params: { name: 'ECDSA', hash: 'SHA-256' } }
    }
    const key = await crypto.subtle.importKey('jwk', { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, { name: 'Ed25519' }, false, ['verify'])
    return { key, params: { name: 'Ed25519' } }
  }

  async function signatureHolds (jwk, signature, input) {
    const verifier = await importKey(jwk)
    try { return await crypto.subtle.verify(verifier.params, verifier.key, signature, input) } catch { return false }
  }

  const keysOf = jwks => (jwks !== null && typeof jwks === 'object' && Array.isArray(jwks.keys) ? jwks.keys : []).filter(k => k !== null && typeof k === 'object' && typeof k.kid === 'string')
  // The key's window, in seconds; a second of slack at its start, as the server allows.
  const withinValidity = (jwk, iat) => typeof jwk.iat === 'number' && iat >= jwk.iat - 1 && (typeof jwk.exp !== 'number' || iat < jwk.exp)

  /** A compact JWS of `type`: shape, header, published key, signature, key window. The payload, or why not. */
  async function checkJws (token, jwks, type) {
    if (token.length > maxJwsLength) return forged('too-large')
    const parts = token.split('.')
    if (parts.length !== 3 || !parts.every(p => /^[A-Za-z0-9_-]+$/.test(p))) return forged('malformed')
    let header
    try { header = base64urlJson(parts[0]) } catch { return forged('malformed') }
    if (header.typ !== type) return forged('typ')
    if (header.alg !== 'ES256' && header.alg !== 'EdDSA') return forged('alg')
    if (typeof header.kid !== 'string' || header.kid === '') return forged('unknown-kid')
    const jwk = keysOf(jwks).find(k => k.kid === header.kid)
    if (jwk === undefined) return forged('unknown-kid')
    if (jwk.alg !== header.alg) return forged('alg-mismatch')
    let signature
    try { signature = base64urlBytes(parts[2]) } catch { return forged('malformed') }
    // JOSE signs ES256 as raw r||s, which is also WebCrypto's format: 64 bytes, as for Ed25519.
    if (signature.length !== 64) return forged('bad-signature')
    let genuine
    try { genuine = await signatureHolds(jwk, signature, new TextEncoder().encode(parts[0] + '.' + parts[1])) } catch { return uncheckable(jwk.alg === 'EdDSA' ? 'ed25519' : 'key') }
    if (!genuine) return forged('bad-signature')
    let payload
    try { payload = base64urlJson(parts[1]) } catch { return forged('payload') }
    if (typeof payload.iat !== 'number') return forged('payload')
    if (!withinValidity(jwk, payload.iat)) return forged('outside-key-validity')
    return { state: 'genuine', kid: jwk.kid, alg: jwk.alg, payload }
  }

  /** A QR code's JWS, as printed before the compact form: what it signed, in the shape the page shows. */
  async function checkCertificateJws (token, number, jwks) {
    const result = await checkJws(token, jwks, certificateType)
    if (result.state !== 'genuine') return result
    const p = result.payload
    if (typeof p.nam !== 'string' || typeof p.num !== 'string' || p.hrs === null || typeof p.hrs !== 'object') return forged('payload')
    if (p.num !== number) return forged('number-mismatch', { signed: p.num })
    return {
      state: 'genuine', form: 'jws', kid: result.kid, alg: result.alg,
      signed: { number: p.num, holderName: p.nam, year: p.yr, hours: p.hrs, iat: p.iat, regionCode: p.reg, issuer: p.iss, employer: p.emp },
    }
  }

  const startsWith = (bytes, prefix) => prefix.every((byte, i) => bytes[i] === byte)

  function readName (claims) {
    if (claims.has(1) === claims.has(2)) return null
    const name = claims.has(1) ? claims.get(1) : claims.get(2)
    if (typeof name === 'string') return name
    if (!(name instanceof Uint8Array)) return null
    try { return new TextDecoder('utf-16be', { fatal: true }).decode(name) } catch { return null }
  }

  /** The compact token: digits, COSE_Sign1, protected header, the keys its short kid names, signature over the claims and the number, key window, claims. */
  async function checkCompactToken (digits, number, jwks) {
    if (digits.length > maxCompactDigits) return forged('too-large')
    const bytes = digitsToBytes(digits)
    if (bytes === null) return forged('malformed')
    let sign1, header
    try {
      sign1 = decodeCbor(bytes)
      if (!Array.isArray(sign1) || sign1.length !== 4 || !(sign1[0] instanceof Uint8Array) || !(sign1[1] instanceof Map) || sign1[1].size !== 0 ||
        !(sign1[2] instanceof Uint8Array) || !(sign1[3] instanceof Uint8Array)) return forged('malformed')
      header = decodeCbor(sign1[0])
    } catch { return forged('malformed') }
    if (!(header instanceof Map) || header.size !== 2 || !(header.get(4) instanceof Uint8Array)) return forged('malformed')
    const alg = coseAlgorithms[String(header.get(1))]
    if (alg === undefined) return forged('alg')
    const shortKid = header.get(4)
    const candidates = shortKid.length === shortKidLength ? keysOf(jwks).filter(k => { try { return startsWith(base64urlBytes(k.kid), [...shortKid]) } catch { return false } }) : []
    if (candidates.length === 0) return forged('unknown-kid')
    const input = signatureInput(sign1[0], number, sign1[2])
    let signer
    for (const jwk of candidates.filter(k => k.alg === alg)) {
      try {
        if (sign1[3].length === 64 && await signatureHolds(jwk, sign1[3], input)) { signer = jwk; break }
      } catch { return uncheckable(jwk.alg === 'EdDSA' ? 'ed25519' : 'key') }
    }
    if (signer === undefined) return forged(candidates.some(k => k.alg === alg) ? 'bad-signature' : 'alg-mismatch')
    let claims
    try { claims = decodeCbor(sign1[2]) } catch { return forged('payload') }
    if (!(claims instanceof Map)) return forged('payload')
    const iat = claims.get(4)
    const hours = claims.get(3)
    const name = readName(claims)
    if (typeof iat !== 'number' || name === null || name === '' || !Array.isArray(hours) || (hours.length !== 4 && hours.length !== 5) ||
      !hours.every(h => typeof h === 'number' && h >= 0) || [...claims.keys()].some(k => ![1, 2, 3, 4].includes(k))) return forged('payload')
    if (!withinValidity(signer, iat)) return forged('outside-key-validity')
    const [pub, pro, ele, tot, slf] = hours
    return {
      state: 'genuine', form: 'compact', kid: signer.kid, alg,
      signed: { number, holderName: name, year: 2000 + Number(number.slice(6, 8)), hours: { pub, pro, ele, tot, slf }, iat, regionCode: number.slice(0, 6) },
    }
  }

  /** The token of a QR code's fragment (all digits: the compact token; otherwise a JWS) for the certificate `number`. */
  async function checkToken (token, number, jwks) {
    if (window.crypto === undefined || window.crypto.subtle === undefined) return uncheckable('insecure')
    return /^[0-9]+$/.test(token) ? checkCompactToken(token, number, jwks) : checkCertificateJws(token, number, jwks)
  }

  /**
   * A signed revocation list (/.well-known/crl/<kid>.jws) checked with the same JWKS: its state for `number`
   * at `now` — revoked (whatever its age), not-revoked while current, stale after nextUpdate — or null if it cannot be trusted.
   */
  async function checkRevocationList (jws, kid, number, jwks, now) {
    const result = await checkJws(jws.trim(), jwks, revocationListType)
    if (result.state !== 'genuine') return null
    const list = result.payload
    if (list.kid !== kid || !Array.isArray(list.rids) || typeof list.iat !== 'number') return null
    const nextUpdate = typeof list.nextUpdate === 'number' ? list.nextUpdate : list.iat
    const state = list.rids.includes(number) ? 'revoked' : now.getTime() < nextUpdate * 1000 ? 'not-revoked' : 'stale'
    return { state, iat: list.iat, nextUpdate }
  }

  window.CertificateVerifier = { checkToken, checkRevocationList }
})()
