import type { FastifyPluginAsync } from 'fastify'
import { LoginBodySchema, MeSchema, type LoginBody } from '@vernetzt/shared/schemas/auth'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { clearSessionCookie, requireActor, setSessionCookie } from '../../plugins/auth.ts'
import { SESSION_COOKIE, createSession, revokeSession } from './sessions.ts'
import { getMe, login, toMe } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const secure = ctx.config.secureCookies

  app.post<{ Body: LoginBody }>(
    '/auth/login',
    {
      config: { limits: ['auth'] },
      schema: { tags: ['auth'], body: LoginBodySchema, response: { 200: MeSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const member = await login(ctx, request.body)
      const session = await createSession(ctx, member._id, { userAgent: request.headers['user-agent'], ip: request.ip })
      setSessionCookie(reply, session.token, secure)
      return toMe(ctx, member)
    },
  )

  app.post(
    '/auth/logout',
    {
      schema: { tags: ['auth'], response: { 200: OkSchema, ...errorResponses } },
    },
    async (request, reply) => {
      await revokeSession(ctx, request.cookies[SESSION_COOKIE])
      clearSessionCookie(reply, secure)
      return { ok: true }
    },
  )

  app.get(
    '/me',
    {
      schema: { tags: ['auth'], response: { 200: MeSchema, ...errorResponses } },
    },
    async (request) => getMe(ctx, requireActor(request)),
  )
}

export default routes
