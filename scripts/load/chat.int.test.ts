import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeMember, startTestServer, type TestServer } from '../../server/test/harness.ts'
import { ChatLoad, checkStored, type HistoryReader, type Seat } from './generator.ts'

// The load test's generator, small: 3 team conversations of 5, everyone sending at once.
let server: TestServer
let load: ChatLoad | undefined
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  load?.close()
  await server.close()
})

describe('chat load generator', () => {
  it('sees every message of concurrent senders arrive at every other participant once and stored once', async () => {
    const seats: Seat[] = []
    const readers: HistoryReader[] = []
    for (let c = 0; c < 3; c++) {
      const leader = await makeMember(server, { handle: `lt-lead-${c}` })
      const team = [leader]
      for (let i = 1; i < 5; i++) team.push(await makeMember(server, { handle: `lt-${c}-${i}`, sponsor: leader.handle }))
      const res = await leader.client.post('/api/v1/conversations', { participants: team.slice(1).map((m) => m.handle), title: `Team ${c}` })
      expect(res.status).toBe(201)
      readers.push({ id: res.body.id, cookie: leader.client.cookie })
      for (const m of team) seats.push({ conversation: c, conversationId: res.body.id, cookie: m.client.cookie })
    }
    load = new ChatLoad(seats)
    await load.open(server.url, 15)
    expect((await load.warmUp(5)).errors).toBe(0)

    const result = await load.run({ rate: 15, seconds: 2, maxBacklogSeconds: 10, quietSeconds: 20, drainSeconds: 25 })
    expect(result).toMatchObject({ stopped: null, sent: 30, acked: 30, ackErrors: {}, expected: 30 * 4, delivered: 30 * 4, lost: 0, duplicates: 0 })
    expect(result.latency.count).toBe(120)
    const stored = await checkStored(server.url, readers, result, [0, 0, 0])
    expect(stored).toEqual({ stored: 30, missing: 0, unacknowledgedButStored: 0, duplicates: 0 })
  }, 60_000)
})
