// GET /v and /v/:number: the public verification page (HTML), and its own stylesheet and script.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { CertificateNumberProblem } from '../certificates/certificate-number.js'
import type { CertificateService } from '../certificates/certificate-service.js'
import { errorTable } from '../errors.js'
import { projectFile } from '../project-files.js'
import { retryAfterOf, toServiceError } from './error-handler.js'
import { renderVerificationPage, type PageOutcome, type VerificationPageView } from './verification-page.js'
import { pageLanguage } from './verification-page-text.js'
import type { NameCheckGate } from './request-guards.js'

export interface VerificationPageRoutesOptions {
  certificates: CertificateService
  admitNameCheck: NameCheckGate
}

interface PageQuery { lang?: string, name?: string, number?: string }

/** A name longer than the form allows is not checked (and not echoed at length). */
const maxCheckedNameLength = 64

// Nothing but this origin's own files; the fragment's signature check fetches only the JWKS.
const pageSecurityHeaders = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

function loadAsset (file: string, type: string) {
  const body = readFileSync(projectFile(`src/http/page-assets/${file}`))
  const version = createHash('sha256').update(body).digest('hex').slice(0, 12)
  return { body, type, url: `/assets/${file}?v=${version}` }
}

const pageQuery = {
  type: 'object',
  properties: {
    lang: { type: 'string', description: '`en` for English; Chinese otherwise' },
    name: { type: 'string', description: 'A name to check against the holder\'s' },
  },
} as const

const htmlResponse = { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } }

export const verificationPageRoutes: FastifyPluginAsync<VerificationPageRoutesOptions> = async (app, { certificates, admitNameCheck }) => {
  const assets = {
    script: loadAsset('verify-page.js', 'text/javascript; charset=utf-8'),
    style: loadAsset('verify-page.css', 'text/css; charset=utf-8'),
    icon: loadAsset('verify-page-icon.svg', 'image/svg+xml'),
  }
  const assetUrls = { script: assets.script.url, style: assets.style.url, icon: assets.icon.url }

  for (const asset of Object.values(assets)) {
    app.get(asset.url.split('?')[0]!, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(asset.body))
  }

  const sendPage = (request: FastifyRequest, reply: FastifyReply, status: number, outcome: PageOutcome, name?: string) => {
    const query = (request.query ?? {}) as PageQuery
    const view: VerificationPageView = {
      lang: pageLanguage(query.lang),
      outcome,
      path: request.url,
      assets: assetUrls,
      ...(name === undefined ? {} : { checkedName: { name: name.slice(0, maxCheckedNameLength), tooLong: name.length > maxCheckedNameLength } }),
    }
    return reply.code(status).headers(pageSecurityHeaders).type('text/html; charset=utf-8').send(renderVerificationPage(view))
  }

  const checkedName = (query: PageQuery | undefined) => {
    const name = typeof query?.name === 'string' ? query.name.trim() : ''
    return name === '' ? undefined : name
  }

  app.get<{ Querystring: PageQuery }>('/v', {
    schema: {
      tags: ['verification'],
      summary: 'Verification page: the form (证书查验页面)',
      description: 'With ?number= (as the form sends it) redirects to /v/{number}; spaces and full-width digits typed into the form are folded away.',
      querystring: { ...pageQuery, properties: { ...pageQuery.properties, number: { type: 'string' } } },
      response: htmlResponse,
    },
  }, async (request, reply) => {
    const number = (request.query.number ?? '').normalize('NFKC').replace(/[\s-]+/g, '')
    if (number === '') return sendPage(request, reply, 200, { kind: 'form' })
    const query = new URLSearchParams()
    const name = checkedName(request.query)
    if (name !== undefined) query.set('name', name)
    if (pageLanguage(request.query.lang) === 'en') query.set('lang', 'en')
    const search = query.toString() === '' ? '' : `?${query.toString()}`
    return reply.redirect(`/v/${encodeURIComponent(number)}${search}`, 303)
  })

  app.get<{ Params: { number: string }, Querystring: PageQuery }>('/v/:number', {
    schema: {
      tags: ['verification'],
      summary: 'Verification page for a certificate number (证书查验页面)',
      description: 'Server-rendered verdict, masked record and lookup form; 200 found (valid or revoked), 404 not found, 400 malformed. A signed token in the URL fragment (as the QR code carries) is checked in the browser.',
      params: { type: 'object', required: ['number'], properties: { number: { type: 'string' } } },
      querystring: pageQuery,
      response: htmlResponse,
    },
    // Every failure is still a whole page: the verdict for unknown and malformed numbers, a notice otherwise.
    errorHandler: (error, request, reply) => {
      const failure = toServiceError(error)
      const number = (request.params as { number?: string } | undefined)?.number ?? ''
      if (failure.code === 'MALFORMED_CERTIFICATE_NUMBER') {
        const problem = (failure.details as { problem: CertificateNumberProblem }).problem
        return sendPage(request, reply, failure.status, { kind: 'malformed', number, problem })
      }
      if (failure.code === 'CERTIFICATE_NOT_FOUND') return sendPage(request, reply, failure.status, { kind: 'not-found', number })
      if (failure.status >= 500) request.log.error({ err: error }, 'verification page failed')
      const lang = pageLanguage((request.query as PageQuery | undefined)?.lang)
      if (failure.status === 429 || failure.status === 503) reply.header('retry-after', retryAfterOf(failure, reply))
      return sendPage(request, reply, failure.status, { kind: 'error', message: errorTable[failure.code][lang] })
    },
  }, async (request, reply) => {
    const name = checkedName(request.query)
    const lookupName = name !== undefined && name.length <= maxCheckedNameLength ? name : undefined
    if (lookupName !== undefined) await admitNameCheck(request)
    const certificate = await certificates.lookupCertificate(request.params.number, lookupName)
    return sendPage(request, reply, 200, { kind: 'found', certificate }, name)
  })
}
