import type { FastifyPluginAsync } from 'fastify'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import {
  RecoveryCodesSchema,
  TwoFactorCodeBodySchema,
  TwoFactorDisableBodySchema,
  TwoFactorSetupSchema,
  TwoFactorStatusSchema,
  type TwoFactorCodeBody,
  type TwoFactorDisableBody,
} from '@vernetzt/shared/schemas/auth'
import { requireActor } from '../../plugins/auth.ts'
import { beginSetup, disable, enable, renewRecoveryCodes, twoFactorStatus } from './two-factor.ts'

/** Settings → Sicherheit: two-factor sign-in with an authenticator app (TOTP) and recovery codes. */
const twoFactorRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app

  app.get(
    '/me/two-factor',
    { schema: { tags: ['auth'], summary: 'Whether two-factor sign-in is on', response: { 200: TwoFactorStatusSchema, ...errorResponses } } },
    async (request) => twoFactorStatus(ctx, requireActor(request).id),
  )

  app.post(
    '/me/two-factor/setup',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'A new key for the authenticator app, as a QR code; on only after a code from it',
        response: { 200: TwoFactorSetupSchema, ...errorResponses },
      },
    },
    async (request) => beginSetup(ctx, requireActor(request).id),
  )

  app.post<{ Body: TwoFactorCodeBody }>(
    '/me/two-factor/enable',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor sign-in on with a code from the app; answers the recovery codes, once',
        body: TwoFactorCodeBodySchema,
        response: { 200: RecoveryCodesSchema, ...errorResponses },
      },
    },
    async (request) => ({ codes: await enable(ctx, requireActor(request).id, request.body.code) }),
  )

  app.post<{ Body: TwoFactorCodeBody }>(
    '/me/two-factor/recovery-codes',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'New recovery codes (the old ones stop working), with a current code',
        body: TwoFactorCodeBodySchema,
        response: { 200: RecoveryCodesSchema, ...errorResponses },
      },
    },
    async (request) => ({ codes: await renewRecoveryCodes(ctx, requireActor(request).id, request.body.code) }),
  )

  app.post<{ Body: TwoFactorDisableBody }>(
    '/me/two-factor/disable',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Turn two-factor sign-in off with the password and a code (not for administrators)',
        body: TwoFactorDisableBodySchema,
        response: { 200: OkSchema, ...errorResponses },
      },
    },
    async (request) => {
      await disable(ctx, requireActor(request).id, request.body.password, request.body.code)
      return { ok: true }
    },
  )
}

export default twoFactorRoutes
