import { extractMentions } from '@vernetzt/shared/handles'
import type { Types } from 'mongoose'
import type { ServiceContext } from '../../context.ts'
import { findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { notify, mentionText } from '../notifications/index.ts'

/**
 * Notifies the people a text mentions as @handle: at most MENTIONS_MAX, never the author, never
 * someone who blocked the author, and only people who can see where the text is (`canSee`).
 * Returns who was notified, so the caller does not tell them a second time.
 */
export async function notifyMentions(
  ctx: ServiceContext,
  authorId: string,
  text: string,
  notice: {
    type: string
    /** Where it was said. */
    where: 'post' | 'comment' | 'chat'
    data: Record<string, string>
    skip?: Set<string>
    canSee: (member: MemberDoc) => Promise<boolean> | boolean
  },
): Promise<Set<string>> {
  const told = new Set<string>()
  const handles = extractMentions(text)
  if (handles.length === 0) return told
  const author = await ctx.models.Member.findById(authorId, { displayName: 1, blockedBy: 1 }).lean()
  if (!author) return told
  const blockedBy = new Set((author.blockedBy ?? []).map((id: Types.ObjectId) => id.toString()))
  const preview = text.replace(/\s+/g, ' ').trim().slice(0, 80)
  for (const handle of handles) {
    const member = await findMemberByHandle(ctx, handle)
    if (!member) continue
    const id = member._id.toString()
    if (id === authorId || blockedBy.has(id) || notice.skip?.has(id) || told.has(id)) continue
    if (!(await notice.canSee(member))) continue
    told.add(id)
    await notify(ctx, member._id, { type: notice.type, text: mentionText(author.displayName, notice.where, preview), data: notice.data })
  }
  return told
}
