import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import {
  MAX_TEAM_DEPTH, SLUG_PATTERN,
  type CreateGroupBody, type DecisionBody, type Group, type GroupMemberPage, type GroupPage, type GroupsQuery, type HandleBody, type JoinResult, type RoleBody,
} from '@vernetzt/shared/schemas/groups'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import type { RealtimeServer } from '../../realtime/socket.ts'
import { SUMMARY_FIELDS, memberSummaries, toMemberSummary } from '../accounts/dto.ts'
import { findMemberByHandle } from '../accounts/lookup.ts'
import type { MemberDoc } from '../accounts/model.ts'
import { notify } from '../notifications/service.ts'
import { tick } from '../onboarding/service.ts'
import { levelKey, listDownline } from '../referrals/service.ts'
import { memberKey, type GroupDoc, type GroupMemberDoc, type GroupRequestDoc } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { forgetRoomAccess } from '../messaging/state.ts'
import { bindMedia, groupAudience, mediaReferences } from '../media/service.ts'

export type GroupRole = 'owner' | 'moderator' | 'member'

const slugKey = (slug: string) => `group:${slug}`
const teamKey = (ownerId: Types.ObjectId | string) => `team:${ownerId.toString()}`
const streams = {
  directory: 'groups',
  members: (groupId: Types.ObjectId) => `group-members:${groupId.toString()}`,
  mine: (memberId: Types.ObjectId | string) => `my-groups:${memberId.toString()}`,
  requests: (groupId: Types.ObjectId) => `group-requests:${groupId.toString()}`,
}
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

async function bySlug(ctx: ServiceContext, slug: string): Promise<GroupDoc | null> {
  const key = await ctx.models.Key.findById(slugKey(slug.trim().toLowerCase())).lean()
  return key ? ((await ctx.models.Group.findById(key.memberId).lean()) as GroupDoc | null) : null
}

/** A private group is invisible to outsiders: the same 404 as a group that does not exist. */
export async function visibleGroup(ctx: ServiceContext, actor: Actor | null, slug: string): Promise<{ group: GroupDoc; role: GroupRole | null; request: GroupRequestDoc | null }> {
  const group = await bySlug(ctx, slug)
  const notFound = new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  if (!group) throw notFound
  const role = await roleIn(ctx, group, actor?.id ?? null)
  const request = actor ? ((await ctx.models.GroupRequest.findById(memberKey(group._id, actor.id)).lean()) as GroupRequestDoc | null) : null
  // An invitation lets its receiver see what they are invited to.
  if (group.visibility === 'private' && !role && request?.type !== 'invite' && actor?.role !== 'admin') throw notFound
  return { group, role, request }
}

async function memberCount(ctx: ServiceContext, group: GroupDoc): Promise<number> {
  if (group.kind !== 'team') return group.memberCount
  // From the owner's downline counters: the same O(1) read as the team dashboard.
  const owner = await ctx.models.Member.findById(group.ownerId, { downline: 1 }).lean()
  const counts = (owner?.downline ?? {}) as Record<string, number>
  let total = 1
  for (let level = 1; level <= (group.teamDepth ?? 0); level++) total += counts[levelKey(level)] ?? 0
  return total - group.removedCount
}

async function toGroup(ctx: ServiceContext, group: GroupDoc, role: GroupRole | null, request: GroupRequestDoc | null): Promise<Group> {
  const owner = await ctx.models.Member.findById(group.ownerId, SUMMARY_FIELDS).lean()
  return {
    id: group._id.toString(),
    slug: group.slug,
    name: group.name,
    kind: group.kind,
    visibility: group.visibility,
    adsAllowed: group.adsAllowed,
    teamDepth: group.teamDepth,
    descriptionHtml: group.descriptionHtml,
    owner: toMemberSummary(owner!),
    memberCount: await memberCount(ctx, group),
    myRole: role,
    myRequest: request ? (request.type === 'invite' ? 'invited' : 'pending') : null,
    createdAt: group.createdAt.toISOString(),
  }
}

