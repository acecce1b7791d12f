import fp from 'fastify-plugin'
import helmet from '@fastify/helmet'
import { AppError } from '@vernetzt/shared/errors'

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** What an answer carries even when it is made before any hook ran (see app.ts, frameworkErrors). */
export const BASELINE_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'cross-origin-resource-policy': 'same-site',
  'cross-origin-opener-policy': 'same-origin',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
} as const

/**
 * Security headers and cross-origin write protection.
 * - helmet sets the usual headers. Its CSP is off globally because SvelteKit emits its own
 *   (with hashes for its inline hydration script, see web/svelte.config.js); JSON and API
 *   responses get the strictest policy here, and the docs UI its own.
 * - A state-changing API request whose Origin is not our own is refused (CSRF). Requests
 *   without Origin come from non-browser clients, which carry no ambient cookies to abuse.
 */
export default fp(
  async (app) => {
    await app.register(helmet, {
      contentSecurityPolicy: false,
      crossOriginEmbedderPolicy: false,
      // no-referrer would make browsers send "Origin: null" with form posts, which SvelteKit's
      // CSRF check (rightly) refuses.
      referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
      // Profile pages on <handle>.<domain> load images from the main origin.
      crossOriginResourcePolicy: { policy: 'same-site' },
    })
    const publicOrigin = new URL(app.ctx.config.publicUrl).origin
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/api/')) return
      if (!request.url.startsWith('/api/docs')) {
        reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
      }
      if (!UNSAFE.has(request.method)) return
      const origin = request.headers.origin
      const site = request.headers['sec-fetch-site']
      if (site === 'cross-site') throw new AppError('CROSS_ORIGIN_REFUSED', 'Requests from other sites are not accepted.')
      if (origin === undefined) return
      const ownOrigin = `${request.protocol}://${request.host}`
      if (origin !== ownOrigin && origin !== publicOrigin) {
        throw new AppError('CROSS_ORIGIN_REFUSED', 'Requests from other sites are not accepted.', { origin })
      }
    })
  },
  { name: 'security', dependencies: ['context'] },
)
