import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

type Page = { body: { items: Array<{ body: string }>; nextCursor: string | null } }
const bodies = (res: Page) => res.body.items.map((p) => p.body)

async function allFeed(client: Client, limit: number): Promise<string[]> {
  const out: string[] = []
  let cursor: string | null = null
  do {
    const res: Page = await client.get(`/api/v1/feed?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`)
    out.push(...bodies(res))
    cursor = res.body.nextCursor
  } while (cursor)
  return out
}

describe('posts in groups', () => {
  it("reach members' home feeds and the group, never outsiders; ads only in an ad channel the owner switched on", async () => {
    const owner = await makeMember(server, { handle: 'gp-owner' })
    const member = await makeMember(server, { handle: 'gp-member' })
    const outsider = await makeMember(server, { handle: 'gp-outsider' })
    const group = (await owner.client.post('/api/v1/groups', { name: 'Schulungsgruppe', slug: 'gp-schulung', kind: 'community', visibility: 'private' })).body
    await owner.client.post('/api/v1/groups/gp-schulung/invitations', { handle: 'gp-member' })
    await member.client.post('/api/v1/groups/gp-schulung/join')

    const posted = await member.client.post('/api/v1/posts', {
      body: 'Frage an die Gruppe: Wer kommt Donnerstag?',
      kind: 'pr',
      area: { type: 'group', groupId: group.id },
    })
    expect(posted.status).toBe(201)
    expect(posted.body.area).toEqual({ type: 'group', groupId: group.id })
    expect(bodies(await owner.client.get('/api/v1/feed'))).toEqual(['Frage an die Gruppe: Wer kommt Donnerstag?'])
    expect(bodies(await owner.client.get('/api/v1/groups/gp-schulung/posts'))).toEqual(['Frage an die Gruppe: Wer kommt Donnerstag?'])
    expect(bodies(await outsider.client.get('/api/v1/feed'))).toEqual([])
    expect((await outsider.client.get('/api/v1/groups/gp-schulung/posts')).status).toBe(404)
    expect(bodies(await outsider.client.get('/api/v1/profiles/gp-member/posts'))).toEqual([])

    const foreign = await outsider.client.post('/api/v1/posts', { body: 'Hallo?', kind: 'pr', area: { type: 'group', groupId: group.id } })
    expect(foreign.body.error.code).toBe('GROUP_NOT_FOUND')
    const ad = await member.client.post('/api/v1/posts', { body: 'Set für 19 €', kind: 'ad', area: { type: 'group', groupId: group.id } })
    expect(ad.status).toBe(422)
    expect(ad.body.error.code).toBe('AD_NOT_ALLOWED_HERE')

    const viaGroup = await owner.client.post('/api/v1/groups/gp-schulung/posts', { body: 'Antwort: ich komme!', kind: 'pr' })
    expect(viaGroup.status).toBe(201)
    expect(viaGroup.body.area).toEqual({ type: 'group', groupId: group.id })
    expect((await outsider.client.post('/api/v1/groups/gp-schulung/posts', { body: 'Ich auch?', kind: 'pr' })).status).toBe(404)

    const market = (
      await owner.client.post('/api/v1/groups', { name: 'Tauschbörse', slug: 'gp-boerse', kind: 'community', visibility: 'public', adsAllowed: true })
    ).body
    const notYet = await member.client.post('/api/v1/posts', { body: 'Set für 19 €', kind: 'ad', area: { type: 'group', groupId: market.id } })
    expect(notYet.body.error.code).toBe('NOT_A_MEMBER')
    await member.client.post('/api/v1/groups/gp-boerse/join')
    expect((await member.client.post('/api/v1/posts', { body: 'Set für 19 €', kind: 'ad', area: { type: 'group', groupId: market.id } })).status).toBe(201)
    expect(bodies(await new Client(server.url).get('/api/v1/groups/gp-boerse/posts?kind=ad'))).toEqual(['Set für 19 €'])
    expect(bodies(await new Client(server.url).get('/api/v1/groups/gp-boerse/posts?kind=pr'))).toEqual([])
    expect(bodies(await owner.client.get('/api/v1/feed'))).not.toContain('Set für 19 €')
    expect(bodies(await new Client(server.url).get('/api/v1/marketplace?author=gp-member'))).toEqual([])
  })

  it("brings a team group's posts to the whole downline within its depth", async () => {
    const leader = await makeMember(server, { handle: 'gp-leader' })
    const team = (await leader.client.post('/api/v1/groups', { name: 'Team Leader', slug: 'gp-team', kind: 'team', visibility: 'private', teamDepth: 2 })).body
    await makeMember(server, { handle: 'gp-l1', sponsor: 'gp-leader' })
    const l2 = await makeMember(server, { handle: 'gp-l2', sponsor: 'gp-l1' })
    const l3 = await makeMember(server, { handle: 'gp-l3', sponsor: 'gp-l2' })
    await leader.client.post('/api/v1/posts', { body: 'Willkommen im Team! Schulung am Montag.', kind: 'pr', area: { type: 'group', groupId: team.id } })
    expect(bodies(await l2.client.get('/api/v1/feed'))).toContain('Willkommen im Team! Schulung am Montag.')
    expect(bodies(await l3.client.get('/api/v1/feed'))).not.toContain('Willkommen im Team! Schulung am Montag.')
  })

  it('merges feed and group posts newest first, and pages through them without gaps or repeats while posts arrive', async () => {
    const reader = await makeMember(server, { handle: 'gp-reader' })
    const friend = await makeMember(server, { handle: 'gp-friend' })
    await reader.client.post('/api/v1/profiles/gp-friend/follow')
    const club = (await friend.client.post('/api/v1/groups', { name: 'Lesekreis', slug: 'gp-lesekreis', kind: 'community', visibility: 'public' })).body
    await reader.client.post('/api/v1/groups/gp-lesekreis/join')
    const expected: string[] = []
    for (let i = 1; i <= 14; i++) {
      const text = `Beitrag ${String(i).padStart(2, '0')}`
      const area = i % 3 === 0 ? { type: 'group', groupId: club.id } : { type: 'feed' }
      expect((await friend.client.post('/api/v1/posts', { body: text, kind: 'pr', area })).status).toBe(201)
      expected.unshift(text)
    }
    await settle(server) // feed posts reach the reader through the background fan-out
    const seen: string[] = []
    let cursor: string | null = null
    let round = 0
    do {
      const res: Page = await reader.client.get(`/api/v1/feed?limit=4${cursor ? `&cursor=${cursor}` : ''}`)
      seen.push(...bodies(res))
      cursor = res.body.nextCursor
      round++
      await Promise.all([
        friend.client.post('/api/v1/posts', { body: `Neu ${round} feed`, kind: 'pr', area: { type: 'feed' } }),
        friend.client.post('/api/v1/posts', { body: `Neu ${round} gruppe`, kind: 'pr', area: { type: 'group', groupId: club.id } }),
      ])
    } while (cursor)
    expect(seen).toEqual(expected)
    await settle(server)
    const fresh = await allFeed(reader.client, 50)
    expect(new Set(fresh).size).toBe(fresh.length)
    expect(fresh.filter((b) => b.startsWith('Neu'))).toHaveLength(2 * round)
    expect((await reader.client.get('/api/v1/feed?cursor=bm90LWpzb24')).body.error.code).toBe('BAD_REQUEST')
  })
})

