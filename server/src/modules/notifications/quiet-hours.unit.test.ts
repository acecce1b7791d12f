import { describe, expect, it } from 'vitest'
import { isTimeZone, quietUntil } from './quiet-hours.ts'

const berlin = { enabled: true, start: '22:00', end: '07:00', timeZone: 'Europe/Berlin' }
const at = (iso: string) => new Date(iso)
const until = (quiet: typeof berlin, iso: string) => quietUntil(quiet, at(iso))?.toISOString() ?? null

describe('quiet hours (default 22:00–07:00 local time)', () => {
  it('holds from 22:00 until 07:00 the next morning in Berlin winter time (UTC+1)', () => {
    expect(until(berlin, '2025-01-15T20:59:00Z')).toBeNull() // 21:59
    expect(until(berlin, '2025-01-15T21:00:00Z')).toBe('2025-01-16T06:00:00.000Z') // 22:00
    expect(until(berlin, '2025-01-15T22:59:30Z')).toBe('2025-01-16T06:00:00.000Z') // 23:59:30
    expect(until(berlin, '2025-01-15T23:00:00Z')).toBe('2025-01-16T06:00:00.000Z') // 00:00, after midnight
    expect(until(berlin, '2025-01-16T05:59:59Z')).toBe('2025-01-16T06:00:00.000Z') // 06:59:59
    expect(until(berlin, '2025-01-16T06:00:00Z')).toBeNull() // 07:00: over
    expect(until(berlin, '2025-01-16T12:00:00Z')).toBeNull() // midday
  })

  it('follows summer time (UTC+2)', () => {
    expect(until(berlin, '2025-07-01T19:59:00Z')).toBeNull() // 21:59
    expect(until(berlin, '2025-07-01T20:00:00Z')).toBe('2025-07-02T05:00:00.000Z') // 22:00 → 07:00
  })

  it('ends at 07:00 local time on the nights the clocks change', () => {
    // 30 March 2025: 02:00 CET becomes 03:00 CEST, so 07:00 is 05:00 UTC, not 06:00.
    expect(until(berlin, '2025-03-29T22:00:00Z')).toBe('2025-03-30T05:00:00.000Z')
    // 26 October 2025: 03:00 CEST becomes 02:00 CET, so 07:00 is 06:00 UTC.
    expect(until(berlin, '2025-10-25T20:30:00Z')).toBe('2025-10-26T06:00:00.000Z')
  })

  it('uses the member’s own time zone', () => {
    const newYork = { ...berlin, timeZone: 'America/New_York' }
    // 03:30 UTC: 22:30 in New York (quiet), 04:30 in Berlin (quiet too).
    expect(until(newYork, '2025-01-15T03:30:00Z')).toBe('2025-01-15T12:00:00.000Z')
    expect(until(berlin, '2025-01-15T03:30:00Z')).toBe('2025-01-15T06:00:00.000Z')
    // 22:00 UTC: 23:00 in Berlin (quiet), 17:00 in New York (not).
    expect(until(berlin, '2025-01-15T22:00:00Z')).toBe('2025-01-16T06:00:00.000Z')
    expect(until(newYork, '2025-01-15T22:00:00Z')).toBeNull()
    const tokyo = { ...berlin, timeZone: 'Asia/Tokyo' } // UTC+9, no DST
    expect(until(tokyo, '2025-01-15T13:00:00Z')).toBe('2025-01-15T22:00:00.000Z') // 22:00 → 07:00
  })

  it('handles a window that does not cross midnight', () => {
    const lunch = { enabled: true, start: '12:30', end: '14:00', timeZone: 'Europe/Berlin' }
    expect(until(lunch, '2025-01-15T11:29:00Z')).toBeNull() // 12:29
    expect(until(lunch, '2025-01-15T11:30:00Z')).toBe('2025-01-15T13:00:00.000Z')
    expect(until(lunch, '2025-01-15T13:00:00Z')).toBeNull() // 14:00
    expect(until(lunch, '2025-01-15T21:30:00Z')).toBeNull() // 22:30
  })

  it('holds nothing when switched off or when start equals end', () => {
    expect(until({ ...berlin, enabled: false }, '2025-01-15T23:00:00Z')).toBeNull()
    expect(until({ ...berlin, start: '07:00' }, '2025-01-15T23:00:00Z')).toBeNull()
  })

  it('knows real time zones only', () => {
    expect(isTimeZone('Europe/Berlin')).toBe(true)
    expect(isTimeZone('America/Argentina/Buenos_Aires')).toBe(true)
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false)
  })
})
