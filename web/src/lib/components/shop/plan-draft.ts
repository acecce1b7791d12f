import { MAX_COMMISSION_DEPTH, type PlanRules } from '@vernetzt/shared/commissions'
import { PLAN_TOTAL_MAX_BP, type Plan } from '@vernetzt/shared/schemas/commerce'
import { hundredthsToText, parseHundredths } from './money.ts'

/** The plan editor's fields as typed (rates in percent, the activity rule's amount in euros). */
export interface PlanDraft {
  depth: number
  /** Always MAX_COMMISSION_DEPTH long: rows beyond the depth keep their text when the depth shrinks. */
  rates: string[]
  qualify: boolean
  minOwnPurchase: string
  fromLevel: string
  note: string
}

const EXAMPLE_RATES = [1000, 500, 300, 200, 100]

/** A new version starts from the plan in force (or from 10/5/3/2/1 % when there is none). */
export function draftFrom(plan: Plan | null, lang: 'de' | 'en'): PlanDraft {
  const rates = plan?.ratesBp ?? EXAMPLE_RATES
  return {
    depth: rates.length,
    rates: Array.from({ length: MAX_COMMISSION_DEPTH }, (_, i) => hundredthsToText(rates[i] ?? 0, lang, { trim: true })),
    qualify: !!plan?.qualification,
    minOwnPurchase: plan?.qualification ? hundredthsToText(plan.qualification.minOwnPurchaseCents, lang) : '',
    fromLevel: String(plan?.qualification?.fromLevel ?? Math.min(2, rates.length)),
    note: '',
  }
}

/** What the draft means: the rules for the simulator, and which rows cannot be read. */
export function rulesOf(draft: PlanDraft): { rules: PlanRules; invalidRows: number[]; totalBp: number; tooHigh: boolean } {
  const depth = Math.max(1, Math.min(MAX_COMMISSION_DEPTH, Math.trunc(draft.depth) || 1))
  const parsed = draft.rates.slice(0, depth).map((text) => parseHundredths(text))
  const invalidRows = parsed.flatMap((bp, i) => (bp === null || bp > 5000 ? [i] : []))
  const ratesBp = parsed.map((bp) => (bp === null || bp > 5000 ? 0 : bp))
  const totalBp = ratesBp.reduce((a, b) => a + b, 0)
  return { rules: { ratesBp, maxDepth: depth }, invalidRows, totalBp, tooHigh: totalBp > PLAN_TOTAL_MAX_BP }
}
