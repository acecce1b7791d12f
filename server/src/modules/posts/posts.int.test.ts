import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

type Page = { items: Array<{ id: string; kind: string; body: string; author: { handle: string } }>; nextCursor: string | null }

async function post(client: Client, body: string, kind: 'pr' | 'ad', area: Record<string, string>) {
  return client.post('/api/v1/posts', { body, kind, area })
}

async function allPages(client: Client, path: string, limit = 5): Promise<Page['items']> {
  await settle(server) // feed delivery runs as background jobs
  const items: Page['items'] = []
  let cursor: string | null = null
  do {
    const sep = path.includes('?') ? '&' : '?'
    const res: { status: number; body: Page } = await client.get(`${path}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status, JSON.stringify(res.body)).toBe(200)
    items.push(...res.body.items)
    cursor = res.body.nextCursor
  } while (cursor)
  return items
}

describe('where posts may go', () => {
  it('refuses an ad anywhere but the ad areas, and no combination puts one into a feed', async () => {
    const author = await makeMember(server, { handle: 'werber' })
    const fan = await makeMember(server, { handle: 'fan' })
    await fan.client.post('/api/v1/profiles/werber/follow')
    const expected: Array<[kind: 'pr' | 'ad', area: Record<string, string>, status: number, code?: string]> = [
      ['pr', { type: 'feed' }, 201],
      ['pr', { type: 'profile' }, 201],
      ['pr', { type: 'marketplace' }, 422, 'MARKETPLACE_IS_FOR_ADS'],
      ['pr', { type: 'group', groupId: 'nope' }, 404, 'GROUP_NOT_FOUND'],
      ['ad', { type: 'feed' }, 422, 'AD_NOT_ALLOWED_HERE'],
      ['ad', { type: 'marketplace' }, 201],
      ['ad', { type: 'profile' }, 201],
      ['ad', { type: 'group', groupId: 'nope' }, 404, 'GROUP_NOT_FOUND'],
    ]
    for (const [kind, area, status, code] of expected) {
      const res = await post(author.client, `${kind} in ${area.type}: Naturkosmetik`, kind, area)
      expect(res.status, `${kind} ${area.type}`).toBe(status)
      if (code) expect(res.body.error.code, `${kind} ${area.type}`).toBe(code)
    }
    const refused = await post(author.client, 'Jetzt bestellen!', 'ad', { type: 'feed' })
    expect(refused.body.error.message).toMatch(/marketplace/)
    expect(refused.body.error.details.allowedAreas).toEqual(['marketplace', 'profile', 'group'])
    const bogus = await author.client.post('/api/v1/posts', { body: 'x', kind: 'ad', area: { type: 'timeline' } })
    expect(bogus.status).toBe(400)

    for (const reader of [author, fan]) {
      const feed = await allPages(reader.client, '/api/v1/feed')
      expect(feed.map((p) => p.body)).toEqual(['pr in feed: Naturkosmetik'])
    }
    const market = await allPages(fan.client, '/api/v1/marketplace?author=werber')
    expect(market.map((p) => p.body)).toEqual(['ad in marketplace: Naturkosmetik'])
    const offers = await allPages(fan.client, '/api/v1/profiles/werber/posts?kind=ad')
    expect(offers.map((p) => p.body)).toEqual(['ad in profile: Naturkosmetik', 'ad in marketplace: Naturkosmetik'])
    const pr = await allPages(fan.client, '/api/v1/profiles/werber/posts?kind=pr')
    expect(pr.map((p) => p.body)).toEqual(['pr in profile: Naturkosmetik', 'pr in feed: Naturkosmetik'])
  })

  it('lets customers post public relations but not ads', async () => {
    const customer = await makeMember(server, { handle: 'kundin', role: 'customer' })
    expect((await post(customer.client, 'Tolle Schulung heute!', 'pr', { type: 'feed' })).status).toBe(201)
    const ad = await post(customer.client, 'Kauft das!', 'ad', { type: 'marketplace' })
    expect(ad.status).toBe(422)
    expect(ad.body.error.code).toBe('ONLY_PARTNERS_ADVERTISE')
  })

  it('requires a session to post and to read the feed', async () => {
    const anon = new Client(server.url)
    expect((await post(anon, 'x', 'pr', { type: 'feed' })).status).toBe(401)
    expect((await anon.get('/api/v1/feed')).status).toBe(401)
    expect((await anon.get('/api/v1/marketplace')).status).toBe(200)
  })
})

describe('the home feed', () => {
  it('shows PR from people I follow, my sponsor and my direct recruits — not from strangers, and not after I unfollow', async () => {
    const sponsor = await makeMember(server, { handle: 'feed-sponsor' })
    const me = await makeMember(server, { handle: 'feed-me', sponsor: 'feed-sponsor' })
    const recruit = await makeMember(server, { handle: 'feed-recruit', sponsor: 'feed-me' })
    const idol = await makeMember(server, { handle: 'feed-idol' })
    const stranger = await makeMember(server, { handle: 'feed-stranger' })
    expect((await me.client.post('/api/v1/profiles/feed-idol/follow')).body).toEqual({ following: true, followers: 1, followingCount: 0 })
    expect((await new Client(server.url).get('/api/v1/profiles/feed-me/follow')).body).toEqual({ following: false, followers: 0, followingCount: 1 })
    expect((await me.client.post('/api/v1/profiles/feed-idol/follow')).body.followers).toBe(1)
    for (const [who, text] of [
      [sponsor, 'vom Sponsor'],
      [recruit, 'vom Partner'],
      [idol, 'vom Vorbild'],
      [stranger, 'vom Fremden'],
      [me, 'von mir'],
    ] as const) {
      expect((await post(who.client, text, 'pr', { type: 'feed' })).status).toBe(201)
    }
    expect((await allPages(me.client, '/api/v1/feed')).map((p) => p.body)).toEqual(['von mir', 'vom Vorbild', 'vom Partner', 'vom Sponsor'])
    expect((await allPages(sponsor.client, '/api/v1/feed')).map((p) => p.body)).toEqual(['von mir', 'vom Sponsor'])

    expect((await me.client.request('DELETE', '/api/v1/profiles/feed-idol/follow')).body).toEqual({ following: false, followers: 0, followingCount: 0 })
    expect((await allPages(me.client, '/api/v1/feed')).map((p) => p.body)).toEqual(['von mir', 'vom Partner', 'vom Sponsor'])
    expect((await me.client.post('/api/v1/profiles/feed-me/follow')).body.error.code).toBe('CANNOT_FOLLOW_SELF')
  })

  it('pages without gaps or duplicates while new posts arrive', async () => {
    const writer = await makeMember(server, { handle: 'vielschreiber' })
    const reader = await makeMember(server, { handle: 'leserin' })
    await reader.client.post('/api/v1/profiles/vielschreiber/follow')
    for (let i = 1; i <= 23; i++) await post(writer.client, `Beitrag ${i}`, 'pr', { type: 'feed' })
    await settle(server)
    const seen: string[] = []
    let cursor: string | null = null
    let round = 0
    do {
      const res: { body: Page } = await reader.client.get(`/api/v1/feed?limit=5${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...res.body.items.map((p) => p.body))
      cursor = res.body.nextCursor
      // Meanwhile the writer keeps posting, two posts per page read, concurrently with the next read.
      round++
      await Promise.all([post(writer.client, `Neu ${round}a`, 'pr', { type: 'feed' }), post(writer.client, `Neu ${round}b`, 'pr', { type: 'feed' })])
    } while (cursor)
    await settle(server)
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `Beitrag ${23 - i}`))
    const fresh = await reader.client.get('/api/v1/feed?limit=50')
    const bodies = (fresh.body as Page).items.map((p) => p.body)
    expect(new Set(bodies).size).toBe(bodies.length)
    expect(bodies.filter((b) => b.startsWith('Neu'))).toHaveLength(2 * round)
  })
})

