import type { Conversation } from '@vernetzt/shared/schemas/messages'
import mongoose from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMember, settle, startTestServer, type TestServer } from '../../../test/harness.ts'
import { messagingIdle } from './send.ts'
import { migrateConversationIndex } from './inbox-index.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer({ config: { messageRateLimit: 6000 } })
})
afterAll(async () => {
  mongoose.set('debug', false)
  await server.close()
})

type Member = Awaited<ReturnType<typeof makeMember>>
/** A member's conversations, leaving out the company's welcome (every team owner here joined below the company root). */
async function list(m: Member, query = '') {
  const page = (await m.client.get(`/api/v1/conversations${query}`)).body as { items: Conversation[]; nextCursor: string | null }
  return { ...page, items: page.items.filter((c) => !c.participants.some((p) => p.handle === server.config.root.handle)) }
}
const say = (m: Member, id: string, body: string) =>
  m.client.post(`/api/v1/conversations/${id}/messages`, { body, clientMessageId: `${m.handle}-${body.replace(/\W/g, '-')}` })

/** A sponsor and `n` recruits: each recruit's welcome chat is a conversation of the sponsor's. */
async function team(prefix: string, n: number): Promise<{ owner: Member; recruits: Member[] }> {
  const owner = await makeMember(server, { handle: `${prefix}-owner` })
  const recruits: Member[] = []
  for (let i = 0; i < n; i++) recruits.push(await makeMember(server, { handle: `${prefix}-r${i}`, sponsor: owner.handle }))
  await expect.poll(async () => (await list(owner, '?limit=50')).items.length, { timeout: 20_000 }).toBe(n)
  return { owner, recruits }
}

/**
 * Database reads (finds) made while `fn` runs, counted through mongoose's debug hook; the job
 * runner's polls of its marks run meanwhile on their own clock and are not the list's reads.
 */
async function readsDuring(fn: () => Promise<unknown>): Promise<number> {
  let reads = 0
  mongoose.set('debug', (collection: string, method: string) => {
    if (/^find/.test(method) && collection !== 'job_marks') reads++
  })
  try {
    await fn()
  } finally {
    mongoose.set('debug', false)
  }
  return reads
}

describe('the conversation list', () => {
  it('is read with the same number of database reads for 5 and for 50 conversations', async () => {
    const small = await team('few', 5)
    const big = await team('many', 50)
    await messagingIdle(server.app.ctx)
    await settle(server)
    const counts: number[] = []
    for (const { owner } of [small, big]) {
      await list(owner, '?limit=50') // warm: the people on the page are remembered from here on
      counts.push(await readsDuring(() => list(owner, '?limit=50')))
    }
    expect(counts[0]).toBe(counts[1])
    expect(counts[1]).toBeLessThan(15)
  })

  it('orders by the newest message, counts unread and own messages as read, and pages without repeats', async () => {
    const { owner, recruits } = await team('order', 3)
    const [r0, r1, r2] = recruits.map((r) => r.handle)
    const idOf = async (handle: string) => (await list(owner)).items.find((c) => c.participants.some((p) => p.handle === handle))!.id
    const [c0, c1, c2] = [await idOf(r0!), await idOf(r1!), await idOf(r2!)]
    await say(recruits[1]!, c1, 'Frage')
    await say(owner, c2, 'Antwort')
    const { items } = await list(owner)
    expect(items.map((c) => c.id)).toEqual([c2, c1, c0])
    expect(items.map((c) => c.unread)).toEqual([0, 1, 0])
    expect(items[1]).toMatchObject({ lastMessage: { text: 'Frage', author: r1 }, lastSeq: 2 })
    // Written into the index too, not only remembered by this node's writer.
    await messagingIdle(server.app.ctx)
    expect((await list(owner)).items.map((c) => [c.id, c.unread])).toEqual([
      [c2, 0],
      [c1, 1],
      [c0, 0],
    ])
    const first = await list(owner, '?limit=2')
    const second = await list(owner, `?limit=2&cursor=${first.nextCursor}`)
    expect([...first.items, ...second.items].map((c) => c.id)).toEqual([c2, c1, c0])
    expect(second.nextCursor).toBeNull()
    await owner.client.post(`/api/v1/conversations/${c1}/read`, { seq: 2 })
    expect((await list(owner)).items.find((c) => c.id === c1)!.unread).toBe(0)
  })

  it('counts the conversations with unread messages for the badge, leaving muted ones out, until they are read', async () => {
    const { owner, recruits } = await team('cl-badge', 3)
    const chats = (await list(owner)).items
    const chatOf = (r: Member) => chats.find((c) => c.participants.some((p) => p.handle === r.handle))!.id
    const unread = async () => (await owner.client.get('/api/v1/conversations/unread')).body.conversations as number
    // The company's welcome waits unread too (every owner here joined below the company root).
    const before = await unread()
    for (const r of recruits) await say(r, chatOf(r), 'Hallo!')
    await expect.poll(unread).toBe(before + 3)
    expect((await owner.client.request('PUT', `/api/v1/conversations/${chatOf(recruits[0]!)}/settings`, { muted: true })).status).toBe(200)
    await expect.poll(unread).toBe(before + 2)
    await owner.client.post(`/api/v1/conversations/${chatOf(recruits[1]!)}/read`, { seq: 100 })
    await expect.poll(unread).toBe(before + 1)
  })

  it('counts right when two messages arrive at once', async () => {
    const { owner, recruits } = await team('burst', 2)
    const group = (await owner.client.post('/api/v1/conversations', { participants: recruits.map((r) => r.handle), title: 'Team' })).body as Conversation
    await Promise.all(recruits.map((r, i) => say(r, group.id, `gleichzeitig ${i}`)))
    await messagingIdle(server.app.ctx)
    const mine = (await list(owner)).items.find((c) => c.id === group.id)!
    expect(mine).toMatchObject({ lastSeq: 2, unread: 2, kind: 'group', title: 'Team' })
    const theirs = await Promise.all(recruits.map(async (r) => (await list(r)).items.find((c) => c.id === group.id)!.unread))
    expect(theirs.sort()).toEqual([0, 1]) // each read their own; the first also has the second's
  })

  it('shows conversations stored before the index, also after a message reached them first', async () => {
    const { owner, recruits } = await team('legacy', 2)
    await messagingIdle(server.app.ctx)
    const before = (await list(owner)).items
    // As if stored by a version without the index.
    await server.app.ctx.models.ConversationIndex.deleteMany({})
    await say(recruits[0]!, before.find((c) => c.participants.some((p) => p.handle === recruits[0]!.handle))!.id, 'Neu')
    await messagingIdle(server.app.ctx) // the head flush wrote a partial entry for this one
    const repaired = (await list(owner)).items
    expect(repaired).toHaveLength(1)
    expect(repaired[0]).toMatchObject({ lastMessage: { text: 'Neu' }, unread: 1, status: 'active', kind: 'direct' })
    await migrateConversationIndex(server.app.ctx)
    const migrated = (await list(owner)).items
    expect(migrated.map((c) => c.id)).toEqual([repaired[0]!.id, ...before.map((c) => c.id).filter((id) => id !== repaired[0]!.id)])
    expect(migrated[1]).toEqual(before.find((c) => c.id === migrated[1]!.id))
  })
})
