// What each bench script hands to run.ts (rows of the table, scale points, notes) and the arithmetic of rounds.
import { writeFile } from 'node:fs/promises'

/** One absolute figure, shown beside the ratio for context. */
export interface Figure {
  /** The median over rounds. */
  value: number
  unit: string
  /** Further context, e.g. "p99 4.1 ms". */
  detail?: string
}

/** One row of the table in docs/BENCHMARKS.md. */
export interface BenchRow {
  path: string
  database: 'PostgreSQL' | 'PGlite' | '—'
  measuredAs: string
  subject: Figure
  baselineName: string
  baseline?: Figure
  /** Median of the per-round ratios subject / baseline (or baseline / subject when lower is better). */
  ratio?: number
  target: string
  /** null: no target applies to this row (reported for context). */
  met: boolean | null
  rounds: number
}

/** One point of the scale section: lookups and issuance with this many stored certificates. */
export interface ScalePoint {
  stored: number
  /** µs per lookup inside PostgreSQL (a PL/pgSQL loop of prepared lookups): the index's own cost. */
  lookupInDatabaseUs: number
  lookupRps: number
  lookupP50: number
  lookupP99: number
  issueRps: number
  issueP99: number
  seedSeconds: number
}

export interface BenchOutput {
  rows: BenchRow[]
  scale?: ScalePoint[]
  notes: string[]
}

export function median (values: number[]): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/** Rounds of a subject and its baseline, alternated so that a burst of load on the shared machine hits both. */
export async function pairedRounds<T> (rounds: number, baseline: () => Promise<T>, subject: () => Promise<T>): Promise<Array<{ baseline: T, subject: T }>> {
  const pairs: Array<{ baseline: T, subject: T }> = []
  for (let round = 0; round < rounds; round++) {
    // Odd rounds start with the subject, so neither side always runs on a warmer machine.
    if (round % 2 === 0) {
      const b = await baseline()
      pairs.push({ baseline: b, subject: await subject() })
    } else {
      const s = await subject()
      pairs.push({ baseline: await baseline(), subject: s })
    }
  }
  return pairs
}

/** Writes the script's output where run.ts asked (`--out file`), or prints it when run on its own. */
export async function emit (output: BenchOutput): Promise<void> {
  const at = process.argv.indexOf('--out')
  const text = JSON.stringify(output, null, 2)
  if (at >= 0 && process.argv[at + 1] !== undefined) await writeFile(process.argv[at + 1]!, text)
  else process.stdout.write(`${text}\n`)
}

/** Progress on stderr, so that a long run shows where it is. */
export function progress (message: string): void {
  process.stderr.write(`  ${new Date().toISOString().slice(11, 19)} ${message}\n`)
}

export const round1 = (n: number) => Math.round(n * 10) / 10