describe('editing and deleting', () => {
  it('keeps the edit history and renders the new text', async () => {
    const author = await makeMember(server, { handle: 'editorin' })
    const created = await post(author.client, 'Erste *Fassung*', 'pr', { type: 'feed' })
    const edited = await author.client.patch(`/api/v1/posts/${created.body.id}`, { body: 'Zweite **Fassung**' })
    expect(edited.status).toBe(200)
    expect(edited.body).toMatchObject({ html: expect.stringContaining('<strong>Fassung</strong>'), editedAt: expect.any(String) })
    const doc = await server.app.ctx.models.Post.findById(created.body.id).lean()
    expect(doc!.history.map((h) => h.body)).toEqual(['Erste *Fassung*'])
    const other = await makeMember(server, { handle: 'fremde-hand' })
    const foreign = await other.client.patch(`/api/v1/posts/${created.body.id}`, { body: 'gehackt' })
    expect(foreign.status).toBe(403)
    expect(foreign.body.error.code).toBe('NOT_AUTHOR')
  })

  it('removes a deleted post from every listing at once', async () => {
    const author = await makeMember(server, { handle: 'loescher' })
    const follower = await makeMember(server, { handle: 'loescher-fan' })
    await follower.client.post('/api/v1/profiles/loescher/follow')
    const pr = await post(author.client, 'Bald weg (PR)', 'pr', { type: 'feed' })
    const ad = await post(author.client, 'Bald weg (Werbung) 19,90 €', 'ad', { type: 'marketplace' })
    for (const id of [pr.body.id, ad.body.id]) {
      expect((await author.client.request('DELETE', `/api/v1/posts/${id}`)).status).toBe(200)
      expect((await follower.client.get(`/api/v1/posts/${id}`)).status).toBe(404)
    }
    expect(await allPages(follower.client, '/api/v1/feed')).toEqual([])
    expect(await allPages(follower.client, '/api/v1/marketplace?author=loescher')).toEqual([])
    expect(await allPages(follower.client, '/api/v1/profiles/loescher/posts?kind=pr')).toEqual([])
    expect(await allPages(follower.client, '/api/v1/profiles/loescher/posts?kind=ad')).toEqual([])
    expect((await author.client.request('DELETE', `/api/v1/posts/${pr.body.id}`)).status).toBe(404)
  })
})

