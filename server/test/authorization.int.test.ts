import { randomBytes } from 'node:crypto'
import { Types } from 'mongoose'
import sharp from 'sharp'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Client, closeSockets, makeMember, openSocket, startTestServer, type TestServer, adminClient } from './harness.ts'

/** Sends any event with any payload: these tests feed the server what a typed client cannot. */
type LooseSocket = { emit: (...args: unknown[]) => void }
const looseEmit = (socket: unknown, ...args: unknown[]) => (socket as LooseSocket).emit(...args)

/**
 * The authorization matrix: every id-taking HTTP route of the OpenAPI document and every socket
 * event the server registers, each tried by the owner, another member, a member who was removed,
 * a signed-out session and an anonymous caller. A new route or event without an entry here fails
 * the first test.
 *
 * Kinds of entries:
 * - private: the object lives in a private group, a conversation or an order. The owner gets
 *   their answer; the others get exactly the answer for an id that does not exist (or 401).
 * - public: a profile, a product, a public listing. Nobody gets a 5xx; writes need a session.
 * - admin: only the administrator; everyone else 401/403/404.
 * - self: changes the caller's own relation to someone (follow, block); needs a session.
 * - request: asking to join a private group by its address. By design this tells an outsider
 *   that the group exists (the owner decides), and nothing else: the answer is "requested".
 */
let server: TestServer
type Caller = 'owner' | 'other' | 'removed' | 'loggedOut' | 'anonymous'
interface Fixture {
  owner: string
  group: string
  training: string
  post: string
  comment: string
  lesson: string
  room: string
  attachment: string
  order: string
  product: string
  period: string
  seq: number
  /** A second device's session of the owner. */
  session: string
}
const clients = {} as Record<Caller | 'admin', Client>
let f: Fixture
/** The same shapes with ids and names that do not exist. */
let missing: Fixture

beforeAll(async () => {
  server = await startTestServer()
  const olga = await makeMember(server, { handle: 'authz-olga' })
  const rita = await makeMember(server, { handle: 'authz-rita' })
  const otto = await makeMember(server, { handle: 'authz-otto' })
  clients.admin = await adminClient(server, { email: 'authz-admin@example.org', password: 'admin password 1', handle: 'authz-admin' })
  clients.owner = olga.client
  clients.removed = rita.client
  clients.other = otto.client
  clients.anonymous = new Client(server.url)
  clients.loggedOut = new Client(server.url)
  await clients.loggedOut.post('/api/v1/auth/login', { email: olga.email, password: olga.password })
  const oldCookie = clients.loggedOut.cookie
  await clients.loggedOut.post('/api/v1/auth/logout')
  clients.loggedOut.cookie = oldCookie // a browser that kept the cookie of a finished session

  const o = olga.client
  const secondDevice = new Client(server.url)
  await secondDevice.post('/api/v1/auth/login', { email: olga.email, password: olga.password })
  const devices = (await o.get('/api/v1/me/sessions')).body as { sessions: Array<{ id: string; current: boolean }> }
  const session = devices.sessions.find((s) => !s.current)!.id
  await o.post('/api/v1/groups', { name: 'Authz Gruppe', slug: 'authz-gruppe', kind: 'community', visibility: 'private' })
  await o.post('/api/v1/groups', { name: 'Authz Kurs', slug: 'authz-kurs', kind: 'training', visibility: 'private' })
  for (const slug of ['authz-gruppe', 'authz-kurs']) {
    await o.post(`/api/v1/groups/${slug}/invitations`, { handle: 'authz-rita' })
    expect((await rita.client.post(`/api/v1/groups/${slug}/join`)).body.status).toBe('joined')
  }
  const post = (await o.post('/api/v1/groups/authz-gruppe/posts', { kind: 'pr', body: 'Intern' })).body
  const comment = (await o.post(`/api/v1/posts/${post.id}/comments`, { body: 'Intern kommentiert' })).body
  const lesson = (await o.post('/api/v1/groups/authz-kurs/lessons', { title: 'Lektion eins', body: 'Inhalt', checklist: ['a'] })).body
  const room = (await o.get('/api/v1/groups/authz-gruppe/chat')).body
  const form = new FormData()
  form.append(
    'file',
    new Blob(
      [
        new Uint8Array(
          await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123' } })
            .png()
            .toBuffer(),
        ),
      ],
      { type: 'image/png' },
    ),
    'a.png',
  )
  const attachment = (await (
    await fetch(`${server.url}/api/v1/conversations/${room.id}/attachments`, { method: 'POST', body: form, headers: { cookie: o.cookie } })
  ).json()) as { id: string }
  const sent = (
    await o.post(`/api/v1/conversations/${room.id}/messages`, { body: 'Hallo Raum', clientMessageId: 'authz-room-1', attachments: [attachment.id] })
  ).body
  const product = (await clients.admin.post('/api/v1/admin/products', { name: 'Authz Produkt', priceCents: 1000, vatRateBp: 1900, commissionableCents: 800 }))
    .body
  const order = (await o.post('/api/v1/orders', { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: 'authz-order' })).body
  // Rita was a member of both groups and is removed now.
  for (const slug of ['authz-gruppe', 'authz-kurs']) await o.post(`/api/v1/groups/${slug}/members/remove`, { handle: 'authz-rita' })

  const last = new Date()
  last.setUTCMonth(last.getUTCMonth() - 1)
  f = {
    owner: 'authz-olga',
    group: 'authz-gruppe',
    training: 'authz-kurs',
    post: post.id,
    comment: comment.id,
    lesson: lesson.id,
    room: room.id,
    attachment: attachment.id,
    order: order.id,
    product: product.id,
    period: last.toISOString().slice(0, 7),
    seq: sent.seq,
    session,
  }
  const id = () => new Types.ObjectId().toString()
  missing = {
    owner: 'authz-niemand',
    group: 'authz-gibtsnicht',
    training: 'authz-gibtsnicht2',
    post: id(),
    comment: id(),
    lesson: id(),
    room: id(),
    attachment: randomBytes(16).toString('base64url'),
    order: id(),
    product: id(),
    period: '2001-01',
    seq: 999,
    session: randomBytes(32).toString('base64url'),
  }
})
afterEach(() => closeSockets())
afterAll(async () => {
  await server.close()
})