export async function createGroup(ctx: ServiceContext, actor: Actor, input: CreateGroupBody): Promise<Group> {
  const slug = input.slug.trim().toLowerCase()
  if (!new RegExp(SLUG_PATTERN).test(slug) || slug.includes('--')) {
    throw new AppError('SLUG_INVALID', 'The address must be 3–50 characters of a–z, 0–9 and "-", not starting or ending with "-".', { field: 'slug' })
  }
  if (input.kind !== 'community' && actor.role !== 'partner') {
    throw new AppError('ONLY_PARTNERS_LEAD_GROUPS', 'Only partners can open team and training groups.', { field: 'kind' })
  }
  if (input.kind === 'team' && !input.teamDepth) {
    throw new AppError('VALIDATION_FAILED', 'A team group needs the depth of the downline it covers.', { field: 'teamDepth' })
  }
  const { Group, GroupMember, Key } = ctx.models
  const _id = new Types.ObjectId()
  const ownerId = new Types.ObjectId(actor.id)
  const claimed: string[] = []
  try {
    for (const key of [slugKey(slug), ...(input.kind === 'team' ? [teamKey(ownerId)] : [])]) {
      try {
        await Key.create({ _id: key, memberId: _id })
        claimed.push(key)
      } catch (error) {
        if (!isDuplicateKey(error)) throw error
        if (key.startsWith('team:')) throw new AppError('TEAM_GROUP_EXISTS', 'You already have a team group; every partner has one.')
        throw new AppError('SLUG_TAKEN', `The address "${slug}" is taken.`, { field: 'slug' })
      }
    }
  } catch (error) {
    for (const key of claimed) await Key.deleteOne({ _id: key })
    throw error
  }
  const group = (await Group.create({
    _id,
    slug,
    name: input.name.trim(),
    kind: input.kind,
    visibility: input.visibility,
    adsAllowed: input.adsAllowed ?? false,
    teamDepth: input.kind === 'team' ? input.teamDepth : null,
    description: input.description ?? '',
    descriptionHtml: renderMarkdown(input.description ?? ''),
    ownerId,
  })).toObject() as GroupDoc
  await bindMedia(ctx, actor, mediaReferences(input.description ?? ''), groupAudience(group))
  const [seq] = await append(ctx, [streams.members(_id)], ownerId)
  if (input.kind !== 'team') await GroupMember.create({ _id: memberKey(_id, ownerId), role: 'moderator', seq })
  await append(ctx, [streams.directory, streams.mine(ownerId)], _id)
  return toGroup(ctx, group, 'owner', null)
}

export async function getGroup(ctx: ServiceContext, actor: Actor | null, slug: string): Promise<Group> {
  const { group, role, request } = await visibleGroup(ctx, actor, slug)
  return toGroup(ctx, group, role, request)
}

/**
 * A member opening the group page. Team membership comes with the join graph, so nobody "joins"
 * a team group; the onboarding step "joined the team group" is the first time a member of the
 * downline opens it (or posts in it), which shows they found their team.
 */
export async function openGroup(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor | null, slug: string): Promise<Group> {
  const group = await getGroup(ctx, actor, slug)
  if (actor && group.kind === 'team' && (group.myRole === 'member' || group.myRole === 'moderator')) await tick(ctx, io, actor.id, 'teamGroup')
  return group
}

/** Team groups the member belongs to through the join graph: one key lookup per upline level. */
async function teamGroupsOf(ctx: ServiceContext, memberId: string): Promise<GroupDoc[]> {
  const member = await ctx.models.Member.findById(memberId, { upline: 1 }).lean()
  if (!member) return []
  const candidates = [new Types.ObjectId(memberId), ...member.upline.slice(0, 10)]
  const groups = await Promise.all(candidates.map(async (ownerId, level) => {
    const key = await ctx.models.Key.findById(teamKey(ownerId)).lean()
    const group = key ? ((await ctx.models.Group.findById(key.memberId).lean()) as GroupDoc | null) : null
    return group && (level === 0 || level <= (group.teamDepth ?? 0)) ? group : null
  }))
  return groups.filter((g) => g !== null)
}

