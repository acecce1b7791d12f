import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  MAX_COMMISSION_DEPTH,
  computeCommissions,
  formatCents,
  nextPeriod,
  periodOf,
  planCeiling,
  previousPeriod,
  reversalOf,
  type PlanRules,
  type UplineMember,
} from './commissions.ts'

const plan = (ratesBp: number[], maxDepth = ratesBp.length): PlanRules => ({ ratesBp, maxDepth })
const chainOf = (n: number, unqualified: number[] = []): UplineMember[] =>
  Array.from({ length: n }, (_, i) => ({ id: `m${i + 1}`, qualified: !unqualified.includes(i + 1) }))

const arbitraryPlan = fc.record({
  ratesBp: fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 12 }),
  maxDepth: fc.integer({ min: 1, max: 12 }),
})
const arbitraryChain = fc.array(fc.record({ id: fc.uuid(), qualified: fc.boolean() }), { maxLength: 15 })
const arbitraryBase = fc.integer({ min: 0, max: 100_000_000 }) // up to a million euros

describe('computeCommissions', () => {
  it('pays 10/5/3/2/1 % of a 100 € order up five levels', () => {
    const lines = computeCommissions(10_000, chainOf(7), plan([1000, 500, 300, 200, 100]))
    expect(lines.map((l) => [l.beneficiaryId, l.level, l.amountCents])).toEqual([
      ['m1', 1, 1000],
      ['m2', 2, 500],
      ['m3', 3, 300],
      ['m4', 4, 200],
      ['m5', 5, 100],
    ])
  })

  it('pays nothing above a short upline, and keeps an unqualified level without moving anyone up', () => {
    expect(computeCommissions(10_000, chainOf(2), plan([1000, 500, 300])).map((l) => l.level)).toEqual([1, 2])
    expect(computeCommissions(10_000, chainOf(3, [2]), plan([1000, 500, 300])).map((l) => [l.beneficiaryId, l.amountCents])).toEqual([
      ['m1', 1000],
      ['m3', 300],
    ])
  })

  it('gives the cents lost to rounding to the largest fractions, so the levels add up exactly', () => {
    // 3.33 % of 0.99 € is 3.2967 ct on each of three levels: 9.89 ct in all, 9 cents paid.
    const lines = computeCommissions(99, chainOf(3), plan([333, 333, 333]))
    expect(lines.reduce((s, l) => s + l.amountCents, 0)).toBe(9)
    expect(lines.map((l) => l.amountCents)).toEqual([3, 3, 3])
    // 1 % + 1 % of 1.50 €: 1.5 ct each → 3 ct; the tie goes to the nearer level.
    expect(computeCommissions(150, chainOf(2), plan([100, 100])).map((l) => l.amountCents)).toEqual([2, 1])
  })

  it('never pays more than the plan total, never deeper than its depth, and loses or creates no cent', () => {
    fc.assert(
      fc.property(arbitraryBase, arbitraryChain, arbitraryPlan, (base, chain, rules) => {
        const lines = computeCommissions(base, chain, rules)
        const sum = lines.reduce((s, l) => s + l.amountCents, 0)
        expect(sum).toBeLessThanOrEqual(planCeiling(base, rules))
        expect(Math.max(0, ...lines.map((l) => l.level))).toBeLessThanOrEqual(Math.min(rules.maxDepth, MAX_COMMISSION_DEPTH))
        // Exactly the total of the levels that pay, rounded down once: no cent lost or created.
        const depth = Math.min(rules.maxDepth, MAX_COMMISSION_DEPTH, rules.ratesBp.length, chain.length)
        const payingBp = Array.from({ length: depth }, (_, i) => (chain[i]!.qualified ? rules.ratesBp[i]! : 0)).reduce((a, b) => a + b, 0)
        expect(sum).toBe(Math.floor((base * payingBp) / 10_000))
        for (const line of lines) {
          expect(line.amountCents).toBeGreaterThan(0)
          expect(Number.isInteger(line.amountCents)).toBe(true)
          // No level gets more than a cent above its own exact share.
          expect(line.amountCents).toBeLessThanOrEqual(Math.floor((base * line.rateBp) / 10_000) + 1)
          expect(chain[line.level - 1]!.qualified).toBe(true)
        }
      }),
      { numRuns: 2000 },
    )
  })

  it('never lets the hard depth limit be exceeded, whatever the plan says', () => {
    const lines = computeCommissions(
      1_000_000,
      chainOf(20),
      plan(
        Array.from({ length: 20 }, () => 100),
        20,
      ),
    )
    expect(lines).toHaveLength(MAX_COMMISSION_DEPTH)
  })

  it('refuses a base that is not whole cents', () => {
    expect(() => computeCommissions(10.5, chainOf(1), plan([100]))).toThrow(RangeError)
    expect(() => computeCommissions(-1, chainOf(1), plan([100]))).toThrow(RangeError)
  })
})

describe('reversalOf', () => {
  it('sums to zero with the credit it reverses, level by level', () => {
    fc.assert(
      fc.property(arbitraryBase, arbitraryChain, arbitraryPlan, (base, chain, rules) => {
        const credit = computeCommissions(base, chain, rules)
        const reversal = reversalOf(credit)
        expect(credit.reduce((s, l) => s + l.amountCents, 0) + reversal.reduce((s, l) => s + l.amountCents, 0)).toBe(0)
        expect(reversal.map((l) => [l.beneficiaryId, l.level])).toEqual(credit.map((l) => [l.beneficiaryId, l.level]))
      }),
    )
  })
})

describe('formatCents', () => {
  it('formats euros the German and the English way', () => {
    expect(formatCents(123456, 'de')).toBe('1.234,56\u00a0€')
    expect(formatCents(123456, 'en')).toBe('€1,234.56')
  })
})

describe('periods', () => {
  it('are calendar months in German time, also around midnight at the turn of a month', () => {
    expect(periodOf(new Date('2026-10-31T22:30:00Z'))).toBe('2026-10') // 23:30 in Berlin (CET)
    expect(periodOf(new Date('2026-10-31T23:30:00Z'))).toBe('2026-11') // 00:30 on 1 November
    expect(periodOf(new Date('2026-06-30T22:30:00Z'))).toBe('2026-07') // 00:30 CEST
    expect(nextPeriod('2026-12')).toBe('2027-01')
    expect(previousPeriod('2027-01')).toBe('2026-12')
  })
})
