import type { Privacy } from '@vernetzt/shared/schemas/messages'
import type { Actor, ServiceContext } from '../../context.ts'
import { announcePresence } from './presence.ts'

export async function getPrivacy(ctx: ServiceContext, actor: Actor): Promise<Privacy> {
  const member = await ctx.models.Member.findById(actor.id, { readReceipts: 1, showPresence: 1 }).lean()
  return { readReceipts: member?.readReceipts !== false, presence: member?.showPresence !== false }
}

export async function setPrivacy(ctx: ServiceContext, actor: Actor, input: Partial<Privacy>): Promise<Privacy> {
  const set: Record<string, boolean> = {}
  if (input.readReceipts !== undefined) set.readReceipts = input.readReceipts
  if (input.presence !== undefined) set.showPresence = input.presence
  await ctx.models.Member.updateOne({ _id: actor.id }, { $set: set })
  if (input.presence !== undefined) await announcePresence(ctx, actor.id)
  return getPrivacy(ctx, actor)
}
