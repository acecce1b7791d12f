import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv } from 'ajv'
import type { FromSchema } from 'json-schema-to-ts'
import { generateVapidKeys, vapidSigningKey, type VapidKeys } from './modules/push/webpush.ts'

/**
 * Every environment variable Vernetzt reads, validated once at boot. The README's configuration
 * table mirrors this schema; `.env.example` lists the same names.
 */
export const ConfigSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['PORT', 'HOST', 'DATA_DIR', 'LOG_LEVEL', 'ROOT_HANDLE', 'ROOT_DISPLAY_NAME', 'AUTH_RATE_LIMIT'],
  properties: {
    PORT: { type: 'integer', minimum: 0, maximum: 65535, default: 3000 },
    HOST: { type: 'string', minLength: 1, default: '0.0.0.0' },
    PUBLIC_URL: { type: 'string', pattern: '^https?://[^/]+$' },
    BASE_DOMAIN: { type: 'string', pattern: '^[a-z0-9.-]+$' },
    MONGODB_URI: { type: 'string', pattern: '^mongodb(\\+srv)?://' },
    DATA_DIR: { type: 'string', minLength: 1, default: './data' },
    /** When the embedded database syncs to disk: 'normal' at checkpoints, 'full' on every commit. */
    EMBEDDED_DB_SYNC: { type: 'string', enum: ['normal', 'full'], default: 'normal' },
    SESSION_SECRET: { type: 'string', minLength: 32 },
    REDIS_URL: { type: 'string', pattern: '^rediss?://' },
    LOG_LEVEL: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
    TRUST_PROXY: { type: 'boolean', default: false },
    ROOT_HANDLE: { type: 'string', pattern: '^[a-z0-9-]{3,30}$', default: 'vernetzt' },
    ROOT_DISPLAY_NAME: { type: 'string', minLength: 1, default: 'Vernetzt' },
    ROOT_EMAIL: { type: 'string', format: 'email' },
    ADMIN_EMAIL: { type: 'string', format: 'email' },
    ADMIN_PASSWORD: { type: 'string', minLength: 10 },
    AUTH_RATE_LIMIT: { type: 'integer', minimum: 1, default: 10 },
    /** Web push identity (RFC 8292): raw P-256 keys, base64url; generated into DATA_DIR when unset. */
    VAPID_PUBLIC_KEY: { type: 'string', pattern: '^[A-Za-z0-9_-]{87}$' },
    VAPID_PRIVATE_KEY: { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$' },
    VAPID_SUBJECT: { type: 'string', pattern: '^(mailto:[^\\s@]+@[^\\s@]+|https://[^\\s]+)$' },
    /** Comma-separated push service hosts accepted besides the built-in list (see modules/push/endpoints.ts). */
    PUSH_SERVICE_HOSTS: { type: 'string', pattern: '^[a-z0-9.-]+(,[a-z0-9.-]+)*$' },
    /** Tests and local development only: accept push endpoints on localhost over http. */
    PUSH_ALLOW_LOOPBACK: { type: 'boolean', default: false },
    MESSAGE_RATE_LIMIT: { type: 'integer', minimum: 4, default: 60 },
    /** Shared secret that signs the payment provider's webhooks (the bundled test provider's HMAC key). */
    PAYMENT_WEBHOOK_SECRET: { type: 'string', minLength: 32 },
    /**
     * Who takes the money. 'test' is the bundled provider where payments are confirmed by a click
     * and no money moves: the default only while PUBLIC_URL is a loopback origin. 'none' keeps the
     * shop browsable but checkout closed.
     */
    PAYMENT_PROVIDER: { type: 'string', enum: ['test', 'none'] },
    /** State-changing API requests a minute per member (likes, follows, settings, …). */
    WRITE_RATE_LIMIT: { type: 'integer', minimum: 1, default: 120 },
    /** Things that reach other people a minute per member: posts, comments, reports, uploads, new conversations. */
    CONTENT_RATE_LIMIT: { type: 'integer', minimum: 1, default: 20 },
    /**
     * Where mail goes: smtp://host:587 (STARTTLS when offered) or smtps://host:465, with
     * user:password@ when the server asks. Unset: the development mail server (Mailpit) is started.
     */
    SMTP_URL: { type: 'string', pattern: '^smtps?://[^\\s]+$' },
    /** The sender of every mail: "Name <address>" or an address (default "<ROOT_DISPLAY_NAME> <noreply@BASE_DOMAIN>"). */
    /** Minutes a message stays unread (its reader away) before it is mailed. */
    MISSED_MESSAGE_MAIL_MINUTES: { type: 'number', minimum: 0.01, maximum: 10080 },
    MAIL_FROM: { type: 'string', pattern: '^([^<>]+ <[^\\s@<>]+@[^\\s@<>]+>|[^\\s@<>]+@[^\\s@<>]+)$' },
    /** Failed sign-ins for one account before it waits (30 s, doubling with each further failure, at most 1 h). */
    LOGIN_FAILURES_BEFORE_BACKOFF: { type: 'integer', minimum: 1, default: 5 },
  },
  dependencies: {
    ADMIN_EMAIL: ['ADMIN_PASSWORD'],
    ADMIN_PASSWORD: ['ADMIN_EMAIL'],
    VAPID_PUBLIC_KEY: ['VAPID_PRIVATE_KEY'],
    VAPID_PRIVATE_KEY: ['VAPID_PUBLIC_KEY'],
  },
} as const