/**
 * After members moved in the join graph: the team groups of their old upline drop whoever is no
 * longer in them, from this node's room gate and from live rooms on every node.
 */
export async function recheckTeamRooms(ctx: ServiceContext, oldUpline: Types.ObjectId[], moved: Types.ObjectId[]): Promise<void> {
  const suspects = new Set(moved.map(String))
  for (const ownerId of oldUpline.slice(0, MAX_TEAM_DEPTH)) {
    const key = await ctx.models.Key.findById(teamKey(ownerId)).lean()
    const group = key ? ((await ctx.models.Group.findById(key.memberId).lean()) as GroupDoc | null) : null
    if (!group) continue
    for (const id of suspects) forgetRoomAccess(ctx, group._id, id)
    await ctx.live.recheckRoom(group._id.toString(), suspects, async (memberId) => !!(await roleIn(ctx, group, memberId)))
  }
}

export async function listGroups(ctx: ServiceContext, actor: Actor | null, query: GroupsQuery): Promise<GroupPage> {
  const needle = query.q?.trim().toLocaleLowerCase('de')
  const matches = (g: GroupDoc) => !needle || g.name.toLocaleLowerCase('de').includes(needle) || g.slug.includes(needle)
  const mine = Boolean(query.mine) && actor !== null
  const stream = mine ? streams.mine(actor!.id) : streams.directory
  const teams = mine && !query.cursor ? (await teamGroupsOf(ctx, actor!.id)).filter(matches) : []
  const seen = new Set(teams.map((g) => g._id.toString()))
  const page = await readStream(ctx, stream, { cursor: query.cursor, limit: query.limit ?? 20 }, async (refs) =>
    Promise.all(refs.map(async (id) => {
      const group = (await ctx.models.Group.findById(id).lean()) as GroupDoc | null
      if (!group || seen.has(group._id.toString()) || !matches(group)) return null
      const role = await roleIn(ctx, group, actor?.id ?? null)
      // The directory shows public groups and the viewer's own; "mine" only current memberships.
      if (mine ? !role : group.visibility === 'private' && !role) return null
      seen.add(group._id.toString())
      return { group, role }
    })),
  )
  const items = await Promise.all([
    ...teams.map(async (g) => toGroup(ctx, g, await roleIn(ctx, g, actor!.id), null)),
    ...page.items.map(({ group, role }) => toGroup(ctx, group, role, null)),
  ])
  return { items, nextCursor: page.nextCursor }
}

export async function addMember(ctx: ServiceContext, group: GroupDoc, memberId: Types.ObjectId): Promise<void> {
  const [seq] = await append(ctx, [streams.members(group._id)], memberId)
  try {
    await ctx.models.GroupMember.create({ _id: memberKey(group._id, memberId), role: 'member', seq })
  } catch (error) {
    if (!isDuplicateKey(error)) throw error
    return
  }
  await ctx.models.Group.updateOne({ _id: group._id }, { $inc: { memberCount: 1 } })
  await append(ctx, [streams.mine(memberId)], group._id)
}

