/**
 * The baseline for scripts/bench/http.ts: a bare Fastify route answering a small JSON object,
 * with nothing behind it (no hooks, no database).
 *
 *   PORT=4000 node scripts/bench/bare-fastify.ts
 */
import Fastify from 'fastify'

const app = Fastify({ logger: false })
app.get('/healthz', async () => ({ ok: true }))
app.get('/api/v1/bare', async () => ({ id: '0123456789abcdef01234567', handle: 'anna', displayName: 'Anna Beispiel' }))
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' })
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void app.close().then(() => process.exit(0)))
