// /.well-known/crl/<kid>.json and .jws: each signing key's revocation list, for verifiers that work offline.
import { createHash } from 'node:crypto'
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import type { RevocationList } from '../signing/revocation-list-jws.js'
import type { RevocationListService } from '../verification/revocation-list-service.js'
import { errorResponses, ref } from './schemas.js'

export interface RevocationRoutesOptions {
  revocations: RevocationListService
}

const kidParams = {
  type: 'object',
  required: ['kid'],
  properties: { kid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,128}$', description: 'kid of a key in /.well-known/jwks.json' } },
} as const

/** The list's version: its counter, plus a digest so a counter reused after a database reset cannot collide. */
function entityTag (list: RevocationList): string {
  return `${list.ctr}-${createHash('sha256').update(list.rids.join(',')).digest('base64url').slice(0, 16)}`
}

/** Sets the caching headers and answers 304 when the client's copy is current. */
function revalidated (request: FastifyRequest, reply: FastifyReply, tag: string): boolean {
  // Revocation matters: caches may keep a copy but must ask each time whether it is still current.
  reply.header('etag', tag).header('cache-control', 'public, no-cache').header('access-control-allow-origin', '*')
  const held = request.headers['if-none-match']
  if (held === undefined) return false
  const bare = (t: string) => t.trim().replace(/^W\//, '')
  return held.split(',').some(t => t.trim() === '*' || bare(t) === bare(tag))
}

export const revocationRoutes: FastifyPluginAsync<RevocationRoutesOptions> = async (app, { revocations }) => {
  app.get<{ Params: { kid: string } }>('/.well-known/crl/:kid.json', {
    schema: {
      tags: ['verification'],
      summary: 'Revocation list of one signing key (SMART Health Cards style)',
      operationId: 'readRevocationList',
      security: [],
      description: 'The numbers of revoked certificates signed by this key, and a counter `ctr` that changes only when one is revoked. ETag and `Cache-Control: no-cache` let caches revalidate cheaply (304).',
      params: kidParams,
      response: { 200: ref('revocation-list.json'), 304: { type: 'null', description: 'The copy held is current' }, ...errorResponses(400, 404, 429, 503) },
    },
  }, async (request, reply) => {
    const list = await revocations.readRevocationList(request.params.kid)
    if (revalidated(request, reply, `"${entityTag(list)}"`)) return reply.code(304).send()
    return list
  })

  app.get<{ Params: { kid: string } }>('/.well-known/crl/:kid.jws', {
    schema: {
      tags: ['verification'],
      summary: 'Signed revocation list of one signing key, for offline verifiers',
      operationId: 'readSignedRevocationList',
      security: [],
      description: 'The same list plus `iat`, as a compact JWS (typ cec-crl+jws) signed by the current signing key: an offline verifier checks it with the same JWKS it checks certificates with, e.g. `ce-cert verify … --jwks jwks.json --revocations <kid>.jws`.',
      params: kidParams,
      produces: ['application/jose'],
      response: {
        200: { description: 'Compact JWS', content: { 'application/jose': { schema: { type: 'string' } } } },
        304: { type: 'null', description: 'The copy held is current' },
        ...errorResponses(400, 404, 429, 503),
      },
    },
  }, async (request, reply) => {
    const list = await revocations.readRevocationList(request.params.kid)
    // Weak: each signing gives other bytes, the same list.
    if (revalidated(request, reply, `W/"${entityTag(list)}"`)) return reply.code(304).send()
    return reply.type('application/jose').send(await revocations.signRevocationList(list))
  })
}
