// The service's rate limits, all on one counter store: how many of what each client may do in a window.
import { isIPv4, isIPv6 } from 'node:net'
import type { Config } from '../config.js'
import type { CounterMode, CounterStore } from './counter-store.js'

/** A limit: at most `max` in every window of `windowMs`. */
export interface Limit {
  /** Names the counters of this limit (and nothing else shares them). */
  readonly name: string
  readonly max: number
  readonly windowMs: number
}

/** What a limit says about one client now. */
export interface LimitState {
  readonly allowed: boolean
  readonly max: number
  readonly remaining: number
  /** Whole seconds until the window ends (at least 1 when not allowed). */
  readonly retryAfterSeconds: number
}

/** The per-address limits of the service (config.limits), each counting one kind of thing. */
export interface ServiceLimits {
  /** Requests to the public routes, all routes and methods together. */
  readonly publicRequests: Limit
  /** Holder names checked, on any route. */
  readonly nameChecks: Limit
  /** Failed authentications: a wrong admin token or API key. */
  readonly authFailures: Limit
  /** Wrong codes sent to confirm a verification report (as many an hour as names may be checked). */
  readonly reportCodeFailures: Limit
}

export function serviceLimits (limits: Config['limits']): ServiceLimits {
  return {
    publicRequests: { name: 'public', max: limits.publicPerMinute, windowMs: 60_000 },
    nameChecks: { name: 'name-checks', max: limits.nameChecksPerHour, windowMs: 3_600_000 },
    authFailures: { name: 'auth-failures', max: limits.authFailuresPer15Minutes, windowMs: 15 * 60_000 },
    reportCodeFailures: { name: 'report-code-failures', max: limits.nameChecksPerHour, windowMs: 3_600_000 },
  }
}

export interface Limiter {
  /** Counts `amount` against the limit and says whether it was within it. */
  take (limit: Limit, key: string, amount?: number): Promise<LimitState>
  /** Whether another one would be within the limit, counting nothing. */
  peek (limit: Limit, key: string): Promise<LimitState>
  /** Gives back what `take` counted (a reservation that turned out not to count). */
  giveBack (limit: Limit, key: string, amount?: number): Promise<void>
  mode (): CounterMode
}

export function createLimiter (store: CounterStore): Limiter {
  const state = (limit: Limit, count: number, resetInMs: number, allowed: boolean): LimitState => ({
    allowed,
    max: limit.max,
    remaining: Math.max(0, limit.max - count),
    retryAfterSeconds: Math.max(1, Math.ceil(resetInMs / 1000)),
  })
  return {
    async take (limit, key, amount = 1) {
      const { count, resetInMs } = await store.add(`${limit.name}:${key}`, amount, limit.windowMs)
      return state(limit, count, resetInMs, count <= limit.max)
    },
    async peek (limit, key) {
      const { count, resetInMs } = await store.read(`${limit.name}:${key}`)
      return state(limit, count, resetInMs, count < limit.max)
    },
    async giveBack (limit, key, amount = 1) {
      await store.add(`${limit.name}:${key}`, -amount, limit.windowMs)
    },
    mode: () => store.mode(),
  }
}

/**
 * The key of a client address for limits: an IPv4 address as it is (IPv4-mapped IPv6 included), an
 * IPv6 address by its /64 network — one subscriber gets a whole /64, so rotating addresses inside it
 * must not buy fresh limits.
 */
export function clientKey (address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return mapped[1]!
  if (isIPv4(address) || !isIPv6(address)) return address
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, as lowercase hex without leading zeros. */
function expandIpv6 (address: string): string[] {
  const bare = address.split('%')[0]!.toLowerCase()
  // An embedded IPv4 tail (::1.2.3.4) stands for the last two groups.
  const withoutV4 = bare.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
    `${((Number(a) << 8) | Number(b)).toString(16)}:${((Number(c) << 8) | Number(d)).toString(16)}`)
  const [head, tail] = withoutV4.split('::') as [string, string | undefined]
  const left = head === '' ? [] : head.split(':')
  const right = tail === undefined || tail === '' ? [] : tail.split(':')
  const groups = tail === undefined ? left : [...left, ...new Array<string>(8 - left.length - right.length).fill('0'), ...right]
  return groups.map(group => Number.parseInt(group, 16).toString(16))
}
