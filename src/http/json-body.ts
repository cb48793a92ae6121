// The JSON body parser: Fastify's own (prototype poisoning refused), after a bound on nesting that nothing later must recurse past.
import type { FastifyInstance } from 'fastify'
import { ServiceError } from '../errors.js'

/** Deeper than any request of this API (a batch is four levels), far shallower than any stack. */
export const maxJsonDepth = 32

/** The deepest nesting of objects and arrays in JSON text, stopping as soon as it passes `limit`. */
export function jsonNestingDepth (text: string, limit = maxJsonDepth): number {
  let depth = 0
  let deepest = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // a backslash escapes the next character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > deepest && (deepest = depth) > limit) return deepest
    } else if (c === 0x7d || c === 0x5d) {
      depth--
    }
  }
  return deepest
}

/** Replaces the default JSON parser with one that refuses bodies nested deeper than `maxJsonDepth`, before anything walks them. */
export function installJsonBodyParser (app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string
    if (jsonNestingDepth(text) > maxJsonDepth) {
      done(new ServiceError('VALIDATION_FAILED', {
        en: `The JSON body is nested more than ${maxJsonDepth} levels deep; no request of this service needs more than a few.`,
        zh: `JSON 请求正文嵌套超过 ${maxJsonDepth} 层，本服务的任何请求都不需要这么深的嵌套。`,
      }))
      return
    }
    parse(request, text, done)
  })
}
