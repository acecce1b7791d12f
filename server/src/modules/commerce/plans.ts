// Commission plans (versioned, each active from a date) and closing periods: what the ledger credits by.
import { nextPeriod, periodOf } from '@vernetzt/shared/commissions'
import { AppError } from '@vernetzt/shared/errors'
import { PLAN_TOTAL_MAX_BP, type Plan, type PlanBody } from '@vernetzt/shared/schemas/commerce'
import { Types } from 'mongoose'
import type { Actor, ServiceContext } from '../../context.ts'
import { isDuplicateKey } from '../../db/errors.ts'
import { type PlanDoc } from './model.ts'

// --- Plans ------------------------------------------------------------------------------------

function toPlan(p: PlanDoc): Plan {
  return {
    version: p._id,
    ratesBp: p.ratesBp,
    maxDepth: p.maxDepth,
    qualification: p.qualification ?? null,
    note: p.note ?? '',
    activeFrom: p.activeFrom.toISOString(),
    createdBy: p.createdBy?.toString() ?? null,
  }
}

/** Every version, newest first. A handful of documents: read whole. */
async function allPlans(ctx: ServiceContext): Promise<PlanDoc[]> {
  return ((await ctx.models.Plan.find().lean()) as PlanDoc[]).sort((a, b) => b._id - a._id)
}

export async function listPlans(ctx: ServiceContext): Promise<{ current: Plan | null; versions: Plan[] }> {
  const plans = await allPlans(ctx)
  const current = plans.find((p) => p.activeFrom.getTime() <= Date.now()) ?? null
  return { current: current ? toPlan(current) : null, versions: plans.map(toPlan) }
}

/** The plan that was in force at a moment: what a payment made then is credited with. */
export async function planAt(ctx: ServiceContext, at: Date): Promise<PlanDoc | null> {
  return (await allPlans(ctx)).find((p) => p.activeFrom.getTime() <= at.getTime()) ?? null
}

/** Rules JSON Schema cannot say: depth and rates agree, and the total stays within bounds. */
export function checkPlan(input: PlanBody): void {
  if (input.ratesBp.length !== input.maxDepth) {
    throw new AppError('PLAN_INVALID', `The plan has ${input.maxDepth} levels but ${input.ratesBp.length} rates; give one rate per level.`, {
      field: 'ratesBp',
    })
  }
  const total = input.ratesBp.reduce((a, b) => a + b, 0)
  if (total > PLAN_TOTAL_MAX_BP) {
    throw new AppError('PLAN_INVALID', `All levels together may pay at most ${PLAN_TOTAL_MAX_BP / 100} % (this plan: ${total / 100} %).`, { field: 'ratesBp' })
  }
  if (input.qualification && input.qualification.fromLevel > input.maxDepth) {
    throw new AppError('PLAN_INVALID', 'The activity rule starts below the deepest level.', { field: 'qualification.fromLevel' })
  }
}

/** A new version, in force from now on; orders paid earlier keep the version of their payment time. */
export async function createPlan(ctx: ServiceContext, actor: Actor, input: PlanBody): Promise<Plan> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can change the commission plan.')
  checkPlan(input)
  for (;;) {
    const version = ((await allPlans(ctx))[0]?._id ?? 0) + 1
    try {
      const plan = (
        await ctx.models.Plan.create({
          _id: version,
          ratesBp: input.ratesBp,
          maxDepth: input.maxDepth,
          qualification: input.qualification ?? null,
          note: input.note ?? '',
          activeFrom: new Date(),
          createdBy: new Types.ObjectId(actor.id),
        })
      ).toObject() as PlanDoc
      await ctx.models.Audit.create({
        actorId: new Types.ObjectId(actor.id),
        action: 'plan.create',
        subjectId: new Types.ObjectId(actor.id),
        reason: input.note ?? '',
        data: { version, ratesBp: input.ratesBp },
      })
      return toPlan(plan)
    } catch (error) {
      if (!isDuplicateKey(error)) throw error // two admins at once: take the next number
    }
  }
}

// --- Periods ----------------------------------------------------------------------------------

/** The first open period from `period` on: entries never land in a closed one. */
export async function openPeriodFrom(ctx: ServiceContext, period: string): Promise<string> {
  let p = period
  while (await ctx.models.Period.findById(p).lean()) p = nextPeriod(p)
  return p
}

export async function isClosed(ctx: ServiceContext, period: string): Promise<boolean> {
  return !!(await ctx.models.Period.findById(period).lean())
}

/** An admin closes a finished month; its statements are final from then on. */
export async function closePeriod(ctx: ServiceContext, actor: Actor, period: string, now = new Date()): Promise<{ period: string; closedAt: string }> {
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', 'Only an administrator can close a period.')
  if (period >= periodOf(now)) throw new AppError('PERIOD_NOT_OVER', `${period} is not over yet; a month can be closed from the first day of the next.`)
  try {
    const doc = await ctx.models.Period.create({ _id: period, closedAt: now, closedBy: new Types.ObjectId(actor.id) })
    await ctx.models.Audit.create({
      actorId: new Types.ObjectId(actor.id),
      action: 'period.close',
      subjectId: new Types.ObjectId(actor.id),
      reason: period,
      data: { period },
    })
    await ctx.events.publish('period.closed', { period, closedAt: doc.closedAt.toISOString() })
    return { period, closedAt: doc.closedAt.toISOString() }
  } catch (error) {
    if (isDuplicateKey(error)) throw new AppError('PERIOD_CLOSED', `${period} is closed already.`)
    throw error
  }
}
