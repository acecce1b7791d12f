import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '@vernetzt/shared/errors'
import {
  LoginBodySchema,
  LoginTwoFactorBodySchema,
  MeSchema,
  ResetConfirmBodySchema,
  ResetRequestBodySchema,
  VerifiedEmailSchema,
  VerifyEmailBodySchema,
  type LoginBody,
  type LoginTwoFactorBody,
  type ResetConfirmBody,
  type ResetRequestBody,
  type VerifyEmailBody,
} from '@vernetzt/shared/schemas/auth'
import { OkSchema, errorResponses } from '@vernetzt/shared/schemas/common'
import { clearSessionCookie, requireActor, startSession } from '../../plugins/auth.ts'
import { confirmEmailChange } from './email-change.ts'
import { resendVerification, verifyEmail } from './email.ts'
import { completeReset, requestReset } from './password-reset.ts'
import { SESSION_COOKIE, revokeSession } from './sessions.ts'
import type { MemberDoc } from './model.ts'
import { getMe, login, toMe } from './service.ts'
import { answerChallenge, openChallenge } from './two-factor.ts'

const routes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  const secure = ctx.config.secureCookies

  /** A member whose password was right: signed in here, or asked for the second factor first. */
  const signIn = async (request: FastifyRequest, reply: FastifyReply, member: MemberDoc, passed = false) => {
    if (member.twoFactor?.enabledAt && !passed) {
      const challenge = await openChallenge(ctx, member._id)
      throw new AppError('TWO_FACTOR_REQUIRED', 'Enter the code from your authenticator app.', { challenge })
    }
    await startSession(ctx, request, reply, member._id)
    return toMe(ctx, member)
  }

  app.post<{ Body: LoginBody }>(
    '/auth/login',
    {
      config: { limits: ['auth'] },
      schema: { tags: ['auth'], body: LoginBodySchema, response: { 200: MeSchema, ...errorResponses } },
    },
    async (request, reply) => signIn(request, reply, await login(ctx, request.body)),
  )

  // The second step of a sign-in with two-factor sign-in on (after TWO_FACTOR_REQUIRED).
  app.post<{ Body: LoginTwoFactorBody }>(
    '/auth/login/two-factor',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Finish a sign-in with the code from the authenticator app or a recovery code',
        body: LoginTwoFactorBodySchema,
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const memberId = await answerChallenge(ctx, request.body.challenge, request.body.code)
      const member = await ctx.models.Member.findById(memberId).lean()
      if (!member) throw new AppError('TOKEN_INVALID', 'This sign-in is not valid any more: sign in again.')
      return signIn(request, reply, member as MemberDoc, true)
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

  // The link of the verification mail: works without a session (it may open in another browser).
  app.post<{ Body: VerifyEmailBody }>(
    '/auth/verify-email',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Confirm an email address with the token from the verification mail',
        body: VerifyEmailBodySchema,
        response: { 200: VerifiedEmailSchema, ...errorResponses },
      },
    },
    async (request) => ({ email: (await verifyEmail(ctx, request.body.token)).email }),
  )

  // The link of the mail to a new address: works without a session, like the verification link.
  app.post<{ Body: VerifyEmailBody }>(
    '/auth/email-change/confirm',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Move the account to the new address with the token from the mail sent there',
        body: VerifyEmailBodySchema,
        response: { 200: VerifiedEmailSchema, ...errorResponses },
      },
    },
    async (request) => ({ email: (await confirmEmailChange(ctx, request.body.token)).email }),
  )

  // The same answer for every address, registered or not (the limit per address counts both).
  app.post<{ Body: ResetRequestBody }>(
    '/auth/password-reset',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Mail a password reset link to this address, if it has an account',
        body: ResetRequestBodySchema,
        response: { 202: OkSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      await requestReset(ctx, request.body.email)
      return reply.status(202).send({ ok: true })
    },
  )

  app.post<{ Body: ResetConfirmBody }>(
    '/auth/password-reset/confirm',
    {
      config: { limits: ['auth'] },
      schema: {
        tags: ['auth'],
        summary: 'Set a new password with the token from the reset mail; signs in here and out everywhere else',
        body: ResetConfirmBodySchema,
        response: { 200: MeSchema, ...errorResponses },
      },
    },
    // With two-factor sign-in on, the new password is set and the sign-in asks for the code.
    async (request, reply) => signIn(request, reply, await completeReset(ctx, request.body.token, request.body.password)),
  )

  app.post(
    '/me/email/verification',
    {
      config: { limits: ['auth'] },
      schema: { tags: ['auth'], summary: 'Send the verification mail again (once a minute)', response: { 202: OkSchema, ...errorResponses } },
    },
    async (request, reply) => {
      await resendVerification(ctx, requireActor(request).id)
      return reply.status(202).send({ ok: true })
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
