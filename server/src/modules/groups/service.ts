import { AppError } from '@vernetzt/shared/errors'
import { renderMarkdown } from '@vernetzt/shared/markdown'
import { MAX_TEAM_DEPTH, SLUG_PATTERN, type CreateGroupBody, type Group, type GroupPage, type GroupsQuery } from '@vernetzt/shared/schemas/groups'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { append, readStream } from '../../db/streams.ts'
import { SUMMARY_FIELDS, toMemberSummary } from '../accounts/index.ts'
import { levelKey } from '../referrals/index.ts'
import { memberKey, type GroupDoc, type GroupRequestDoc } from './model.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { bindMedia, groupAudience, mediaReferences } from '../media/index.ts'
import { manage, roleIn, teamGroupsOf, visibleGroup, type GroupRole } from './access.ts'
import { slugKey, streams, teamKey } from './keys.ts'
import { addMember } from './membership.ts'

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
  const group = (
    await Group.create({
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
    })
  ).toObject() as GroupDoc
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
export async function openGroup(ctx: ServiceContext, actor: Actor | null, slug: string): Promise<Group> {
  const group = await getGroup(ctx, actor, slug)
  if (actor && (group.myRole === 'member' || group.myRole === 'moderator')) {
    await ctx.events.publish('group.visited', { groupId: group.id, memberId: actor.id, kind: group.kind })
  }
  return group
}

/**
 * After members moved in the join graph: the team groups of their old upline drop whoever is no
 * longer in them, from this node's room gate and from live rooms on every node.
 */
export async function recheckTeamRooms(ctx: ServiceContext, oldUpline: string[], moved: string[]): Promise<void> {
  const suspects = new Set(moved)
  const groups: GroupDoc[] = []
  for (const ownerId of oldUpline.slice(0, MAX_TEAM_DEPTH)) {
    const key = await ctx.models.Key.findById(teamKey(ownerId)).lean()
    const group = key ? ((await ctx.models.Group.findById(key.memberId).lean()) as GroupDoc | null) : null
    if (group) groups.push(group)
  }
  // (Cached room gates were forgotten on every node by messaging's member.moved subscriber.)
  for (const group of groups) {
    await ctx.realtime.recheckRoom(group._id.toString(), suspects, async (memberId) => !!(await roleIn(ctx, group, memberId)))
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
    Promise.all(
      refs.map(async (id) => {
        const group = (await ctx.models.Group.findById(id).lean()) as GroupDoc | null
        if (!group || seen.has(group._id.toString()) || !matches(group)) return null
        const role = await roleIn(ctx, group, actor?.id ?? null)
        // The directory shows public groups and the viewer's own; "mine" only current memberships.
        if (mine ? !role : group.visibility === 'private' && !role) return null
        seen.add(group._id.toString())
        return { group, role }
      }),
    ),
  )
  const items = await Promise.all([
    ...teams.map(async (g) => toGroup(ctx, g, await roleIn(ctx, g, actor!.id), null)),
    ...page.items.map(({ group, role }) => toGroup(ctx, group, role, null)),
  ])
  return { items, nextCursor: page.nextCursor }
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
export async function assignOnboardingCourse(ctx: ServiceContext, recruitId: string, sponsorId: string | null): Promise<void> {
  if (!sponsorId) return
  const sponsor = await ctx.models.Member.findById(sponsorId, { onboardingGroupId: 1 }).lean()
  const groupId = (sponsor as { onboardingGroupId?: Types.ObjectId | null } | null)?.onboardingGroupId
  if (!groupId) return
  const group = (await ctx.models.Group.findById(groupId).lean()) as GroupDoc | null
  if (group && group.kind === 'training') await addMember(ctx, group, new Types.ObjectId(recruitId), 'course')
}
