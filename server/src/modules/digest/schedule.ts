import { localMinutes } from '../notifications/index.ts'

const MINUTE = 60_000
const DAY_MINUTES = 24 * 60

/** Digests arrive at this local hour, when people read their mail over breakfast. */
export const DIGEST_HOUR = 7

const weekdays = new Map<string, Intl.DateTimeFormat>()
function weekday(at: Date, timeZone: string): string {
  let f = weekdays.get(timeZone)
  if (!f) weekdays.set(timeZone, (f = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' })))
  return f.format(at)
}

/** The first whole minute after `from` at which the local clock in `timeZone` reads `minutes` past midnight. */
function nextLocal(from: Date, timeZone: string, minutes: number): number {
  const start = Math.floor(from.getTime() / MINUTE) * MINUTE
  let due = start + ((minutes - localMinutes(from, timeZone) + DAY_MINUTES) % DAY_MINUTES || DAY_MINUTES) * MINUTE
  // A change of the UTC offset in between (DST) shifts the wall clock: correct by what is left.
  for (let i = 0; i < 2; i++) {
    const off = ((minutes - localMinutes(new Date(due), timeZone) + DAY_MINUTES + DAY_MINUTES / 2) % DAY_MINUTES) - DAY_MINUTES / 2
    if (off === 0) break
    due += off * MINUTE
  }
  return due <= from.getTime() ? nextLocal(new Date(due + MINUTE), timeZone, minutes) : due
}

/** When the next digest is due after `now`: the next DIGEST_HOUR o'clock, for a weekly one on a Monday. */
export function nextDigestAt(now: Date, timeZone: string, every: 'daily' | 'weekly'): Date {
  let due = nextLocal(now, timeZone, DIGEST_HOUR * 60)
  if (every === 'weekly') for (let i = 0; i < 7 && weekday(new Date(due), timeZone) !== 'Mon'; i++) due = nextLocal(new Date(due), timeZone, DIGEST_HOUR * 60)
  return new Date(due)
}
