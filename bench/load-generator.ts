// HTTP load with autocannon from the bench process (the service and the baseline run in processes of their own).
import autocannon from 'autocannon'

export interface HttpRequestShape {
  method: 'GET' | 'POST'
  path: string
  headers?: Record<string, string>
  body?: string | Buffer
}

export interface LoadOptions {
  url: string
  connections: number
  /** Bounded duration in seconds, or … */
  seconds?: number
  /** … a fixed number of requests. */
  amount?: number
  /** The next request to send; called once per request, so every request may differ. */
  next: () => HttpRequestShape
}

export interface LoadResult {
  /** Successful (2xx) responses per second. */
  rps: number
  ok: number
  failed: number
  /** Latency percentiles in ms. */
  p50: number
  p99: number
  seconds: number
  /** Status codes other than 2xx, with counts (to tell a failing bench from a slow one). */
  failures: Record<string, number>
}

/** Runs one bounded load and returns what it achieved. */
export async function applyLoad ({ url, connections, seconds, amount, next }: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url,
    connections,
    ...(amount === undefined ? { duration: seconds ?? 3 } : { amount }),
    timeout: 30,
    requests: [{
      setupRequest: request => {
        const shape = next()
        return { ...request, method: shape.method, path: shape.path, headers: { ...request.headers, ...shape.headers }, body: shape.body }
      },
    }],
  })
  const failures: Record<string, number> = {}
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith('2')) failures[code] = count
  }
  if (result.errors > 0) failures.errors = result.errors
  return {
    rps: result['2xx'] / result.duration,
    ok: result['2xx'],
    failed: result.non2xx + result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: result.duration,
    failures,
  }
}

/** Fails loudly when a load got errors: a fast error is not a fast answer. */
export function assertAllSucceeded (label: string, result: LoadResult): LoadResult {
  if (result.failed > 0) throw new Error(`${label}: ${result.failed} of ${result.ok + result.failed} requests failed: ${JSON.stringify(result.failures)}`)
  return result
}
