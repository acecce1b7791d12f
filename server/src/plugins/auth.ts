import fp from 'fastify-plugin'
import { AppError } from '@vernetzt/shared/errors'
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { Actor, ServiceContext } from '../context.ts'
import type { Types } from 'mongoose'
import { SESSION_COOKIE, SESSION_DAYS, createSession, refuseSuspended, resolveSession } from '../modules/accounts/index.ts'

declare module 'fastify' {
  interface FastifyInstance {
    ctx: ServiceContext
  }
  interface FastifyRequest {
    actor: Actor | null
  }
}

/** Resolves the session cookie to an actor for every API request. */
export default fp(
  async (app) => {
    app.decorateRequest('actor', null)
    app.addHook('onRequest', async (request) => {
      if (!request.url.startsWith('/api/')) return
      request.actor = await resolveSession(app.ctx, request.cookies[SESSION_COOKIE])
    })
  },
  { name: 'auth', dependencies: ['@fastify/cookie'] },
)

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new AppError('UNAUTHENTICATED', 'Please sign in first.')
  return request.actor
}

export function setSessionCookie(reply: FastifyReply, token: string, secure: boolean): void {
  reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: SESSION_DAYS * 86_400,
  })
}

/** Signs the member in on the device asking: a new session and its cookie. */
export async function startSession(ctx: ServiceContext, request: FastifyRequest, reply: FastifyReply, memberId: Types.ObjectId): Promise<void> {
  // Every way in (password, code step, reset link) ends here: a suspended account gets no session.
  refuseSuspended(await ctx.models.Member.findById(memberId, { suspension: 1 }).lean())
  const session = await createSession(ctx, memberId, { userAgent: request.headers['user-agent'], ip: request.ip })
  setSessionCookie(reply, session.token, ctx.config.secureCookies)
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'lax', secure, path: '/' })
}
