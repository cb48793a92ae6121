// buildApp(config): the whole service assembled in one place — services built, plugins and routes registered.
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyInstance } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import cookie from '@fastify/cookie'
import csrfProtection from '@fastify/csrf-protection'
import type { Config } from './config.js'
import { openDatabase, type DatabaseHandle } from './db/database.js'
import { migrateToLatest } from './db/migrate.js'
import { makePrivateDirectory } from './db/private-files.js'
import { loadHolderIdSecret, loadSigningKeys } from './signing/signing-keys.js'
import { createServices, sessionPolicyOf } from './services.js'
import { describeStartup } from './startup-report.js'
import { createPdfPool, loadPrintableCharacters } from './documents/index.js'
import { createCounterStore } from './limits/counter-store.js'
import { createLimiter, serviceLimits } from './limits/rate-limits.js'
import { createAuthentication } from './http/authentication.js'
import { clientErrorHandler, frameworkErrorHandler, installErrorHandling } from './http/error-handler.js'
import { createVerificationPages } from './http/verification-page-replies.js'
import { installJsonBodyParser } from './http/json-body.js'
import { buildSerializer } from './http/serializer-compiler.js'
import { createNameCheckGate, loggedRequest, requestGuardsPlugin, requestTimeouts } from './http/request-guards.js'
import { loadSchemas } from './http/schemas.js'
import { openApiDocument } from './http/openapi.js'
import { systemRoutes } from './http/system-routes.js'
import { adminRoutes } from './http/admin-routes.js'
import { certificateRoutes } from './http/certificate-routes.js'
import { batchRoutes } from './http/batch-routes.js'
import { batchArchiveRoutes } from './http/batch-archive-routes.js'
import { registerRoutes } from './http/register-routes.js'
import { statsRoutes } from './http/stats-routes.js'
import { verificationRoutes } from './http/verification-routes.js'
import { batchVerificationRoutes } from './http/batch-verification-routes.js'
import { revocationRoutes } from './http/revocation-routes.js'
import { documentRoutes } from './http/document-routes.js'
import { verificationPageRoutes } from './http/verification-page-routes.js'
import { offlineVerifierRoutes } from './http/offline-verifier-routes.js'
import { auditRoutes } from './http/audit-routes.js'
import { sessionRoutes } from './http/session-routes.js'
import { peopleRoutes } from './http/people-routes.js'
import { consoleRoutes } from './http/console-routes.js'
import { issuanceCheckRoutes } from './http/issuance-check-routes.js'
import { certificateSearchRoutes } from './http/certificate-search-routes.js'
import { holderDownloadRoutes } from './http/holder-download-routes.js'
import { signedReportRoutes } from './http/signed-report-routes.js'
import { verificationExportRoutes } from './http/verification-export-routes.js'

export interface BuildOptions {
  /** The time source; tests pin it. */
  clock?: () => Date
  /** An open database to use instead of opening one from the configuration; the caller closes it. */
  database?: DatabaseHandle
  /** Where the log goes instead of stdout (tests read it). */
  logStream?: { write (line: string): void }
}

