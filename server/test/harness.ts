import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { io as connect, type Socket } from 'socket.io-client'
import type { ClientToServerEvents, ServerToClientEvents } from '@vernetzt/shared/realtime'
import { inject } from 'vitest'
import { buildApp } from '../src/app.ts'
import { loadConfig, type Config } from '../src/config.ts'
import { openDatabase, type Database } from '../src/db/connect.ts'
import { prepareData } from '../src/main.ts'
import { ensureAdmin } from '../src/modules/referrals/index.ts'
import type { NodeHandler } from '../src/plugins/web.ts'
import { CODE_STEPS, nextStep, rememberTwoFactorKey, totpCode, twoFactorKeyOf } from './totp.ts'

export { totpCode } from './totp.ts'

export interface TestServer {
  url: string
  app: FastifyInstance
  db: Database
  config: Config
  close(): Promise<void>
}

/** A unique database per test file (and per server), so files run in parallel without sharing data. */
export function uniqueDbName(prefix: string): string {
  return `${prefix.replace(/[^a-z0-9]/gi, '').slice(0, 20)}_${randomBytes(4).toString('hex')}`
}

/** A real listening server (port 0) on the run's embedded FerretDB. */
export async function startTestServer(options: { dbName?: string; config?: Partial<Config>; webHandler?: NodeHandler | null } = {}): Promise<TestServer> {
  const dbName = options.dbName ?? uniqueDbName('t')
  const base = loadConfig(
    {
      LOG_LEVEL: 'silent',
      AUTH_RATE_LIMIT: '1000',
      WRITE_RATE_LIMIT: '100000',
      CONTENT_RATE_LIMIT: '100000',
      SESSION_SECRET: 'test-secret-test-secret-test-secret!!',
    },
    options.config,
  )
  if (!options.config?.mail) base.mail = { ...base.mail, smtpUrl: inject('smtpUrl') }
  const db = await openDatabase({ mongodbUri: inject('mongoUri'), dataDir: base.dataDir }, { dbName })
  // TEST_LOG=1 shows the server's log (5xx stacks included) while debugging a test.
  const app = await buildApp({
    config: { ...base, logLevel: process.env.TEST_LOG ? 'error' : base.logLevel },
    db,
    webHandler: options.webHandler ?? null,
    logger: !!process.env.TEST_LOG,
  })
  await prepareData(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  // Background jobs run as on a real node (feed delivery, backfills); tests that read their
  // results first wait for them with `settle`.
  app.jobs.start()
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  const url = `http://127.0.0.1:${port}`
  return {
    url,
    app,
    db,
    config: base,
    async close() {
      await app.jobs.stop()
      await app.close()
      await db.connection.dropDatabase().catch(() => {})
      await db.close()
    },
  }
}

/**
 * Waits until no background job (feed delivery, backfills, mail) is pending or running, retries
 * waiting for their backoff included; says which are open if that takes longer than `ms` (by
 * default within a test's 30 s). Jobs due only after that (a mail held for quiet hours) do not
 * count. (A test may scan the jobs collection; the app never does.)
 */
export async function settle(server: Pick<TestServer, 'app'>, ms = 25_000): Promise<void> {
  const deadline = Date.now() + ms
  const open = { state: { $in: ['pending', 'running'] }, runAt: { $lte: new Date(deadline) } }
  for (;;) {
    await server.app.jobs.drain()
    const left = await server.app.ctx.models.Job.collection.countDocuments(open)
    if (left === 0) return
    if (Date.now() > deadline) {
      const jobs = await server.app.ctx.models.Job.collection
        .find(open, { projection: { name: 1, state: 1, attempts: 1, runAt: 1, lastError: 1 } })
        .limit(5)
        .toArray()
      throw new Error(`${left} background jobs still open after ${ms} ms: ${JSON.stringify(jobs)}`)
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** A tiny API client with a cookie jar, the way a browser would talk to the server. */
export class Client {
  cookie = ''
  readonly base: string
  /** Headers every request sends (an Origin, as a browser on a public site would). */
  readonly headers: Record<string, string>
  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base
    this.headers = headers
  }

  async request<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.cookie ? { cookie: this.cookie } : {}),
        ...this.headers,
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const setCookie = res.headers.getSetCookie()
    for (const line of setCookie) {
      const [pair] = line.split(';')
      const [name, value] = pair!.split('=')
      const jar = new Map(
        this.cookie
          .split('; ')
          .filter(Boolean)
          .map((c) => c.split('=') as [string, string]),
      )
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name!)
      else jar.set(name!, value!)
      this.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ')
    }
    const text = await res.text()
    let json: T
    try {
      json = JSON.parse(text) as T
    } catch {
      json = text as T
    }
    return { status: res.status, body: json, headers: res.headers }
  }
  get<T = any>(path: string) {
    return this.request<T>('GET', path)
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers)
  }
  patch<T = any>(path: string, body: unknown) {
    return this.request<T>('PATCH', path, body)
  }
}

let counter = 0
/** Factory: registers a member through the public API and returns a signed-in client. */
export async function makeMember(
  server: { url: string },
  options: { handle?: string; role?: 'partner' | 'customer'; sponsor?: string; displayName?: string; password?: string; lang?: 'de' | 'en' } = {},
) {
  counter += 1
  const handle = options.handle ?? `m${counter}-${randomBytes(3).toString('hex')}`
  const client = new Client(server.url)
  const password = options.password ?? 'correct horse battery'
  const res = await client.post('/api/v1/auth/register', {
    email: `${handle}@example.org`,
    password,
    handle,
    displayName: options.displayName ?? `Member ${handle}`,
    role: options.role ?? 'partner',
    ...(options.sponsor ? { sponsor: options.sponsor } : {}),
    ...(options.lang ? { lang: options.lang } : {}),
  })
  if (res.status !== 201) throw new Error(`register ${handle} failed: ${res.status} ${JSON.stringify(res.body)}`)
  return { client, handle, email: `${handle}@example.org`, password, me: res.body }
}

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>
const openSockets: ClientSocket[] = []

