import { periodOf } from '@vernetzt/shared/commissions'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { foldName, incomeBands, MONTH_BANDS, periodStart, periodsUpTo } from './earnings.ts'

describe('periods', () => {
  it('starts a month at midnight Berlin time, summer and winter', () => {
    expect(periodStart('2026-01').toISOString()).toBe('2025-12-31T23:00:00.000Z')
    expect(periodStart('2026-07').toISOString()).toBe('2026-06-30T22:00:00.000Z')
    fc.assert(
      fc.property(fc.integer({ min: 2000, max: 2100 }), fc.integer({ min: 1, max: 12 }), (y, m) => {
        const p = `${y}-${String(m).padStart(2, '0')}`
        const start = periodStart(p)
        return periodOf(start) === p && periodOf(new Date(start.getTime() - 1)) !== p
      }),
    )
  })

  it('lists the last twelve months across a year end, oldest first', () => {
    expect(periodsUpTo('2026-03', 12)).toEqual([
      '2025-04',
      '2025-05',
      '2025-06',
      '2025-07',
      '2025-08',
      '2025-09',
      '2025-10',
      '2025-11',
      '2025-12',
      '2026-01',
      '2026-02',
      '2026-03',
    ])
  })
})

describe('income bands', () => {
  it('counts partners without earnings in the 0 € band and takes the median over everyone', () => {
    const r = incomeBands(10, [1_000, 6_000, 30_000, -500], MONTH_BANDS)
    expect(r.bands.map((b) => b.partners)).toEqual([7, 1, 1, 1, 0, 0])
    expect(r.bands[0]).toMatchObject({ minCents: null, maxCents: 0, shareBp: 7000 })
    expect(r).toMatchObject({ partners: 10, earners: 3, medianCents: 0, earnersMedianCents: 6_000, earnersMeanCents: 12_333, totalPaidCents: 36_500 })
  })

  it('puts an amount on a band edge into the lower band', () => {
    expect(incomeBands(2, [5_000, 5_001], MONTH_BANDS).bands.map((b) => b.partners)).toEqual([0, 1, 1, 0, 0, 0])
  })

  it('places every partner in exactly one band', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -10_000, max: 2_000_000 }), { maxLength: 60 }), fc.nat(40), (totals, more) => {
        const r = incomeBands(totals.length + more, totals, MONTH_BANDS)
        return r.bands.reduce((s, b) => s + b.partners, 0) === r.partners && r.partners === totals.length + more
      }),
    )
  })
})

describe('name search', () => {
  it('ignores case, accents and ß', () => {
    expect(foldName('Jürgen Blättler')).toContain('blatt')
    expect(foldName('STRAßE')).toBe('strasse')
  })
})
