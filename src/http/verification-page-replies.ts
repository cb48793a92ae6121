// Answering with the verification page: its assets, its security headers, and the page for any failure on a /v address.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CertificateNumberProblem } from '../certificates/certificate-number.js'
import type { ServiceError } from '../errors.js'
import { projectFile } from '../project-files.js'
import { renderVerificationPage, type PageOutcome, type VerificationPageView } from './verification-page.js'
import { pageLanguage } from './verification-page-text.js'

/** A name longer than the form allows is not checked (and not echoed at length). */
export const maxCheckedNameLength = 64

// Nothing but this origin's own files; the fragment's check fetches the JWKS, a revocation list and POST /v1/verify; the service worker is this origin's.
const pageSecurityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

interface PageQuery { lang?: unknown }

/** Whether a request is for the verification page (`/v`, `/v/…`): it is answered with a page, never JSON. */
export function isPagePath (url: string): boolean {
  return /^\/v(?:[/?#]|$)/.test(url)
}

function loadAsset (file: string, type: string) {
  const body = readFileSync(projectFile(`src/http/page-assets/${file}`))
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12)
  return { body, type, url: `/assets/${file}?v=${version}` }
}

export type VerificationPages = ReturnType<typeof createVerificationPages>

/** The response schemas of a /v route: a page for each status, failures included (sendFailure renders them), with what it shows. */
export function pageResponses (statuses: Readonly<Record<number, string>>) {
  return Object.fromEntries(Object.entries(statuses).map(([status, description]) => [status, { description, content: { 'text/html': { schema: { type: 'string' } } } }]))
}

/** The failures every rate-limited page may show. */
export const pageRefusals = {
  429: 'Too many requests from this address (or, with a name, too many names checked): a notice page; Retry-After says when to try again',
  503: 'The service is overloaded or its database unavailable: a notice page; Retry-After says when to try again',
} as const

/** The page's assets, loaded once, and the replies that render it. */
export function createVerificationPages ({ publicBaseUrl }: { publicBaseUrl: string }) {
  const assets = {
    script: loadAsset('verify-page.js', 'text/javascript; charset=utf-8'),
    verifier: loadAsset('verify-page-verifier.js', 'text/javascript; charset=utf-8'),
    style: loadAsset('verify-page.css', 'text/css; charset=utf-8'),
    icon: loadAsset('verify-page-icon.svg', 'image/svg+xml'),
  }
  const assetUrls = { script: assets.script.url, verifier: assets.verifier.url, style: assets.style.url, icon: assets.icon.url }
  // What the service worker keeps besides the JWKS and revocation lists: these assets and the form page, which offline stands in for any /v/<number>.
  const precache = { assets: Object.values(assetUrls), pages: ['/v', '/v?lang=en'] }
  const workerSource = readFileSync(projectFile('src/http/page-assets/verify-page-sw.js'), 'utf8')
  const workerVersion = createHash('sha256').update(JSON.stringify(precache)).update(workerSource).digest('hex').slice(0, 12)
  const serviceWorker = {
    body: `const precache = ${JSON.stringify({ version: workerVersion, ...precache })}\n${workerSource}`,
    headers: {
      'content-type': 'text/javascript; charset=utf-8',
      // Browsers check a service worker for updates on their own; caches must ask each time.
      'cache-control': 'no-cache',
      'content-security-policy': "default-src 'none'; connect-src 'self'",
      'x-content-type-options': 'nosniff',
    },
  }
  // The raw query, not the parsed one: a failure may come before the query was parsed (a bad URL).
  const languageOf = (request: FastifyRequest) => pageLanguage(((request.query ?? {}) as PageQuery).lang ?? new URLSearchParams(request.url.split('?')[1] ?? '').get('lang'))

  const send = (request: FastifyRequest, reply: FastifyReply, status: number, outcome: PageOutcome, name?: string): FastifyReply => {
    const view: VerificationPageView = {
      lang: languageOf(request),
      outcome,
      path: request.url,
      assets: assetUrls,
      publicBaseUrl,
      ...(name === undefined ? {} : { checkedName: { name: name.slice(0, maxCheckedNameLength), tooLong: name.length > maxCheckedNameLength } }),
    }
    return reply.code(status).headers(pageSecurityHeaders).type('text/html; charset=utf-8').send(renderVerificationPage(view))
  }

  return {
    assets,
    assetUrls,
    serviceWorker,
    languageOf,
    /** Another page of /v (already rendered), with the pages' security headers. */
    sendHtml: (reply: FastifyReply, status: number, html: string): FastifyReply =>
      reply.code(status).headers(pageSecurityHeaders).type('text/html; charset=utf-8').send(html),
    send,
    /** The page for a failure: an unknown or malformed number as its verdict, anything else as a notice in the page's language. */
    sendFailure (request: FastifyRequest, reply: FastifyReply, failure: ServiceError): FastifyReply {
      const number = (request.params as { number?: string } | undefined)?.number ?? ''
      if (failure.code === 'MALFORMED_CERTIFICATE_NUMBER') {
        const problem = (failure.details as { problem: CertificateNumberProblem }).problem
        return send(request, reply, failure.status, { kind: 'malformed', number, problem })
      }
      if (failure.code === 'CERTIFICATE_NOT_FOUND') return send(request, reply, failure.status, { kind: 'not-found', number })
      return send(request, reply, failure.status, { kind: 'error', message: languageOf(request) === 'en' ? failure.message : failure.messageZh })
    },
  }
}
