import { MAX_COMMISSION_DEPTH, computeCommissions, planCeiling, type PlanRules, type UplineMember } from '@vernetzt/shared/commissions'
import type { Upline } from '@vernetzt/shared/schemas/commerce'

export type SimMember = Upline['items'][number]

export interface SimRow {
  /** Plan level: 1 = the partner the order counts for. */
  level: number
  /** Who sits there; null in the example chain or where nobody does (top of the line, a gap). */
  member: SimMember | null
  rateBp: number
  amountCents: number
  /** Why a level pays nothing: nobody there, not a partner, or a zero rate. */
  reason: 'paid' | 'nobody' | 'notPartner' | 'zeroRate'
}

export interface Simulation {
  /** True without a named member: every level taken by a qualified partner. */
  example: boolean
  /** The partner the order counts for (a named customer's referrer), or null. */
  attributed: SimMember | null
  /** The named member is a customer (or admin): the order counts for their referrer. */
  viaReferrer: SimMember | null
  rows: SimRow[]
  totalCents: number
  ceilingCents: number
}

/**
 * What the plan would pay for an order, with the same pure function the server credits with.
 * `upline` is the API's answer for a named member (nearest first, root left out); a customer's
 * purchase counts for the partner who referred them, as the server attributes it. The activity
 * rule is not applied (it depends on purchases in the period): everyone counts as qualified.
 */
export function simulate(baseCents: number, upline: readonly SimMember[] | null, plan: PlanRules): Simulation {
  const depth = Math.min(plan.maxDepth, MAX_COMMISSION_DEPTH, plan.ratesBp.length)
  const named = upline?.[0] ?? null
  const viaReferrer = named && named.role !== 'partner' ? named : null
  // Plan level of a member: a partner is their own level 1; a customer is not paid, their referrer is level 1.
  const offset = viaReferrer ? 0 : 1
  const byLevel = new Map<number, SimMember>()
  for (const m of upline ?? []) if (m.distance + offset >= 1) byLevel.set(m.distance + offset, m)
  const chain: UplineMember[] = []
  for (let level = 1; level <= depth; level++) {
    const member = byLevel.get(level)
    chain.push(upline === null ? { id: `example-${level}`, qualified: true } : { id: member?.id ?? `gap-${level}`, qualified: member?.role === 'partner' })
  }
  const lines = computeCommissions(baseCents, chain, plan)
  const rows: SimRow[] = chain.map((c, i) => {
    const level = i + 1
    const member = byLevel.get(level) ?? null
    const rateBp = plan.ratesBp[i] ?? 0
    const amountCents = lines.find((l) => l.level === level)?.amountCents ?? 0
    const reason = rateBp === 0 ? 'zeroRate' : upline !== null && !member ? 'nobody' : !c.qualified ? 'notPartner' : 'paid'
    return { level, member, rateBp, amountCents, reason }
  })
  const attributed = byLevel.get(1) ?? null
  return {
    example: upline === null,
    attributed,
    viaReferrer,
    rows,
    totalCents: lines.reduce((s, l) => s + l.amountCents, 0),
    ceilingCents: planCeiling(baseCents, plan),
  }
}
