import sharp from 'sharp'
import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, openSocket, paymentEventBody, startTestServer, type TestServer, adminClient } from './harness.ts'
import { SIGNATURE_HEADER, signWebhook } from '../src/modules/commerce/payments.ts'

/**
 * The holes found on a fresh instance (issue 10), each as the request that found it. Every test
 * here failed before its fix.
 */
let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const anonymous = () => new Client(server.url)

async function upload(client: Client, path: string, field: string, file: Blob, name: string) {
  const form = new FormData()
  form.append(field, file, name)
  const res = await fetch(`${server.url}${path}`, { method: 'POST', body: form, headers: { cookie: client.cookie } })
  return { status: res.status, body: (await res.json()) as { id: string; url: string } }
}
const png = async () =>
  new Blob(
    [
      new Uint8Array(
        await sharp({ create: { width: 40, height: 30, channels: 3, background: '#a48' } })
          .png()
          .toBuffer(),
      ),
    ],
    { type: 'image/png' },
  )
const pdf = () => new Blob([new TextEncoder().encode('%PDF-1.4\n% Handout\n')], { type: 'application/pdf' })

async function fetchAs(client: Client | null, url: string) {
  const res = await fetch(`${server.url}${url}`, { headers: client?.cookie ? { cookie: client.cookie } : {} })
  return { status: res.status, cache: res.headers.get('cache-control'), disposition: res.headers.get('content-disposition'), body: await res.text() }
}

/** A private team group: the owner and her direct recruit are in it, an outsider is not. */
async function privateTeam(prefix: string) {
  const owner = await makeMember(server, { handle: `${prefix}-chefin` })
  const recruit = await makeMember(server, { handle: `${prefix}-neu`, sponsor: owner.handle })
  const outsider = await makeMember(server, { handle: `${prefix}-fremd` })
  const group = await owner.client.post('/api/v1/groups', { name: `Team ${prefix}`, slug: `${prefix}-team`, kind: 'team', visibility: 'private', teamDepth: 1 })
  expect(group.status).toBe(201)
  return { owner, recruit, outsider, slug: `${prefix}-team` as string, groupId: group.body.id as string }
}

describe('stored files are served under the rule of what they belong to', () => {
  it('serves a chat attachment only through its conversation, never at /media, and never to a cache', async () => {
    const anna = await makeMember(server, { handle: 'att-anna' })
    const ben = await makeMember(server, { handle: 'att-ben', sponsor: 'att-anna' })
    const eve = await makeMember(server, { handle: 'att-eve' })
    const chat = await anna.client.post('/api/v1/conversations', { participants: ['att-ben'] })
    expect(chat.status).toBe(201)
    const file = await upload(anna.client, `/api/v1/conversations/${chat.body.id}/attachments`, 'file', pdf(), 'vertrag.pdf')
    expect(file.status).toBe(201)
    // Ids are 128 random bits, not counters.
    expect(file.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const sent = await anna.client.post(`/api/v1/conversations/${chat.body.id}/messages`, {
      body: 'Dein Vertrag',
      clientMessageId: 'att-msg-1',
      attachments: [file.body.id],
    })
    expect(sent.status).toBe(201)

    for (const who of [null, eve.client, ben.client, anna.client]) {
      const res = await fetchAs(who, `/media/${file.body.id}`)
      expect(res.status).toBe(404)
      expect(res.body).not.toContain('Handout')
    }
    const forBen = await fetchAs(ben.client, file.body.url)
    expect(forBen).toMatchObject({ status: 200, cache: 'private, no-store' })
    expect(forBen.disposition).toMatch(/^attachment; filename/)
    expect((await fetchAs(eve.client, file.body.url)).status).toBe(404)
    expect((await fetchAs(null, file.body.url)).status).toBe(401)
  })

  it("keeps a private group's lesson handout and post photo for its members, and a fresh upload for its uploader", async () => {
    const { owner, recruit, outsider, slug } = await privateTeam('media')
    const training = await owner.client.post('/api/v1/groups', { name: 'Schulung Media', slug: 'media-schulung', kind: 'training', visibility: 'private' })
    expect(training.status).toBe(201)
    expect((await owner.client.post('/api/v1/groups/media-schulung/invitations', { handle: recruit.handle })).status).toBeLessThan(300)
    expect((await recruit.client.post('/api/v1/groups/media-schulung/join')).body.status).toBe('joined')

    const handout = await upload(owner.client, '/api/v1/files', 'file', pdf(), 'handout.pdf')
    const photo = await upload(owner.client, '/api/v1/media', 'image', await png(), 'team.png')
    expect([handout.status, photo.status]).toEqual([201, 201])
    expect(handout.body.id).toMatch(/^[A-Za-z0-9_-]{22}$/)
    // Before it is used anywhere, only the uploader sees it.
    expect((await fetchAs(owner.client, handout.body.url)).status).toBe(200)
    expect((await fetchAs(recruit.client, handout.body.url)).status).toBe(404)
    expect((await fetchAs(null, photo.body.url)).status).toBe(404)

    expect((await owner.client.post('/api/v1/groups/media-schulung/lessons', { title: 'Erste Schritte', body: `[Handout](${handout.body.url})` })).status).toBe(
      201,
    )
    expect((await owner.client.post(`/api/v1/groups/${slug}/posts`, { kind: 'pr', body: `Unser Treffen\n\n![Foto](${photo.body.url})` })).status).toBe(201)

    for (const url of [handout.body.url, photo.body.url]) {
      const member = await fetchAs(recruit.client, url)
      expect(member).toMatchObject({ status: 200, cache: 'private, no-store' })
      expect((await fetchAs(outsider.client, url)).status).toBe(404)
      expect((await fetchAs(null, url)).status).toBe(404)
    }
    expect((await fetchAs(recruit.client, handout.body.url)).disposition).toMatch(/^attachment; filename\*=UTF-8''handout\.pdf/)
    // Someone who copies the address into a public post does not publish it.
    expect((await recruit.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: `Seht mal ![x](${photo.body.url})` })).status).toBe(201)
    expect((await fetchAs(null, photo.body.url)).status).toBe(404)
  })

  it('answers a guessed or malformed id like a missing file', async () => {
    for (const id of [new Types.ObjectId().toString(), 'A'.repeat(22), 'nope', '../etc/passwd']) {
      const res = await fetchAs(null, `/media/${encodeURIComponent(id)}`)
      expect([400, 404]).toContain(res.status)
      expect(JSON.parse(res.body).error.code).toMatch(/^(NOT_FOUND|VALIDATION_FAILED)$/)
    }
  })
})

