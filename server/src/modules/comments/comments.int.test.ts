import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMember, startTestServer, type TestServer } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

describe('comments', () => {
  it('threads replies one level deep, counts them in the post, and notifies the right people', async () => {
    const author = await makeMember(server, { handle: 'k-autor' })
    const first = await makeMember(server, { handle: 'k-erste' })
    const second = await makeMember(server, { handle: 'k-zweite' })
    const post = (await author.client.post('/api/v1/posts', { body: 'Was meint ihr?', kind: 'pr', area: { type: 'feed' } })).body
    const top = await first.client.post(`/api/v1/posts/${post.id}/comments`, { body: 'Sehr **gut**! <script>x</script>' })
    expect(top.status).toBe(201)
    expect(top.body.html).toContain('<strong>gut</strong>')
    expect(top.body.html).not.toContain('<script')
    const reply = await second.client.post(`/api/v1/posts/${post.id}/comments`, { body: 'Finde ich auch.', parentId: top.body.id })
    expect(reply.body.parentId).toBe(top.body.id)
    const deeper = await author.client.post(`/api/v1/posts/${post.id}/comments`, { body: 'Noch tiefer?', parentId: reply.body.id })
    expect(deeper.status).toBe(422)
    expect(deeper.body.error.code).toBe('REPLY_TOO_DEEP')
    await author.client.post(`/api/v1/posts/${post.id}/comments`, { body: 'Danke euch!', parentId: top.body.id })

    const thread = await second.client.get(`/api/v1/posts/${post.id}/comments`)
    expect(thread.body.items).toHaveLength(1)
    expect(thread.body.items[0]).toMatchObject({ replyCount: 2, author: { handle: 'k-erste' } })
    expect(thread.body.items[0].replies.map((r: { author: { handle: string } }) => r.author.handle)).toEqual(['k-zweite', 'k-autor'])
    expect((await first.client.get(`/api/v1/posts/${post.id}`)).body.commentCount).toBe(3)

    const authorNotes = (await author.client.get('/api/v1/notifications')).body.items.map((n: { type: string }) => n.type)
    expect(authorNotes).toEqual(['post.comment', 'post.comment'])
    const firstNotes = (await first.client.get('/api/v1/notifications')).body.items.map((n: { type: string }) => n.type)
    expect(firstNotes).toEqual(['comment.reply', 'comment.reply'])
  })

  it('lets only the author delete a comment, which keeps its place without its text', async () => {
    const author = await makeMember(server, { handle: 'k-loesch' })
    const stranger = await makeMember(server, { handle: 'k-fremd' })
    const post = (await author.client.post('/api/v1/posts', { body: 'Hallo', kind: 'pr', area: { type: 'feed' } })).body
    const comment = (await author.client.post(`/api/v1/posts/${post.id}/comments`, { body: 'Ups' })).body
    expect((await stranger.client.request('DELETE', `/api/v1/comments/${comment.id}`)).body.error.code).toBe('NOT_AUTHOR')
    expect((await author.client.request('DELETE', `/api/v1/comments/${comment.id}`)).status).toBe(200)
    const thread = await stranger.client.get(`/api/v1/posts/${post.id}/comments`)
    expect(thread.body.items[0]).toMatchObject({ deleted: true, html: '' })
    expect((await stranger.client.get(`/api/v1/posts/${post.id}`)).body.commentCount).toBe(0)
  })
})

describe('mentions in comments', () => {
  it('notifies people named with @handle once, but nobody who cannot read the post', async () => {
    const owner = await makeMember(server, { handle: 'km-owner' })
    const inside = await makeMember(server, { handle: 'km-inside' })
    const outside = await makeMember(server, { handle: 'km-outside' })
    expect((await owner.client.post('/api/v1/groups', { name: 'Geheimrunde', slug: 'km-geheim', kind: 'community', visibility: 'private' })).status).toBe(201)
    expect((await owner.client.post('/api/v1/groups/km-geheim/invitations', { handle: 'km-inside' })).status).toBeLessThan(300)
    expect((await inside.client.post('/api/v1/groups/km-geheim/join')).status).toBe(200)
    const group = (await owner.client.get('/api/v1/groups/km-geheim')).body
    const post = (await owner.client.post(`/api/v1/groups/km-geheim/posts`, { body: 'Intern', kind: 'pr' })).body
    expect(post.id).toBeDefined()
    await owner.client.post(`/api/v1/posts/${post.id}/comments`, { body: '@km-inside und @km-outside, schaut mal! @km-inside' })

    const mentions = async (client: typeof owner.client) =>
      (await client.get('/api/v1/notifications')).body.items.filter((n: { type: string }) => n.type === 'comment.mention')
    const told = await mentions(inside.client)
    expect(told).toHaveLength(1)
    expect(told[0]).toMatchObject({ data: { postId: post.id }, text: { de: expect.stringContaining('hat dich in einem Kommentar erwähnt') } })
    // The private group's post stays private: no notice that would leak its text.
    expect(await mentions(outside.client)).toEqual([])
    expect(group.visibility).toBe('private')
    // Nor can an outsider read, answer or like by the post's id.
    expect((await outside.client.get(`/api/v1/posts/${post.id}/comments`)).status).toBe(404)
    expect((await outside.client.post(`/api/v1/posts/${post.id}/comments`, { body: 'Hallo?' })).status).toBe(404)
    expect((await inside.client.get(`/api/v1/posts/${post.id}/comments`)).body.items).toHaveLength(1)
  })

  it('notifies from PR posts, never from ads', async () => {
    const seller = await makeMember(server, { handle: 'pm-seller' })
    const friend = await makeMember(server, { handle: 'pm-friend' })
    expect((await seller.client.post('/api/v1/posts', { body: 'Tolles Treffen mit @pm-friend heute!', kind: 'pr', area: { type: 'feed' } })).status).toBe(201)
    expect(
      (await seller.client.post('/api/v1/posts', { body: 'Jetzt kaufen, @pm-friend: 20 % Rabatt!', kind: 'ad', area: { type: 'marketplace' } })).status,
    ).toBe(201)
    const notes = (await friend.client.get('/api/v1/notifications')).body.items.filter((n: { type: string }) => n.type === 'post.mention')
    expect(notes).toHaveLength(1)
    expect(notes[0].text.de).toContain('Tolles Treffen')
  })
})

describe('likes', () => {
  it('counts each member once and can be taken back', async () => {
    const author = await makeMember(server, { handle: 'l-autor' })
    const fans = await Promise.all([1, 2].map((i) => makeMember(server, { handle: `l-fan${i}` })))
    const post = (await author.client.post('/api/v1/posts', { body: 'Gefällt?', kind: 'pr', area: { type: 'feed' } })).body
    expect((await fans[0]!.client.request('PUT', `/api/v1/posts/${post.id}/like`)).body).toEqual({ liked: true, likeCount: 1 })
    expect((await fans[0]!.client.request('PUT', `/api/v1/posts/${post.id}/like`)).body).toEqual({ liked: true, likeCount: 1 })
    expect((await fans[1]!.client.request('PUT', `/api/v1/posts/${post.id}/like`)).body).toEqual({ liked: true, likeCount: 2 })
    expect((await fans[0]!.client.request('DELETE', `/api/v1/posts/${post.id}/like`)).body).toEqual({ liked: false, likeCount: 1 })
    expect((await fans[0]!.client.request('DELETE', `/api/v1/posts/${post.id}/like`)).body).toEqual({ liked: false, likeCount: 1 })
    expect((await author.client.get(`/api/v1/posts/${post.id}`)).body.likeCount).toBe(1)
  })
})
