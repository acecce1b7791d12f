import type { FastifyPluginAsync } from 'fastify'
import { AppError } from '@vernetzt/shared/errors'
import { HandleParamsSchema, errorResponses, type HandleParams } from '@vernetzt/shared/schemas/common'
import { UPLINE_MAX, UplineSchema, type Upline } from '@vernetzt/shared/schemas/commerce'
import type { Actor, ServiceContext } from '../../context.ts'
import { requireActor } from '../../plugins/auth.ts'
import { SUMMARY_FIELDS, toMemberSummary, findMemberByHandle, type MemberDoc } from '../accounts/index.ts'

/**
 * A member and the partners above them, nearest first, without the company root (it never
 * earns): what the plan simulator needs to show who an order counting for this member would pay.
 * One read for the member (its stored upline), then one _id read per ancestor, in parallel.
 */
export async function uplineOf(ctx: ServiceContext, actor: Actor, handle: string): Promise<Upline> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can look at an upline.')
  const member = await findMemberByHandle(ctx, handle, { ...SUMMARY_FIELDS, isRoot: 1, upline: 1 })
  if (!member) throw new AppError('PROFILE_NOT_FOUND', `There is no member with the handle "${handle}".`)
  // One more than the limit: the root sits at the top of every upline and is dropped below.
  const ids = [member._id, ...member.upline].slice(0, UPLINE_MAX + 1)
  const found = await Promise.all(
    ids.map(
      (id) =>
        ctx.models.Member.findById(id, { ...SUMMARY_FIELDS, isRoot: 1 }).lean() as Promise<Pick<
          MemberDoc,
          '_id' | 'handle' | 'displayName' | 'role' | 'avatarId' | 'isRoot'
        > | null>,
    ),
  )
  const items = found
    .map((m, distance) => (m && !m.isRoot ? { ...toMemberSummary(m), distance } : null))
    .filter((m) => m !== null)
    .slice(0, UPLINE_MAX)
  return { items }
}

/** Admin tools for the commission plan editor. */
const adminRoutes: FastifyPluginAsync = async (app) => {
  const { ctx } = app
  app.get<{ Params: HandleParams }>(
    '/admin/members/:handle/upline',
    {
      schema: {
        tags: ['commissions'],
        summary: 'A member and their upline, nearest first (without the company root, at most 10): for the plan simulator',
        params: HandleParamsSchema,
        response: { 200: UplineSchema, ...errorResponses },
      },
    },
    async (request) => uplineOf(ctx, requireActor(request), request.params.handle),
  )
}

export default adminRoutes
