import type { Upline } from '@vernetzt/shared/schemas/commerce'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client, makeMember, startTestServer, type TestServer, adminClient } from '../../../test/harness.ts'

let server: TestServer
let admin: Client

beforeAll(async () => {
  server = await startTestServer()
  admin = await adminClient(server, { email: 'plan-admin@example.org', password: 'plan admin password', handle: 'planadmin' })
})
afterAll(async () => {
  await server.close()
})

/** A line of partners below the root: the first one is the top. */
async function line(prefix: string, length: number) {
  const chain = []
  for (let i = 0; i < length; i++)
    chain.push(await makeMember(server, { handle: `${prefix}${i + 1}`, displayName: `Partner ${prefix}${i + 1}`, ...(i ? { sponsor: `${prefix}${i}` } : {}) }))
  return chain
}

const upline = (client: Client, handle: string) => client.get<Upline & { error: { code: string } }>(`/api/v1/admin/members/${handle}/upline`)

describe('GET /admin/members/:handle/upline (plan simulator)', () => {
  it('lists the partner and their upline nearest first, without the company root', async () => {
    await line('up-a', 3)
    const res = await upline(admin, 'up-a3')
    expect(res.status).toBe(200)
    expect(res.body.items.map((m) => [m.handle, m.distance, m.role])).toEqual([
      ['up-a3', 0, 'partner'],
      ['up-a2', 1, 'partner'],
      ['up-a1', 2, 'partner'],
    ])
    expect(res.body.items[0]).toMatchObject({ displayName: 'Partner up-a3', avatarUrl: null, id: expect.stringMatching(/^[0-9a-f]{24}$/) })
    expect(res.body.items.map((m) => m.handle)).not.toContain(server.config.root.handle)
    // The root itself has nobody above it who earns.
    expect((await upline(admin, server.config.root.handle)).body.items).toEqual([])
  })

  it('names a customer with their role, so the simulator can count the order for their referrer', async () => {
    await line('up-c', 2)
    await makeMember(server, { handle: 'up-kundin', role: 'customer', sponsor: 'up-c2' })
    const res = await upline(admin, 'up-kundin')
    expect(res.body.items.map((m) => [m.handle, m.role, m.distance])).toEqual([
      ['up-kundin', 'customer', 0],
      ['up-c2', 'partner', 1],
      ['up-c1', 'partner', 2],
    ])
  })

  it('stops after 10 members however deep the line is', async () => {
    await line('up-d', 12)
    const res = await upline(admin, 'up-d12')
    expect(res.body.items).toHaveLength(10)
    expect(res.body.items.map((m) => m.handle)).toEqual(['up-d12', 'up-d11', 'up-d10', 'up-d9', 'up-d8', 'up-d7', 'up-d6', 'up-d5', 'up-d4', 'up-d3'])
    expect(res.body.items.map((m) => m.distance)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it('answers 404 for an unknown handle', async () => {
    const res = await upline(admin, 'niemand-hier')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('PROFILE_NOT_FOUND')
  })

  it('is for administrators only', async () => {
    const [top, below] = await line('up-e', 2)
    const asPartner = await upline(below!.client, 'up-e2')
    expect(asPartner.status).toBe(403)
    expect(asPartner.body.error.code).toBe('FORBIDDEN')
    expect((await upline(top!.client, 'up-e2')).status).toBe(403)
    const anonymous = await upline(new Client(server.url), 'up-e2')
    expect(anonymous.status).toBe(401)
  })
})
