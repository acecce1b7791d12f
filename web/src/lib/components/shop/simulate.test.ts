import { describe, expect, it } from 'vitest'
import { simulate, type SimMember } from './simulate.ts'

const member = (handle: string, distance: number, role: SimMember['role'] = 'partner'): SimMember => ({
  id: handle.padEnd(24, '0'),
  handle,
  displayName: handle,
  role,
  avatarUrl: null,
  distance,
})
const plan = { ratesBp: [1000, 500, 300, 200, 100], maxDepth: 5 }

describe('the plan simulator', () => {
  it('pays every level of a full example chain: 21 % of 100 €', () => {
    const sim = simulate(10_000, null, plan)
    expect(sim.rows.map((r) => [r.level, r.amountCents, r.reason])).toEqual([
      [1, 1000, 'paid'],
      [2, 500, 'paid'],
      [3, 300, 'paid'],
      [4, 200, 'paid'],
      [5, 100, 'paid'],
    ])
    expect(sim.totalCents).toBe(2100)
    expect(sim.ceilingCents).toBe(2100)
  })

  it('stops at the top of a short line: the company keeps the rest', () => {
    const sim = simulate(10_000, [member('jonas', 0), member('anna', 1)], plan)
    expect(sim.attributed?.handle).toBe('jonas')
    expect(sim.rows.map((r) => [r.member?.handle ?? null, r.amountCents, r.reason])).toEqual([
      ['jonas', 1000, 'paid'],
      ['anna', 500, 'paid'],
      [null, 0, 'nobody'],
      [null, 0, 'nobody'],
      [null, 0, 'nobody'],
    ])
    expect(sim.totalCents).toBe(1500)
    expect(sim.ceilingCents).toBe(2100)
  })

  it("counts a customer's purchase for the partner who referred them, as the server does", () => {
    const sim = simulate(10_000, [member('karin', 0, 'customer'), member('jonas', 1), member('anna', 2)], plan)
    expect(sim.viaReferrer?.handle).toBe('karin')
    expect(sim.attributed?.handle).toBe('jonas')
    expect(sim.rows.slice(0, 2).map((r) => [r.member?.handle, r.amountCents])).toEqual([
      ['jonas', 1000],
      ['anna', 500],
    ])
  })

  it('pays nothing on a zero rate or to a member who is not a partner, and never more than the rates', () => {
    const sim = simulate(9_999, [member('a', 0), member('b', 1, 'admin'), member('c', 2)], { ratesBp: [333, 0, 333], maxDepth: 3 })
    expect(sim.rows.map((r) => r.reason)).toEqual(['paid', 'zeroRate', 'paid'])
    expect(sim.totalCents).toBeLessThanOrEqual(sim.ceilingCents)
    // 332.97 € twice: the one cent left over goes to the level nearer the buyer.
    expect(sim.rows.map((r) => r.amountCents)).toEqual([333, 0, 332])
    const notPartner = simulate(10_000, [member('a', 0), member('b', 1, 'admin')], { ratesBp: [1000, 500], maxDepth: 2 })
    expect(notPartner.rows.map((r) => [r.reason, r.amountCents])).toEqual([
      ['paid', 1000],
      ['notPartner', 0],
    ])
  })
})
