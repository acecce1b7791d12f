import { describe, expect, it } from 'vitest'
import { nextDigestAt } from './schedule.ts'

describe('nextDigestAt', () => {
  it('is the next 07:00 local time for a daily digest', () => {
    // 06:30 in Berlin (winter, UTC+1): today at 07:00 = 06:00 UTC.
    expect(nextDigestAt(new Date('2026-12-02T05:30:00Z'), 'Europe/Berlin', 'daily').toISOString()).toBe('2026-12-02T06:00:00.000Z')
    // 07:00 sharp has passed once it is 07:00: tomorrow.
    expect(nextDigestAt(new Date('2026-12-02T06:00:00Z'), 'Europe/Berlin', 'daily').toISOString()).toBe('2026-12-03T06:00:00.000Z')
    // Zurich in summer (UTC+2).
    expect(nextDigestAt(new Date('2026-07-01T12:00:00Z'), 'Europe/Zurich', 'daily').toISOString()).toBe('2026-07-02T05:00:00.000Z')
  })

  it('is Monday 07:00 local time for a weekly digest, across a DST change', () => {
    // Wednesday 2 December 2026 → Monday 7 December.
    expect(nextDigestAt(new Date('2026-12-02T10:00:00Z'), 'Europe/Vienna', 'weekly').toISOString()).toBe('2026-12-07T06:00:00.000Z')
    // Thursday 22 October 2026 (UTC+2) → Monday 26 October, after the switch to UTC+1 on the 25th.
    expect(nextDigestAt(new Date('2026-10-22T10:00:00Z'), 'Europe/Berlin', 'weekly').toISOString()).toBe('2026-10-26T06:00:00.000Z')
    // A Monday after 07:00 → the Monday after.
    expect(nextDigestAt(new Date('2026-12-07T08:00:00Z'), 'Europe/Berlin', 'weekly').toISOString()).toBe('2026-12-14T06:00:00.000Z')
  })
})
