import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import cookie from '@fastify/cookie'
import multipart from '@fastify/multipart'
import fp from 'fastify-plugin'
import type { Config } from './config.ts'
import { createContext } from './compose.ts'
import { redisRelay } from './events/redis.ts'
import type { Database } from './db/connect.ts'
import { createModels } from './db/models.ts'
import accountRoutes from './modules/accounts/routes.ts'
import securityRoutes from './modules/accounts/security-routes.ts'
import twoFactorRoutes from './modules/accounts/two-factor-routes.ts'
import adminMemberRoutes from './modules/accounts/admin-routes.ts'
import joinRoutes from './modules/referrals/join-routes.ts'
import uploadRoutes from './modules/media/upload-routes.ts'
import { isGroupMember } from './modules/groups/index.ts'
import { messagingIdle, registerMessagingSocket } from './modules/messaging/index.ts'
import followRoutes from './modules/follows/routes.ts'
import postRoutes from './modules/posts/routes.ts'
import moderationRoutes from './modules/moderation/routes.ts'
import notificationRoutes from './modules/notifications/routes.ts'
import commentRoutes from './modules/comments/routes.ts'
import groupRoutes from './modules/groups/routes.ts'
import lessonRoutes from './modules/lessons/routes.ts'
import messagingRoutes from './modules/messaging/routes.ts'
import inboxRoutes from './modules/messaging/inbox-routes.ts'
import commerceRoutes from './modules/commerce/routes.ts'
import earningsRoutes from './modules/commerce/earnings-routes.ts'
import statementRoutes from './modules/commerce/statements-routes.ts'
import commerceAdminRoutes from './modules/commerce/admin-routes.ts'
import onboardingRoutes from './modules/onboarding/routes.ts'
import healthRoutes from './modules/health/routes.ts'
import profileRoutes from './modules/profiles/routes.ts'
import mediaRoutes from './modules/media/routes.ts'
import referralRoutes from './modules/referrals/routes.ts'
import auth from './plugins/auth.ts'
import docs from './plugins/docs.ts'
import errors from './plugins/errors.ts'
import limits from './plugins/limits.ts'
import { apiMessage } from '@vernetzt/shared/error-messages'
import security, { BASELINE_HEADERS } from './plugins/security.ts'
import publicCache from './plugins/public-cache.ts'
import web, { type NodeHandler } from './plugins/web.ts'
import realtime from './realtime/socket.ts'

export interface AppOptions {
  config: Config
  db: Database
  /** SvelteKit's request handler (built or Vite dev middleware); null serves the API alone. */
  webHandler?: NodeHandler | null
  logger?: boolean
}

/** Builds the Fastify instance from plugins, in a visible order: external, app plugins, features. */
export async function buildApp({ config, db, webHandler = null, logger = true }: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ? { level: config.logLevel, redact: ['req.headers.cookie', 'req.headers.authorization'] } : false,
    trustProxy: config.trustProxy,
    bodyLimit: 1 << 20,
    // Requests fail on unknown fields instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    // A URL the router cannot take (a parameter over 100 characters, broken percent-encoding)
    // never reaches the hooks: answer it here in the usual shape, with the usual headers.
    frameworkErrors: (error, _request, reply) => {
      const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      void (reply as FastifyReply)
        .headers(BASELINE_HEADERS)
        .status(tooLong ? 414 : 400)
        .send({
          error: tooLong
            ? { code: 'URL_TOO_LONG', message: apiMessage('URL_TOO_LONG'), details: null }
            : { code: 'BAD_REQUEST', message: apiMessage('BAD_REQUEST'), details: null },
        })
    },
  })

  const models = createModels(db.connection)
  const { ctx, bus, jobs } = createContext({ config, models, log: app.log })
  await app.register(
    fp(
      async (instance) => {
        instance.decorate('ctx', ctx)
        instance.decorate('events', bus)
        instance.decorate('jobs', jobs)
        if (config.redisUrl) {
          // Cross-node events (access lost, caches to forget) reach the other nodes.
          const relay = await redisRelay(config.redisUrl, (error) => app.log.warn({ err: error }, 'redis (events) error'))
          await bus.connect(relay)
          instance.addHook('onClose', () => relay.close())
        }
      },
      { name: 'context' },
    ),
  )

  await app.register(cookie)
  await app.register(multipart, { limits: { fileSize: 8 << 20, files: 1 } })
  await app.register(errors)
  await app.register(security)
  await app.register(auth)
  await app.register(limits)
  await app.register(publicCache)
  await app.register(docs)
  await app.register(realtime, { features: [registerMessagingSocket], drain: [() => messagingIdle(ctx), () => bus.idle()] })
  await app.register(web, { handler: webHandler })

  await app.register(healthRoutes)
  await app.register(mediaRoutes, { isGroupMember })
  await app.register(
    async (api) => {
      await api.register(accountRoutes)
      await api.register(securityRoutes)
      await api.register(twoFactorRoutes)
      await api.register(adminMemberRoutes)
      await api.register(joinRoutes)
      await api.register(uploadRoutes)
      await api.register(profileRoutes)
      await api.register(referralRoutes)
      await api.register(followRoutes)
      await api.register(postRoutes)
      await api.register(moderationRoutes)
      await api.register(notificationRoutes)
      await api.register(commentRoutes)
      await api.register(groupRoutes)
      await api.register(lessonRoutes)
      await api.register(messagingRoutes)
      await api.register(inboxRoutes)
      await api.register(commerceRoutes)
      await api.register(earningsRoutes)
      await api.register(statementRoutes)
      await api.register(commerceAdminRoutes)
      await api.register(onboardingRoutes)
    },
    { prefix: '/api/v1' },
  )

  return app
}
