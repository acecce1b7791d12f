import { createSession, toMe } from '../accounts/index.ts'
import type { FastifyPluginAsync } from 'fastify'
import { MeSchema, RegisterBodySchema, type RegisterBody } from '@vernetzt/shared/schemas/auth'
import { errorResponses } from '@vernetzt/shared/schemas/common'
import { setSessionCookie } from '../../plugins/auth.ts'
import { register } from './join.ts'

/** Signing up is joining the network below a sponsor: the join graph's own route. */
const joinRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const secure = ctx.config.secureCookies

  app.post<{ Body: RegisterBody }>(
    '/auth/register',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Register as partner or customer; the sponsor comes from the body, else the referral, else the company root',
        body: RegisterBodySchema,
        response: { 201: MeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const member = await register(ctx, request.body)
      const session = await createSession(ctx, member._id, { userAgent: request.headers['user-agent'], ip: request.ip })
      setSessionCookie(reply, session.token, secure)
      return reply.status(201).send(await toMe(ctx, member))
    },
  )
}

export default joinRoutes
