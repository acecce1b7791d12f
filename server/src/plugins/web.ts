import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'

/** Headers through which Fastify tells SvelteKit the request's real protocol, host and client address. */
export const WEB_HEADERS = { protocol: 'x-vernetzt-proto', host: 'x-vernetzt-host', address: 'x-vernetzt-ip' } as const

export type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void

/** How SvelteKit's server code reaches the API in-process (see web/src/hooks.server.ts). */
export const API_BRIDGE = Symbol.for('vernetzt.api-bridge')
export interface ApiBridge {
  inject(request: { method: string; url: string; headers: Record<string, string>; body?: Buffer; remoteAddress?: string }): Promise<{
    statusCode: number
    headers: Record<string, string | string[] | number | undefined>
    rawPayload: Buffer
  }>
}

/**
 * Everything that is not API, socket.io or media goes to the SvelteKit app: the built
 * adapter-node handler in production, or Vite's dev middleware (with HMR) in dev mode.
 * Unknown /api paths stay JSON 404s.
 */
export default fp<{ handler: NodeHandler | null }>(
  async (app: FastifyInstance, { handler }) => {
    ;(globalThis as Record<symbol, unknown>)[API_BRIDGE] = {
      inject: (r) =>
        app.inject({
          method: r.method as 'GET',
          url: r.url,
          headers: r.headers,
          ...(r.body ? { payload: r.body } : {}),
          ...(r.remoteAddress ? { remoteAddress: r.remoteAddress } : {}),
        }),
    } satisfies ApiBridge
    // Hand page requests to SvelteKit before Fastify parses the body: form actions and
    // SvelteKit endpoints read the raw request stream themselves.
    app.addHook('onRequest', async (request, reply) => {
      if (!handler || request.routeOptions.url !== undefined || request.url.startsWith('/api/')) return
      reply.hijack()
      const headers = request.raw.headers
      headers[WEB_HEADERS.protocol] = request.protocol
      headers[WEB_HEADERS.host] = request.host
      headers[WEB_HEADERS.address] = request.ip
      handler(request.raw, reply.raw, () => {
        reply.raw.statusCode = 404
        reply.raw.end('Not found')
      })
    })
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}`, details: null } }),
    )
  },
  { name: 'web', dependencies: ['context'] },
)
