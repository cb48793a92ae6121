// GET /v and /v/:number: the public verification page (HTML), its own stylesheet and scripts, and its service worker.
import type { FastifyPluginAsync } from 'fastify'
import type { CertificateService } from '../certificates/certificate-service.js'
import { pageLanguage } from './verification-page-text.js'
import type { NameCheckGate } from './request-guards.js'
import { maxCheckedNameLength, pageRefusals, pageResponses, type VerificationPages } from './verification-page-replies.js'

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
      operationId: 'showVerificationForm',
      security: [],
      description: 'With ?number= (as the form sends it) redirects to /v/{number}; spaces and full-width digits typed into the form are folded away.',
      querystring: { ...pageQuery, properties: { ...pageQuery.properties, number: { type: 'string' } } },
      response: {
        ...pageResponses({ 200: 'The form (HTML)', ...pageRefusals }),
        303: { type: 'null', description: 'With ?number=: to /v/{number} (Location), keeping name and lang' },
      },
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
      operationId: 'showVerificationPage',
      security: [],
      description: 'Server-rendered verdict, masked record and lookup form; 200 found (valid or revoked), 404 not found, 400 malformed. A signed token in the URL fragment (as the QR code carries) is checked in the browser.',
      params: { type: 'object', required: ['number'], properties: { number: { type: 'string' } } },
      querystring: pageQuery,
      response: pageResponses({
        200: 'The verdict (valid or revoked) and the masked record (HTML)',
        400: 'The number is malformed: the page says what is wrong with it',
        404: 'No certificate has this number: the page says so',
        405: 'HEAD with ?name=: a name is checked only by GET',
        ...pageRefusals,
      }),
    },
  }, async (request, reply) => {
    const name = checkedName(request.query)
    const lookupName = name !== undefined && name.length <= maxCheckedNameLength ? name : undefined
    if (lookupName !== undefined) await admitNameCheck(request)
    const certificate = await certificates.lookupCertificate(request.params.number, lookupName)
    return pages.send(request, reply, 200, { kind: 'found', certificate }, name)
  })
}
