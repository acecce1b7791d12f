// What bench:messages measures against: the demo network, and one member with a busy inbox.
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../server/src/context.ts'
import { followId } from '../../server/src/modules/follows/model.ts'
import { createConversation } from '../../server/src/modules/messaging/conversations.ts'
import { sendMessage } from '../../server/src/modules/messaging/send.ts'
import { DEMO_LEADERS, seedDemo } from '../demo/seed.ts'

export interface Inbox {
  owner: Actor
  conversationIds: string[]
}

const actorOf = (m: { _id: Types.ObjectId; handle: string; role: string }): Actor => ({ id: m._id.toString(), handle: m.handle, role: m.role as Actor['role'] })

/**
 * The demo network of `size` members, then `conversations` direct conversations of its first
 * leader (anna) with as many other members, `messages` each, written in interleaved rounds the
 * way a real day goes (every conversation moves to the top of her inbox again and again), and
 * a few unread replies. Everyone involved follows each other, so no message requests or
 * new-conversation limits get in the way.
 */
export async function seedInbox(ctx: ServiceContext, options: { size: number; conversations: number; messages: number; demo?: boolean }): Promise<Inbox> {
  if (options.demo !== false) await seedDemo(ctx, options.size)
  const owner = await ctx.models.Member.findOne({ handle: DEMO_LEADERS[0] }).lean()
  if (!owner) throw new Error('the demo network has no anna')
  const others = await ctx.models.Member.find({ _id: { $ne: owner._id }, isRoot: { $ne: true } }, { handle: 1, role: 1 })
    .limit(options.conversations)
    .lean()
  if (others.length < options.conversations) throw new Error(`only ${others.length} members to talk to; seed a bigger network`)
  await ctx.models.Follow.collection
    .insertMany(
      others.flatMap((o) => [
        { _id: followId(owner._id.toString(), o._id.toString()), createdAt: new Date() },
        { _id: followId(o._id.toString(), owner._id.toString()), createdAt: new Date() },
      ]) as never[],
      { ordered: false },
    )
    .catch(() => {}) // a follow the demo made already stays
  const me = actorOf(owner)
  const conversationIds: string[] = []
  for (const other of others) conversationIds.push((await createConversation(ctx, me, { participants: [other.handle] })).id)
  for (let round = 0; round < options.messages; round++) {
    for (const [i, id] of conversationIds.entries()) {
      // Alternating authors; the others have the last word in every third conversation (unread for her).
      const author = (round + i) % 2 === 0 || (round === options.messages - 1 && i % 3 === 0) ? actorOf(others[i]!) : me
      await sendMessage(
        ctx,
        author,
        { conversationId: id, body: `Nachricht ${round} in Gespräch ${i}`, clientMessageId: `bench-${i}-${round}` },
        { automatic: true },
      )
    }
  }
  return { owner: me, conversationIds }
}
