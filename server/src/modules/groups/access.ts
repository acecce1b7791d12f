import { AppError } from '@vernetzt/shared/errors'
import { Types } from 'mongoose'
import { isSiteModerator, type Actor, type ServiceContext } from '../../context.ts'
import { readStream } from '../../db/streams.ts'
import { findMemberByHandle, type MemberDoc } from '../accounts/index.ts'
import { memberKey, type GroupDoc, type GroupMemberDoc, type GroupRequestDoc } from './model.ts'
import { slugKey, streams, teamKey } from './keys.ts'

export type GroupRole = 'owner' | 'moderator' | 'member'

/**
 * Who a member is in a group. Team groups follow the join graph: everyone whose upline has the
 * owner within teamDepth levels is a member the moment they join, and stops being one when an
 * admin moves them away; documents only record exceptions (moderators, removed members).
 */
export async function roleIn(ctx: ServiceContext, group: GroupDoc, memberId: string | null): Promise<GroupRole | null> {
  if (!memberId) return null
  if (group.ownerId.equals(memberId)) return 'owner'
  const doc = (await ctx.models.GroupMember.findById(memberKey(group._id, memberId)).lean()) as GroupMemberDoc | null
  if (doc?.role === 'removed') return null
  if (group.kind !== 'team') return doc ? doc.role : null
  const member = await ctx.models.Member.findById(memberId, { upline: 1 }).lean()
  const level = member ? member.upline.findIndex((id) => id.equals(group.ownerId)) + 1 : 0
  if (level < 1 || level > (group.teamDepth ?? 0)) return null
  return doc?.role === 'moderator' ? 'moderator' : 'member'
}

export async function bySlug(ctx: ServiceContext, slug: string): Promise<GroupDoc | null> {
  const key = await ctx.models.Key.findById(slugKey(slug.trim().toLowerCase())).lean()
  return key ? ((await ctx.models.Group.findById(key.memberId).lean()) as GroupDoc | null) : null
}

/** A private group is invisible to outsiders: the same 404 as a group that does not exist. */
export async function visibleGroup(
  ctx: ServiceContext,
  actor: Actor | null,
  slug: string,
): Promise<{ group: GroupDoc; role: GroupRole | null; request: GroupRequestDoc | null }> {
  const group = await bySlug(ctx, slug)
  const notFound = new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  if (!group) throw notFound
  const role = await roleIn(ctx, group, actor?.id ?? null)
  const request = actor ? ((await ctx.models.GroupRequest.findById(memberKey(group._id, actor.id)).lean()) as GroupRequestDoc | null) : null
  // An invitation lets its receiver see what they are invited to.
  if (group.visibility === 'private' && !role && request?.type !== 'invite' && actor?.role !== 'admin') throw notFound
  return { group, role, request }
}

/** Team groups the member belongs to through the join graph: one key lookup per upline level. */
export async function teamGroupsOf(ctx: ServiceContext, memberId: string): Promise<GroupDoc[]> {
  const member = await ctx.models.Member.findById(memberId, { upline: 1 }).lean()
  if (!member) return []
  const candidates = [new Types.ObjectId(memberId), ...member.upline.slice(0, 10)]
  const groups = await Promise.all(
    candidates.map(async (ownerId, level) => {
      const key = await ctx.models.Key.findById(teamKey(ownerId)).lean()
      const group = key ? ((await ctx.models.Group.findById(key.memberId).lean()) as GroupDoc | null) : null
      return group && (level === 0 || level <= (group.teamDepth ?? 0)) ? group : null
    }),
  )
  return groups.filter((g) => g !== null)
}

export async function manage(ctx: ServiceContext, actor: Actor, slug: string): Promise<GroupDoc> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (role !== 'owner' && role !== 'moderator' && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the owner and moderators can do this.')
  return group
}

export async function target(ctx: ServiceContext, handle: string): Promise<MemberDoc> {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no member "${handle}".`, { field: 'handle' })
  return member
}

/** Every group the member belongs to now (team groups through the join graph, then up to 50 others). */
export async function memberGroups(ctx: ServiceContext, memberId: string): Promise<GroupDoc[]> {
  // Both lookups at once: this runs on every home-feed page.
  const [teams, page] = await Promise.all([
    teamGroupsOf(ctx, memberId),
    readStream(ctx, streams.mine(memberId), { limit: 50 }, async (refs) =>
      Promise.all(
        refs.map(async (id) => {
          const group = (await ctx.models.Group.findById(id).lean()) as GroupDoc | null
          return group && group.kind !== 'team' && (await roleIn(ctx, group, memberId)) ? group : null
        }),
      ),
    ),
  ])
  const seen = new Set<string>()
  return [...teams, ...page.items].filter((g) => !seen.has(g._id.toString()) && seen.add(g._id.toString()))
}

/** The group a post goes to, checked: it exists, the author belongs to it, and ads only where the owner allows them. */
export async function groupForPost(ctx: ServiceContext, actor: Actor, groupId: string, kind: 'pr' | 'ad'): Promise<GroupDoc> {
  const group = Types.ObjectId.isValid(groupId) ? ((await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null) : null
  const role = group ? await roleIn(ctx, group, actor.id) : null
  if (!group || (group.visibility === 'private' && !role)) throw new AppError('GROUP_NOT_FOUND', 'There is no such group.', { field: 'area.groupId' })
  if (!role) throw new AppError('NOT_A_MEMBER', 'Join the group before you post in it.', { field: 'area.groupId' })
  if (kind === 'ad' && !group.adsAllowed) {
    throw new AppError('AD_NOT_ALLOWED_HERE', 'This group has no ad channel. Post advertising in the marketplace or the offers tab of your profile.', {
      allowedAreas: ['marketplace', 'profile'],
    })
  }
  return group
}

/** A group's posts (PR feed or ad channel), for whoever may see the group. */
export async function readableGroup(ctx: ServiceContext, actor: Actor | null, slug: string): Promise<GroupDoc> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (group.visibility === 'private' && !role && actor?.role !== 'admin') throw new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  return group
}

/** Admins and site moderators moderate everything; a group's owner and moderators moderate what is posted in their group. */
export async function canModerateIn(ctx: ServiceContext, actor: Actor, groupId: string | null | undefined): Promise<boolean> {
  if (isSiteModerator(actor)) return true
  if (!groupId) return false
  const group = (await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null
  const role = group ? await roleIn(ctx, group, actor.id) : null
  return role === 'owner' || role === 'moderator'
}

/** Whether a member may see what is in a group: everyone for a public group, members for a private one. */
export async function canSeeGroup(ctx: ServiceContext, groupId: string, memberId: string | null): Promise<boolean> {
  const group = (await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null
  if (!group) return false
  return group.visibility === 'public' || (!!memberId && !!(await roleIn(ctx, group, memberId)))
}

/** Whether a member belongs to a group (any role), by the group's id. */
export async function isGroupMember(ctx: ServiceContext, groupId: string, memberId: string): Promise<boolean> {
  const group = (await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null
  return !!group && !!(await roleIn(ctx, group, memberId))
}
