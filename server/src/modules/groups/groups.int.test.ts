import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server.close()
})

const handles = (res: { body: { items: Array<{ member: { handle: string } }> } }) => res.body.items.map((i) => i.member.handle)

describe('team groups follow the downline', () => {
  it('includes recruits down to the chosen depth the moment they join, and drops a member moved away', async () => {
    const owner = await makeMember(server, { handle: 'teamchefin' })
    const created = await owner.client.post('/api/v1/groups', { name: 'Team Chefin', slug: 'team-chefin', kind: 'team', visibility: 'private', teamDepth: 2 })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ kind: 'team', teamDepth: 2, memberCount: 1, myRole: 'owner' })
    const l1 = await makeMember(server, { handle: 'tc-l1', sponsor: 'teamchefin' })
    const l2 = await makeMember(server, { handle: 'tc-l2', sponsor: 'tc-l1' })
    const l3 = await makeMember(server, { handle: 'tc-l3', sponsor: 'tc-l2' })
    const outsider = await makeMember(server, { handle: 'tc-outsider' })

    expect((await l1.client.get('/api/v1/groups/team-chefin')).body.myRole).toBe('member')
    expect((await l2.client.get('/api/v1/groups/team-chefin')).body).toMatchObject({ myRole: 'member', memberCount: 3 })
    expect((await l3.client.get('/api/v1/groups/team-chefin')).status).toBe(404)
    expect((await outsider.client.get('/api/v1/groups/team-chefin')).status).toBe(404)
    expect(handles(await l2.client.get('/api/v1/groups/team-chefin/members'))).toEqual(['teamchefin', 'tc-l1', 'tc-l2'])
    expect((await l2.client.get('/api/v1/groups?mine=true')).body.items.map((g: { slug: string }) => g.slug)).toEqual(['team-chefin'])

    const join = await outsider.client.post('/api/v1/groups/team-chefin/join')
    expect(join.status).toBe(422)
    expect(join.body.error.code).toBe('TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE')
    expect((await owner.client.post('/api/v1/groups/team-chefin/invitations', { handle: 'tc-outsider' })).body.error.code).toBe(
      'TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE',
    )
    expect((await l1.client.post('/api/v1/groups/team-chefin/leave')).body.error.code).toBe('TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE')
    expect(
      (await owner.client.post('/api/v1/groups', { name: 'Zweites Team', slug: 'team-zwei', kind: 'team', visibility: 'private', teamDepth: 1 })).body.error
        .code,
    ).toBe('TEAM_GROUP_EXISTS')

    // An admin moves tc-l2 (and tc-l3 below) to the outsider: both leave the team group.
    const admin = await adminClient(server, { email: 'g-admin@example.org', password: 'admin password 1', handle: 'g-admin' })
    expect((await admin.post('/api/v1/admin/members/move', { member: 'tc-l2', newSponsor: 'tc-outsider', reason: 'Umzug' })).status).toBe(200)
    expect((await l2.client.get('/api/v1/groups/team-chefin')).status).toBe(404)
    expect(handles(await owner.client.get('/api/v1/groups/team-chefin/members'))).toEqual(['teamchefin', 'tc-l1'])
    expect((await owner.client.get('/api/v1/groups/team-chefin')).body.memberCount).toBe(2)
  })

  it('lets the owner remove a downline member from the group and appoint moderators', async () => {
    const owner = await makeMember(server, { handle: 'tr-owner' })
    await owner.client.post('/api/v1/groups', { name: 'Team Rot', slug: 'team-rot', kind: 'team', visibility: 'public', teamDepth: 1 })
    const a = await makeMember(server, { handle: 'tr-a', sponsor: 'tr-owner' })
    const b = await makeMember(server, { handle: 'tr-b', sponsor: 'tr-owner' })
    expect((await a.client.post('/api/v1/groups/team-rot/members/remove', { handle: 'tr-b' })).body.error.code).toBe('FORBIDDEN')
    expect((await owner.client.post('/api/v1/groups/team-rot/roles', { handle: 'tr-a', role: 'moderator' })).status).toBe(200)
    expect((await a.client.get('/api/v1/groups/team-rot')).body.myRole).toBe('moderator')
    expect((await a.client.post('/api/v1/groups/team-rot/members/remove', { handle: 'tr-b' })).status).toBe(200)
    expect((await b.client.get('/api/v1/groups/team-rot')).body.myRole).toBeNull()
    expect((await owner.client.get('/api/v1/groups/team-rot')).body.memberCount).toBe(2)
    expect((await a.client.post('/api/v1/groups/team-rot/roles', { handle: 'tr-owner', role: 'member' })).body.error.code).toBe('FORBIDDEN')
  })
})

