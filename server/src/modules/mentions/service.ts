import { extractMentions } from '@vernetzt/shared/handles'
import type { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { findMemberByHandle } from '../accounts/lookup.ts'
import type { MemberDoc } from '../accounts/model.ts'
import { notify } from '../notifications/service.ts'

/**
 * Notifies the people a text mentions as @handle: at most MENTIONS_MAX, never the author, never
 * someone who blocked the author, and only people who can see where the text is (`canSee`).
 * Returns who was notified, so the caller does not tell them a second time.
 */
export async function notifyMentions(
  ctx: ServiceContext,
  io: RealtimeServer | null,
  actor: Actor,
  text: string,
  notice: {
    type: string
    /** Where it was said, e.g. "in einem Kommentar" / "in a comment". */
    where: { de: string; en: string }
    data: Record<string, string>
    skip?: Set<string>
    canSee: (member: MemberDoc) => Promise<boolean> | boolean
  },
): Promise<Set<string>> {
  const told = new Set<string>()
  const handles = extractMentions(text)
  if (handles.length === 0) return told
  const author = await ctx.models.Member.findById(actor.id, { displayName: 1, blockedBy: 1 }).lean()
  if (!author) return told
  const blockedBy = new Set((author.blockedBy ?? []).map((id: Types.ObjectId) => id.toString()))
  const preview = text.replace(/\s+/g, ' ').trim().slice(0, 80)
  for (const handle of handles) {
    const member = await findMemberByHandle(ctx, handle)
    if (!member) continue
    const id = member._id.toString()
    if (id === actor.id || blockedBy.has(id) || notice.skip?.has(id) || told.has(id)) continue
    if (!(await notice.canSee(member))) continue
    told.add(id)
    await notify(ctx, io, member._id, {
      type: notice.type,
      text: {
        de: `${author.displayName} hat dich ${notice.where.de} erwähnt: „${preview}“`,
        en: `${author.displayName} mentioned you ${notice.where.en}: “${preview}”`,
      },
      data: notice.data,
    })
  }
  return told
}
