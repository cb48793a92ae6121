// The JSON Schemas of schemas/: loaded once, registered with Fastify, referenced by routes as '<file>#'.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { projectFile } from '../project-files.js'

export const schemaDirectory = projectFile('schemas')

export interface JsonSchema { $id: string, [keyword: string]: unknown }

/** Every schema of schemas/, each with `$id` equal to its file name. */
export function loadSchemas (): JsonSchema[] {
  return readdirSync(schemaDirectory).filter(f => f.endsWith('.json')).sort().map(file => {
    const schema = JSON.parse(readFileSync(path.join(schemaDirectory, file), 'utf8')) as JsonSchema
    if (schema.$id !== file) throw new Error(`schemas/${file} must have "$id": "${file}"`)
    return schema
  })
}

export const ref = (id: string) => ({ $ref: `${id}#` })

/** `:number` of the certificate routes; its format is checked by the service, which gives the precise reason. */
export const numberParams = {
  type: 'object',
  required: ['number'],
  properties: { number: { type: 'string', description: '14-digit certificate number' } },
} as const

/** An id of a stored record (issuer, API key, batch): PostgreSQL's integer, so a larger one is refused as bad input, not by the database. */
export const recordId = { type: 'integer', minimum: 1, maximum: 2_147_483_647 } as const

/** Routes for an organisation: its API key (a machine), or one of its people signed in (the session cookie, and the CSRF token on a change). */
export const callerSecurity: Array<Record<string, string[]>> = [{ apiKey: [] }, { sessionCookie: [], csrfToken: [] }]

/** The error responses a route may give, all in the one error shape. */
export function errorResponses (...statuses: number[]) {
  return Object.fromEntries(statuses.map(s => [s, ref('error.json')]))
}
