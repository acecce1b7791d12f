import { Types } from 'mongoose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'
import { insertMember } from '../referrals/index.ts'
import { repairPendingJoins } from './graph.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

async function stats(client: Client) {
  const res = await client.get('/api/v1/me/downline/stats')
  expect(res.status).toBe(200)
  return res.body as { total: number; levels: { level: number; count: number }[] }
}

async function levelHandles(client: Client, level: number): Promise<string[]> {
  const handles: string[] = []
  let cursor: string | null = null
  do {
    const res: { status: number; body: any } = await client.get(`/api/v1/me/downline?level=${level}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)
    expect(res.status).toBe(200)
    handles.push(...res.body.items.map((m: { handle: string }) => m.handle))
    cursor = res.body.nextCursor
  } while (cursor)
  return handles
}

const chefin = () => adminClient(server, { email: 'chef@example.org', password: 'admin password 123', handle: 'chefin' })

describe('join graph', () => {
  it('counts every level of a growing tree and lists each level in pages without gaps', async () => {
    const top = await makeMember(server, { handle: 'top' })
    const a = await makeMember(server, { handle: 'lvl1-a', sponsor: 'top' })
    await makeMember(server, { handle: 'lvl1-b', sponsor: 'top' })
    await makeMember(server, { handle: 'lvl1-c', sponsor: 'top', role: 'customer' })
    const a1 = await makeMember(server, { handle: 'lvl2-a1', sponsor: 'lvl1-a' })
    await makeMember(server, { handle: 'lvl2-b1', sponsor: 'lvl1-b' })
    await makeMember(server, { handle: 'lvl3-a1x', sponsor: 'lvl2-a1' })

    expect(await stats(top.client)).toEqual({
      total: 6,
      levels: [
        { level: 1, count: 3 },
        { level: 2, count: 2 },
        { level: 3, count: 1 },
      ],
    })
    expect(await stats(a.client)).toEqual({
      total: 2,
      levels: [
        { level: 1, count: 1 },
        { level: 2, count: 1 },
      ],
    })
    expect(await stats(a1.client)).toEqual({ total: 1, levels: [{ level: 1, count: 1 }] })
    expect(await levelHandles(top.client, 1)).toEqual(['lvl1-a', 'lvl1-b', 'lvl1-c'])
    expect((await levelHandles(top.client, 2)).sort()).toEqual(['lvl2-a1', 'lvl2-b1'])
    expect(await levelHandles(top.client, 3)).toEqual(['lvl3-a1x'])
    expect(await levelHandles(top.client, 4)).toEqual([])
    const page = await top.client.get('/api/v1/me/downline?level=2')
    expect(page.body.items[0]).toMatchObject({ level: 2, sponsorHandle: expect.stringMatching(/^lvl1-/), joinedAt: expect.any(String) })
    // The company root sees everyone.
    const root = await server.app.ctx.models.Member.findOne({ isRoot: true }).lean()
    const members = await server.app.ctx.models.Member.countDocuments({ isRoot: false })
    expect(root!.downlineTotal).toBe(members)
  })

  it('keeps exact counts and distinct list places when many join one sponsor at the same moment', async () => {
    const busy = await makeMember(server, { handle: 'busy-sponsor' })
    await Promise.all(Array.from({ length: 20 }, (_, i) => makeMember(server, { handle: `rush-${i}`, sponsor: 'busy-sponsor' })))
    expect(await stats(busy.client)).toEqual({ total: 20, levels: [{ level: 1, count: 20 }] })
    const listed = await levelHandles(busy.client, 1)
    expect(listed.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `rush-${i}`).sort())
  })

  it('requires a session and validates the level', async () => {
    expect((await new Client(server.url).get('/api/v1/me/downline/stats')).status).toBe(401)
    const { client } = await makeMember(server)
    const bad = await client.get('/api/v1/me/downline?level=0')
    expect(bad.status).toBe(400)
    expect(bad.body.error.details[0].field).toBe('level')
    expect((await client.get('/api/v1/me/downline?cursor=nope')).body.error.code).toBe('BAD_REQUEST')
  })

  it('finishes a join that died after writing the member, and releases the keys of one that died before', async () => {
    const boss = await makeMember(server, { handle: 'boss' })
    await makeMember(server, { handle: 'boss-1', sponsor: 'boss' })
    const { Key, Member, PendingJoin } = server.app.ctx.models
    const sponsor = await Member.findOne({ handle: 'boss-1' }).lean()
    const upline = [sponsor!._id, ...sponsor!.upline]
    const old = new Date(Date.now() - 10 * 60_000)
    // Crash 1: member written, ancestors' counters not.
    const ghost = new Types.ObjectId()
    await PendingJoin.create({ _id: ghost, keys: ['handle:ghost', 'email:ghost@example.org'], upline, createdAt: old })
    await Key.create({ _id: 'handle:ghost', memberId: ghost })
    await Key.create({ _id: 'email:ghost@example.org', memberId: ghost })
    await Member.create({
      _id: ghost,
      handle: 'ghost',
      email: 'ghost@example.org',
      displayName: 'Ghost',
      role: 'partner',
      sponsorId: sponsor!._id,
      upline,
      depth: upline.length,
    })
    // Crash 2: handle claimed, member never written.
    const lost = new Types.ObjectId()
    await PendingJoin.create({ _id: lost, keys: ['handle:lost', 'email:lost@example.org'], upline, createdAt: old })
    await Key.create({ _id: 'handle:lost', memberId: lost })
    // A join in flight right now on another node is left alone.
    await PendingJoin.create({ _id: new Types.ObjectId(), keys: ['handle:busy'], upline, createdAt: new Date() })

    expect((await stats(boss.client)).total).toBe(1)
    expect(
      (
        await new Client(server.url).post('/api/v1/auth/register', {
          email: 'x@lost.example',
          password: 'a long password',
          handle: 'lost',
          displayName: 'L',
          role: 'partner',
        })
      ).body.error.code,
    ).toBe('HANDLE_TAKEN')

    expect(await repairPendingJoins(server.app.ctx)).toBe(2)
    expect(await stats(boss.client)).toEqual({
      total: 2,
      levels: [
        { level: 1, count: 1 },
        { level: 2, count: 1 },
      ],
    })
    expect(await levelHandles(boss.client, 2)).toEqual(['ghost'])
    expect(await Key.exists({ _id: 'handle:lost' })).toBeNull()
    expect(await Key.exists({ _id: 'handle:ghost' })).not.toBeNull()
    expect(await PendingJoin.countDocuments()).toBe(1)
    expect(await repairPendingJoins(server.app.ctx)).toBe(0)
    const reg = await new Client(server.url).post('/api/v1/auth/register', {
      email: 'x@lost.example',
      password: 'a long password',
      handle: 'lost',
      displayName: 'L',
      role: 'partner',
    })
    expect(reg.status).toBe(201)
  })

  it('leaves no claim behind when a join is refused half-way', async () => {
    await makeMember(server, { handle: 'taken-mail' })
    // Past the friendly pre-checks (as in a race): the handle is claimed first, then the email clashes.
    const root = await server.app.ctx.models.Member.findOne({ isRoot: true }).lean()
    await expect(
      insertMember(server.app.ctx, {
        handle: 'fresh-handle',
        email: 'Taken-Mail@example.org',
        passwordHash: null,
        displayName: 'F',
        role: 'partner',
        sponsor: root,
      }),
    ).rejects.toMatchObject({ code: 'EMAIL_TAKEN' })
    const { Key, PendingJoin } = server.app.ctx.models
    expect(await Key.exists({ _id: 'handle:fresh-handle' })).toBeNull()
    expect(await PendingJoin.find({ keys: 'handle:fresh-handle' }).lean()).toEqual([])
    const reg = await new Client(server.url).post('/api/v1/auth/register', {
      email: 'fresh@example.org',
      password: 'a long password',
      handle: 'fresh-handle',
      displayName: 'F',
      role: 'partner',
    })
    expect(reg.status).toBe(201)
  })
})

describe('admin move', () => {
  it('moves a subtree, rewriting paths and counters on both sides, and audits it', async () => {
    const admin = await chefin()
    const left = await makeMember(server, { handle: 'left' })
    const right = await makeMember(server, { handle: 'right' })
    await makeMember(server, { handle: 'mover', sponsor: 'left' })
    const child = await makeMember(server, { handle: 'mover-kid', sponsor: 'mover' })
    await makeMember(server, { handle: 'mover-grandkid', sponsor: 'mover-kid' })
    await makeMember(server, { handle: 'stays', sponsor: 'left' })

    const res = await admin.post('/api/v1/admin/members/move', { member: 'mover', newSponsor: 'right', reason: 'Sponsor changed by agreement' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual({ member: 'mover', oldSponsor: 'left', newSponsor: 'right', movedCount: 3 })

    expect(await stats(left.client)).toEqual({ total: 1, levels: [{ level: 1, count: 1 }] })
    expect(await stats(right.client)).toEqual({
      total: 3,
      levels: [
        { level: 1, count: 1 },
        { level: 2, count: 1 },
        { level: 3, count: 1 },
      ],
    })
    expect(await levelHandles(right.client, 3)).toEqual(['mover-grandkid'])
    expect(await levelHandles(left.client, 2)).toEqual([])
    const me = await child.client.get('/api/v1/me')
    expect(me.body.depth).toBe(3)

    // Counters after the move equal a recount from the tree itself.
    const { Member } = server.app.ctx.models
    for (const handle of ['left', 'right', 'mover', 'vernetzt']) {
      const doc = await Member.findOne({ handle }).lean()
      const below = await Member.countDocuments({ upline: doc!._id })
      expect(doc!.downlineTotal, handle).toBe(below)
    }
    const audit = await server.app.ctx.models.Audit.findOne({ action: 'member.move' }).lean()
    expect(audit).toMatchObject({ reason: 'Sponsor changed by agreement', data: { status: 'done', subtreeSize: 3 } })
  })

  it('keeps level lists whole and free of duplicates when members move away and back', async () => {
    const admin = await chefin()
    const hub = await makeMember(server, { handle: 'hub' })
    await makeMember(server, { handle: 'elsewhere' })
    const names = ['k1', 'k2', 'k3', 'k4', 'k5']
    for (const name of names) await makeMember(server, { handle: `hub-${name}`, sponsor: 'hub' })
    await makeMember(server, { handle: 'hub-k2-child', sponsor: 'hub-k2' })
    // Two leave (holes in hub's numbering), one of them comes back (a new number at the end).
    for (const [m, to] of [
      ['hub-k2', 'elsewhere'],
      ['hub-k4', 'elsewhere'],
      ['hub-k2', 'hub'],
    ]) {
      expect((await admin.post('/api/v1/admin/members/move', { member: m, newSponsor: to, reason: 'test' })).status).toBe(200)
    }
    expect(await levelHandles(hub.client, 1)).toEqual(['hub-k1', 'hub-k3', 'hub-k5', 'hub-k2'])
    expect(await levelHandles(hub.client, 2)).toEqual(['hub-k2-child'])
    expect(await stats(hub.client)).toEqual({
      total: 5,
      levels: [
        { level: 1, count: 4 },
        { level: 2, count: 1 },
      ],
    })
    const elsewhere = new Client(server.url)
    await elsewhere.post('/api/v1/auth/login', { email: 'elsewhere@example.org', password: 'correct horse battery' })
    expect(await levelHandles(elsewhere, 1)).toEqual(['hub-k4'])
    expect(await levelHandles(elsewhere, 2)).toEqual([])
  })

  it('refuses a move that would create a cycle and changes nothing', async () => {
    const admin = await chefin()
    await makeMember(server, { handle: 'cyc-a' })
    await makeMember(server, { handle: 'cyc-b', sponsor: 'cyc-a' })
    await makeMember(server, { handle: 'cyc-c', sponsor: 'cyc-b' })
    for (const target of ['cyc-c', 'cyc-b', 'cyc-a']) {
      const res = await admin.post('/api/v1/admin/members/move', { member: 'cyc-a', newSponsor: target, reason: 'attempt' })
      expect(res.status, target).toBe(422)
      expect(res.body.error.code).toBe('MOVE_WOULD_CREATE_CYCLE')
    }
    const b = await server.app.ctx.models.Member.findOne({ handle: 'cyc-b' }).lean()
    const a = await server.app.ctx.models.Member.findOne({ handle: 'cyc-a' }).lean()
    expect(b!.sponsorId!.equals(a!._id)).toBe(true)
  })

  it('is for administrators only, and names bad targets', async () => {
    const { client } = await makeMember(server, { handle: 'not-admin' })
    await makeMember(server, { handle: 'victim' })
    const res = await client.post('/api/v1/admin/members/move', { member: 'victim', newSponsor: 'not-admin', reason: 'mine now' })
    expect(res.status).toBe(403)
    expect(res.body.error.code).toBe('FORBIDDEN')
    const admin = await chefin()
    await makeMember(server, { handle: 'kunde-x', role: 'customer' })
    expect((await admin.post('/api/v1/admin/members/move', { member: 'victim', newSponsor: 'kunde-x', reason: 'test' })).body.error.code).toBe(
      'SPONSOR_NOT_PARTNER',
    )
    expect((await admin.post('/api/v1/admin/members/move', { member: 'victim', newSponsor: 'nobody-x', reason: 'test' })).body.error.code).toBe(
      'SPONSOR_NOT_FOUND',
    )
    expect((await admin.post('/api/v1/admin/members/move', { member: 'vernetzt', newSponsor: 'victim', reason: 'test' })).body.error.code).toBe(
      'MOVE_NOT_ALLOWED',
    )
  })
})
