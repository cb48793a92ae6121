// GET /v and /v/:number: the public verification page (HTML), its own stylesheet and scripts, and its service worker.
import type { FastifyPluginAsync } from 'fastify'
import type { CertificateService } from '../certificates/certificate-service.js'
import { pageLanguage } from './verification-page-text.js'
import type { NameCheckGate } from './request-guards.js'
import { maxCheckedNameLength, type VerificationPages } from './verification-page-replies.js'

export interface VerificationPageRoutesOptions {
  certificates: CertificateService
  admitNameCheck: NameCheckGate
  pages: VerificationPages
}

interface PageQuery { lang?: string, name?: string, number?: string }

const pageQuery = {
  type: 'object',
  properties: {
    lang: { type: 'string', description: '`en` for English; Chinese otherwise' },
    name: { type: 'string', description: 'A name to check against the holder\'s' },
  },
} as const

const htmlResponse = { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } }

export const verificationPageRoutes: FastifyPluginAsync<VerificationPageRoutesOptions> = async (app, { certificates, admitNameCheck, pages }) => {
  for (const asset of Object.values(pages.assets)) {
    app.get(asset.url.split('?')[0]!, { schema: { hide: true } }, async (_request, reply) =>
      reply.type(asset.type).header('cache-control', 'public, max-age=86400').header('x-content-type-options', 'nosniff').send(asset.body))
  }

  // At the root so that it may control /v/ (a service worker's scope is at most its own folder).
  app.get('/verify-sw.js', { schema: { hide: true } }, async (_request, reply) => reply.headers(pages.serviceWorker.headers).send(pages.serviceWorker.body))

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
    if (number === '') return pages.send(request, reply, 200, { kind: 'form' })
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
  }, async (request, reply) => {
    const name = checkedName(request.query)
    const lookupName = name !== undefined && name.length <= maxCheckedNameLength ? name : undefined
    if (lookupName !== undefined) await admitNameCheck(request)
    const certificate = await certificates.lookupCertificate(request.params.number, lookupName)
    return pages.send(request, reply, 200, { kind: 'found', certificate }, name)
  })
}
