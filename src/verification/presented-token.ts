// The forms a certificate is presented in — its compact JWS, the text of its QR code (old: URL#JWS; new: URL#digits of
// a compact token), its PDF — reduced to the token.
import { isServiceError } from '../errors.js'
import type { PdfWork } from '../documents/index.js'
// Not documents/index.js, which would bring the PDF pool and renderer into the offline verifier.
import { tokenOf, type PdfReading } from '../documents/pdf-reading.js'
import type { VerificationCheck } from './verification-report.js'

export type Presentation = { jws: string } | { qr: string } | { pdf: Uint8Array }

/** Reads an uploaded PDF's signature and, when that holds, the token in it (on the pool in the service, in the thread offline). */
export type PdfReader = (pdf: Uint8Array, work?: PdfWork) => Promise<PdfReading>

export interface PresentedToken {
  /** `jws`: a compact JWS (PDFs, the API, QR codes printed before the compact form); `compact`: the digits of a compact QR token (docs/QR-FORMAT.md). */
  form: 'jws' | 'compact'
  /** The token itself; empty when none was found. */
  token: string
  /** The number the presentation shows besides the token: the `/v/<number>` of a QR code's URL (a compact token is signed together with it). */
  presentedNumber?: string
  /** Why no token could be found, when `token` is empty. */
  missing?: string
  /** Text that is an address (a QR code's URL): whether it is this service's verification page. */
  address?: { ok: true } | { ok: false, reason: string, reasonZh: string }
}

const loopbackHosts = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i
/** An address quoted in a reason: never more than 80 characters of it. */
const shownAddress = (s: string) => ([...s].length > 80 ? `${[...s].slice(0, 80).join('')}…` : s)

/**
 * Whether `url` is the verification page of a certificate on this service: https (http only on
 * loopback), the origin and path of one of `trustedBaseUrls` (PUBLIC_BASE_URL and the addresses the
 * service had before), then `/v/<number>` and nothing more — no other path, query or user.
 */
function checkAddress (url: URL, trustedBaseUrls: readonly string[] | undefined): NonNullable<PresentedToken['address']> {
  const shown = shownAddress(`${url.protocol}//${url.host}${url.pathname}`)
  const foreign = (en: string) => ({ ok: false as const, reason: `the QR code points to ${shown}, ${en}`, reasonZh: `二维码指向的不是本服务的网址（${shown}）。` })
  if (trustedBaseUrls === undefined || trustedBaseUrls.length === 0) {
    return { ok: false, reason: `the address ${shown} cannot be checked: no address of the service is known here (save the JWKS again from the service, or name its address)`, reasonZh: `无法确认二维码网址（${shown}）是否属于本服务：未提供本服务的网址。` }
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopbackHosts.test(url.hostname))) return foreign('which is not an https address')
  if (url.username !== '' || url.password !== '' || url.search !== '') return foreign('which carries more than a verification page address')
  const ours = trustedBaseUrls.some(base => {
    const trusted = new URL(base)
    const prefix = `${trusted.pathname.replace(/\/+$/, '')}/v/`
    return url.origin === trusted.origin && url.pathname.startsWith(prefix) && /^[^/]*$/.test(url.pathname.slice(prefix.length))
  })
  return ours ? { ok: true } : foreign("which is not this service's verification page")
}

/** A compact token is all digits; a compact JWS never is. */
const formOf = (token: string): PresentedToken['form'] => (/^[0-9]+$/.test(token) ? 'compact' : 'jws')

/**
 * A token from text: a bare token, or a URL whose fragment is one — the QR code's
 * `<PUBLIC_BASE_URL>/v/<number>#<compact token>` (or, printed before it, `#<jws>`), which gives the
 * number too and must be this service's address (`trustedBaseUrls`).
 */
export function tokenFromText (text: string, trustedBaseUrls?: readonly string[]): PresentedToken {
  const trimmed = text.trim()
  let url: URL
  try {
    url = new URL(trimmed)
  } catch {
    return { form: formOf(trimmed), token: trimmed }
  }
  const address = checkAddress(url, trustedBaseUrls)
  // URL paths keep digits as they are: anything escaped cannot be a certificate number, and is compared as it stands.
  const presentedNumber = /\/v\/([^/]*)\/?$/.exec(url.pathname)?.[1]
  if (url.hash.length <= 1) return { form: 'jws', token: '', presentedNumber, address, missing: 'the URL has no #fragment carrying the signed certificate' }
  const token = url.hash.slice(1)
  return { form: formOf(token), token, presentedNumber, address }
}

/** The token a signed PDF carries, or the failed `document` check of one that carries none. */
export function tokenOfPdf (reading: PdfReading): PresentedToken | VerificationCheck {
  try {
    if (reading.extraction === undefined) throw new Error('a PDF whose signature does not hold is not read')
    return { form: 'jws', token: tokenOf(reading.extraction).trim() }
  } catch (error) {
    if (isServiceError(error) && error.code === 'PDF_WITHOUT_CERTIFICATE') {
      return { name: 'document', ok: false, code: 'PDF_WITHOUT_CERTIFICATE', reason: error.message, reasonZh: 'PDF 中没有证书签名数据。' }
    }
    // A hostile file may break the parser in any way: it is still only "not a readable PDF".
    return { name: 'document', ok: false, code: 'INVALID_PDF', reason: isServiceError(error) ? error.message : 'the file cannot be read as a PDF', reasonZh: '文件不是可读取的 PDF。' }
  }
}
