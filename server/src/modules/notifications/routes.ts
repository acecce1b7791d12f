import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { NotificationPageSchema } from '@vernetzt/shared/schemas/moderation'
import {
  NotificationSettingsBodySchema,
  NotificationSettingsSchema,
  PushKeySchema,
  PushSubscriptionBodySchema,
  PushUnsubscribeBodySchema,
  type NotificationSettingsBody,
  type PushSubscriptionBody,
  type PushUnsubscribeBody,
  UnsubscribeQuerySchema,
  UnsubscribedSchema,
  type UnsubscribeQuery,
} from '@vernetzt/shared/schemas/notifications'
import { AppError } from '@vernetzt/shared/errors'
import { FeedQuerySchema, type FeedQuery } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { subscribe, unsubscribe } from './push.ts'
import { readUnsubscribeToken } from '../../mail/unsubscribe.ts'
import { getNotificationSettings, listNotifications, markAllRead, switchOffMail, updateNotificationSettings } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  // One-click unsubscribe (RFC 8058): the mail provider POSTs "List-Unsubscribe=One-Click" as a
  // form, without a session; the token alone says who and what. The unsubscribe page posts here too.
  await app.register(async (oneClick) => {
    oneClick.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => done(null, body))
    oneClick.post<{ Querystring: UnsubscribeQuery }>(
      '/mail/unsubscribe',
      {
        config: { limits: ['auth'] },
        schema: {
          tags: ['notifications'],
          summary: 'Switch one kind of mail off with the token of its unsubscribe link',
          querystring: UnsubscribeQuerySchema,
          response: { 200: UnsubscribedSchema, ...errorResponses },
        },
      },
      async (request) => {
        const target = readUnsubscribeToken(ctx.config.sessionSecret, request.query.token)
        if (!target) throw new AppError('TOKEN_INVALID', 'This unsubscribe link is not valid.')
        await switchOffMail(ctx, target.memberId, target.kind)
        return { kind: target.kind }
      },
    )
  })
  app.get<{ Querystring: FeedQuery }>(
    '/notifications',
    {
      schema: { tags: ['notifications'], querystring: FeedQuerySchema, response: { 200: NotificationPageSchema, ...errorResponses } },
    },
    async (request) => listNotifications(ctx, requireActor(request), request.query),
  )
  app.post(
    '/notifications/read-all',
    {
      schema: { tags: ['notifications'], response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await markAllRead(ctx, requireActor(request))
      return { ok: true }
    },
  )

  app.get(
    '/me/notification-settings',
    {
      schema: { tags: ['notifications'], response: { 200: NotificationSettingsSchema, ...errorResponses } },
    },
    async (request) => getNotificationSettings(ctx, requireActor(request)),
  )
  app.put<{ Body: NotificationSettingsBody }>(
    '/me/notification-settings',
    {
      schema: { tags: ['notifications'], body: NotificationSettingsBodySchema, response: { 200: NotificationSettingsSchema, ...errorResponses } },
    },
    async (request) => updateNotificationSettings(ctx, requireActor(request), request.body),
  )

  // The VAPID public key a browser needs for pushManager.subscribe(); public by nature.
  app.get(
    '/push/key',
    {
      schema: { tags: ['push'], response: { 200: PushKeySchema, ...errorResponses } },
    },
    async () => ({ publicKey: ctx.config.push.vapid.publicKey }),
  )
  app.post<{ Body: PushSubscriptionBody }>(
    '/push/subscriptions',
    {
      schema: { tags: ['push'], body: PushSubscriptionBodySchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await subscribe(ctx, requireActor(request), request.body)
      return { ok: true }
    },
  )
  app.delete<{ Body: PushUnsubscribeBody }>(
    '/push/subscriptions',
    {
      schema: { tags: ['push'], body: PushUnsubscribeBodySchema, response: { 200: OkSchema, ...errorResponses } },
    },
    async (request) => {
      await unsubscribe(ctx, requireActor(request), request.body.endpoint)
      return { ok: true }
    },
  )
}

export default routes
