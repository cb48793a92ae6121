// How long to wait, as people say it: "3 h 20 min" / "3 小时 20 分钟".
import type { Wording } from '../errors.js'

/** A wait of `seconds`, rounded up to the minute (or seconds under a minute), in English and Chinese. */
export function waitWords (seconds: number): Wording {
  if (seconds < 60) return { en: `${seconds} s`, zh: `${seconds} 秒` }
  const minutes = Math.ceil(seconds / 60)
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours === 0) return { en: `${minutes} min`, zh: `${minutes} 分钟` }
  return rest === 0
    ? { en: `${hours} h`, zh: `${hours} 小时` }
    : { en: `${hours} h ${rest} min`, zh: `${hours} 小时 ${rest} 分钟` }
}
