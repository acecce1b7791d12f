import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

type Page = { items: Array<{ id: string; body: string; author: { handle: string } }>; nextCursor: string | null }

async function feed(client: Client): Promise<string[]> {
  await settle(server) // delivery and backfill run as background jobs
  const bodies: string[] = []
  let cursor: string | null = null
  do {
    const res: { status: number; body: Page } = await client.get(`/api/v1/feed?limit=7${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    bodies.push(...res.body.items.map((p) => p.body))
    cursor = res.body.nextCursor
  } while (cursor)
  return bodies
}

async function post(client: Client, body: string, kind: 'pr' | 'ad' = 'pr', area: Record<string, string> = { type: 'feed' }): Promise<string> {
  const res = await client.post('/api/v1/posts', { body, kind, area })
  expect(res.status, JSON.stringify(res.body)).toBe(201)
  return res.body.id as string
}

describe('following someone', () => {
  it('brings their feed posts of the last 30 days into my feed at once, newest first; unfollowing hides them, following again shows each once', async () => {
    const idol = await makeMember(server, { handle: 'vorbild-bf' })
    const fan = await makeMember(server, { handle: 'fan-bf' })
    const old = await post(idol.client, 'Vor sechs Wochen')
    await server.app.ctx.models.Post.collection.updateOne({ _id: new Types.ObjectId(old) }, { $set: { createdAt: new Date(Date.now() - 42 * 86_400_000) } })
    await post(idol.client, 'Erster Beitrag')
    await post(idol.client, 'Nur auf dem Profil', 'pr', { type: 'profile' })
    await post(idol.client, 'Jetzt im Angebot', 'ad', { type: 'marketplace' })
    await post(idol.client, 'Zweiter Beitrag')
    await post(idol.client, 'Dritter Beitrag')
    expect(await feed(fan.client)).toEqual([])

    expect((await fan.client.post('/api/v1/profiles/vorbild-bf/follow')).status).toBe(200)
    expect(await feed(fan.client)).toEqual(['Dritter Beitrag', 'Zweiter Beitrag', 'Erster Beitrag'])
    // What comes after the follow arrives by the fan-out, on top.
    await post(idol.client, 'Nach dem Folgen')
    expect(await feed(fan.client)).toEqual(['Nach dem Folgen', 'Dritter Beitrag', 'Zweiter Beitrag', 'Erster Beitrag'])

    await fan.client.request('DELETE', '/api/v1/profiles/vorbild-bf/follow')
    expect(await feed(fan.client)).toEqual([])
    expect((await fan.client.post('/api/v1/profiles/vorbild-bf/follow')).status).toBe(200)
    expect(await feed(fan.client)).toEqual(['Nach dem Folgen', 'Dritter Beitrag', 'Zweiter Beitrag', 'Erster Beitrag'])
    // A deleted post leaves the backfilled feed too.
    const last = await post(idol.client, 'Gleich wieder weg')
    expect((await fan.client.get('/api/v1/feed')).body.items[0]).toBeDefined()
    expect((await idol.client.request('DELETE', `/api/v1/posts/${last}`)).status).toBe(200)
    expect((await feed(fan.client))[0]).toBe('Nach dem Folgen')
  })

  it('brings at most the 50 newest, and nothing twice from my own sponsor, whose posts I have already', async () => {
    const sponsor = await makeMember(server, { handle: 'sponsorin-bf' })
    const recruit = await makeMember(server, { handle: 'neue-bf', sponsor: 'sponsorin-bf' })
    const busy = await makeMember(server, { handle: 'vielposter-bf' })
    for (let i = 1; i <= 53; i++) await post(busy.client, `Beitrag ${i}`)
    await post(sponsor.client, 'Von der Sponsorin')
    await settle(server) // these posts are from before the follow, delivered to whom they concerned then
    await recruit.client.post('/api/v1/profiles/vielposter-bf/follow')
    await recruit.client.post('/api/v1/profiles/sponsorin-bf/follow')
    const bodies = await feed(recruit.client)
    expect(bodies.filter((b) => b.startsWith('Beitrag'))).toEqual(Array.from({ length: 50 }, (_, i) => `Beitrag ${53 - i}`))
    expect(bodies.filter((b) => b === 'Von der Sponsorin')).toHaveLength(1)
  })
  it('gets a post once when the follow comes while its delivery is still queued', async () => {
    const quick = await makeMember(server, { handle: 'schnell-bf' })
    const reader = await makeMember(server, { handle: 'leser-bf' })
    for (let i = 1; i <= 8; i++) await post(quick.client, `Eilig ${i}`)
    await reader.client.post('/api/v1/profiles/schnell-bf/follow') // the fan-outs of these posts may not have run yet
    // Each exactly once; what the backfill brought and what the fan-outs brought may interleave.
    expect((await feed(reader.client)).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `Eilig ${i + 1}`))
  })
})
