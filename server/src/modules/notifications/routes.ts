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
} from '@vernetzt/shared/schemas/notifications'
import { FeedQuerySchema, type FeedQuery } from '@vernetzt/shared/schemas/posts'
import { requireActor } from '../../plugins/auth.ts'
import { subscribe, unsubscribe } from './push.ts'
import { getNotificationSettings, listNotifications, markAllRead, updateNotificationSettings } from './service.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
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
