// Team conversations for load tests and benchmarks: members, sessions and one group chat per team.
import type { Conversation } from '@vernetzt/shared/schemas/messages'
import type { ServiceContext } from '../../server/src/context.ts'
import { SESSION_COOKIE, createSession } from '../../server/src/modules/accounts/sessions.ts'
import { ensureRoot, insertMember } from '../../server/src/modules/referrals/index.ts'
import type { HistoryReader, Seat } from './generator.ts'

export interface Seeded {
  seats: Seat[]
  conversations: HistoryReader[]
}

/**
 * Each conversation is a team: a leader and the members they sponsored, so everyone is in
 * everyone's circle and no conversation starts as a message request. Members and sessions go
 * straight into the database (registering 1,000 members would mostly time password hashing);
 * conversations are opened through the API at `url`, as a leader would.
 */
export async function seedTeams(ctx: ServiceContext, url: string, options: { conversations: number; size: number; prefix: string }): Promise<Seeded> {
  const { conversations: count, size, prefix } = options
  const cookies: string[][] = []
  const company = await ensureRoot(ctx)
  const member = (c: number, i: number, sponsor: Awaited<ReturnType<typeof ensureRoot>>) =>
    insertMember(ctx, {
      handle: `${prefix}-${c}-${i}`,
      email: `${prefix}-${c}-${i}@load.invalid`,
      passwordHash: null,
      displayName: `Load ${c}/${i}`,
      role: 'partner',
      sponsor,
    })
  let next = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const c = next++
        const leader = await member(c, 0, company)
        const team = [leader, ...(await Promise.all(Array.from({ length: size - 1 }, (_, i) => member(c, i + 1, leader))))]
        cookies[c] = await Promise.all(team.map(async (m) => `${SESSION_COOKIE}=${(await createSession(ctx, m._id, { userAgent: 'load test' })).token}`))
      }
    }),
  )
  const conversations: HistoryReader[] = []
  next = 0
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const c = next++
        const res = await fetch(`${url}/api/v1/conversations`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', cookie: cookies[c]![0]! },
          body: JSON.stringify({ participants: Array.from({ length: size - 1 }, (_, i) => `${prefix}-${c}-${i + 1}`), title: `Team ${c}` }),
        })
        if (res.status !== 201) throw new Error(`opening conversation ${c} failed: ${res.status} ${await res.text()}`)
        conversations[c] = { id: ((await res.json()) as Conversation).id, cookie: cookies[c]![0]! }
      }
    }),
  )
  const seats = conversations.flatMap(({ id }, c) => cookies[c]!.map((cookie) => ({ conversation: c, conversationId: id, cookie })))
  return { seats, conversations }
}