export async function buildApp (config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const clock = options.clock ?? (() => new Date())
  const database = options.database ?? await openDatabase(config.database)
  await migrateToLatest(database.db)
  const keys = await loadSigningKeys(config.signing.keysDir, config.signing.algorithm, clock)
  const { secret: holderIdSecret, created: holderIdSecretCreated } = await loadHolderIdSecret(config.signing.keysDir)

  await makePrivateDirectory(config.archives.directory)
  const pages = createVerificationPages({ publicBaseUrl: config.http.publicBaseUrl })
  const app = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel, serializers: { req: loggedRequest }, ...(options.logStream === undefined ? {} : { stream: options.logStream }) },
    trustProxy: config.http.trustProxy,
    // Small JSON bodies by default; routes taking files (batch CSV, PDF, seal PNG) declare their own limits.
    bodyLimit: 64 * 1024,
    connectionTimeout: config.http.connectionTimeoutMs,
    requestTimeout: config.http.requestTimeoutMs,
    http: requestTimeouts(config.http.requestTimeoutMs),
    // Unique across instances and restarts: the audit trail records it.
    genReqId: () => randomUUID(),
    // Unknown fields are refused, not silently dropped.
    // Every failing field, not just the first: people fix a form once. Bodies are bounded, so the list is too.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    schemaController: { compilersFactory: { buildSerializer } },
    // Refusals before a route is found, and of requests that are not even HTTP, in the one error shape.
    frameworkErrors: frameworkErrorHandler(pages),
    clientErrorHandler,
  })
  const pdfPool = createPdfPool({ threads: config.pdfWorkers, perClient: config.pdfsInFlightPerClient })
  const services = createServices({ db: database.db, keys, holderIdSecret, clock, config, pdfPool, log: app.log, printable: await loadPrintableCharacters() })
  const { issuers, idempotency, nameChecks, archives } = services
  const counters = await createCounterStore({ redisUrl: config.redisUrl, log: app.log })
  const limiter = createLimiter(counters)
  const limits = serviceLimits(config.limits)
  // Sessions: the cookie parsed on every request; CSRF tokens made from and checked against each session's own secret.
  await app.register(cookie)
  await app.register(csrfProtection, { sessionPlugin: '@fastify/session', getToken: request => request.headers['x-csrf-token'] as string | undefined })
  const auth = createAuthentication({ issuers, sessions: services.sessions, adminToken: config.adminToken, limiter, failures: limits.authFailures, csrfProtection: app.csrfProtection })
  const admitNameCheck = createNameCheckGate(limiter, limits.nameChecks)
  app.decorateRequest('actor', null)
  app.decorateRequest('signedIn', null)
  app.decorateRequest('session', null as unknown as { _csrf?: string })
  // JSON is the default body; routes that take CSV or PDF register their own parsers.
  app.removeContentTypeParser('text/plain')
  installJsonBodyParser(app)
  app.addHook('onClose', async () => {
    keys.close()
    counters.close()
    await pdfPool.close()
    if (options.database === undefined) await database.close()
  })

  // Housekeeping, at start and hourly (any instance may: it is idempotent): Idempotency-Keys past retention
  // (they hold names), failure budgets past their window, ended sessions and expired archives are deleted.
  const purge = (what: string, run: () => Promise<number>) => run()
    .then(purged => { if (purged > 0) app.log.info({ purged }, `${what} deleted`) })
    .catch((error: unknown) => { app.log.warn({ err: error }, `could not delete ${what}`) })
  const purgeExpired = () => Promise.all([
    purge('expired Idempotency-Keys', idempotency.purgeExpired),
    purge('expired failure budgets', nameChecks.purgeExpired),
    purge('ended sessions', services.sessions.purgeExpired),
    purge('expired batch archives', () => archives.purgeExpired(config.archives.retentionHours * 3_600_000)),
  ])
  const housekeeping = setInterval(purgeExpired, 3_600_000).unref()
  app.addHook('onReady', async () => { await purgeExpired() })
  app.addHook('onClose', async () => { clearInterval(housekeeping) })

  // What this start did, told once the server listens (an app that is only injected into says nothing).
  app.addHook('onListen', async () => {
    const lines = describeStartup(config, {
      database: { engine: database.engine, supplied: options.database !== undefined },
      signingKeys: { count: keys.jwks().keys.length, currentKid: keys.current(clock()).kid, generatedKid: keys.generatedKid },
      holderIdSecretCreated,
      listeningOn: app.addresses().map(address => typeof address === 'string' ? address : address.address),
    })
    for (const line of lines) app.log[line.level]({ startup: line.topic }, line.message)
  })

  installErrorHandling(app, pages)
  await app.register(requestGuardsPlugin, { overload: config.limits.overload, limiter, publicRequests: limits.publicRequests })
  for (const schema of loadSchemas()) app.addSchema(schema)
  await app.register(swagger, openApiDocument(config))
  await app.register(swaggerUi, { routePrefix: '/docs' })
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())

  await app.register(systemRoutes, { db: database.db, keys, limiter, origins: [config.http.publicBaseUrl, ...config.http.formerBaseUrls] })
  await app.register(adminRoutes, { issuers, users: services.users, auth })
  await app.register(sessionRoutes, { sessions: services.sessions, auth, publicBaseUrl: config.http.publicBaseUrl, policy: sessionPolicyOf(config) })
  await app.register(peopleRoutes, { users: services.users, issuers, auth })
  await app.register(certificateRoutes, { certificates: services.certificates, auth, idempotency, admitNameCheck })
  await app.register(issuanceCheckRoutes, { auth, clock })
  await app.register(certificateSearchRoutes, { search: services.search, auth })
  await app.register(holderDownloadRoutes, { pdfs: services.pdfs, admitNameCheck })
  await app.register(batchRoutes, { batches: services.batches, auth, idempotency })
  await app.register(batchArchiveRoutes, { archives: services.archives, auth, directory: config.archives.directory })
  await app.register(documentRoutes, { pdfs: services.pdfs, seals: services.seals, auth })
  await app.register(registerRoutes, { registers: services.registers, auth })
  await app.register(statsRoutes, { stats: services.stats, auth })
  await app.register(auditRoutes, { audit: services.audit, auth })
  await app.register(verificationRoutes, { verification: services.verification })
  await app.register(batchVerificationRoutes, { batchVerification: services.batchVerification, auth })
  await app.register(verificationExportRoutes, { auth })
  await app.register(signedReportRoutes, { reports: services.signedReports, auth, limiter, codeFailures: limits.reportCodeFailures })
  await app.register(revocationRoutes, { revocations: services.revocations })
  await app.register(verificationPageRoutes, { certificates: services.certificates, admitNameCheck, pages })
  await app.register(offlineVerifierRoutes, { pages, keys, publicBaseUrl: config.http.publicBaseUrl, validityHours: config.revocationListValidityHours })
  await app.register(consoleRoutes, { sessions: services.sessions, clock })
  return app
}