describe("a private group's posts answer outsiders like missing ones", () => {
  it('hides the post, its comments and its reports from outsiders and anonymous callers', async () => {
    const { owner, recruit, outsider, slug } = await privateTeam('priv')
    const created = await owner.client.post(`/api/v1/groups/${slug}/posts`, { kind: 'pr', body: 'Interne Zahlen für das Team' })
    expect(created.status).toBe(201)
    const id = created.body.id as string
    const missing = new Types.ObjectId().toString()

    expect((await recruit.client.get(`/api/v1/posts/${id}`)).status).toBe(200)
    for (const who of [anonymous(), outsider.client]) {
      for (const target of [id, missing]) {
        const read = await who.get(`/api/v1/posts/${target}`)
        expect([read.status, read.body.error?.code]).toEqual([404, 'POST_NOT_FOUND'])
      }
    }
    const report = await outsider.client.post(`/api/v1/posts/${id}/reports`, { reason: 'spam' })
    const reportMissing = await outsider.client.post(`/api/v1/posts/${missing}/reports`, { reason: 'spam' })
    expect([report.status, report.body.error.code]).toEqual([reportMissing.status, reportMissing.body.error.code])
    expect(report.status).toBe(404)
    for (const [method, path, body] of [
      ['PATCH', `/api/v1/posts/${id}`, { body: 'geändert' }],
      ['DELETE', `/api/v1/posts/${id}`, undefined],
      ['PUT', `/api/v1/posts/${id}/like`, undefined],
      ['POST', `/api/v1/posts/${id}/comments`, { body: 'Hallo?' }],
    ] as const) {
      const res = await outsider.client.request(method, path, body)
      const gone = await outsider.client.request(method, path.replace(id, missing), body)
      expect([res.status, res.body.error?.code], `${method} ${path}`).toEqual([gone.status, gone.body.error?.code])
    }
  })
})

describe('bad input gets a 4xx, never a 5xx', () => {
  it('refuses a post or comment that sanitizes to nothing, and keeps what was stored', async () => {
    const author = await makeMember(server, { handle: 'leer-autorin' })
    const kept = await author.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body: 'Echter Text' })
    for (const body of ['<script>alert(1)</script>', '<iframe src="https://evil.example"></iframe>', '<style>body{}</style>']) {
      const post = await author.client.post('/api/v1/posts', { kind: 'pr', area: { type: 'feed' }, body })
      expect([post.status, post.body.error?.code], body).toEqual([422, 'CONTENT_EMPTY'])
      const comment = await author.client.post(`/api/v1/posts/${kept.body.id}/comments`, { body })
      expect([comment.status, comment.body.error?.code], body).toEqual([422, 'CONTENT_EMPTY'])
      const edit = await author.client.patch(`/api/v1/posts/${kept.body.id}`, { body })
      expect(edit.status, body).toBe(422)
    }
    expect((await author.client.get(`/api/v1/posts/${kept.body.id}`)).body).toMatchObject({ body: 'Echter Text', commentCount: 0 })
  })

  it('refuses a chat message that would show as an empty bubble, also over the socket', async () => {
    const anna = await makeMember(server, { handle: 'leer-chat-anna' })
    await makeMember(server, { handle: 'leer-chat-ben', sponsor: 'leer-chat-anna' })
    const chat = (await anna.client.post('/api/v1/conversations', { participants: ['leer-chat-ben'] })).body as { id: string }
    const rest = await anna.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: '<script>alert(1)</script>', clientMessageId: 'leer-chat-1' })
    expect([rest.status, rest.body.error.code]).toEqual([422, 'CONTENT_EMPTY'])
    const { socket } = await openSocket(server.url, { cookie: anna.client.cookie })
    const ack = await new Promise((resolve) =>
      socket.emit('message:send', { conversationId: chat.id, body: '<iframe src="https://evil.example"></iframe>', clientMessageId: 'leer-chat-2' }, resolve),
    )
    expect(ack).toMatchObject({ ok: false, error: { code: 'CONTENT_EMPTY' } })
    socket.disconnect()
    // A text with harmless markup is still a message.
    expect((await anna.client.post(`/api/v1/conversations/${chat.id}/messages`, { body: 'a < b, <b>fett</b>', clientMessageId: 'leer-chat-3' })).status).toBe(
      201,
    )
  })

  it('answers an over-long route parameter in the usual error shape, with the security headers', async () => {
    const res = await fetch(`${server.url}/api/v1/profiles/${'a'.repeat(150)}`)
    expect(res.status).toBe(414)
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'")
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('URL_TOO_LONG')
  })
})

