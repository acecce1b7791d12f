import type { ProjectionType } from 'mongoose'
import { normalizeHandle } from '@vernetzt/shared/handles'
import type { ServiceContext } from '../../context.ts'
import type { MemberDoc } from './model.ts'

export const handleKey = (handle: string) => `handle:${normalizeHandle(handle)}`
export const emailKey = (email: string) => `email:${normalizeEmail(email)}`
export const ROOT_KEY = 'root'

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase()
}

/** Two _id lookups, never a scan: key → member. */
async function byKey(ctx: ServiceContext, key: string, projection?: ProjectionType<MemberDoc>): Promise<MemberDoc | null> {
  const entry = await ctx.models.Key.findById(key).lean()
  if (!entry) return null
  return (await ctx.models.Member.findById(entry.memberId, projection).lean()) as MemberDoc | null
}

export function findMemberByHandle(ctx: ServiceContext, handle: string, projection?: ProjectionType<MemberDoc>) {
  return byKey(ctx, handleKey(handle), projection)
}

export function findMemberByEmail(ctx: ServiceContext, email: string, projection?: ProjectionType<MemberDoc>) {
  return byKey(ctx, emailKey(email), projection)
}

export function findRoot(ctx: ServiceContext, projection?: ProjectionType<MemberDoc>) {
  return byKey(ctx, ROOT_KEY, projection)
}
