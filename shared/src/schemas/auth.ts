import type { FromSchema } from 'json-schema-to-ts'
import { MemberSummarySchema } from './common.ts'

export const ROLES = ['partner', 'customer', 'admin'] as const
export type Role = (typeof ROLES)[number]

export const PASSWORD_MIN = 10
export const PASSWORD_MAX = 200

export const RegisterBodySchema = {
  type: 'object',
  required: ['email', 'password', 'handle', 'displayName', 'role'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX },
    handle: { type: 'string', minLength: 1, maxLength: 60 },
    displayName: { type: 'string', minLength: 1, maxLength: 80, pattern: '\\S' },
    role: { type: 'string', enum: ['partner', 'customer'] },
    sponsor: { type: 'string', minLength: 1, maxLength: 60 },
    /** The referral the visitor arrived with (link or consented cookie); used when `sponsor` is absent. */
    referral: { type: 'string', minLength: 1, maxLength: 60 },
    /** The language mail is written in (default German). */
    lang: { type: 'string', enum: ['de', 'en'] },
  },
} as const
export type RegisterBody = FromSchema<typeof RegisterBodySchema>

export const LoginBodySchema = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', minLength: 1, maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
  },
} as const
export type LoginBody = FromSchema<typeof LoginBodySchema>

/** The signed-in member's own view of themselves. */
export const MeSchema = {
  type: 'object',
  required: [
    'id',
    'handle',
    'email',
    'emailVerified',
    'twoFactor',
    'twoFactorRequired',
    'moderator',
    'pendingEmail',
    'displayName',
    'role',
    'avatarUrl',
    'sponsor',
    'depth',
    'createdAt',
    'unreadNotifications',
  ],
  additionalProperties: false,
  properties: {
    ...MemberSummarySchema.properties,
    email: { type: 'string' },
    /** Whether the member confirmed the address through the verification mail. */
    emailVerified: { type: 'boolean' },
    /** A new address asked for, waiting for its confirmation link to be opened. */
    pendingEmail: { type: ['string', 'null'] },
    /** Whether sign-in asks for a code from an authenticator app. */
    twoFactor: { type: 'boolean' },
    /** An administrator without two-factor sign-in: acts as a partner until it is on. */
    twoFactorRequired: { type: 'boolean' },
    /** A site-wide moderator (admins moderate as well). */
    moderator: { type: 'boolean' },
    sponsor: { anyOf: [MemberSummarySchema, { type: 'null' }] },
    depth: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
    unreadNotifications: { type: 'integer' },
  },
} as const
export type Me = FromSchema<typeof MeSchema>

export const VerifyEmailBodySchema = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
} as const
export type VerifyEmailBody = FromSchema<typeof VerifyEmailBodySchema>

export const VerifiedEmailSchema = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: { type: 'string' } },
} as const

export const ResetRequestBodySchema = {
  type: 'object',
  required: ['email'],
  additionalProperties: false,
  properties: { email: { type: 'string', format: 'email', maxLength: 254 } },
} as const
export type ResetRequestBody = FromSchema<typeof ResetRequestBodySchema>

export const ResetConfirmBodySchema = {
  type: 'object',
  required: ['token', 'password'],
  additionalProperties: false,
  properties: {
    token: { type: 'string', minLength: 1, maxLength: 200 },
    password: { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX },
  },
} as const
export type ResetConfirmBody = FromSchema<typeof ResetConfirmBodySchema>

export const ChangePasswordBodySchema = {
  type: 'object',
  required: ['current', 'password'],
  additionalProperties: false,
  properties: {
    current: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
    password: { type: 'string', minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX },
  },
} as const
export type ChangePasswordBody = FromSchema<typeof ChangePasswordBodySchema>

export const SessionParamsSchema = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: 100 } },
} as const
export type SessionParams = FromSchema<typeof SessionParamsSchema>

export const SessionSchema = {
  type: 'object',
  required: ['id', 'current', 'browser', 'os', 'createdAt', 'lastSeenAt'],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    /** The session of the device asking. */
    current: { type: 'boolean' },
    browser: { type: ['string', 'null'] },
    os: { type: ['string', 'null'] },
    createdAt: { type: 'string', format: 'date-time' },
    lastSeenAt: { type: 'string', format: 'date-time' },
  },
} as const
export type SessionInfo = FromSchema<typeof SessionSchema>

export const SessionListSchema = {
  type: 'object',
  required: ['sessions'],
  additionalProperties: false,
  properties: { sessions: { type: 'array', items: SessionSchema } },
} as const

/** A sign-in's second step: the challenge from TWO_FACTOR_REQUIRED and a code (or a recovery code). */
export const LoginTwoFactorBodySchema = {
  type: 'object',
  required: ['challenge', 'code'],
  additionalProperties: false,
  properties: {
    challenge: { type: 'string', minLength: 1, maxLength: 200 },
    code: { type: 'string', minLength: 1, maxLength: 30 },
  },
} as const
export type LoginTwoFactorBody = FromSchema<typeof LoginTwoFactorBodySchema>

export const TwoFactorStatusSchema = {
  type: 'object',
  required: ['enabled', 'recoveryLeft', 'required'],
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    /** Unused recovery codes. */
    recoveryLeft: { type: 'integer' },
    /** The member's role needs it (administrators): it cannot be turned off. */
    required: { type: 'boolean' },
  },
} as const
export type TwoFactorStatus = FromSchema<typeof TwoFactorStatusSchema>

export const TwoFactorSetupSchema = {
  type: 'object',
  required: ['secret', 'uri', 'qrSvg'],
  additionalProperties: false,
  properties: {
    /** The key in base32, for typing into the app by hand. */
    secret: { type: 'string' },
    /** The otpauth:// URI the QR code holds. */
    uri: { type: 'string' },
    qrSvg: { type: 'string' },
  },
} as const
export type TwoFactorSetup = FromSchema<typeof TwoFactorSetupSchema>

export const TwoFactorCodeBodySchema = {
  type: 'object',
  required: ['code'],
  additionalProperties: false,
  properties: { code: { type: 'string', minLength: 1, maxLength: 30 } },
} as const
export type TwoFactorCodeBody = FromSchema<typeof TwoFactorCodeBodySchema>

export const TwoFactorDisableBodySchema = {
  type: 'object',
  required: ['password', 'code'],
  additionalProperties: false,
  properties: {
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
    code: { type: 'string', minLength: 1, maxLength: 30 },
  },
} as const
export type TwoFactorDisableBody = FromSchema<typeof TwoFactorDisableBodySchema>

/** Shown once: when two-factor sign-in is turned on, or the codes are made anew. */
export const RecoveryCodesSchema = {
  type: 'object',
  required: ['codes'],
  additionalProperties: false,
  properties: { codes: { type: 'array', items: { type: 'string' } } },
} as const
export type RecoveryCodes = FromSchema<typeof RecoveryCodesSchema>

export const EmailChangeBodySchema = {
  type: 'object',
  required: ['email', 'password'],
  additionalProperties: false,
  properties: {
    email: { type: 'string', format: 'email', maxLength: 254 },
    password: { type: 'string', minLength: 1, maxLength: PASSWORD_MAX },
  },
} as const
export type EmailChangeBody = FromSchema<typeof EmailChangeBodySchema>

export const PendingEmailSchema = {
  type: 'object',
  required: ['pendingEmail'],
  additionalProperties: false,
  properties: { pendingEmail: { type: 'string' } },
} as const
