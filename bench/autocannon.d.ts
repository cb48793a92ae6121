// Types for the parts of `autocannon` (HTTP load generator) the benchmarks use; it ships none.
declare module 'autocannon' {
  interface AutocannonRequest {
    method?: string
    path?: string
    headers?: Record<string, string>
    body?: string | Buffer
    setupRequest?: (request: AutocannonRequest, context: Record<string, unknown>) => AutocannonRequest
  }
  interface AutocannonOptions {
    url: string
    connections?: number
    duration?: number
    amount?: number
    timeout?: number
    method?: string
    headers?: Record<string, string>
    body?: string | Buffer
    requests?: AutocannonRequest[]
  }
  interface Histogram { average: number, mean: number, p50: number, p90: number, p99: number, max: number, total: number }
  interface AutocannonResult {
    duration: number
    latency: Histogram
    requests: Histogram
    errors: number
    timeouts: number
    non2xx: number
    '2xx': number
    statusCodeStats: Record<string, { count: number }>
  }
  function autocannon (options: AutocannonOptions): Promise<AutocannonResult>
  export default autocannon
}