describe('moderating a group', () => {
  it("lets the group's owner and moderators pin and remove posts and decide reports of their group", async () => {
    const owner = await makeMember(server, { handle: 'gm-owner' })
    const mod = await makeMember(server, { handle: 'gm-mod' })
    const member = await makeMember(server, { handle: 'gm-member' })
    const group = (
      await owner.client.post('/api/v1/groups', { name: 'Moderierte Runde', slug: 'gm-runde', kind: 'community', visibility: 'public', adsAllowed: true })
    ).body
    for (const m of [mod, member]) await m.client.post('/api/v1/groups/gm-runde/join')
    await owner.client.post('/api/v1/groups/gm-runde/roles', { handle: 'gm-mod', role: 'moderator' })
    const post = async (body: string) =>
      (await member.client.post('/api/v1/posts', { body, kind: 'pr', area: { type: 'group', groupId: group.id } })).body.id as string
    const rules = (await owner.client.post('/api/v1/posts', { body: 'Regeln der Runde', kind: 'pr', area: { type: 'group', groupId: group.id } })).body
      .id as string
    const rude = await post('Unfreundlicher Beitrag')
    const sneaky = await post('Heute 30 % Rabatt, jetzt bestellen!')
    await post('Ganz normaler Beitrag')

    expect((await member.client.post('/api/v1/groups/gm-runde/pins', { postId: rules, pinned: true })).body.error.code).toBe('FORBIDDEN')
    expect((await mod.client.post('/api/v1/groups/gm-runde/pins', { postId: rules, pinned: true })).body).toEqual({ pinnedPostIds: [rules] })
    const feed = await member.client.get('/api/v1/groups/gm-runde/posts')
    expect(feed.body.items[0]).toMatchObject({ id: rules, pinned: true })
    expect(feed.body.items.filter((p: { id: string }) => p.id === rules)).toHaveLength(1)

    expect((await member.client.request('DELETE', `/api/v1/posts/${rules}`)).body.error.code).toBe('NOT_AUTHOR')
    expect((await mod.client.request('DELETE', `/api/v1/posts/${rude}`)).status).toBe(200)
    expect(bodies(await member.client.get('/api/v1/groups/gm-runde/posts'))).not.toContain('Unfreundlicher Beitrag')

    await owner.client.post(`/api/v1/posts/${sneaky}/reports`, { reason: 'unflagged_ad' })
    expect((await member.client.get('/api/v1/groups/gm-runde/moderation/queue')).body.error.code).toBe('FORBIDDEN')
    const queue = await mod.client.get('/api/v1/groups/gm-runde/moderation/queue')
    expect(queue.body.items.map((i: { post: { id: string } }) => i.post.id)).toEqual([sneaky])
    const decided = await mod.client.post(`/api/v1/moderation/posts/${sneaky}/actions`, { action: 'reclassify', reason: 'Werbung gehört in den Werbekanal' })
    expect(decided.status).toBe(200)
    expect(bodies(await member.client.get('/api/v1/groups/gm-runde/posts?kind=ad'))).toEqual(['Heute 30 % Rabatt, jetzt bestellen!'])
    expect(bodies(await member.client.get('/api/v1/groups/gm-runde/posts'))).not.toContain('Heute 30 % Rabatt, jetzt bestellen!')
    expect((await mod.client.get('/api/v1/groups/gm-runde/moderation/queue')).body.items).toEqual([])

    // Outside their group, group moderators have no say.
    const elsewhere = (await member.client.post('/api/v1/posts', { body: 'Im Feed', kind: 'pr', area: { type: 'feed' } })).body.id
    await owner.client.post(`/api/v1/posts/${elsewhere}/reports`, { reason: 'spam' })
    expect((await mod.client.post(`/api/v1/moderation/posts/${elsewhere}/actions`, { action: 'hide', reason: 'nicht meins' })).body.error.code).toBe(
      'FORBIDDEN',
    )
    expect((await mod.client.request('DELETE', `/api/v1/posts/${elsewhere}`)).body.error.code).toBe('NOT_AUTHOR')
  })
})
