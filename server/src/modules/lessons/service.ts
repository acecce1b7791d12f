import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import type { Lesson, LessonBody, LessonList, LessonOrderBody, LessonPatch, LessonProgressPage, ProgressBody } from '@vernetzt/shared/schemas/lessons'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { type GroupDoc, listMembers, manage, roleIn, visibleGroup } from '../groups/index.ts'
import { bindMedia, mediaReferences } from '../media/index.ts'
import { progressId, type LessonDoc, type ProgressDoc } from './model.ts'

async function trainingGroup(ctx: ServiceContext, actor: Actor, slug: string, asManager: boolean): Promise<GroupDoc> {
  const group = asManager ? await manage(ctx, actor, slug) : (await visibleGroup(ctx, actor, slug)).group
  if (group.kind !== 'training') throw new AppError('NOT_A_TRAINING_GROUP', 'Lessons belong to training groups.')
  if (!asManager && !(await roleIn(ctx, group, actor.id)) && actor.role !== 'admin') {
    // Lessons are for members only, also in a public training group.
    throw new AppError('NOT_A_MEMBER', 'Join the group to see its lessons.')
  }
  return group
}

/** A lesson and its group, for a member of that group (outsiders learn nothing, not even that it exists). */
async function lessonFor(ctx: ServiceContext, actor: Actor, id: string, asManager = false): Promise<{ lesson: LessonDoc; group: GroupDoc }> {
  const notFound = new AppError('LESSON_NOT_FOUND', 'There is no such lesson.')
  const lesson = (await ctx.models.Lesson.findById(id).lean()) as LessonDoc | null
  if (!lesson || lesson.deleted) throw notFound
  const group = (await ctx.models.Group.findById(lesson.groupId).lean()) as GroupDoc | null
  if (!group) throw notFound
  const role = await roleIn(ctx, group, actor.id)
  if (!role && actor.role !== 'admin') throw notFound
  if (asManager && role !== 'owner' && role !== 'moderator' && actor.role !== 'admin')
    throw new AppError('FORBIDDEN', 'Only the owner and moderators can change lessons.')
  return { lesson, group }
}

function toLesson(lesson: LessonDoc, group: GroupDoc, progress: ProgressDoc | null): Lesson {
  return {
    id: lesson._id.toString(),
    groupSlug: group.slug,
    position: group.lessonIds.findIndex((id) => id.equals(lesson._id)) + 1,
    title: lesson.title,
    body: lesson.body,
    html: lesson.html,
    checklist: lesson.checklist,
    myProgress: { done: progress?.done ?? false, checked: progress?.checked ?? [] },
  }
}

export async function listLessons(ctx: ServiceContext, actor: Actor, slug: string): Promise<LessonList> {
  const group = await trainingGroup(ctx, actor, slug, false)
  const lessons = await Promise.all(group.lessonIds.map((id) => ctx.models.Lesson.findById(id).lean() as Promise<LessonDoc | null>))
  const progress = await Promise.all(group.lessonIds.map((id) => ctx.models.Progress.findById(progressId(id, actor.id)).lean() as Promise<ProgressDoc | null>))
  const items = lessons.flatMap((l, i) => (l && !l.deleted ? [toLesson(l, group, progress[i] ?? null)] : []))
  return { items, doneCount: items.filter((l) => l.myProgress.done).length }
}

export async function createLesson(ctx: ServiceContext, actor: Actor, slug: string, input: LessonBody): Promise<Lesson> {
  const group = await trainingGroup(ctx, actor, slug, true)
  const lesson = (
    await ctx.models.Lesson.create({
      groupId: group._id,
      title: input.title.trim(),
      body: input.body,
      html: renderMarkdown(input.body),
      checklist: input.checklist ?? [],
    })
  ).toObject() as LessonDoc
  // Lessons are for the group's members only, also in a public group: so are their files.
  await bindMedia(ctx, actor, mediaReferences(input.body), { groupId: group._id.toString() })
  const updated = (await ctx.models.Group.findOneAndUpdate(
    { _id: group._id },
    { $push: { lessonIds: lesson._id } },
    { returnDocument: 'after' },
  ).lean()) as GroupDoc
  return toLesson(lesson, updated, null)
}

