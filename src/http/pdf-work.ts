// Whom a request's PDF work is for: the account, else the client address; and a signal that fires if they leave before the answer.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { PdfWork } from '../documents/pdf-pool.js'
import { clientKey } from '../limits/rate-limits.js'

export function pdfWorkOf (request: FastifyRequest, reply: FastifyReply): PdfWork {
  const controller = new AbortController()
  // The response closes when it is sent, or earlier when the connection goes: only the second drops the work.
  reply.raw.once('close', () => { if (!reply.raw.writableFinished) controller.abort() })
  return { client: request.actor === null ? clientKey(request.ip) : `issuer:${request.actor.issuerId}`, signal: controller.signal }
}
