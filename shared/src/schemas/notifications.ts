import type { FromSchema } from 'json-schema-to-ts'

/** "HH:MM", 24-hour clock. */
const ClockTimeSchema = { type: 'string', pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' } as const
/** An IANA time zone name such as Europe/Berlin; the server also checks that it knows the zone. */
const TimeZoneSchema = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z][A-Za-z0-9_+/-]*$' } as const

export const QuietHoursSchema = {
  type: 'object',
  required: ['enabled', 'start', 'end', 'timeZone'],
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    /** Local time in `timeZone` when quiet hours begin; may be later than `end` (the window crosses midnight). */
    start: ClockTimeSchema,
    end: ClockTimeSchema,
    timeZone: TimeZoneSchema,
  },
} as const
export type QuietHours = FromSchema<typeof QuietHoursSchema>

export const DEFAULT_QUIET_HOURS: QuietHours = { enabled: true, start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' }

/** Which non-essential mails a member gets (each has a one-click unsubscribe too). */
export const MailSettingsSchema = {
  type: 'object',
  required: ['messages', 'digest'],
  additionalProperties: false,
  properties: {
    /** A mail when a message stays unread while the member is away. */
    messages: { type: 'boolean' },
    /** A summary of the team and groups, daily or weekly at a local morning hour. */
    digest: { type: 'string', enum: ['daily', 'weekly', 'off'] },
  },
} as const
export type MailSettings = FromSchema<typeof MailSettingsSchema>
export const DEFAULT_MAIL_SETTINGS: MailSettings = { messages: true, digest: 'weekly' }
/** The kinds of mail a member can switch off, as they appear in unsubscribe links. */
export const MAIL_KINDS = ['messages', 'digest'] as const
export type MailKind = (typeof MAIL_KINDS)[number]

export const NotificationSettingsSchema = {
  type: 'object',
  required: ['quietHours', 'mail', 'pushDevices', 'updatedAt'],
  additionalProperties: false,
  properties: {
    quietHours: QuietHoursSchema,
    mail: MailSettingsSchema,
    /** Browsers (devices) that receive web push for this member. */
    pushDevices: { type: 'integer', minimum: 0 },
    /** Null while the member has never saved settings (the defaults apply). */
    updatedAt: { type: ['string', 'null'], format: 'date-time' },
  },
} as const
export type NotificationSettings = FromSchema<typeof NotificationSettingsSchema>

/** PUT /me/notification-settings: any subset of the quiet-hours and mail fields. */
export const NotificationSettingsBodySchema = {
  type: 'object',
  required: [],
  minProperties: 1,
  additionalProperties: false,
  properties: {
    quietHours: { ...QuietHoursSchema, required: [], minProperties: 1 },
    mail: { ...MailSettingsSchema, required: [], minProperties: 1 },
  },
} as const
export type NotificationSettingsBody = FromSchema<typeof NotificationSettingsBodySchema>

/** PushSubscription.toJSON() from the browser, plus the language its notifications should use. */
export const PushSubscriptionBodySchema = {
  type: 'object',
  required: ['endpoint', 'keys'],
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', minLength: 8, maxLength: 2048 },
    /** Browsers send null when they have no expiry; we do not use it. */
    expirationTime: { type: ['number', 'null'] },
    keys: {
      type: 'object',
      required: ['p256dh', 'auth'],
      additionalProperties: false,
      properties: {
        p256dh: { type: 'string', pattern: '^[A-Za-z0-9_-]{87}={0,1}$' },
        auth: { type: 'string', pattern: '^[A-Za-z0-9_-]{22}(==)?$' },
      },
    },
    lang: { type: 'string', enum: ['de', 'en'] },
  },
} as const
export type PushSubscriptionBody = FromSchema<typeof PushSubscriptionBodySchema>

export const PushUnsubscribeBodySchema = {
  type: 'object',
  required: ['endpoint'],
  additionalProperties: false,
  properties: { endpoint: { type: 'string', minLength: 1, maxLength: 2048 } },
} as const
export type PushUnsubscribeBody = FromSchema<typeof PushUnsubscribeBodySchema>

export const PushKeySchema = {
  type: 'object',
  required: ['publicKey'],
  additionalProperties: false,
  properties: { publicKey: { type: 'string' } },
} as const

/** What the service worker receives in a push message (encrypted on the way). */
export interface PushPayload {
  title: string
  body: string
  /** A path on our site to open when the notification is clicked. */
  url: string
  /** Notifications with the same tag replace each other on the device. */
  tag: string
  /** How many notifications this message stands for (more than one: a summary after quiet hours). */
  count: number
}

/**
 * Where a notification leads, from its type and data: the conversation, lesson, group or
 * profile it is about, else the notification list. Used for push messages (and usable by the list).
 */
export function notificationPath(data: Record<string, string>): string {
  const segment = (value: string) => encodeURIComponent(value)
  if (data.conversationId) return `/messages/${segment(data.conversationId)}`
  if (data.lessonId) return `/lessons/${segment(data.lessonId)}`
  if (data.group) return `/groups/${segment(data.group)}`
  if (data.handle) return `/p/${segment(data.handle)}`
  return '/notifications'
}

export const UnsubscribeQuerySchema = {
  type: 'object',
  required: ['token'],
  additionalProperties: false,
  properties: { token: { type: 'string', minLength: 1, maxLength: 200 } },
} as const
export type UnsubscribeQuery = FromSchema<typeof UnsubscribeQuerySchema>

export const UnsubscribedSchema = {
  type: 'object',
  required: ['kind'],
  additionalProperties: false,
  properties: { kind: { type: 'string', enum: MAIL_KINDS } },
} as const
