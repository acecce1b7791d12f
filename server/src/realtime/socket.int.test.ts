import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeSockets, makeMember, openSocket, startTestServer, type TestServer } from '../../test/harness.ts'

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  closeSockets()
  await server.close()
})

const open = (cookie?: string, origin?: string) => openSocket(server.url, { ...(cookie ? { cookie } : {}), ...(origin ? { origin } : {}) })

describe("socket.io on the app's origin and session", () => {
  it('knows the signed-in member from the session cookie, and nobody without one', async () => {
    const { client, handle } = await makeMember(server, { handle: 'sockel' })
    expect((await open(client.cookie)).hello.handle).toBe(handle)
    expect((await open()).hello).toEqual({ userId: null, handle: null })
    expect((await open('vz_session=forged-token')).hello.userId).toBeNull()
  })

  it('refuses a handshake from a foreign origin', async () => {
    await expect(open(undefined, 'https://evil.example')).rejects.toThrow()
  })

  it('tells a sponsor live when someone joins their team, and nobody else', async () => {
    const sponsor = await makeMember(server, { handle: 'live-sponsor' })
    const bystander = await makeMember(server, { handle: 'bystander' })
    const { socket } = await open(sponsor.client.cookie)
    const { socket: other } = await open(bystander.client.cookie)
    const seen: string[] = []
    other.on('team:joined', (p) => seen.push(p.handle))
    const joined = new Promise<{ handle: string; level: number }>((resolve) => socket.once('team:joined', resolve))
    await makeMember(server, { handle: 'new-recruit', sponsor: 'live-sponsor' })
    expect(await joined).toMatchObject({ handle: 'new-recruit', level: 1 })
    await new Promise((r) => setTimeout(r, 200))
    expect(seen).toEqual([])
  })
})
