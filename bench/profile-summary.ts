// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: by function and by package, self time.
import { readFile } from 'node:fs/promises'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  hitCount?: number
  children?: number[]
}

interface CpuProfile { nodes: ProfileNode[], samples: number[], timeDeltas: number[], startTime: number, endTime: number }

/** node_modules/<package>, src/<folder>, node:internal, or the V8 pseudo-frames ((garbage collector), (idle), …). */
function ownerOf (url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)'
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (modules !== null) return modules[1]!
  const source = /\/(src|bench|test)\/([^/]+)/.exec(url)
  if (source !== null) return `${source[1]}/${source[2]}`
  return url.startsWith('node:') ? 'node:internal' : url
}

/** `skipSeconds`: leave out the first seconds of the profile (start-up, module loading). */
export async function summariseProfile (file: string, top = 25, skipSeconds = 0): Promise<string> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  const byId = new Map(profile.nodes.map(n => [n.id, n]))
  const selfMicros = new Map<number, number>()
  let at = 0
  let total = 0
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0
    at += delta
    if (at < skipSeconds * 1e6) return
    total += delta
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + delta)
  })
  const byFunction = new Map<string, number>()
  const byOwner = new Map<string, number>()
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame
    const owner = ownerOf(url, functionName)
    const key = `${functionName || '(anonymous)'} ${owner}${url === '' ? '' : `:${lineNumber + 1}`}`
    byFunction.set(key, (byFunction.get(key) ?? 0) + micros)
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros)
  }
  const table = (entries: Map<string, number>) => [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([key, micros]) => `${(100 * micros / total).toFixed(1).padStart(5)}%  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${key}`).join('\n')
  return `${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nBy package or folder (self time):\n${table(byOwner)}\n\nBy function (self time):\n${table(byFunction)}\n`
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\/bench\//, '/bench/'))) {
  const [file, top, skip] = process.argv.slice(2)
  if (file === undefined) {
    process.stderr.write('usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [rows] [seconds to skip]\n')
    process.exit(2)
  }
  process.stdout.write(await summariseProfile(file, Number(top ?? 25), Number(skip ?? 0)))
}