describe('community groups', () => {
  it('lets anyone join a public group and leave it again', async () => {
    const owner = await makeMember(server, { handle: 'c-owner', role: 'customer' })
    const created = await owner.client.post('/api/v1/groups', {
      name: 'Rezepte mit Aloe',
      slug: 'aloe-rezepte',
      kind: 'community',
      visibility: 'public',
      description: 'Wir **kochen** gemeinsam.',
    })
    expect(created.status).toBe(201)
    expect(created.body.descriptionHtml).toContain('<strong>kochen</strong>')
    const fan = await makeMember(server, { handle: 'c-fan' })
    expect((await fan.client.post('/api/v1/groups/aloe-rezepte/join')).body).toEqual({ status: 'joined' })
    expect((await fan.client.post('/api/v1/groups/aloe-rezepte/join')).body).toEqual({ status: 'member' })
    expect((await new Client(server.url).get('/api/v1/groups/aloe-rezepte')).body.memberCount).toBe(2)
    expect(handles(await new Client(server.url).get('/api/v1/groups/aloe-rezepte/members'))).toEqual(['c-fan', 'c-owner']) // newest first
    expect((await new Client(server.url).get('/api/v1/groups?q=aloe')).body.items.map((g: { slug: string }) => g.slug)).toEqual(['aloe-rezepte'])
    expect((await fan.client.post('/api/v1/groups/aloe-rezepte/leave')).status).toBe(200)
    expect((await fan.client.get('/api/v1/groups/aloe-rezepte')).body).toMatchObject({ myRole: null, memberCount: 1 })
    expect((await owner.client.post('/api/v1/groups/aloe-rezepte/leave')).body.error.code).toBe('OWNER_CANNOT_LEAVE')
    expect(
      (await owner.client.post('/api/v1/groups', { name: 'Nochmal', slug: 'Aloe-Rezepte', kind: 'community', visibility: 'public' })).body.error.code,
    ).toBe('SLUG_TAKEN')
    expect((await owner.client.post('/api/v1/groups', { name: 'Kurs', slug: 'kurs', kind: 'training', visibility: 'public' })).body.error.code).toBe(
      'ONLY_PARTNERS_LEAD_GROUPS',
    )
    expect((await owner.client.post('/api/v1/groups', { name: 'Bad', slug: '-x-', kind: 'community', visibility: 'public' })).body.error.code).toBe(
      'SLUG_INVALID',
    )
  })

  it('keeps a private group invisible to outsiders through every endpoint, and admits by request or invitation', async () => {
    const owner = await makeMember(server, { handle: 'p-owner' })
    await owner.client.post('/api/v1/groups', { name: 'Geheimer Zirkel', slug: 'geheim', kind: 'community', visibility: 'private' })
    const outsider = await makeMember(server, { handle: 'p-outsider' })
    const anon = new Client(server.url)
    for (const client of [outsider.client, anon]) {
      expect((await client.get('/api/v1/groups/geheim')).status).toBe(404)
      expect((await client.get('/api/v1/groups/geheim/members')).status).toBe(404)
      expect(JSON.stringify((await client.get('/api/v1/groups?q=geheim')).body)).not.toContain('Geheimer')
      expect(JSON.stringify((await client.get('/api/v1/groups')).body)).not.toContain('geheim')
    }
    expect((await outsider.client.get('/api/v1/groups?mine=true')).body.items).toEqual([])

    // By request: the owner approves.
    expect((await outsider.client.post('/api/v1/groups/geheim/join')).body).toEqual({ status: 'requested' })
    expect((await outsider.client.get('/api/v1/groups/geheim')).status).toBe(404)
    expect((await outsider.client.get('/api/v1/groups/geheim/requests')).status).toBe(404)
    const requests = await owner.client.get('/api/v1/groups/geheim/requests')
    expect(requests.body.items.map((m: { handle: string }) => m.handle)).toEqual(['p-outsider'])
    expect((await owner.client.get('/api/v1/notifications')).body.items[0].type).toBe('group.request')
    expect((await owner.client.post('/api/v1/groups/geheim/requests', { handle: 'p-outsider', approve: true })).status).toBe(200)
    expect((await outsider.client.get('/api/v1/groups/geheim')).body.myRole).toBe('member')
    expect((await owner.client.post('/api/v1/groups/geheim/requests', { handle: 'p-outsider', approve: true })).body.error.code).toBe('REQUEST_NOT_FOUND')

    // By invitation: the invitee sees the group, joins at once.
    const guest = await makeMember(server, { handle: 'p-guest' })
    expect((await outsider.client.post('/api/v1/groups/geheim/invitations', { handle: 'p-guest' })).body.error.code).toBe('FORBIDDEN')
    expect((await owner.client.post('/api/v1/groups/geheim/invitations', { handle: 'p-guest' })).status).toBe(200)
    expect((await guest.client.get('/api/v1/groups/geheim')).body).toMatchObject({ name: 'Geheimer Zirkel', myRole: null, myRequest: 'invited' })
    expect((await guest.client.get('/api/v1/groups/geheim/members')).status).toBe(404)
    expect((await guest.client.post('/api/v1/groups/geheim/join')).body).toEqual({ status: 'joined' })
    expect(handles(await guest.client.get('/api/v1/groups/geheim/members'))).toEqual(['p-guest', 'p-outsider', 'p-owner'])
    expect((await guest.client.get('/api/v1/groups?mine=true')).body.items.map((g: { slug: string }) => g.slug)).toEqual(['geheim'])
  })
})
