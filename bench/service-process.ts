// The service under test as its own process, compiled as `npm start` runs it, configured by environment, and its memory.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort } from '../test/free-port.js'

export const repositoryRoot = fileURLToPath(new URL('..', import.meta.url))
export const benchAdminToken = 'bench-admin-token-0123456789abcdef'

export interface RunningProcess {
  readonly url: string
  readonly pid: number
  /** Peak resident memory (VmHWM) in MB: since start, or since the last resetPeakMemory(). */
  peakMemoryMb (): Promise<number>
  /** Starts a new peak (Linux clear_refs); false when the kernel does not allow it. */
  resetPeakMemory (): Promise<boolean>
  /** CPU time (user + system) the process has used so far, in seconds. */
  cpuSeconds (): Promise<number>
  /** SIGTERM, then waits for the exit (a --cpu-prof profile is written then). */
  stop (): Promise<void>
}

/** CPU time (user + system) of a process so far, in seconds, from /proc/<pid>/stat; NaN where there is no /proc. */
export async function processCpuSeconds (pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name, which is in parentheses and may contain spaces: utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return Number.NaN
  }
}

async function waitUntilReady (url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the process exited with ${child.exitCode}:\n${output()}`)
    try {
      const response = await fetch(url)
      if (response.ok) return
    } catch {}
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  throw new Error(`not ready after 60 s:\n${output()}`)
}

/** Starts `node <entry>` (a .ts entry under tsx) from the repository root and waits until `readyPath` answers 200. */
export async function startProcess (entry: string, env: Record<string, string>, readyPath: string, nodeArgs: string[] = []): Promise<RunningProcess> {
  const port = await freePort()
  const loader = entry.endsWith('.ts') ? ['--import', 'tsx'] : []
  const child = spawn(process.execPath, [...nodeArgs, ...loader, entry], {
    cwd: repositoryRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  child.stderr!.on('data', chunk => { stderr = (stderr + String(chunk)).slice(-4000) })
  const url = `http://127.0.0.1:${port}`
  try {
    await waitUntilReady(url + readyPath, child, () => stderr)
  } catch (error) {
    child.kill('SIGKILL')
    throw error
  }
  const status = `/proc/${child.pid}/status`
  return {
    url,
    pid: child.pid!,
    async peakMemoryMb () {
      const match = /VmHWM:\s+(\d+) kB/.exec(await readFile(status, 'utf8'))
      return match === null ? Number.NaN : Number(match[1]) / 1024
    },
    cpuSeconds: () => processCpuSeconds(child.pid!),
    async resetPeakMemory () {
      try {
        await writeFile(`/proc/${child.pid}/clear_refs`, '5')
        return true
      } catch {
        return false
      }
    },
    async stop () {
      if (child.exitCode !== null) return
      const exited = new Promise(resolve => child.once('exit', resolve))
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

export interface ServiceUnderTest extends RunningProcess {
  /** Creates an issuer through the admin API and returns its API key. */
  createIssuer (kind: 'authority' | 'employer', regionCode: string, name: string): Promise<string>
  /** Removes the service's key folder. */
  cleanUp (): Promise<void>
}

let built = false

/** `npm run build` once per bench process (incremental: ~1 s when dist/ is current), as `npm start` does first. */
function buildService (): void {
  if (built) return
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repositoryRoot, stdio: ['ignore', 'inherit', 'inherit'] })
  if (result.status !== 0) throw new Error(`npm run build failed (${result.error?.message ?? `exit ${result.status}`})`)
  built = true
}

/**
 * The service as deployed: `node dist/src/server.js`, built first, with its database in the environment,
 * a fresh key folder, access logs off (LOG_LEVEL=warn; the baseline logs nothing either), and a
 * public rate limit no single bench client reaches.
 * BENCH_CPU_PROF=<dir> adds --cpu-prof so that a slow path can be profiled in place.
 */
export async function startService (databaseEnv: Record<string, string>, extraEnv: Record<string, string> = {}): Promise<ServiceUnderTest> {
  const keysDir = await mkdtemp(path.join(tmpdir(), 'ce-bench-keys-'))
  const profileDir = process.env.BENCH_CPU_PROF
  buildService()
  const running = await startProcess('dist/src/server.js', {
    ...databaseEnv,
    KEYS_DIR: keysDir,
    ADMIN_TOKEN: benchAdminToken,
    LOG_LEVEL: 'warn',
    // The public rate limit is per client address; every bench request comes from 127.0.0.1. Still counted, never reached.
    RATE_LIMIT_PUBLIC_PER_MINUTE: '1000000',
    ...extraEnv,
  }, '/readyz', profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir])
  return {
    ...running,
    async createIssuer (kind, regionCode, name) {
      const response = await fetch(`${running.url}/v1/admin/issuers`, {
        method: 'POST',
        headers: { authorization: `Bearer ${benchAdminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name, kind, regionCode }),
      })
      if (response.status !== 201) throw new Error(`could not create issuer: ${response.status} ${await response.text()}`)
      return ((await response.json()) as { apiKey: string }).apiKey
    },
    async cleanUp () {
      await running.stop()
      await rm(keysDir, { recursive: true, force: true })
    },
  }
}