type RawConfig = FromSchema<typeof ConfigSchema>

export interface Config {
  port: number
  host: string
  /** Origin of the main site, e.g. https://vernetzt.example (no trailing slash). */
  publicUrl: string
  /** Domain under which every profile has its own host: anna.<baseDomain>. */
  baseDomain: string
  mongodbUri: string | undefined
  dataDir: string
  /** SQLite's synchronous setting for the embedded FerretDB (see README, Configuration). */
  embeddedDbSync: 'normal' | 'full'
  sessionSecret: string
  redisUrl: string | undefined
  logLevel: RawConfig['LOG_LEVEL']
  trustProxy: boolean
  root: { handle: string; displayName: string; email: string }
  admin: { email: string; password: string } | undefined
  /** Attempts per minute and IP on login and registration. */
  authRateLimit: number
  /** Chat messages a minute per sender (a quarter of it may come at once). */
  messageRateLimit: number
  paymentWebhookSecret: string
  paymentProvider: 'test' | 'none'
  limits: {
    /** State-changing API requests a minute per member. */
    writes: number
    /** Posts, comments, reports, uploads and new conversations a minute per member. */
    content: number
    /** Failed sign-ins for one account before backoff. */
    loginFailures: number
  }
  mail: {
    /** SMTP_URL, or the development mail server's (set by main.ts once it runs). */
    smtpUrl: string | undefined
    from: string
    /** The development mail server's web inbox, when it runs. */
    devInbox: string | undefined
    /** How long a message stays unread (its reader away) before it is mailed. */
    missedAfterMs: number
  }
  /** True when cookies must carry `Secure` (the public URL is https). */
  secureCookies: boolean
  push: {
    vapid: VapidKeys
    /** The contact push services see in our VAPID token: mailto: or https:. */
    subject: string
    /** Push service hosts accepted besides the built-in list. */
    serviceHosts: string[]
    /** Accept http://localhost endpoints (tests, local development). Never in production: see endpoints.ts. */
    allowLoopback: boolean
  }
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const ajv = new Ajv({ coerceTypes: true, useDefaults: true, allErrors: true, allowUnionTypes: true })
  // Formats we need without pulling in ajv-formats for the whole config.
  ajv.addFormat('email', /^[^\s@]+@[^\s@]+\.[^\s@]+$/)
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(ConfigSchema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const validate = ajv.compile<RawConfig>(ConfigSchema)
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath.slice(1) || 'config'} ${e.message}`)
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`)
  }
  const c = raw as RawConfig
  const publicUrl = (c.PUBLIC_URL ?? `http://localhost:${c.PORT === 0 ? 3000 : c.PORT}`).replace(/\/$/, '')
  const baseDomain = c.BASE_DOMAIN ?? new URL(publicUrl).hostname
  const dataDir = path.resolve(c.DATA_DIR)
  const config: Config = {
    port: c.PORT,
    host: c.HOST,
    publicUrl,
    baseDomain,
    mongodbUri: c.MONGODB_URI,
    dataDir,
    embeddedDbSync: c.EMBEDDED_DB_SYNC,
    sessionSecret: c.SESSION_SECRET ?? '',
    redisUrl: c.REDIS_URL,
    logLevel: c.LOG_LEVEL,
    trustProxy: c.TRUST_PROXY ?? false,
    root: {
      handle: c.ROOT_HANDLE,
      displayName: c.ROOT_DISPLAY_NAME,
      email: c.ROOT_EMAIL ?? `root@${baseDomain.includes('.') ? baseDomain : 'vernetzt.invalid'}`,
    },
    admin: c.ADMIN_EMAIL && c.ADMIN_PASSWORD ? { email: c.ADMIN_EMAIL, password: c.ADMIN_PASSWORD } : undefined,
    authRateLimit: c.AUTH_RATE_LIMIT,
    messageRateLimit: c.MESSAGE_RATE_LIMIT ?? 60,
    paymentWebhookSecret: c.PAYMENT_WEBHOOK_SECRET ?? '',
    paymentProvider: c.PAYMENT_PROVIDER ?? (isLoopbackOrigin(publicUrl) ? 'test' : 'none'),
    limits: { writes: c.WRITE_RATE_LIMIT ?? 120, content: c.CONTENT_RATE_LIMIT ?? 20, loginFailures: c.LOGIN_FAILURES_BEFORE_BACKOFF ?? 5 },
    mail: {
      smtpUrl: c.SMTP_URL,
      from: c.MAIL_FROM ?? `${c.ROOT_DISPLAY_NAME.replace(/[<>"]/g, '')} <noreply@${baseDomain.includes('.') ? baseDomain : 'vernetzt.invalid'}>`,
      devInbox: undefined,
      missedAfterMs: Math.round((c.MISSED_MESSAGE_MAIL_MINUTES ?? 15) * 60_000),
    },
    secureCookies: publicUrl.startsWith('https://'),
    push: {
      vapid: c.VAPID_PUBLIC_KEY && c.VAPID_PRIVATE_KEY ? { publicKey: c.VAPID_PUBLIC_KEY, privateKey: c.VAPID_PRIVATE_KEY } : { publicKey: '', privateKey: '' },
      subject: c.VAPID_SUBJECT ?? '',
      serviceHosts: c.PUSH_SERVICE_HOSTS?.split(',') ?? [],
      allowLoopback: c.PUSH_ALLOW_LOOPBACK ?? false,
    },
    ...overrides,
  }
  if (!config.sessionSecret) config.sessionSecret = persistedSecret(config.dataDir)
  if (!config.paymentWebhookSecret) config.paymentWebhookSecret = persistedSecret(config.dataDir, 'payment-webhook-secret')
  // Empty push fields (also in overrides) mean "the default", so a test can override one field.
  if (!config.push.vapid.publicKey) config.push = { ...config.push, vapid: persistedVapidKeys(config.dataDir) }
  if (!config.push.subject)
    config.push = { ...config.push, subject: config.publicUrl.startsWith('https://') ? config.publicUrl : `mailto:${config.root.email}` }
  try {
    vapidSigningKey(config.push.vapid)
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${(error as Error).message}`)
  }
  return config
}

/** localhost, *.localhost, 127.0.0.0/8 and [::1]: a site nobody else can reach. */
export function isLoopbackOrigin(url: string): boolean {
  const host = new URL(url).hostname
  return host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]'
}

/**
 * Without SESSION_SECRET a single node keeps a generated one under DATA_DIR, so sessions survive
 * restarts. Several nodes must share one, so the README tells operators to set it there.
 */
function persistedSecret(dataDir: string, name = 'session-secret'): string {
  const file = path.join(dataDir, name)
  try {
    return readFileSync(file, 'utf8').trim()
  } catch {
    mkdirSync(dataDir, { recursive: true })
    try {
      writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600, flag: 'wx' })
    } catch (error) {
      // Another process (a script beside the server) wrote it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    return readFileSync(file, 'utf8').trim()
  }
}

/**
 * Like the session secret: without VAPID_* a single node keeps a generated key pair under
 * DATA_DIR, so push works out of the box and browsers' subscriptions (which are bound to the
 * public key) survive restarts. Several nodes must share one pair: set VAPID_* there.
 */
function persistedVapidKeys(dataDir: string): VapidKeys {
  const file = path.join(dataDir, 'vapid-keys.json')
  const read = () => JSON.parse(readFileSync(file, 'utf8')) as VapidKeys
  try {
    return read()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw new ConfigError(`Cannot read ${file}: ${(error as Error).message}`)
    mkdirSync(dataDir, { recursive: true })
    try {
      writeFileSync(file, JSON.stringify(generateVapidKeys()), { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    return read()
  }
}
