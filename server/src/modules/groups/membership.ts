import { AppError } from '@vernetzt/shared/errors'
import type { DecisionBody, GroupMemberPage, HandleBody, JoinResult, RoleBody } from '@vernetzt/shared/schemas/groups'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import { memberSummaries } from '../accounts/index.ts'
import { listDownline } from '../referrals/index.ts'
import { memberKey, type GroupDoc, type GroupMemberDoc, type GroupRequestDoc } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { bySlug, manage, roleIn, target, visibleGroup } from './access.ts'
import { streams } from './keys.ts'

export async function addMember(ctx: ServiceContext, group: GroupDoc, memberId: Types.ObjectId, via: 'open' | 'approved' | 'invite' | 'course'): Promise<void> {
  const [seq] = await append(ctx, [streams.members(group._id)], memberId)
  try {
    await ctx.models.GroupMember.create({ _id: memberKey(group._id, memberId), role: 'member', seq })
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    return
  }
  await ctx.models.Group.updateOne({ _id: group._id }, { $inc: { memberCount: 1 } })
  await append(ctx, [streams.mine(memberId)], group._id)
  await ctx.events.publish('group.member_joined', { groupId: group._id.toString(), memberId: memberId.toString(), via })
}

/** Public groups: joined at once. Private ones: a request, unless the member was invited. */
export async function joinGroup(ctx: ServiceContext, actor: Actor, slug: string): Promise<JoinResult> {
  // Someone given the address of a private group may ask to join; the answer reveals nothing
  // of the group beyond that it exists (its name, members and posts stay hidden).
  const group = await bySlug(ctx, slug)
  if (!group) throw new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  const role = await roleIn(ctx, group, actor.id)
  const request = (await ctx.models.GroupRequest.findById(memberKey(group._id, actor.id)).lean()) as GroupRequestDoc | null
  if (role) return { status: 'member' }
  if (group.kind === 'team') {
    throw new AppError(
      'TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE',
      `Team groups are for ${group.teamDepth} levels of the owner's downline; membership follows the join graph.`,
    )
  }
  const memberId = new Types.ObjectId(actor.id)
  if (group.visibility === 'public' || request?.type === 'invite') {
    await addMember(ctx, group, memberId, request?.type === 'invite' ? 'invite' : 'open')
    if (request) await ctx.models.GroupRequest.deleteOne({ _id: request._id })
    return { status: 'joined' }
  }
  if (!request) {
    const [seq] = await append(ctx, [streams.requests(group._id)], memberId)
    try {
      await ctx.models.GroupRequest.create({ _id: memberKey(group._id, memberId), type: 'request', seq })
      await ctx.events.publish('group.join_requested', {
        groupId: group._id.toString(),
        groupName: group.name,
        slug: group.slug,
        ownerId: group.ownerId.toString(),
        memberId: actor.id,
        memberHandle: actor.handle,
      })
    } catch (error) {
      if (!isDuplicateKey(error)) throw error
    }
  }
  return { status: 'requested' }
}

export async function leaveGroup(ctx: ServiceContext, actor: Actor, slug: string): Promise<void> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (role === 'owner') throw new AppError('OWNER_CANNOT_LEAVE', 'The owner cannot leave their own group.')
  if (!role) throw new AppError('NOT_A_MEMBER', 'You are not a member of this group.')
  if (group.kind === 'team') throw new AppError('TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE', 'Team membership follows the join graph.')
  const { deletedCount } = await ctx.models.GroupMember.deleteOne({ _id: memberKey(group._id, actor.id) })
  if (deletedCount === 1) await ctx.models.Group.updateOne({ _id: group._id }, { $inc: { memberCount: -1 } })
  await ctx.events.publish('group.member_left', { groupId: group._id.toString(), memberId: actor.id, removed: false })
}

export async function listMembers(
  ctx: ServiceContext,
  actor: Actor | null,
  slug: string,
  query: { cursor?: string; limit?: number },
): Promise<GroupMemberPage> {
  const { group } = await visibleGroup(ctx, actor, slug)
  if (group.visibility === 'private' && !(await roleIn(ctx, group, actor?.id ?? null)) && actor?.role !== 'admin') {
    throw new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  }
  const limit = query.limit ?? 25
  if (group.kind === 'team') return listTeamMembers(ctx, group, query.cursor, limit)
  const page = await readStream(ctx, streams.members(group._id), { cursor: query.cursor, limit }, async (refs, seqs) =>
    Promise.all(
      refs.map(async (id, i) => {
        if (group.ownerId.equals(id)) return { id, role: 'owner' as const }
        const doc = (await ctx.models.GroupMember.findById(memberKey(group._id, id)).lean()) as GroupMemberDoc | null
        return doc && doc.role !== 'removed' && doc.seq === seqs[i] ? { id, role: doc.role } : null
      }),
    ),
  )
  return { items: await withSummaries(ctx, page.items), nextCursor: page.nextCursor }
}

async function withSummaries(ctx: ServiceContext, rows: Array<{ id: Types.ObjectId; role: 'owner' | 'moderator' | 'member' }>) {
  const members = await memberSummaries(
    ctx,
    rows.map((r) => r.id),
  )
  return rows.flatMap((r) => {
    const member = members.get(r.id.toString())
    return member ? [{ member, role: r.role }] : []
  })
}

