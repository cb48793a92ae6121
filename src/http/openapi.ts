// The OpenAPI document's frame; the paths come from the route schemas.
import type { SwaggerOptions } from '@fastify/swagger'
import type { Config } from '../config.js'

export function openApiDocument (config: Config): SwaggerOptions {
  return {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: '专业技术人员继续教育证书服务 · Continuing-education certificate service',
        version: '1.0.0',
        description: 'Issues, signs and verifies the yearly continuing-education certificates of professional and technical staff. Errors share one shape (error.json) with a stable `code`.',
      },
      servers: [{ url: config.http.publicBaseUrl }],
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'An issuer API key (cek_…)' },
          adminToken: { type: 'http', scheme: 'bearer', description: 'The ADMIN_TOKEN of the configuration' },
          sessionCookie: { type: 'apiKey', in: 'cookie', name: 'ce_session', description: 'A person signed in (POST /v1/session): the HttpOnly session cookie' },
          csrfToken: { type: 'apiKey', in: 'header', name: 'X-CSRF-Token', description: 'The session\'s CSRF token (csrfToken of GET /v1/session), required with the cookie on every change' },
        },
      },
      tags: [
        { name: 'certificates', description: 'Issue, look up and revoke' },
        { name: 'verification', description: 'Check a certificate' },
        { name: 'reports', description: 'Issuance registers and statistics' },
        { name: 'sessions', description: 'Signing in and out (登录), the password' },
        { name: 'people', description: 'The organisation\'s users and API keys, for its 管理员' },
        { name: 'admin', description: 'Issuer accounts, their first administrators and API keys' },
        { name: 'system', description: 'Health' },
      ],
    },
    // Shared schemas keep their file names as component names.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`).replace(/\.json$/, '') },
  }
}
