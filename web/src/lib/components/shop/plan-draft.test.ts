import { describe, expect, it } from 'vitest'
import { draftFrom, rulesOf } from './plan-draft.ts'

describe('the plan editor draft', () => {
  it('starts from the plan in force and reads percentages back into basis points', () => {
    const draft = draftFrom(
      {
        version: 3,
        ratesBp: [1000, 250, 25],
        maxDepth: 3,
        qualification: { minOwnPurchaseCents: 5000, fromLevel: 2 },
        note: '',
        activeFrom: '2026-01-01T00:00:00.000Z',
        createdBy: null,
      },
      'de',
    )
    expect(draft.rates.slice(0, 4)).toEqual(['10', '2,5', '0,25', '0'])
    expect(draft).toMatchObject({ depth: 3, qualify: true, minOwnPurchase: '50,00', fromLevel: '2' })
    expect(rulesOf(draft).rules).toEqual({ ratesBp: [1000, 250, 25], maxDepth: 3 })
  })

  it('has as many rate rows as levels, and keeps the text of rows beyond a reduced depth', () => {
    const draft = draftFrom(null, 'de')
    expect(rulesOf({ ...draft, depth: 2 }).rules).toEqual({ ratesBp: [1000, 500], maxDepth: 2 })
    expect(rulesOf({ ...draft, depth: 5 }).rules.ratesBp).toEqual([1000, 500, 300, 200, 100])
    expect(rulesOf({ ...draft, depth: 40 }).rules.maxDepth).toBe(10)
  })

  it('points at rows it cannot read and at a total above 50 %', () => {
    const draft = { ...draftFrom(null, 'de'), depth: 3, rates: ['10', 'zehn', '60', ...Array(7).fill('0')] }
    expect(rulesOf(draft).invalidRows).toEqual([1, 2])
    expect(rulesOf({ ...draft, rates: ['30', '25', '0', ...Array(7).fill('0')] })).toMatchObject({ totalBp: 5500, tooHigh: true })
  })
})