type Kind = 'private' | 'public' | 'admin' | 'self' | 'request'
interface Entry {
  kind: Kind
  path: (x: Fixture) => string
  body?: (x: Fixture) => unknown
  /** What the owner (for admin entries: the administrator) gets; 2xx unless given. */
  owner?: number[]
  /** Changes what other entries read: tried last. */
  destructive?: boolean
}

const MATRIX: Record<string, Entry> = {
  'DELETE /api/v1/comments/{id}': { kind: 'private', path: (x) => `/api/v1/comments/${x.comment}`, destructive: true },
  'DELETE /api/v1/conversations/{id}/messages/{seq}': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/messages/${x.seq}`, destructive: true },
  'DELETE /api/v1/lessons/{id}': { kind: 'private', path: (x) => `/api/v1/lessons/${x.lesson}`, destructive: true },
  'DELETE /api/v1/me/sessions/{id}': { kind: 'private', path: (x) => `/api/v1/me/sessions/${x.session}`, destructive: true },
  'DELETE /api/v1/me/blocks/{handle}': { kind: 'self', path: (x) => `/api/v1/me/blocks/${x.owner}` },
  'DELETE /api/v1/posts/{id}': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}`, destructive: true },
  'DELETE /api/v1/posts/{id}/like': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}/like` },
  'DELETE /api/v1/profiles/{handle}/follow': { kind: 'self', path: (x) => `/api/v1/profiles/${x.owner}/follow` },
  'GET /api/v1/admin/members/{handle}/upline': { kind: 'admin', path: (x) => `/api/v1/admin/members/${x.owner}/upline` },
  'GET /api/v1/admin/periods/{period}/payouts.csv': { kind: 'admin', path: (x) => `/api/v1/admin/periods/${x.period}/payouts.csv`, owner: [409] },
  'GET /api/v1/comments/{id}/replies': { kind: 'private', path: (x) => `/api/v1/comments/${x.comment}/replies` },
  'GET /api/v1/conversations/{id}': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}` },
  'GET /api/v1/conversations/{id}/attachments/{attachmentId}': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/attachments/${x.attachment}` },
  'GET /api/v1/conversations/{id}/messages': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/messages` },
  'GET /api/v1/groups/{slug}': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}` },
  'GET /api/v1/groups/{slug}/chat': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/chat` },
  'GET /api/v1/groups/{slug}/lessons': { kind: 'private', path: (x) => `/api/v1/groups/${x.training}/lessons` },
  'GET /api/v1/groups/{slug}/members': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/members` },
  'GET /api/v1/groups/{slug}/moderation/queue': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/moderation/queue` },
  'GET /api/v1/groups/{slug}/posts': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/posts` },
  'GET /api/v1/groups/{slug}/requests': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/requests` },
  'GET /api/v1/lessons/{id}': { kind: 'private', path: (x) => `/api/v1/lessons/${x.lesson}` },
  'GET /api/v1/lessons/{id}/progress': { kind: 'private', path: (x) => `/api/v1/lessons/${x.lesson}/progress` },
  'GET /api/v1/onboarding/{handle}': { kind: 'private', path: (x) => `/api/v1/onboarding/${x.owner}` },
  'GET /api/v1/orders/{id}': { kind: 'private', path: (x) => `/api/v1/orders/${x.order}` },
  'GET /api/v1/posts/{id}': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}` },
  'GET /api/v1/posts/{id}/comments': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}/comments` },
  'GET /api/v1/products/{id}': { kind: 'public', path: (x) => `/api/v1/products/${x.product}` },
  'GET /api/v1/profiles/{handle}': { kind: 'public', path: (x) => `/api/v1/profiles/${x.owner}` },
  'GET /api/v1/profiles/{handle}/follow': { kind: 'public', path: (x) => `/api/v1/profiles/${x.owner}/follow` },
  'GET /api/v1/profiles/{handle}/posts': { kind: 'public', path: (x) => `/api/v1/profiles/${x.owner}/posts` },
  'GET /api/v1/profiles/{handle}/qr.{format}': { kind: 'public', path: (x) => `/api/v1/profiles/${x.owner}/qr.svg` },
  'GET /api/v1/statements/{period}': { kind: 'self', path: (x) => `/api/v1/statements/${x.period}` },
  'GET /api/v1/statements/{period}.csv': { kind: 'self', path: (x) => `/api/v1/statements/${x.period}.csv` },
  'GET /api/v1/statements/{period}.pdf': { kind: 'self', path: (x) => `/api/v1/statements/${x.period}.pdf` },
  'GET /media/{id}': { kind: 'private', path: (x) => `/media/${x.attachment}`, owner: [404] },
  'PATCH /api/v1/conversations/{id}/messages/{seq}': {
    kind: 'private',
    path: (x) => `/api/v1/conversations/${x.room}/messages/${x.seq}`,
    body: () => ({ body: 'geändert' }),
  },
  'PATCH /api/v1/lessons/{id}': { kind: 'private', path: (x) => `/api/v1/lessons/${x.lesson}`, body: () => ({ title: 'Lektion eins neu' }) },
  'PATCH /api/v1/posts/{id}': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}`, body: () => ({ body: 'Intern geändert' }) },
  // Staff read and answer as the company, which is not in the owner's group conversation: not found for everyone.
  'GET /api/v1/admin/inbox/{id}/messages': { kind: 'admin', path: (x) => `/api/v1/admin/inbox/${x.room}/messages`, owner: [404] },
  'POST /api/v1/admin/inbox/{id}/messages': {
    kind: 'admin',
    path: (x) => `/api/v1/admin/inbox/${x.room}/messages`,
    body: () => ({ body: 'Hallo vom Team', clientMessageId: `authz-${randomBytes(6).toString('hex')}` }),
    owner: [404],
  },
  'POST /api/v1/admin/inbox/{id}/read': { kind: 'admin', path: (x) => `/api/v1/admin/inbox/${x.room}/read`, body: () => ({ seq: 1 }), owner: [404] },
  'GET /api/v1/admin/members/{handle}': { kind: 'admin', path: (x) => `/api/v1/admin/members/${x.owner}` },
  // Suspending the owner would end the sessions the rest of this file uses: the admin tries it on themselves, which is refused.
  'POST /api/v1/admin/members/{handle}/suspend': {
    kind: 'admin',
    path: (x) => `/api/v1/admin/members/${x === missing ? x.owner : 'authz-admin'}/suspend`,
    body: () => ({ reason: 'Test der Rechte' }),
    owner: [409],
  },
  'POST /api/v1/admin/members/{handle}/unsuspend': {
    kind: 'admin',
    path: (x) => `/api/v1/admin/members/${x.owner}/unsuspend`,
    body: () => ({ reason: 'Test der Rechte' }),
    owner: [409],
  },
  'PUT /api/v1/admin/members/{handle}/standing': {
    kind: 'admin',
    path: (x) => `/api/v1/admin/members/${x.owner}/standing`,
    body: () => ({ standing: 'member', reason: 'Test der Rechte' }),
    owner: [409],
  },
  // The sign-up mail went a moment ago: once a minute at most.
  'POST /api/v1/admin/members/{handle}/verification': { kind: 'admin', path: (x) => `/api/v1/admin/members/${x.owner}/verification`, owner: [200, 429] },
  'POST /api/v1/admin/members/{handle}/posting-limit': {
    kind: 'admin',
    path: (x) => `/api/v1/admin/members/${x.owner}/posting-limit`,
    body: () => ({ days: 0, reason: 'Test der Rechte' }),
  },
  'POST /api/v1/admin/periods/{period}/close': { kind: 'admin', path: () => '/api/v1/admin/periods/2099-01/close', owner: [422] },
  'POST /api/v1/conversations/{id}/accept': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/accept` },
  'POST /api/v1/conversations/{id}/attachments': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/attachments`, owner: [415] },
  'POST /api/v1/conversations/{id}/messages': {
    kind: 'private',
    path: (x) => `/api/v1/conversations/${x.room}/messages`,
    body: () => ({ body: 'Noch eine', clientMessageId: `authz-${randomBytes(6).toString('hex')}` }),
  },
  'POST /api/v1/conversations/{id}/read': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/read`, body: () => ({ seq: 1 }) },
  'POST /api/v1/groups/{slug}/invitations': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.group}/invitations`,
    body: () => ({ handle: 'authz-otto' }),
    destructive: true,
  },
  'POST /api/v1/groups/{slug}/join': { kind: 'request', path: (x) => `/api/v1/groups/${x.group}/join` },
  'POST /api/v1/groups/{slug}/leave': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/leave`, owner: [422] },
  'POST /api/v1/groups/{slug}/lessons': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.training}/lessons`,
    body: () => ({ title: 'Lektion zwei', body: 'Mehr' }),
  },
  'POST /api/v1/groups/{slug}/lessons/order': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.training}/lessons/order`,
    body: (x) => ({ ids: [x.lesson] }),
    owner: [200, 400],
  },
  'POST /api/v1/groups/{slug}/members/remove': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.group}/members/remove`,
    body: () => ({ handle: 'authz-rita' }),
    owner: [422],
  },
  'POST /api/v1/groups/{slug}/pins': { kind: 'private', path: (x) => `/api/v1/groups/${x.group}/pins`, body: (x) => ({ postId: x.post, pinned: true }) },
  'POST /api/v1/groups/{slug}/posts': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.group}/posts`,
    body: () => ({ kind: 'pr', body: 'Noch ein Beitrag' }),
  },
  'POST /api/v1/groups/{slug}/requests': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.group}/requests`,
    body: () => ({ handle: 'authz-otto', approve: false }),
    owner: [200, 404, 422],
  },
  'POST /api/v1/groups/{slug}/roles': {
    kind: 'private',
    path: (x) => `/api/v1/groups/${x.group}/roles`,
    body: () => ({ handle: 'authz-rita', role: 'moderator' }),
    owner: [422],
  },
  'POST /api/v1/lessons/{id}/progress': { kind: 'private', path: (x) => `/api/v1/lessons/${x.lesson}/progress`, body: () => ({ done: true }) },
  'POST /api/v1/moderation/posts/{id}/actions': {
    kind: 'private',
    path: (x) => `/api/v1/moderation/posts/${x.post}/actions`,
    body: () => ({ action: 'dismiss', reason: 'Nichts zu tun' }),
    owner: [409],
  },
  'POST /api/v1/payments/test/{id}': { kind: 'private', path: (x) => `/api/v1/payments/test/${x.order}`, body: () => ({ type: 'payment.paid' }) },
  'POST /api/v1/posts/{id}/comments': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}/comments`, body: () => ({ body: 'Noch ein Kommentar' }) },
  'POST /api/v1/posts/{id}/reports': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}/reports`, body: () => ({ reason: 'spam' }) },
  'POST /api/v1/profiles/{handle}/follow': { kind: 'self', path: (x) => `/api/v1/profiles/${x.owner}/follow`, owner: [422] },
  'PUT /api/v1/admin/products/{id}': {
    kind: 'admin',
    path: (x) => `/api/v1/admin/products/${x.product}`,
    body: () => ({ name: 'Authz Produkt', priceCents: 1000, vatRateBp: 1900, commissionableCents: 800 }),
  },
  'PUT /api/v1/conversations/{id}/settings': { kind: 'private', path: (x) => `/api/v1/conversations/${x.room}/settings`, body: () => ({ muted: true }) },
  'PUT /api/v1/me/blocks/{handle}': { kind: 'self', path: (x) => `/api/v1/me/blocks/${x.owner}`, owner: [400, 422] },
  'PUT /api/v1/posts/{id}/like': { kind: 'private', path: (x) => `/api/v1/posts/${x.post}/like` },
}

/** The socket events the server handles, each with its answer for a private room. */
const SOCKET_MATRIX: Record<string, { emit: (x: Fixture) => [string, unknown]; acked: boolean }> = {
  'conversation:join': { emit: (x) => ['conversation:join', { conversationId: x.room }], acked: true },
  'presence:watch': { emit: (x) => ['presence:watch', { conversationId: x.room }], acked: true },
  'message:send': {
    emit: (x) => ['message:send', { conversationId: x.room, body: 'Socket', clientMessageId: `authz-s-${randomBytes(5).toString('hex')}` }],
    acked: true,
  },
  typing: { emit: (x) => ['typing', { conversationId: x.room }], acked: false },
  read: { emit: (x) => ['read', { conversationId: x.room, seq: 1 }], acked: false },
  ping: { emit: () => ['ping', undefined], acked: true },
  // Carries no id: marks only the sender's own presence (signed-out sockets: nothing).
  visible: { emit: () => ['visible', undefined], acked: false },
}

async function call(who: Caller | 'admin', method: string, entry: Entry, x: Fixture) {
  const path = entry.path(x)
  const body = entry.body?.(x)
  const res = await clients[who].request(method, path, body)
  return { status: res.status, code: (res.body as { error?: { code?: string } })?.error?.code ?? null }
}
const ok = (status: number) => status >= 200 && status < 300

async function idTakingRoutes(): Promise<string[]> {
  const doc = (await (await fetch(`${server.url}/api/docs/json`)).json()) as { paths: Record<string, Record<string, unknown>> }
  const list: string[] = []
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (!path.includes('{')) continue
    for (const method of Object.keys(methods)) if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) list.push(`${method.toUpperCase()} ${path}`)
  }
  // The file route lives outside /api and outside the document's paths only if it is hidden.
  if (!list.includes('GET /media/{id}')) list.push('GET /media/{id}')
  return list.sort()
}

describe('the authorization matrix', () => {
  it('has an entry for every id-taking route and every socket event', async () => {
    expect(Object.keys(MATRIX).sort()).toEqual(await idTakingRoutes())
    const { socket } = await openSocket(server.url, { cookie: clients.owner.cookie })
    const [serverSocket] = await server.app.io.fetchSockets()
    const handled = (serverSocket as unknown as { eventNames(): Array<string | symbol> })
      .eventNames()
      .map(String)
      .filter((name) => name !== 'disconnect' && name !== 'disconnecting' && name !== 'error')
    expect(Object.keys(SOCKET_MATRIX).sort()).toEqual(handled.sort())
    socket.disconnect()
  })

  it('answers every caller as expected on every id-taking route', async () => {
    const problems: string[] = []
    const entries = Object.entries(MATRIX).sort(([, a], [, b]) => Number(!!a.destructive) - Number(!!b.destructive))
    for (const [key, entry] of entries) {
      const method = key.split(' ')[0]!
      const expectOwner = entry.owner ?? null
      const asMissing = await call(entry.kind === 'admin' ? 'admin' : 'owner', method, entry, missing)
      for (const who of ['anonymous', 'loggedOut', 'removed', 'other'] as const) {
        const got = await call(who, method, entry, f)
        const where = `${key} as ${who}: ${got.status} ${got.code ?? ''}`
        if (got.status >= 500) problems.push(where)
        else if (entry.kind === 'private') {
          const likeMissing = got.status === asMissing.status && got.code === asMissing.code
          const signedOut = who === 'anonymous' || who === 'loggedOut'
          if (ok(got.status) || !(likeMissing || (signedOut && got.status === 401)))
            problems.push(`${where} (a missing id answers ${asMissing.status} ${asMissing.code})`)
        } else if (entry.kind === 'request') {
          const signedOut = who === 'anonymous' || who === 'loggedOut'
          if (signedOut ? got.status !== 401 : got.status !== 200) problems.push(where)
        } else if (entry.kind === 'admin') {
          if (![401, 403, 404].includes(got.status)) problems.push(where)
        } else if ((who === 'anonymous' || who === 'loggedOut') && method !== 'GET' && got.status !== 401) problems.push(where)
        else if (entry.kind === 'self' && (who === 'anonymous' || who === 'loggedOut') && got.status !== 401) problems.push(where)
      }
      const owner = await call(entry.kind === 'admin' ? 'admin' : 'owner', method, entry, f)
      const ownerOk = expectOwner ? expectOwner.includes(owner.status) : ok(owner.status)
      if (!ownerOk) problems.push(`${key} as owner: ${owner.status} ${owner.code ?? ''}`)
    }
    expect(problems).toEqual([])
  }, 120_000)

  it('answers socket events on a private room to the owner only', async () => {
    const answers: Record<string, Record<string, unknown>> = {}
    for (const who of ['owner', 'other', 'removed', 'loggedOut', 'anonymous'] as const) {
      const { socket, hello } = await openSocket(server.url, clients[who].cookie ? { cookie: clients[who].cookie } : {})
      if (who === 'loggedOut' || who === 'anonymous') expect(hello.userId).toBeNull()
      answers[who] = {}
      for (const [name, event] of Object.entries(SOCKET_MATRIX)) {
        const [type, payload] = event.emit(f)
        if (!event.acked) {
          looseEmit(socket, type as never, payload as never)
          continue
        }
        answers[who][name] = await new Promise((resolve) =>
          payload === undefined ? looseEmit(socket, type as never, resolve as never) : looseEmit(socket, type as never, payload as never, resolve as never),
        )
      }
      socket.disconnect()
    }
    expect(answers.owner).toMatchObject({ 'conversation:join': { ok: true }, 'presence:watch': { ok: true }, 'message:send': { ok: true } })
    for (const who of ['other', 'removed'] as const) {
      expect(answers[who]).toMatchObject({
        'conversation:join': { ok: false },
        'presence:watch': { ok: false },
        'message:send': { ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } },
      })
    }
    for (const who of ['loggedOut', 'anonymous'] as const) {
      expect(answers[who]).toMatchObject({
        'conversation:join': { ok: false },
        'presence:watch': { ok: false },
        'message:send': { ok: false, error: { code: 'UNAUTHENTICATED' } },
      })
    }
    // Only the owner's socket message was stored.
    const history = (await clients.owner.get(`/api/v1/conversations/${f.room}/messages`)).body.items as Array<{ html: string }>
    expect(history.filter((m) => m.html === '<p>Socket</p>\n')).toHaveLength(1)
  })
})
