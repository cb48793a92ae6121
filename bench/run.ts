// npm run bench: runs every bench script in its own process, then rewrites docs/BENCHMARKS.md with the results.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os'
import path from 'node:path'
import pg from 'pg'
import type { BenchOutput } from './bench-result.js'
import { postgresAdminUrl } from './bench-database.js'
import { renderBenchmarks, type RunResults } from './benchmarks-report.js'
import { repositoryRoot } from './service-process.js'

interface Script { file: string, what: string, oneCore?: boolean }

/** In the order of the table. The PDF bench runs pinned to one CPU (Chromium's processes inherit the pin). */
const scripts: Script[] = [
  { file: 'lookup-bench.ts', what: 'public lookup and memory' },
  { file: 'issue-bench.ts', what: 'issuing one certificate' },
  { file: 'batch-bench.ts', what: 'batch issuance' },
  { file: 'pdf-bench.ts', what: 'PDF rendering', oneCore: true },
  { file: 'verify-bench.ts', what: 'PDF verification' },
  { file: 'zip-bench.ts', what: 'batch ZIP on the PDF pool, and lookups meanwhile' },
  { file: 'abuse-bench.ts', what: 'behaviour under abuse' },
  { file: 'scale-bench.ts', what: 'scale' },
]

const option = (name: string) => process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined
const only = option('--only')?.split(',')
/**
 * --save <file>: the run's results as JSON too; --render <file>: no run, docs/BENCHMARKS.md again from saved results and
 * the current notes; with --rerun <file>, the saved results of scripts that failed there and were run again on their own
 * (`--only … --save`) take their place, and the page says so.
 */
const save = option('--save')
const render = option('--render')
const rerun = option('--rerun')
const selected = scripts.filter(s => only === undefined || only.some(name => s.file.startsWith(name)))

async function postgresVersion (): Promise<string> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    return (await client.query<{ server_version: string }>('show server_version')).rows[0]!.server_version
  } catch (error) {
    process.stderr.write(`PostgreSQL is not reachable at ${postgresAdminUrl} (set BENCH_DATABASE_URL): ${(error as Error).message}\n`)
    process.exit(1)
  } finally {
    await client.end().catch(() => {})
  }
}

function runScript (script: Script, out: string): Promise<void> {
  const pin = script.oneCore === true && spawnSync('taskset', ['-V']).status === 0
  const node = [process.execPath, '--import', 'tsx', path.join('bench', script.file), '--out', out]
  // The last CPU: one core, and not the one the kernel tends to give interrupts to.
  const command = pin ? ['taskset', '-c', String(availableParallelism() - 1), ...node] : node
  return new Promise((resolve, reject) => {
    const child = spawn(command[0]!, command.slice(1), { cwd: repositoryRoot, stdio: ['ignore', 'inherit', 'inherit'] })
    child.once('error', reject)
    child.once('exit', code => (code === 0 ? resolve() : reject(new Error(`exited with ${code}`))))
  })
}

/** Runs the selected scripts one after another and collects what they emit, with the machine they ran on. */
async function runBenches (): Promise<RunResults> {
  const started = performance.now()
  const loadBefore = loadavg()
  const postgres = await postgresVersion()
  const scratch = await mkdtemp(path.join(tmpdir(), 'ce-bench-run-'))
  const results: RunResults = { machine: undefined as never, rows: [], scale: [], notes: [], failures: [], scripts: selected.map(s => s.file) }
  try {
    for (const script of selected) {
      process.stderr.write(`${script.file}: ${script.what}\n`)
      const out = path.join(scratch, `${script.file}.json`)
      try {
        await runScript(script, out)
        const output = JSON.parse(await readFile(out, 'utf8')) as BenchOutput
        results.rows.push(...output.rows)
        results.scale.push(...(output.scale ?? []))
        results.notes.push(...output.notes)
      } catch (error) {
        results.failures.push({ script: script.file, error: (error as Error).message })
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }

  const pglite = JSON.parse(await readFile(path.join(repositoryRoot, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')) as { version: string }
  results.machine = {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGb: totalmem() / 1024 ** 3,
    loadBefore,
    loadAfter: loadavg(),
    node: process.version,
    postgres,
    pglite: pglite.version,
    runSeconds: (performance.now() - started) / 1000,
  }
  return results
}

/** The rows of `again`'s scripts, each of which failed in `full`, put in place of the failures. */
function withRerun (full: RunResults, again: RunResults): RunResults {
  const scripts = again.scripts ?? []
  const notFailed = scripts.filter(script => !full.failures.some(f => f.script === script))
  if (notFailed.length > 0) throw new Error(`--rerun: ${notFailed.join(', ')} did not fail in the full run; its rows would be there twice`)
  return {
    ...full,
    rows: [...full.rows, ...again.rows],
    scale: [...full.scale, ...again.scale],
    notes: [...full.notes, ...again.notes],
    failures: [...full.failures.filter(f => !scripts.includes(f.script)), ...again.failures],
    reruns: [...(full.reruns ?? []), { scripts, date: again.machine.date, loadBefore: again.machine.loadBefore }],
  }
}

const readResults = async (file: string) => JSON.parse(await readFile(file, 'utf8')) as RunResults
let results: RunResults = render === undefined ? await runBenches() : await readResults(render)
if (rerun !== undefined) results = withRerun(results, await readResults(rerun))
if (save !== undefined) await writeFile(save, JSON.stringify(results, null, 2))

for (const row of results.rows) {
  const ratio = row.ratio === undefined ? '' : `  ratio ${row.ratio.toFixed(2)}`
  process.stderr.write(`${row.met === false ? 'MISSED' : row.met === true ? 'met   ' : '      '} ${row.path} [${row.database}]: ${row.subject.value.toFixed(1)} ${row.subject.unit}${ratio}\n`)
}
for (const failure of results.failures) process.stderr.write(`FAILED ${failure.script}: ${failure.error}\n`)

if (only === undefined) {
  const findings = await readFile(path.join(repositoryRoot, 'bench/benchmarks-notes.md'), 'utf8')
  await writeFile(path.join(repositoryRoot, 'docs/BENCHMARKS.md'), renderBenchmarks(results, findings))
  process.stderr.write(`docs/BENCHMARKS.md rewritten (${Math.round(results.machine.runSeconds)} s)\n`)
} else {
  process.stderr.write('--only: docs/BENCHMARKS.md left as it is\n')
}
process.exitCode = results.failures.length === 0 ? 0 : 1