describe('money a buyer cannot fake', () => {
  let product: { id: string; priceCents: number }
  beforeAll(async () => {
    const admin = await adminClient(server, { email: 'sec-admin@example.org', password: 'admin password 1' })
    product = (await admin.post('/api/v1/admin/products', { name: 'Teebaumöl', priceCents: 10_000, vatRateBp: 1900, commissionableCents: 8_000 })).body
  })

  it('caps the quantity of one product per order, also over several lines', async () => {
    const buyer = await makeMember(server, { handle: 'viel-kaeuferin' })
    const lines = Array.from({ length: 50 }, () => ({ productId: product.id, quantity: 999 }))
    const res = await buyer.client.post('/api/v1/orders', { items: lines, idempotencyKey: 'too-many-lines' })
    expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED'])
    expect(
      (
        await buyer.client.post('/api/v1/orders', {
          items: [
            { productId: product.id, quantity: 500 },
            { productId: product.id, quantity: 499 },
          ],
          idempotencyKey: 'exactly-cap',
        })
      ).status,
    ).toBe(201)
  })

  it('refuses a signed payment event whose amount or currency does not match the order', async () => {
    const buyer = await makeMember(server, { handle: 'betrug-kaeufer' })
    const order = (await buyer.client.post('/api/v1/orders', { items: [{ productId: product.id, quantity: 1 }], idempotencyKey: 'amount-check' })).body
    const send = async (body: string) =>
      fetch(`${server.url}/api/v1/payments/webhook`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signWebhook(server.app.ctx.config.paymentWebhookSecret, body) },
      })
    for (const wrong of [{ amountCents: 1 }, { currency: 'USD' }, { amountCents: undefined as unknown as number, currency: undefined as unknown as string }]) {
      const body = JSON.parse(await paymentEventBody(server, { type: 'payment.paid', reference: order.payment.reference })) as Record<string, unknown>
      Object.assign(body, wrong)
      const res = await send(JSON.stringify(body))
      expect(res.status, JSON.stringify(wrong)).toBe(422)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PAYMENT_MISMATCH')
    }
    expect((await buyer.client.get(`/api/v1/orders/${order.id}`)).body.status).toBe('pending')
    expect(await server.app.ctx.models.LedgerEntry.countDocuments({ orderId: new Types.ObjectId(order.id) })).toBe(0)
    const right = await send(await paymentEventBody(server, { type: 'payment.paid', reference: order.payment.reference }))
    expect(right.status).toBe(200)
    expect((await buyer.client.get(`/api/v1/orders/${order.id}`)).body.status).toBe('paid')
  })

  it('has no test provider on a public site unless it is configured, and then no checkout', async () => {
    const live = await startTestServer({ config: { publicUrl: 'https://vernetzt.example', paymentProvider: 'none' } })
    try {
      const admin = await adminClient(
        live,
        { email: 'live-admin@example.org', password: 'admin password 1' },
        new Client(live.url, { origin: 'https://vernetzt.example' }),
      )
      const item = (
        await admin.post(
          '/api/v1/admin/products',
          { name: 'Aloe', priceCents: 1000, vatRateBp: 1900, commissionableCents: 800 },
          { origin: 'https://vernetzt.example' },
        )
      ).body
      const buyer = await makeMember(live, { handle: 'live-buyer' })
      expect((await buyer.client.get('/api/v1/products')).status).toBe(200)
      const order = await buyer.client.post('/api/v1/orders', { items: [{ productId: item.id, quantity: 1 }], idempotencyKey: 'live-order' })
      expect([order.status, order.body.error.code]).toEqual([409, 'PAYMENTS_NOT_CONFIGURED'])
      const test = await buyer.client.post(`/api/v1/payments/test/${new Types.ObjectId().toString()}`, { type: 'payment.paid' })
      expect(test.status).toBe(404)
      const hook = await fetch(`${live.url}/api/v1/payments/webhook`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })
      expect(hook.status).toBe(404)
    } finally {
      await live.close()
    }
  })
})
