import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { CONSENT_COOKIE, LANG_COOKIE } from '@vernetzt/shared/cookies'
import { pickLang } from '@vernetzt/shared/i18n'
import { cacheHeaders, fresh, storableHeaders } from '../cache/answers.ts'
import { API_ROUTES, INVALIDATIONS, MEMBER_API_ROUTES, PRIVATE_CACHE_CONTROL, type TagLookups } from '../cache/policy.ts'
import { PublicCache } from '../cache/public-cache.ts'
import { redisCache } from '../cache/store.ts'
import type { DomainEventName, Subscribers } from '../events/index.ts'
import type { ServiceContext } from '../context.ts'
import { SESSION_COOKIE } from '../modules/accounts/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    /** Anonymous answers of public pages and API reads (server/src/cache). */
    publicCache: PublicCache
  }
  interface FastifyRequest {
    /** Set for a cacheable anonymous API read that missed: its answer is stored on the way out. */
    cacheKey: string | null
    /** Set for a signed-in read that a member's cached page makes: its tags go to the page. */
    cacheCollect: boolean
    cacheStartedAt: number
  }
}

/** No session and no credentials: the request sees what everyone sees. */
export const isAnonymous = (request: FastifyRequest): boolean => !request.cookies[SESSION_COOKIE] && request.headers.authorization === undefined

export const PAGE_VARY = 'cookie, accept-language'

/** A page's key: what its HTML depends on for an anonymous visitor (address, language, cookie consent). */
export function pageKey(request: FastifyRequest): string {
  const consent = request.cookies[CONSENT_COOKIE]
  const lang = pickLang(request.cookies[LANG_COOKIE], request.headers['accept-language'] ?? null)
  return `page|${request.host}|${request.url}|${lang}|${consent === 'all' || consent === 'necessary' ? consent : 'none'}`
}

function lookups(ctx: ServiceContext): TagLookups {
  const { Member, Group, Post } = ctx.models
  return {
    handleOf: async (id) => ((await Member.findById(id, { handle: 1 }).lean()) as { handle?: string } | null)?.handle ?? null,
    slugOf: async (id) => ((await Group.findById(id, { slug: 1 }).lean()) as { slug?: string } | null)?.slug ?? null,
    groupOfPost: async (id) => ((await Post.findById(id, { area: 1 }).lean()) as { area?: { groupId?: string } } | null)?.area?.groupId ?? null,
  }
}

/**
 * The public cache: anonymous API reads listed in cache/policy.ts are answered from it here;
 * anonymous pages in plugins/web.ts. Domain events that change what they show forget their
 * tags in Redis (once) and in every node's memory (cache.invalidated, on every node).
 */
export default fp(
  async (app) => {
    const onError = (error: unknown) => app.log.warn({ err: error }, 'public cache (redis) error')
    const shared = app.ctx.config.redisUrl ? await redisCache(app.ctx.config.redisUrl, onError) : null
    const cache = new PublicCache(shared, onError)
    app.decorate('publicCache', cache)
    app.addHook('onClose', () => cache.close())
    app.decorateRequest('cacheKey', null)
    app.decorateRequest('cacheStartedAt', 0)
    app.decorateRequest('cacheCollect', false)

    const find = lookups(app.ctx)
    const subscribers: Subscribers<ServiceContext> = {}
    for (const [name, tagsOf] of Object.entries(INVALIDATIONS) as Array<
      [DomainEventName, (event: unknown, find: TagLookups) => Promise<Array<string | null>>]
    >) {
      ;(subscribers as Record<string, unknown>)[name] = async (ctx: ServiceContext, event: unknown) => {
        const tags = [...new Set((await tagsOf(event, find)).filter((tag): tag is string => tag !== null))]
        if (tags.length === 0) return
        await cache.forgetShared(tags)
        await ctx.events.publish('cache.invalidated', { tags })
      }
    }
    // Registered here rather than in compose.ts: the cache is part of the HTTP app, not a module.
    app.events.register({ module: 'public-cache', subscribers, everyNode: { 'cache.invalidated': (_ctx, e) => cache.forgetHere(e.tags) } })

    app.addHook('onRequest', async (request, reply) => {
      if (request.method !== 'GET' || !request.url.startsWith('/api/')) return
      const route = request.routeOptions.url
      const scope = cache.scope()
      if (scope?.member) {
        // A member's own page: only the reads listed for it, made with the member's session.
        if (route && MEMBER_API_ROUTES.has(route) && !isAnonymous(request)) request.cacheCollect = true
        else scope.untagged = true
        return
      }
      if (!route || !API_ROUTES.has(route)) {
        // A page that reads anything uncached is not cached itself (nothing would forget it).
        if (scope) scope.untagged = true
        return
      }
      if (!isAnonymous(request)) {
        if (scope) scope.untagged = true
        void reply.header('cache-control', PRIVATE_CACHE_CONTROL).header('vary', 'cookie')
        return
      }
      const key = `api|${request.url}`
      const answer = await cache.lookup(key)
      if (!answer) {
        request.cacheKey = key
        request.cacheStartedAt = Date.now()
        return
      }
      for (const tag of answer.tags) scope?.tags.add(tag)
      void reply.headers(cacheHeaders(answer, 'hit', 'cookie'))
      if (fresh(request.headers['if-none-match'], answer.etag)) return reply.code(304).send()
      return reply.code(answer.status).send(answer.body)
    })

    app.addHook('onSend', async (request, reply, payload) => {
      const key = request.cacheKey
      if (!key && !request.cacheCollect) return payload
      const scope = cache.scope()
      const tagsOf = (key ? API_ROUTES : MEMBER_API_ROUTES).get(request.routeOptions.url ?? '')
      if (!tagsOf || reply.statusCode !== 200 || reply.hasHeader('set-cookie') || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) {
        if (scope) scope.untagged = true
        return payload
      }
      const body = Buffer.from(payload)
      const tags = [...new Set([...tagsOf(request.params as Record<string, string>, JSON.parse(body.toString('utf8'))), ...(request.answerTags ?? [])])]
      if (!key) {
        for (const tag of tags) scope?.tags.add(tag)
        return payload
      }
      const answer = await cache.store(key, { status: 200, headers: storableHeaders(reply.getHeaders()), body, tags }, request.cacheStartedAt)
      for (const tag of tags) scope?.tags.add(tag)
      void reply.headers(cacheHeaders(answer, 'miss', 'cookie'))
      return payload
    })
  },
  { name: 'public-cache', dependencies: ['context', '@fastify/cookie'] },
)