/** A socket.io client on the server's origin, as a browser tab would open it; ready once the server said hello. */
export async function openSocket(url: string, options: { cookie?: string; origin?: string } = {}) {
  const socket: ClientSocket = connect(url, {
    transports: ['websocket'],
    extraHeaders: { ...(options.cookie ? { cookie: options.cookie } : {}), ...(options.origin ? { origin: options.origin } : {}) },
    reconnection: false,
  })
  openSockets.push(socket)
  const hello = await new Promise<{ userId: string | null; handle: string | null }>((resolve, reject) => {
    socket.once('hello', resolve)
    socket.once('connect_error', reject)
  })
  return { socket, hello }
}

export function closeSockets(): void {
  for (const socket of openSockets.splice(0)) socket.disconnect()
}

/**
 * A payment provider's webhook body for an order's payment reference, with the amount and
 * currency a real provider reports (the order's own, unless a test says otherwise).
 */
export async function paymentEventBody(
  server: { app: FastifyInstance },
  event: { id?: string; type: string; reference: string; occurredAt?: Date; amountCents?: number; currency?: string },
): Promise<string> {
  const { Key, Order } = server.app.ctx.models
  const key = await Key.findById(`payment:${event.reference}`).lean()
  const order = key ? await Order.findById(key.memberId, { totalCents: 1, currency: 1 }).lean() : null
  return JSON.stringify({
    id: event.id ?? `evt_${randomBytes(6).toString('hex')}`,
    type: event.type,
    reference: event.reference,
    occurredAt: (event.occurredAt ?? new Date()).toISOString(),
    amountCents: event.amountCents ?? order?.totalCents ?? 0,
    currency: event.currency ?? order?.currency ?? 'EUR',
  })
}

/**
 * A private community group whose owner invited a member who joined, and its chat room (made by
 * the member opening it). Throws if any step does not answer as a member would expect.
 */
export async function privateRoom(
  owner: { client: Client },
  member: { client: Client; handle: string },
  group: { slug: string; name: string },
): Promise<{ slug: string; roomId: string }> {
  const created = await owner.client.post('/api/v1/groups', { ...group, kind: 'community', visibility: 'private' })
  if (created.status !== 201) throw new Error(`creating ${group.slug} failed: ${created.status}`)
  await owner.client.post(`/api/v1/groups/${group.slug}/invitations`, { handle: member.handle })
  const joined = await member.client.post(`/api/v1/groups/${group.slug}/join`)
  if (joined.body.status !== 'joined') throw new Error(`joining ${group.slug} failed: ${JSON.stringify(joined.body)}`)
  const room = (await member.client.get(`/api/v1/groups/${group.slug}/chat`)).body as { id: string }
  return { slug: group.slug, roomId: room.id }
}

/** Turns two-factor sign-in on for a signed-in client through the API, as the settings page does. */
export async function turnOnTwoFactor(client: Client, email: string): Promise<{ secret: string; codes: string[] }> {
  const setup = await client.post('/api/v1/me/two-factor/setup')
  if (setup.status !== 200) throw new Error(`two-factor setup failed: ${setup.status} ${JSON.stringify(setup.body)}`)
  const enabled = await client.post('/api/v1/me/two-factor/enable', { code: totpCode(setup.body.secret) })
  if (enabled.status !== 200) throw new Error(`two-factor enable failed: ${enabled.status} ${JSON.stringify(enabled.body)}`)
  rememberTwoFactorKey(email, setup.body.secret)
  return { secret: setup.body.secret, codes: enabled.body.codes }
}

/**
 * Signs in with password and, when asked, the code of the key set up by `turnOnTwoFactor`
 * (the setup may have used the current step's code already).
 */
export async function signIn(client: Client, email: string, password: string) {
  const first = await client.post('/api/v1/auth/login', { email, password })
  if (first.status !== 401 || first.body.error?.code !== 'TWO_FACTOR_REQUIRED') return first
  const secret = twoFactorKeyOf(email)
  if (!secret) throw new Error(`${email} has two-factor sign-in on, with a key this test run did not set up`)
  const challenge = first.body.error.details.challenge
  let res = first
  for (const steps of CODE_STEPS) {
    if (steps === null) await nextStep()
    res = await client.post('/api/v1/auth/login/two-factor', { challenge, code: totpCode(secret, steps ?? 1) })
    if (res.body.error?.code !== 'TWO_FACTOR_CODE_WRONG') break
  }
  return res
}

/**
 * An administrator (created the way `npm run admin:create` does) signed in on a new client with
 * two-factor sign-in on, which administrators need for their rights.
 */
export async function adminClient(
  server: { url: string; app: FastifyInstance },
  input: { email: string; password: string; handle?: string; displayName?: string },
  client?: Client,
): Promise<Client> {
  // One signed-in client per admin and server: each sign-in uses up a code.
  const key = `${server.url} ${input.email.toLowerCase()}`
  const known = adminClients.get(key)
  if (known && !client && (await known.get('/api/v1/me')).body.role === 'admin') return known
  client ??= new Client(server.url)
  await ensureAdmin(server.app.ctx, input)
  const res = await signIn(client, input.email, input.password)
  if (res.status !== 200) throw new Error(`admin sign-in failed: ${res.status} ${JSON.stringify(res.body)}`)
  if (res.body.twoFactorRequired) await turnOnTwoFactor(client, input.email)
  adminClients.set(key, client)
  return client
}
const adminClients = new Map<string, Client>()
