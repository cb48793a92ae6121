// Response serializers (fast-json-stringify) built with only the shared schemas a route's response refers to.
// fast-json-stringify checks every schema it is handed; handing all of schemas/ to every route made start-up
// grow with routes × schemas (about 0.3 s of every start, in the service and in each test's app).
import fastJson from 'fast-json-stringify'

type Schema = Record<string, unknown>

/** The ids of the shared schemas `schema` refers to, directly or through each other. */
function referencedIds (schema: unknown, shared: Readonly<Record<string, Schema>>, found = new Set<string>()): Set<string> {
  const stack: unknown[] = [schema]
  while (stack.length > 0) {
    const value = stack.pop()
    if (typeof value !== 'object' || value === null) continue
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') {
        const id = child.split('#')[0]!
        if (id !== '' && shared[id] !== undefined && !found.has(id)) {
          found.add(id)
          stack.push(shared[id])
        }
      } else if (typeof child === 'object') {
        stack.push(child)
      }
    }
  }
  return found
}

/** Fastify's `schemaController.compilersFactory.buildSerializer`, as the default one but with the schemas narrowed. */
export function buildSerializer (externalSchemas?: unknown, serializerOpts?: object) {
  const shared = (externalSchemas ?? {}) as Record<string, Schema>
  return ({ schema }: { schema?: unknown }): (data: unknown) => string => {
    const own = schema as Schema
    const needed = Object.fromEntries([...referencedIds(own, shared)].filter(id => id !== own.$id).map(id => [id, shared[id]!]))
    return fastJson(own as unknown as fastJson.Schema, { ...serializerOpts, schema: needed as unknown as Record<string, fastJson.Schema> })
  }
}
