// GET /downloads/ce-cert.mjs (the offline verifier, one file for plain node) and GET /v/offline (how to use it offline).
import type { FastifyPluginAsync } from 'fastify'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import { loadOfflineVerifierBundle } from '../verification/offline-verifier-bundle.js'
import { renderOfflineVerifierPage } from './offline-verifier-page.js'
import { errorResponses } from './schemas.js'
import { pageRefusals, pageResponses, type VerificationPages } from './verification-page-replies.js'

export interface OfflineVerifierRoutesOptions {
  pages: VerificationPages
  keys: SigningKeyRing
  publicBaseUrl: string
  /** REVOCATION_LIST_VALIDITY_HOURS: how long a saved revocation list holds. */
  validityHours: number
}

export const offlineVerifierRoutes: FastifyPluginAsync<OfflineVerifierRoutesOptions> = async (app, { pages, keys, publicBaseUrl, validityHours }) => {
  app.get('/downloads/ce-cert.mjs', {
    schema: {
      tags: ['verification'],
      summary: 'The offline verifier ce-cert as one file (离线核验工具)',
      operationId: 'downloadOfflineVerifier',
      security: [],
      description: 'Everything ce-cert needs in one ES module: run it with `node ce-cert.mjs verify …` and no install. Its SHA-256 is on /v/offline.',
      produces: ['text/javascript'],
      response: { 200: { description: 'JavaScript (ES module)', content: { 'text/javascript': { schema: { type: 'string' } } } }, ...errorResponses(503) },
    },
  }, async (_request, reply) => {
    const bundle = await loadOfflineVerifierBundle()
    return reply.type('text/javascript; charset=utf-8')
      .header('content-disposition', 'attachment; filename="ce-cert.mjs"')
      .header('cache-control', 'public, no-cache')
      .header('etag', `"${bundle.sha256}"`)
      .header('x-content-type-options', 'nosniff')
      .send(Buffer.from(bundle.bytes))
  })

  app.get('/v/offline', {
    schema: {
      tags: ['verification'],
      summary: 'How to verify certificates offline (离线核验说明)',
      operationId: 'showOfflineVerificationGuide',
      security: [],
      description: 'What to save while online (ce-cert.mjs and its SHA-256, the JWKS, the revocation lists), the command and its exit codes; `?lang=en` for English.',
      querystring: { type: 'object', properties: { lang: { type: 'string' } } },
      response: pageResponses({ 200: 'The guide (HTML)', ...pageRefusals }),
    },
  }, async (request, reply) => {
    const bundle = await loadOfflineVerifierBundle()
    const html = renderOfflineVerifierPage({
      lang: pages.languageOf(request),
      path: request.url,
      assets: pages.assetUrls,
      publicBaseUrl,
      bundle,
      kids: keys.jwks().keys.map(k => k.kid),
      validityHours,
    })
    return pages.sendHtml(reply, 200, html)
  })
}
