import fp from 'fastify-plugin'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { capture, sendRaw, storableHeaders } from '../cache/answers.ts'
import { isCachedPage, isMemberPage, PRIVATE_CACHE_CONTROL, PUBLIC_CACHE_CONTROL } from '../cache/policy.ts'
import { viewerTag } from '../cache/tags.ts'
import { SESSION_COOKIE, resolveSession } from '../modules/accounts/index.ts'
import type { RenderScope } from '../cache/public-cache.ts'
import { isAnonymous, PAGE_VARY, pageKey } from './public-cache.ts'

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
      await renderPage(app, request, reply.raw, handler)
    })
    app.setNotFoundHandler((request, reply) =>
      reply.status(404).send({ error: { code: 'NOT_FOUND', message: `No route ${request.method} ${request.url.split('?')[0]}`, details: null } }),
    )
  },
  { name: 'web', dependencies: ['context', 'public-cache'] },
)

/**
 * A public page for an anonymous visitor, or a member's own page (the feed) for that member,
 * comes from the cache, or is rendered with a scope that collects the tags of the API reads it
 * makes, and stored (see server/src/cache/policy.ts). Every other page is rendered as it is.
 */
async function renderPage(app: FastifyInstance, request: FastifyRequest, res: ServerResponse, handler: NodeHandler): Promise<void> {
  const req = request.raw
  const notFound = () => {
    res.statusCode = 404
    res.end('Not found')
  }
  const anonymous = isAnonymous(request)
  if (request.method !== 'GET') return handler(req, res, notFound)
  if (!anonymous) {
    res.setHeader('cache-control', PRIVATE_CACHE_CONTROL)
    res.setHeader('vary', PAGE_VARY)
  }
  let key: string
  let scope: RenderScope
  if (anonymous && isCachedPage(request.url)) {
    key = pageKey(request)
    scope = { tags: new Set(), untagged: false }
  } else if (!anonymous && isMemberPage(request.url)) {
    const actor = await resolveSession(app.ctx, request.cookies[SESSION_COOKIE])
    if (!actor) return handler(req, res, notFound)
    key = `member|${actor.id}|${pageKey(request)}`
    scope = { tags: new Set([viewerTag(actor.id)]), untagged: false, member: actor.id }
  } else {
    return handler(req, res, notFound)
  }
  const sendOptions = { vary: PAGE_VARY, cacheControl: anonymous ? PUBLIC_CACHE_CONTROL : PRIVATE_CACHE_CONTROL }
  const cache = app.publicCache
  const stored = await cache.lookup(key)
  if (stored) return sendRaw(req, res, stored, 'hit', sendOptions)
  const startedAt = Date.now()
  capture(res, ({ status, headers, body }, send) => {
    if (status !== 200 || headers['set-cookie'] !== undefined || scope.untagged) {
      send.writeHead(status)
      send.end(body)
      return
    }
    cache
      .store(key, { status, headers: storableHeaders(headers), body, tags: [...scope.tags] }, startedAt)
      .then((answer) => sendRaw(req, send, answer, 'miss', sendOptions))
      .catch((error: unknown) => {
        app.log.error({ err: error }, 'a rendered page could not be cached')
        send.writeHead(status)
        send.end(body)
      })
  })
  cache.render(scope, () => handler(req, res, notFound))
}