export async function getLesson(ctx: ServiceContext, actor: Actor, id: string): Promise<Lesson> {
  const { lesson, group } = await lessonFor(ctx, actor, id)
  return toLesson(lesson, group, (await ctx.models.Progress.findById(progressId(lesson._id, actor.id)).lean()) as ProgressDoc | null)
}

export async function updateLesson(ctx: ServiceContext, actor: Actor, id: string, patch: LessonPatch): Promise<Lesson> {
  const { lesson, group } = await lessonFor(ctx, actor, id, true)
  const set: Record<string, unknown> = {}
  if (patch.title !== undefined) set.title = patch.title.trim()
  if (patch.body !== undefined) {
    set.body = patch.body
    set.html = renderMarkdown(patch.body)
    await bindMedia(ctx, actor, mediaReferences(patch.body), { groupId: group._id.toString() })
  }
  if (patch.checklist !== undefined) set.checklist = patch.checklist
  await ctx.models.Lesson.updateOne({ _id: lesson._id }, { $set: set })
  return getLesson(ctx, actor, id).then((l) => ({ ...l, groupSlug: group.slug }))
}

export async function deleteLesson(ctx: ServiceContext, actor: Actor, id: string): Promise<void> {
  const { lesson, group } = await lessonFor(ctx, actor, id, true)
  await ctx.models.Lesson.updateOne({ _id: lesson._id }, { $set: { deleted: true } })
  await ctx.models.Group.updateOne({ _id: group._id }, { $pull: { lessonIds: lesson._id } })
}

/** The owner puts the course in a new order; the list must name exactly the current lessons. */
export async function reorderLessons(ctx: ServiceContext, actor: Actor, slug: string, input: LessonOrderBody): Promise<LessonList> {
  const group = await trainingGroup(ctx, actor, slug, true)
  const current = new Set(group.lessonIds.map(String))
  if (input.ids.length !== current.size || input.ids.some((id) => !current.has(id))) {
    throw new AppError('VALIDATION_FAILED', 'The new order must list every lesson of the course exactly once.', { field: 'ids' })
  }
  await ctx.models.Group.updateOne({ _id: group._id }, { $set: { lessonIds: input.ids.map((id) => new Types.ObjectId(id)) } })
  return listLessons(ctx, actor, slug)
}

/** A member ticks checklist items or marks the lesson done; the owner and the member's sponsor hear of completions. */
export async function recordProgress(ctx: ServiceContext, actor: Actor, id: string, input: ProgressBody): Promise<Lesson> {
  const { lesson, group } = await lessonFor(ctx, actor, id)
  const key = progressId(lesson._id, actor.id)
  const before = (await ctx.models.Progress.findById(key).lean()) as ProgressDoc | null
  const checked = (input.checked ?? before?.checked ?? []).filter((i) => i < lesson.checklist.length).sort((a, b) => a - b)
  const done = input.done ?? before?.done ?? false
  const doneAt = done ? (before?.doneAt ?? new Date()) : null
  await ctx.models.Progress.updateOne({ _id: key }, { $set: { checked, done, doneAt } }, { upsert: true })
  if (done && !before?.done) {
    // The owner and the member's sponsor hear of it, and the onboarding checklist ticks (subscribers).
    await ctx.events.publish('lesson.completed', {
      lessonId: lesson._id.toString(),
      lessonTitle: lesson.title,
      groupId: group._id.toString(),
      groupSlug: group.slug,
      groupOwnerId: group.ownerId.toString(),
      memberId: actor.id,
      memberHandle: actor.handle,
      at: (doneAt ?? new Date()).toISOString(),
    })
  }
  return getLesson(ctx, actor, id)
}

/** Everyone's progress on a lesson, for the owner and moderators, a page of members at a time. */
export async function lessonProgress(ctx: ServiceContext, actor: Actor, id: string, query: { cursor?: string; limit?: number }): Promise<LessonProgressPage> {
  const { lesson, group } = await lessonFor(ctx, actor, id, true)
  const members = await listMembers(ctx, actor, group.slug, query)
  const progress = await Promise.all(
    members.items.map((m) => ctx.models.Progress.findById(progressId(lesson._id, m.member.id)).lean() as Promise<ProgressDoc | null>),
  )
  return {
    items: members.items.map((m, i) => ({
      member: m.member,
      done: progress[i]?.done ?? false,
      checked: progress[i]?.checked ?? [],
      doneAt: progress[i]?.doneAt?.toISOString() ?? null,
    })),
    nextCursor: members.nextCursor,
  }
}
