import type { ServiceContext } from '../../context.ts'
import type { GroupDoc } from '../groups/model.ts'
import { roleIn } from '../groups/service.ts'
import type { PostDoc } from '../posts/model.ts'

/** Whether a member may read a post: everywhere public, except in a private group's area. */
export async function canSeePost(ctx: ServiceContext, post: Pick<PostDoc, 'area'>, memberId: string | null): Promise<boolean> {
  if (post.area.type !== 'group' || !post.area.groupId) return true
  const group = (await ctx.models.Group.findById(post.area.groupId).lean()) as GroupDoc | null
  if (!group) return false
  return group.visibility === 'public' || (!!memberId && !!(await roleIn(ctx, group, memberId)))
}
