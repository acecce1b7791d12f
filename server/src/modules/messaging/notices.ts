import type { ModuleSubscribers } from '../../context.ts'
import { isGroupMember } from '../groups/index.ts'
import { notifyMentions } from '../mentions/index.ts'
import { notify, noticeText } from '../notifications/index.ts'
import { scheduleMissedMail } from './missed-mail.ts'
import { participantId } from './model.ts'
import { chatMemory, participantState, rememberParticipant } from './state.ts'

/** Someone who read or wrote in the conversation this recently is in it: no "new message" notice for them. */
const ACTIVE_READER_MS = 60_000

/**
 * Notifications for a new message: people mentioned by @handle always hear of it; everyone else
 * once per unread stretch, unless they muted the conversation, blocked the author, or read or
 * wrote in it within the last minute. Rooms notify mentions only (a room can have thousands of
 * members). Runs on the node that stored the message, whose memory knows who is reading.
 */
export const chatNotices: ModuleSubscribers = {
  'message.stored': async (ctx, e) => {
    const { conversation } = e
    const blockedBy = new Set(e.authorBlockedBy)
    const preview = e.body.replace(/\s+/g, ' ').trim().slice(0, 80) || '📎'
    const data = { conversationId: conversation.id, seq: String(e.seq) }
    const mentioned =
      conversation.kind === 'direct'
        ? new Set<string>()
        : await notifyMentions(ctx, e.authorId, e.body, {
            type: 'message.mention',
            where: 'chat',
            data,
            canSee: async (member) =>
              conversation.kind === 'room' && conversation.groupId
                ? isGroupMember(ctx, conversation.groupId, member._id.toString())
                : conversation.participantIds.includes(member._id.toString()),
          })
    if (conversation.kind === 'room') return
    const now = Date.now()
    const companyWelcome = e.automatic && e.authorHandle === ctx.config.root.handle
    for (const memberId of conversation.participantIds) {
      if (memberId === e.authorId || mentioned.has(memberId) || blockedBy.has(memberId)) continue
      const state = await participantState(ctx, participantId(conversation.id, memberId))
      if (!state || state.muted) continue
      const wrote = chatMemory(ctx).wrote.get(state._id)
      const read = Math.max(state.lastReadSeq, wrote?.seq ?? 0)
      if (read >= e.seq) continue // read already (a later message of this round was answered)
      // A mail later if the stretch is still unread then (its job looks again; one per stretch,
      // whoever reads now). Not for message requests from strangers. The sponsor's welcome counts
      // too: a recruit who left after signing up hears of it by mail.
      // `mailedSeq` marks the stretch whose mail is scheduled, so a lively chat costs one job per
      // stretch, not an enqueue per message and participant.
      if (state.status !== 'request' && (state.mailedSeq ?? 0) <= read) {
        await ctx.models.Participant.updateOne({ _id: state._id }, { $max: { mailedSeq: read + 1 } })
        rememberParticipant(ctx, state._id, { mailedSeq: read + 1 })
        const mailPreview = e.body.replace(/\s+/g, ' ').trim().slice(0, 200) || '📎'
        await scheduleMissedMail(ctx, read + 1, {
          participantId: state._id,
          memberId,
          conversationId: conversation.id,
          kind: conversation.kind,
          seq: e.seq,
          authorId: e.authorId,
          authorName: e.authorName,
          preview: mailPreview,
        })
      }
      // The company's welcome (company-inbox.ts) comes at the moment of sign-up, to someone on the
      // site: the chat's badge shows it, a notice and a push would only be noise.
      if (companyWelcome) continue
      if (state.notifiedSeq > read) continue // already told about this unread stretch
      // In a lively chat everyone who takes part keeps reading and writing; they see the messages live.
      const lastSeen = Math.max(state.lastReadAt ? new Date(state.lastReadAt).getTime() : 0, wrote?.at ?? 0)
      if (now - lastSeen < ACTIVE_READER_MS) continue
      await ctx.models.Participant.updateOne({ _id: state._id }, { $max: { notifiedSeq: e.seq } })
      rememberParticipant(ctx, state._id, { notifiedSeq: e.seq })
      const request = state.status === 'request'
      await notify(ctx, memberId, {
        type: request ? 'message.request' : 'message.new',
        text: noticeText(request ? 'notice.message.request' : 'notice.message.new', { name: e.authorName, preview }),
        data,
      })
    }
  },
}
