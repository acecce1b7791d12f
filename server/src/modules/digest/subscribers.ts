import type { ModuleSubscription, ServiceContext } from '../../context.ts'
import { append } from '../../db/streams.ts'
import { DIGEST_LEVELS } from './collect.ts'
import { digestStream, type DigestNoteDoc } from './model.ts'
import { scheduleDigest } from './send.ts'

async function note(ctx: ServiceContext, memberIds: string[], kind: DigestNoteDoc['kind'], data: Record<string, string>): Promise<void> {
  if (!memberIds.length) return
  const doc = await ctx.models.DigestNote.create({ kind, data })
  await append(ctx, memberIds.map(digestStream), doc._id)
}

/** What digests need to know as it happens; the rest they read when they are due (see collect.ts). */
export const digestSubscription: ModuleSubscription = {
  module: 'digest',
  subscribers: {
    // Every new member's first digest is set at sign-up (it waits for a confirmed address).
    'member.joined': (ctx, e) => scheduleDigest(ctx, e.memberId).then(() => {}),
    // A change of frequency or time zone moves the next one.
    'notifications.settings_changed': (ctx, e) => scheduleDigest(ctx, e.memberId).then(() => {}),
    // A finished lesson is news for the learner's upline, a few levels up.
    'lesson.completed': async (ctx, e) => {
      const learner = await ctx.models.Member.findById(e.memberId, { upline: 1, displayName: 1 }).lean()
      if (!learner) return
      const upline = learner.upline.slice(0, DIGEST_LEVELS).map((id) => id.toString())
      await note(ctx, upline, 'lesson', { memberId: e.memberId, memberName: learner.displayName, lessonTitle: e.lessonTitle, lessonId: e.lessonId })
    },
    'group.join_requested': async (ctx, e) => {
      const asker = await ctx.models.Member.findById(e.memberId, { displayName: 1 }).lean()
      await note(ctx, [e.ownerId], 'request', {
        groupId: e.groupId,
        groupName: e.groupName,
        slug: e.slug,
        memberId: e.memberId,
        memberName: asker?.displayName ?? e.memberHandle,
      })
    },
  },
}
