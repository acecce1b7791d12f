/**
 * Commission math: pure, integer, shared by the server (crediting), the admin simulator and
 * the tests. Money is integer cents; rates are basis points (1 % = 100 bp), so no float ever
 * touches an amount.
 *
 * Rounding rule (documented in the README): the plan pays at most
 * floor(base × Σ rate of the paid levels / 10 000) cents for an order. That total is split over
 * the paid levels by the largest-remainder method: every level first gets its amount rounded
 * down, and the cents left over go one each to the levels with the largest cut-off fractions
 * (ties to the level nearer the buyer). So the levels always add up to exactly the total: no
 * cent is created, none lost between levels, and nothing exceeds the plan's rates.
 */

/** The hard limit of the plan schema: commissions never reach further up than this. */
export const MAX_COMMISSION_DEPTH = 10

export interface PlanRules {
  /** ratesBp[0] is level 1 (the partner the order is attributed to), and so on. */
  ratesBp: readonly number[]
  maxDepth: number
}

export interface UplineMember {
  id: string
  /** False when the member does not meet the plan's activity requirement for this period. */
  qualified: boolean
}

export interface CommissionLine {
  beneficiaryId: string
  /** 1 = the attributed partner themselves. */
  level: number
  rateBp: number
  amountCents: number
}

/**
 * The commission lines for one order. `chain[0]` is the partner the order is attributed to,
 * `chain[1]` their sponsor, and so on (the stored upline, nearest first). Levels beyond the
 * plan's depth, beyond the chain, with a zero rate or an unqualified member pay nothing; the
 * company keeps those parts (nobody moves up: compression would pay people for recruiting depth).
 */
export function computeCommissions(baseCents: number, chain: readonly UplineMember[], plan: PlanRules): CommissionLine[] {
  if (!Number.isSafeInteger(baseCents) || baseCents < 0) throw new RangeError('baseCents must be a non-negative integer')
  const depth = Math.min(plan.maxDepth, MAX_COMMISSION_DEPTH, plan.ratesBp.length, chain.length)
  const paid: Array<{ member: UplineMember; level: number; rateBp: number; exact: number }> = []
  for (let i = 0; i < depth; i++) {
    const rateBp = plan.ratesBp[i]!
    const member = chain[i]!
    if (rateBp > 0 && member.qualified) paid.push({ member, level: i + 1, rateBp, exact: baseCents * rateBp })
  }
  // Exact amounts in 1/10 000 cent; integer arithmetic stays exact up to 9e15.
  const total = Math.floor(paid.reduce((sum, p) => sum + p.exact, 0) / 10_000)
  const lines = paid.map((p) => ({ ...p, cents: Math.floor(p.exact / 10_000), remainder: p.exact % 10_000 }))
  let left = total - lines.reduce((sum, l) => sum + l.cents, 0)
  for (const line of [...lines].sort((a, b) => b.remainder - a.remainder || a.level - b.level)) {
    if (left === 0) break
    line.cents += 1
    left -= 1
  }
  return lines.filter((l) => l.cents > 0).map((l) => ({ beneficiaryId: l.member.id, level: l.level, rateBp: l.rateBp, amountCents: l.cents }))
}

/** What a plan can pay at most for an order: the sum of all its rates, applied to the base. */
export function planCeiling(baseCents: number, plan: PlanRules): number {
  const depth = Math.min(plan.maxDepth, MAX_COMMISSION_DEPTH, plan.ratesBp.length)
  return Math.floor((baseCents * plan.ratesBp.slice(0, depth).reduce((a, b) => a + b, 0)) / 10_000)
}

/** Formats cents as a German or English euro amount: 1234 → "12,34 €" / "€12.34". */
export function formatCents(cents: number, lang: 'de' | 'en' = 'de', currency = 'EUR'): string {
  return new Intl.NumberFormat(lang === 'de' ? 'de-DE' : 'en-GB', { style: 'currency', currency }).format(cents / 100)
}

/** The entries that undo a credit: the same beneficiaries and levels, the amounts negated. */
export function reversalOf(lines: readonly CommissionLine[]): CommissionLine[] {
  return lines.map((l) => ({ ...l, amountCents: -l.amountCents }))
}

/** Periods are calendar months in Europe/Berlin time, "2026-11". */
export function periodOf(date: Date): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Berlin', year: 'numeric', month: '2-digit' }).formatToParts(date)
  return `${parts.find((p) => p.type === 'year')!.value}-${parts.find((p) => p.type === 'month')!.value}`
}

export function nextPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number]
  return month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`
}

export function previousPeriod(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number]
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`
}
