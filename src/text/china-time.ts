// The one clock for people: every date and time a person reads is China Standard Time (UTC+8 all year, no daylight
// saving since 1991), and the certificate year turns at midnight in China. Instants stay UTC everywhere else.
const offsetMs = 8 * 3_600_000

type Instant = Date | string | number

const at = (instant: Instant) => new Date((instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant)) + offsetMs)
const pad = (n: number) => String(n).padStart(2, '0')

/** The year in China at `instant`: a certificate year, the year a report or template is about. */
export const chinaYear = (instant: Instant): number => at(instant).getUTCFullYear()

/** 2026-03-16, the day in China. */
export const chinaDate = (instant: Instant): string => at(instant).toISOString().slice(0, 10)

/** 2026-03-16 10:00:05, the time in China (to the second, or to the minute). */
export const chinaDateTime = (instant: Instant, precision: 'second' | 'minute' = 'second'): string =>
  at(instant).toISOString().slice(0, precision === 'second' ? 19 : 16).replace('T', ' ')

/** 2026年3月16日, the day in China as Chinese text. */
export function chinaDateZh (instant: Instant): string {
  const day = at(instant)
  return `${day.getUTCFullYear()}年${day.getUTCMonth() + 1}月${day.getUTCDate()}日`
}

/** 2026年3月16日 10:00, the time in China as Chinese text. */
export function chinaDateTimeZh (instant: Instant): string {
  const time = at(instant)
  return `${chinaDateZh(instant)} ${pad(time.getUTCHours())}:${pad(time.getUTCMinutes())}`
}

/** The wall-clock time in China as a Date whose UTC fields read it: for Excel, whose dates have no zone. */
export const chinaWallClock = (instant: Instant): Date => at(instant)
