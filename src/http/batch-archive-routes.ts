// A batch's PDFs as a ZIP: at once for a small batch, as an archive prepared in the background for a large one.
import type { FastifyPluginAsync } from 'fastify'
import fastifyStatic from '@fastify/static'
import { maxBatchZipInMemory, type BatchArchives } from '../batches/batch-archives.js'
import { actorOf, type Authentication } from './authentication.js'
import { pdfWorkOf } from './pdf-work.js'
import { callerSecurity, errorResponses, recordId, ref } from './schemas.js'

export interface BatchArchiveRoutesOptions {
  archives: BatchArchives
  auth: Authentication
  /** ARCHIVE_DIR, where ready archives are. */
  directory: string
}

const batchParams = { type: 'object', required: ['id'], properties: { id: recordId } } as const
const zipResponse = { description: 'ZIP of PDFs', content: { 'application/zip': { schema: { type: 'string', format: 'binary' } } } }
const attachment = (id: number) => `attachment; filename="batch-${id}.zip"; filename*=UTF-8''${encodeURIComponent(`第${id}批证书.zip`)}`

export const batchArchiveRoutes: FastifyPluginAsync<BatchArchiveRoutesOptions> = async (app, { archives, auth, directory }) => {
  const issuerOnly = auth.issuer(['authority', 'employer'])
  // Only reply.sendFile (ranges, ETag, Content-Length); nothing is served from the folder by path.
  await app.register(fastifyStatic, { root: directory, serve: false, decorateReply: true })

  app.get<{ Params: { id: number } }>('/v1/batches/:id/pdfs', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: `Every certificate of a small batch (up to ${maxBatchZipInMemory}) as PDF, in one ZIP`,
      description: `A ZIP of \`<number>-<姓名>.pdf\`, one per certificate of the batch (revoked ones included), rendered on the PDF pool and sent whole with Content-Length: the ZIP is complete, or the request fails with the reason (e.g. UNRENDERABLE_CHARACTER). A batch of more than ${maxBatchZipInMemory} certificates is 409 ARCHIVE_REQUIRED: prepare it with POST /v1/batches/{id}/archive.`,
      operationId: 'downloadBatchPdfs',
      security: callerSecurity,
      params: batchParams,
      produces: ['application/zip'],
      response: { 200: zipResponse, ...errorResponses(400, 401, 403, 404, 409, 422, 429, 503) },
    },
  }, async (request, reply) => {
    const zip = await archives.zipSmallBatch(actorOf(request), request.params.id, pdfWorkOf(request, reply).signal)
    return reply.type('application/zip').header('content-disposition', attachment(request.params.id)).header('cache-control', 'private, no-store').send(zip)
  })

  app.post<{ Params: { id: number } }>('/v1/batches/:id/archive', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Prepare the ZIP of a batch\'s PDFs in the background (any size)',
      description: 'Starts preparing the archive unless it is ready or being prepared, and answers its state: 202 while it is prepared (poll GET /v1/batches/{id}/archive for `percent`), 200 once ready. A failed archive is prepared again.',
      operationId: 'prepareBatchArchive',
      security: callerSecurity,
      params: batchParams,
      response: { 200: ref('batch-archive.json'), 202: ref('batch-archive.json'), ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async (request, reply) => {
    const view = await archives.requestArchive(actorOf(request), request.params.id)
    return reply.code(view.status === 'ready' ? 200 : 202).header('location', view.links.self).send(view)
  })

  app.get<{ Params: { id: number } }>('/v1/batches/:id/archive', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'The state of a batch\'s archive: preparing (with percent), ready, or failed (with the reason)',
      operationId: 'readBatchArchive',
      security: callerSecurity,
      params: batchParams,
      response: { 200: ref('batch-archive.json'), ...errorResponses(400, 401, 403, 404, 429, 503) },
    },
  }, async request => archives.readArchive(actorOf(request), request.params.id))

  app.get<{ Params: { id: number } }>('/v1/batches/:id/archive.zip', {
    onRequest: issuerOnly,
    schema: {
      tags: ['certificates'],
      summary: 'Download a batch\'s ready archive (Content-Length, ETag, range requests)',
      description: 'The whole ZIP with Content-Length, or a part of it for `Range: bytes=…` (206), so that a large download can resume. 409 ARCHIVE_NOT_READY while it is prepared.',
      operationId: 'downloadBatchArchive',
      security: callerSecurity,
      params: batchParams,
      produces: ['application/zip'],
      response: { 200: zipResponse, 206: zipResponse, ...errorResponses(400, 401, 403, 404, 409, 416, 429, 503) },
    },
  }, async (request, reply) => {
    const archive = await archives.openArchive(actorOf(request), request.params.id)
    return reply.type('application/zip').header('content-disposition', attachment(request.params.id))
      .header('cache-control', 'private, no-store')
      .sendFile(archive.file.slice(directory.length).replace(/^[/\\]+/, ''), directory, { etag: true, lastModified: true, acceptRanges: true, cacheControl: false })
  })
}
