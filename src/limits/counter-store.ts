// Windowed counters behind every rate limit: in Redis when configured (shared by all instances), else in the process.
// An unreachable Redis costs a request nothing: the counters fall back to the process until it answers again.

/** A counter's value after a change, and when its window ends. */
export interface WindowCount {
  readonly count: number
  /** Milliseconds until the window ends and the counter starts again from 0. */
  readonly resetInMs: number
}

/** Where the counters live right now: in Redis, in this process by configuration, or in this process because Redis is unreachable. */
export type CounterMode = 'shared' | 'process' | 'degraded'

export interface CounterStore {
  /**
   * Adds `amount` (may be negative, to give back) to the counter of `key`. A key's window of `windowMs`
   * starts with its first change; once it ends the counter starts again from 0.
   */
  add (key: string, amount: number, windowMs: number): Promise<WindowCount>
  /** The counter of `key` without changing it (0 outside a window). */
  read (key: string): Promise<WindowCount>
  mode (): CounterMode
  close (): void
}

export interface Logger {
  warn (details: object, message: string): void
  info (details: object, message: string): void
}

/** Keys held in the process at most; beyond it the oldest go first (a spray of addresses cannot exhaust memory). */
const maxProcessKeys = 100_000

/** Counters in this process's memory. */
export function createProcessCounters (now: () => number = Date.now): Omit<CounterStore, 'mode' | 'close'> {
  const counters = new Map<string, { count: number, resetAt: number }>()
  const live = (key: string) => {
    const entry = counters.get(key)
    if (entry !== undefined && entry.resetAt <= now()) {
      counters.delete(key)
      return undefined
    }
    return entry
  }
  const makeRoom = () => {
    if (counters.size < maxProcessKeys) return
    const t = now()
    for (const [key, entry] of counters) if (entry.resetAt <= t) counters.delete(key)
    for (const key of counters.keys()) {
      if (counters.size < maxProcessKeys) break
      counters.delete(key)
    }
  }
  return {
    async add (key, amount, windowMs) {
      let entry = live(key)
      if (entry === undefined) {
        makeRoom()
        entry = { count: 0, resetAt: now() + windowMs }
        counters.set(key, entry)
      }
      entry.count = Math.max(0, entry.count + amount)
      return { count: entry.count, resetInMs: entry.resetAt - now() }
    },
    async read (key) {
      const entry = live(key)
      return entry === undefined ? { count: 0, resetInMs: 0 } : { count: entry.count, resetInMs: entry.resetAt - now() }
    },
  }
}

// One round trip: change the counter, start its window if it has none, answer the value and the time left.
const addScript = `
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if n < 0 then redis.call('SET', KEYS[1], 0, 'KEEPTTL'); n = 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return {n, ttl}`
const readScript = `
local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(n), ttl}`

interface CountingRedis {
  ceAdd (key: string, amount: number, windowMs: number): Promise<[number, number]>
  ceRead (key: string): Promise<[number, number]>
}

/** How long a Redis that failed a command is left alone before it is tried again. */
const pauseAfterFailureMs = 2_000
/** A command that takes longer than this counts as a failure: a rate limit must never hold a request up. */
const commandTimeoutMs = 25

/**
 * The counters: in Redis at `redisUrl` when given, else in the process. With Redis, nothing waits for
 * it: no command is queued while it is disconnected (the process counters answer instead), a command
 * is given 25 ms, and after a failure Redis is left alone for 2 s. One warning is logged when the
 * shared counters are lost and one line when they are back.
 */
export async function createCounterStore ({ redisUrl, log, prefix = 'ce-limit:' }: { redisUrl?: string, log: Logger, prefix?: string }): Promise<CounterStore> {
  const local = createProcessCounters()
  if (redisUrl === undefined) return { ...local, mode: () => 'process', close: () => {} }

  const { Redis } = await import('ioredis')
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 1_000,
    retryStrategy: times => Math.min(times * 250, 2_000),
  })
  redis.defineCommand('ceAdd', { numberOfKeys: 1, lua: addScript })
  redis.defineCommand('ceRead', { numberOfKeys: 1, lua: readScript })
  const counting = redis as unknown as CountingRedis
  let pausedUntil = 0
  let lost = false
  const loseShared = (error: unknown) => {
    if (lost) return
    lost = true
    log.warn({ err: error }, 'Redis unreachable: rate limits are counted in this process until it answers')
  }
  redis.on('error', loseShared)
  redis.on('ready', () => {
    pausedUntil = 0
    if (lost) log.info({}, 'Redis answers again: rate limits are shared across instances once more')
    lost = false
  })
  // In the background: a Redis that is down at start-up must not delay it.
  redis.connect().catch(loseShared)

  const usable = () => redis.status === 'ready' && Date.now() >= pausedUntil
  const viaRedis = async <T>(shared: () => Promise<T>, fallback: () => Promise<T>): Promise<T> => {
    if (!usable()) return await fallback()
    try {
      return await shared()
    } catch (error) {
      pausedUntil = Date.now() + pauseAfterFailureMs
      loseShared(error)
      return await fallback()
    }
  }
  const asCount = ([count, ttl]: [number, number]): WindowCount => ({ count: Number(count), resetInMs: Number(ttl) })
  return {
    add: (key, amount, windowMs) => viaRedis(async () => asCount(await counting.ceAdd(prefix + key, Math.trunc(amount), Math.ceil(windowMs))), () => local.add(key, amount, windowMs)),
    read: key => viaRedis(async () => asCount(await counting.ceRead(prefix + key)), () => local.read(key)),
    mode: () => (usable() ? 'shared' : 'degraded'),
    close: () => { redis.disconnect() },
  }
}