describe('the marketplace', () => {
  it('lists ads only, newest first, filtered by author and text', async () => {
    const a = await makeMember(server, { handle: 'markt-a' })
    const b = await makeMember(server, { handle: 'markt-b' })
    await post(a.client, 'Aloe-Vera-Gel, 19,90 €', 'ad', { type: 'marketplace' })
    await post(b.client, 'Bio-Kaffee im Abo', 'ad', { type: 'marketplace' })
    await post(a.client, 'Teebaumöl für die Reiseapotheke', 'ad', { type: 'marketplace' })
    const anon = new Client(server.url)
    const mine = await allPages(anon, '/api/v1/marketplace?author=markt-a')
    expect(mine.map((p) => p.body)).toEqual(['Teebaumöl für die Reiseapotheke', 'Aloe-Vera-Gel, 19,90 €'])
    expect((await allPages(anon, '/api/v1/marketplace?q=KAFFEE')).map((p) => p.author.handle)).toEqual(['markt-b'])
    expect(await allPages(anon, '/api/v1/marketplace?author=niemand-hier')).toEqual([])
    expect((await allPages(anon, '/api/v1/marketplace')).every((p) => p.kind === 'ad')).toBe(true)
  })
})

describe('images in posts', () => {
  it('stores an uploaded photo as WebP no larger than 1600 px and without EXIF, for use in a post', async () => {
    const author = await makeMember(server, { handle: 'fotografin' })
    const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#48a' } })
      .jpeg()
      .withExif({ IFD0: { Make: 'GeheimeKamera' } })
      .toBuffer()
    const form = new FormData()
    form.append('image', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'urlaub.jpg')
    const res = await fetch(`${server.url}/api/v1/media`, { method: 'POST', body: form, headers: { cookie: author.client.cookie } })
    expect(res.status).toBe(201)
    const uploaded = (await res.json()) as { url: string; width: number; height: number }
    expect(uploaded).toMatchObject({ url: expect.stringMatching(/^\/media\/[A-Za-z0-9_-]{22}$/), width: 1600, height: 1200 })
    // Until it is posted, the photo is its uploader's alone.
    const own = await fetch(`${server.url}${uploaded.url}`, { headers: { cookie: author.client.cookie } })
    expect(own.headers.get('cache-control')).toBe('private, no-store')
    const stored = await sharp(Buffer.from(await own.arrayBuffer())).metadata()
    expect(stored).toMatchObject({ format: 'webp', width: 1600, height: 1200 })
    expect(stored.exif).toBeUndefined()
    expect((await fetch(`${server.url}${uploaded.url}`)).status).toBe(404)
    const created = await post(author.client, `Unser Teamausflug:\n\n![Ausflug](${uploaded.url})`, 'pr', { type: 'feed' })
    expect(created.body.html).toContain(`<img src="${uploaded.url}" alt="Ausflug" />`)
    // Posted in the public feed, it is public: anyone (and any cache) may keep it.
    const published = await fetch(`${server.url}${uploaded.url}`)
    expect(published.status).toBe(200)
    expect(published.headers.get('cache-control')).toContain('public')

    const anon = await fetch(`${server.url}/api/v1/media`, { method: 'POST', body: form })
    expect(anon.status).toBe(401)
  })
})
