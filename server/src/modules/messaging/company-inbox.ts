// The company's team inbox: members whose sponsor is the company root get their welcome chat
// from the company, and administrators and site moderators answer it at /admin/inbox. The root
// account itself never signs in; staff read and write as the company, and who answered a
// message is kept beside it (`inbox_replies`) for the staff only.
import { AppError } from '@vernetzt/shared/errors'
import type { InboxMessages, InboxPage, Message, MessagesQuery } from '@vernetzt/shared/schemas/messages'
import { isSiteModerator, type Actor, type ServiceContext } from '../../context.ts'
import { findRoot, memberSummaries } from '../accounts/index.ts'
import { listConversations } from './conversation-list.ts'
import { listMessages, readUpTo } from './messages.ts'
import { sendMessage } from './send.ts'

export const inboxReplyId = (conversationId: string, seq: number) => `${conversationId}:${seq}`

/** The company root as the author and reader of the inbox. */
export async function companyActor(ctx: ServiceContext): Promise<Actor> {
  const root = await findRoot(ctx, { handle: 1, role: 1 })
  if (!root) throw new AppError('INTERNAL', 'The company account is missing.')
  return { id: root._id.toString(), handle: root.handle, role: root.role }
}

const companySummary = async (ctx: ServiceContext, company: Actor) => (await memberSummaries(ctx, [company.id])).get(company.id)!

function requireStaff(actor: Actor): void {
  if (!isSiteModerator(actor)) throw new AppError('FORBIDDEN', 'Only administrators and moderators answer the company inbox.')
}

export async function listInbox(ctx: ServiceContext, actor: Actor, query: { cursor?: string; limit?: number }): Promise<InboxPage> {
  requireStaff(actor)
  const company = await companyActor(ctx)
  const { items, nextCursor } = await listConversations(ctx, company, query)
  return { items, nextCursor, company: await companySummary(ctx, company) }
}

export async function inboxMessages(ctx: ServiceContext, actor: Actor, conversationId: string, query: MessagesQuery): Promise<InboxMessages> {
  requireStaff(actor)
  const company = await companyActor(ctx)
  const page = await listMessages(ctx, company, conversationId, query)
  const ours = page.items.filter((m) => m.author.id === company.id)
  const replies = await Promise.all(ours.map((m) => ctx.models.InboxReply.findById(inboxReplyId(conversationId, m.seq)).lean()))
  const answeredBy: Record<string, string> = {}
  ours.forEach((m, i) => {
    const reply = replies[i]
    if (reply) answeredBy[String(m.seq)] = reply.handle
  })
  return { items: page.items, answeredBy, company: await companySummary(ctx, company) }
}

/** A staff member answers as the company; the member sees the company, the staff see who. */
export async function answerInbox(
  ctx: ServiceContext,
  actor: Actor,
  conversationId: string,
  input: { body: string; clientMessageId: string },
): Promise<Message> {
  requireStaff(actor)
  const company = await companyActor(ctx)
  // The client's id is the staff member's own: two staff members' drafts never collide.
  const message = await sendMessage(ctx, company, { conversationId, body: input.body, clientMessageId: `${actor.id}-${input.clientMessageId}` })
  await ctx.models.InboxReply.updateOne(
    { _id: inboxReplyId(conversationId, message.seq) },
    { $setOnInsert: { staffId: actor.id, handle: actor.handle, at: new Date() } },
    { upsert: true },
  )
  await readUpTo(ctx, company, conversationId, message.seq)
  return message
}

export async function readInbox(ctx: ServiceContext, actor: Actor, conversationId: string, seq: number): Promise<void> {
  requireStaff(actor)
  await readUpTo(ctx, await companyActor(ctx), conversationId, seq)
}
