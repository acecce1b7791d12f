import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { Types } from 'mongoose'
import {
  ChangePasswordBodySchema,
  EmailChangeBodySchema,
  PendingEmailSchema,
  type EmailChangeBody,
  MeSchema,
  SessionListSchema,
  SessionParamsSchema,
  type ChangePasswordBody,
  type SessionParams,
} from '@vernetzt/shared/schemas/auth'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { requireActor, startSession } from '../../plugins/auth.ts'
import { requestEmailChange } from './email-change.ts'
import { changePassword, endOwnSession, listSessions } from './security.ts'
import { becomePartner } from './upgrade.ts'
import { SESSION_COOKIE, endAllSessions, sessionIdOf } from './sessions.ts'
import { toMe } from './service.ts'

/** Settings → Sicherheit: the member's password and sessions. */
const securityRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  /** After every session ended: this device gets a new one, so the member stays signed in here. */
  const freshSession = (request: FastifyRequest, reply: FastifyReply, memberId: string) => startSession(ctx, request, reply, new Types.ObjectId(memberId))

  app.get(
    '/me/sessions',
    { schema: { tags: ['auth'], summary: 'The devices signed in to this account', response: { 200: SessionListSchema, ...errorResponses } } },
    async (request) => ({ sessions: await listSessions(ctx, requireActor(request).id, sessionIdOf(ctx, request.cookies[SESSION_COOKIE])) }),
  )

  app.delete<{ Params: SessionParams }>(
    '/me/sessions/:id',
    {
      schema: { tags: ['auth'], summary: 'Sign another device out', params: SessionParamsSchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await endOwnSession(ctx, requireActor(request).id, request.params.id)
      return { ok: true }
    },
  )

  app.post(
    '/me/sessions/end-all',
    {
      schema: { tags: ['auth'], summary: 'Sign out everywhere; this device gets a new session', response: { 200: OkSchema, ...errorResponses } },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      // "Überall abmelden": every session ends, this device gets a fresh one.
      await endAllSessions(ctx, actor.id)
      await freshSession(request, reply, actor.id)
      return { ok: true }
    },
  )

  app.put<{ Body: ChangePasswordBody }>(
    '/me/password',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Change the password (needs the current one); signs out every other device',
        body: ChangePasswordBodySchema,
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const actor = requireActor(request)
      const member = await changePassword(ctx, actor.id, request.body.current, request.body.password)
      await freshSession(request, reply, actor.id)
      return toMe(ctx, member)
    },
  )

  app.put<{ Body: EmailChangeBody }>(
    '/me/email',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Change the address (needs the password): a link confirms the new one, the current one is told',
        body: EmailChangeBodySchema,
        response: { 202: PendingEmailSchema, ...errorResponses },
      },
    },
    async (request, reply) => reply.status(202).send(await requestEmailChange(ctx, requireActor(request).id, request.body)),
  )

  app.post(
    '/me/become-partner',
    {
      schema: {
        tags: ['auth'],
        summary: 'A customer becomes a partner, keeping account, sponsor, history and orders',
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (request) => toMe(ctx, await becomePartner(ctx, requireActor(request).id)),
  )
}

export default securityRoutes
