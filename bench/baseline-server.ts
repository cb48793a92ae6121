// The lookup's ceiling: a bare Fastify server answering GET /v1/certificates/:number with a constant body.
import { readFileSync } from 'node:fs'
import Fastify from 'fastify'

// The body of a real lookup answer, saved by lookup-bench: same bytes, no database, no serialisation.
const body = readFileSync(process.env.BENCH_CONSTANT_BODY_FILE ?? '', 'utf8')
const app = Fastify({ logger: false })
app.get('/readyz', async () => ({ status: 'ready' }))
app.get('/v1/certificates/:number', async (_request, reply) => reply.type('application/json; charset=utf-8').send(body))
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => { void app.close().then(() => process.exit(0)) })