/** Team members are the owner's level lists, level by level; the cursor is "<level>:<n>". */
async function listTeamMembers(ctx: ServiceContext, group: GroupDoc, cursor: string | undefined, limit: number): Promise<GroupMemberPage> {
  const [levelPart, seqPart] = (cursor ?? '0:').split(':')
  let level = Number(levelPart)
  let inner = seqPart || undefined
  const items: GroupMemberPage['items'] = []
  if (level === 0) {
    items.push(...(await withSummaries(ctx, [{ id: group.ownerId, role: 'owner' }])))
    level = 1
  }
  const owner = { id: group.ownerId.toString(), handle: '', role: 'partner' as const }
  while (items.length < limit && level <= (group.teamDepth ?? 0)) {
    const page = await listDownline(ctx, owner, { level, limit: limit - items.length, ...(inner ? { cursor: inner } : {}) })
    for (const m of page.items) {
      const doc = (await ctx.models.GroupMember.findById(memberKey(group._id, m.id)).lean()) as GroupMemberDoc | null
      if (doc?.role === 'removed') continue
      items.push({
        member: { id: m.id, handle: m.handle, displayName: m.displayName, role: m.role, avatarUrl: m.avatarUrl },
        role: doc?.role === 'moderator' ? 'moderator' : 'member',
      })
    }
    if (page.nextCursor) {
      inner = page.nextCursor
      break
    }
    level += 1
    inner = undefined
  }
  const more = level <= (group.teamDepth ?? 0)
  return { items, nextCursor: more ? `${level}:${inner ?? ''}` : null }
}

export async function listRequests(ctx: ServiceContext, actor: Actor, slug: string) {
  const group = await manage(ctx, actor, slug)
  const page = await readStream(ctx, streams.requests(group._id), { limit: 50 }, async (refs, seqs) =>
    Promise.all(
      refs.map(async (id, i) => {
        const doc = (await ctx.models.GroupRequest.findById(memberKey(group._id, id)).lean()) as GroupRequestDoc | null
        return doc?.type === 'request' && doc.seq === seqs[i] ? id : null
      }),
    ),
  )
  const members = await memberSummaries(ctx, page.items)
  return { items: page.items.flatMap((id) => members.get(id.toString()) ?? []) }
}

export async function decideRequest(ctx: ServiceContext, actor: Actor, slug: string, input: DecisionBody): Promise<void> {
  const group = await manage(ctx, actor, slug)
  const member = await target(ctx, input.handle)
  const { deletedCount } = await ctx.models.GroupRequest.deleteOne({ _id: memberKey(group._id, member._id) })
  if (deletedCount !== 1) throw new AppError('REQUEST_NOT_FOUND', `There is no open request from "${member.handle}".`)
  if (input.approve) await addMember(ctx, group, member._id, 'approved')
  await ctx.events.publish('group.request_decided', {
    groupId: group._id.toString(),
    groupName: group.name,
    slug: group.slug,
    memberId: member._id.toString(),
    approved: input.approve,
  })
}

export async function invite(ctx: ServiceContext, actor: Actor, slug: string, input: HandleBody): Promise<void> {
  const group = await manage(ctx, actor, slug)
  if (group.kind === 'team') throw new AppError('TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE', 'Members cannot be added to a team group from outside the downline.')
  const member = await target(ctx, input.handle)
  if (await roleIn(ctx, group, member._id.toString())) return
  await ctx.models.GroupRequest.updateOne(
    { _id: memberKey(group._id, member._id) },
    { $set: { type: 'invite', seq: null, createdAt: new Date() } },
    { upsert: true },
  )
  await ctx.events.publish('group.invited', {
    groupId: group._id.toString(),
    groupName: group.name,
    slug: group.slug,
    memberId: member._id.toString(),
    byHandle: actor.handle,
  })
}

export async function removeMember(ctx: ServiceContext, actor: Actor, slug: string, input: HandleBody): Promise<void> {
  const group = await manage(ctx, actor, slug)
  const member = await target(ctx, input.handle)
  const role = await roleIn(ctx, group, member._id.toString())
  if (!role) throw new AppError('NOT_A_MEMBER', `"${member.handle}" is not a member of this group.`)
  if (role === 'owner') throw new AppError('FORBIDDEN', 'The owner cannot be removed.')
  const key = memberKey(group._id, member._id)
  if (group.kind === 'team') {
    await ctx.models.GroupMember.updateOne({ _id: key }, { $set: { role: 'removed', seq: null } }, { upsert: true })
    await ctx.models.Group.updateOne({ _id: group._id }, { $inc: { removedCount: 1 } })
  } else {
    await ctx.models.GroupMember.deleteOne({ _id: key })
    await ctx.models.Group.updateOne({ _id: group._id }, { $inc: { memberCount: -1 } })
  }
  await ctx.events.publish('group.member_left', { groupId: group._id.toString(), memberId: member._id.toString(), removed: true })
}

export async function setRole(ctx: ServiceContext, actor: Actor, slug: string, input: RoleBody): Promise<void> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (role !== 'owner' && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the owner appoints moderators.')
  const member = await target(ctx, input.handle)
  const current = await roleIn(ctx, group, member._id.toString())
  if (!current || current === 'owner') throw new AppError('NOT_A_MEMBER', `"${member.handle}" is not a member of this group.`)
  await ctx.models.GroupMember.updateOne({ _id: memberKey(group._id, member._id) }, { $set: { role: input.role } }, { upsert: true })
}
