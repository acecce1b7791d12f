import type { QuietHours } from '@vernetzt/shared/schemas/notifications'

const MINUTE = 60_000
const DAY_MINUTES = 24 * 60

const formatters = new Map<string, Intl.DateTimeFormat>()
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    formatters.set(timeZone, f)
  }
  return f
}

/** True when the runtime knows this IANA zone. */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

const toMinutes = (clock: string) => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5))

/** Minutes since local midnight in `timeZone` at `at`. */
export function localMinutes(at: Date, timeZone: string): number {
  const parts = formatter(timeZone).formatToParts(at)
  const hour = Number(parts.find((p) => p.type === 'hour')?.value)
  const minute = Number(parts.find((p) => p.type === 'minute')?.value)
  return hour * 60 + minute
}

/**
 * If `now` falls in the member's quiet hours, the instant they end (on a whole minute);
 * otherwise null. The window is [start, end) in local time and crosses midnight when start is
 * later than end (22:00–07:00). Equal start and end means no quiet hours at all.
 */
export function quietUntil(quiet: QuietHours, now: Date): Date | null {
  if (!quiet.enabled) return null
  const start = toMinutes(quiet.start)
  const end = toMinutes(quiet.end)
  if (start === end) return null
  const local = localMinutes(now, quiet.timeZone)
  const inside = start < end ? local >= start && local < end : local >= start || local < end
  if (!inside) return null
  // Walk forward by the wall-clock distance to `end`, then correct for a UTC offset change in
  // between (a DST switch at night): shift by the remaining wall-clock difference.
  let due = Math.floor(now.getTime() / MINUTE) * MINUTE + ((end - local + DAY_MINUTES) % DAY_MINUTES) * MINUTE
  for (let i = 0; i < 2; i++) {
    const off = ((end - localMinutes(new Date(due), quiet.timeZone) + DAY_MINUTES + DAY_MINUTES / 2) % DAY_MINUTES) - DAY_MINUTES / 2
    if (off === 0) break
    due += off * MINUTE
  }
  // Never "now": a held push must wait at least into the next minute.
  return new Date(Math.max(due, Math.floor(now.getTime() / MINUTE) * MINUTE + MINUTE))
}