/** Public groups: joined at once. Private ones: a request, unless the member was invited. */
export async function joinGroup(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, slug: string): Promise<JoinResult> {
  // Someone given the address of a private group may ask to join; the answer reveals nothing
  // of the group beyond that it exists (its name, members and posts stay hidden).
  const group = await bySlug(ctx, slug)
  if (!group) throw new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  const role = await roleIn(ctx, group, actor.id)
  const request = (await ctx.models.GroupRequest.findById(memberKey(group._id, actor.id)).lean()) as GroupRequestDoc | null
  if (role) return { status: 'member' }
  if (group.kind === 'team') {
    throw new AppError('TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE', `Team groups are for ${group.teamDepth} levels of the owner's downline; membership follows the join graph.`)
  }
  const memberId = new Types.ObjectId(actor.id)
  if (group.visibility === 'public' || request?.type === 'invite') {
    await addMember(ctx, group, memberId)
    if (request) await ctx.models.GroupRequest.deleteOne({ _id: request._id })
    return { status: 'joined' }
  }
  if (!request) {
    const [seq] = await append(ctx, [streams.requests(group._id)], memberId)
    try {
      await ctx.models.GroupRequest.create({ _id: memberKey(group._id, memberId), type: 'request', seq })
      await notify(ctx, io, group.ownerId, {
        type: 'group.request',
        text: { de: `@${actor.handle} möchte der Gruppe „${group.name}“ beitreten.`, en: `@${actor.handle} asks to join the group "${group.name}".` },
        data: { group: group.slug, handle: actor.handle },
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
  forgetRoomAccess(ctx, group._id, actor.id)
  ctx.live.leaveRoom(actor.id, group._id.toString()) // a group's room has the group's id
}

export async function manage(ctx: ServiceContext, actor: Actor, slug: string): Promise<GroupDoc> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (role !== 'owner' && role !== 'moderator' && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the owner and moderators can do this.')
  return group
}

async function target(ctx: ServiceContext, handle: string): Promise<MemberDoc> {
  const member = await findMemberByHandle(ctx, handle)
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no member "${handle}".`, { field: 'handle' })
  return member
}

export async function listMembers(ctx: ServiceContext, actor: Actor | null, slug: string, query: { cursor?: string; limit?: number }): Promise<GroupMemberPage> {
  const { group } = await visibleGroup(ctx, actor, slug)
  if (group.visibility === 'private' && !(await roleIn(ctx, group, actor?.id ?? null)) && actor?.role !== 'admin') {
    throw new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  }
  const limit = query.limit ?? 25
  if (group.kind === 'team') return listTeamMembers(ctx, group, query.cursor, limit)
  const page = await readStream(ctx, streams.members(group._id), { cursor: query.cursor, limit }, async (refs, seqs) =>
    Promise.all(refs.map(async (id, i) => {
      if (group.ownerId.equals(id)) return { id, role: 'owner' as const }
      const doc = (await ctx.models.GroupMember.findById(memberKey(group._id, id)).lean()) as GroupMemberDoc | null
      return doc && doc.role !== 'removed' && doc.seq === seqs[i] ? { id, role: doc.role } : null
    })),
  )
  return { items: await withSummaries(ctx, page.items), nextCursor: page.nextCursor }
}

async function withSummaries(ctx: ServiceContext, rows: Array<{ id: Types.ObjectId; role: 'owner' | 'moderator' | 'member' }>) {
  const members = await memberSummaries(ctx, rows.map((r) => r.id))
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
      items.push({ member: { id: m.id, handle: m.handle, displayName: m.displayName, role: m.role, avatarUrl: m.avatarUrl }, role: doc?.role === 'moderator' ? 'moderator' : 'member' })
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
    Promise.all(refs.map(async (id, i) => {
      const doc = (await ctx.models.GroupRequest.findById(memberKey(group._id, id)).lean()) as GroupRequestDoc | null
      return doc?.type === 'request' && doc.seq === seqs[i] ? id : null
    })),
  )
  const members = await memberSummaries(ctx, page.items)
  return { items: page.items.flatMap((id) => members.get(id.toString()) ?? []) }
}

export async function decideRequest(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, slug: string, input: DecisionBody): Promise<void> {
  const group = await manage(ctx, actor, slug)
  const member = await target(ctx, input.handle)
  const { deletedCount } = await ctx.models.GroupRequest.deleteOne({ _id: memberKey(group._id, member._id) })
  if (deletedCount !== 1) throw new AppError('REQUEST_NOT_FOUND', `There is no open request from "${member.handle}".`)
  if (input.approve) await addMember(ctx, group, member._id)
  await notify(ctx, io, member._id, {
    type: input.approve ? 'group.approved' : 'group.declined',
    text: input.approve
      ? { de: `Willkommen in der Gruppe „${group.name}“!`, en: `Welcome to the group "${group.name}"!` }
      : { de: `Deine Anfrage für „${group.name}“ wurde abgelehnt.`, en: `Your request to join "${group.name}" was declined.` },
    data: { group: group.slug },
  })
}

export async function invite(ctx: ServiceContext, io: RealtimeServer | null, actor: Actor, slug: string, input: HandleBody): Promise<void> {
  const group = await manage(ctx, actor, slug)
  if (group.kind === 'team') throw new AppError('TEAM_MEMBERSHIP_FOLLOWS_DOWNLINE', 'Members cannot be added to a team group from outside the downline.')
  const member = await target(ctx, input.handle)
  if (await roleIn(ctx, group, member._id.toString())) return
  await ctx.models.GroupRequest.updateOne({ _id: memberKey(group._id, member._id) }, { $set: { type: 'invite', seq: null, createdAt: new Date() } }, { upsert: true })
  await notify(ctx, io, member._id, {
    type: 'group.invite',
    text: { de: `@${actor.handle} lädt dich in die Gruppe „${group.name}“ ein.`, en: `@${actor.handle} invites you to the group "${group.name}".` },
    data: { group: group.slug },
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
  forgetRoomAccess(ctx, group._id, member._id)
  ctx.live.leaveRoom(member._id.toString(), group._id.toString())
}

export async function setRole(ctx: ServiceContext, actor: Actor, slug: string, input: RoleBody): Promise<void> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (role !== 'owner' && actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only the owner appoints moderators.')
  const member = await target(ctx, input.handle)
  const current = await roleIn(ctx, group, member._id.toString())
  if (!current || current === 'owner') throw new AppError('NOT_A_MEMBER', `"${member.handle}" is not a member of this group.`)
  await ctx.models.GroupMember.updateOne({ _id: memberKey(group._id, member._id) }, { $set: { role: input.role } }, { upsert: true })
}

/** Every group the member belongs to now (team groups through the join graph, then up to 50 others). */
export async function memberGroups(ctx: ServiceContext, memberId: string): Promise<GroupDoc[]> {
  // Both lookups at once: this runs on every home-feed page.
  const [teams, page] = await Promise.all([
    teamGroupsOf(ctx, memberId),
    readStream(ctx, streams.mine(memberId), { limit: 50 }, async (refs) =>
      Promise.all(refs.map(async (id) => {
        const group = (await ctx.models.Group.findById(id).lean()) as GroupDoc | null
        return group && group.kind !== 'team' && (await roleIn(ctx, group, memberId)) ? group : null
      }))),
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
    throw new AppError('AD_NOT_ALLOWED_HERE', 'This group has no ad channel. Post advertising in the marketplace or the offers tab of your profile.', { allowedAreas: ['marketplace', 'profile'] })
  }
  return group
}

/** A group's posts (PR feed or ad channel), for whoever may see the group. */
export async function readableGroup(ctx: ServiceContext, actor: Actor | null, slug: string): Promise<GroupDoc> {
  const { group, role } = await visibleGroup(ctx, actor, slug)
  if (group.visibility === 'private' && !role && actor?.role !== 'admin') throw new AppError('GROUP_NOT_FOUND', 'There is no such group.')
  return group
}

/** The sponsor chooses the course every new recruit starts with (a training group they lead). */
export async function setOnboardingCourse(ctx: ServiceContext, actor: Actor, slug: string | null): Promise<{ slug: string | null }> {
  if (slug === null) {
    await ctx.models.Member.updateOne({ _id: actor.id }, { $set: { onboardingGroupId: null } })
    return { slug: null }
  }
  const group = await manage(ctx, actor, slug)
  if (group.kind !== 'training') throw new AppError('NOT_A_TRAINING_GROUP', 'The onboarding course must be a training group.', { field: 'slug' })
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: { onboardingGroupId: group._id } })
  return { slug: group.slug }
}

/** At join: a recruit lands in the sponsor's onboarding course, if the sponsor chose one. */
export async function assignOnboardingCourse(ctx: ServiceContext, recruitId: Types.ObjectId, sponsorId: Types.ObjectId | null): Promise<void> {
  if (!sponsorId) return
  const sponsor = await ctx.models.Member.findById(sponsorId, { onboardingGroupId: 1 }).lean()
  const groupId = (sponsor as { onboardingGroupId?: Types.ObjectId | null } | null)?.onboardingGroupId
  if (!groupId) return
  const group = (await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null
  if (group && group.kind === 'training') await addMember(ctx, group, recruitId)
}
