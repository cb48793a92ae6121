// The README runs as written: its walk-through (the blocks marked <!-- walkthrough -->), in order, in one bash, against a fresh service.
import { spawn } from 'node:child_process'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { sealPng } from './fixtures/certificate-pdf-input.js'
import { temporaryDirectory } from './helper.js'
import { freePort } from './free-port.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const readmeAddress = 'localhost:3000'

interface ShellBlock { marker: 'start' | 'step' | undefined, line: number, text: string }

/** Every ```sh block of the README, with the walk-through marker on the line before it, if any. */
function shellBlocks (readme: string): ShellBlock[] {
  const blocks: ShellBlock[] = []
  const pattern = /(?:<!-- walkthrough(: start)? -->\n)?```sh\n([\s\S]*?)```/g
  for (const match of readme.matchAll(pattern)) {
    const marked = match[0].startsWith('<!--')
    blocks.push({
      marker: marked ? (match[1] === undefined ? 'step' : 'start') : undefined,
      line: readme.slice(0, match.index + (marked ? match[0].indexOf('```') : 0)).split('\n').length,
      text: match[2]!,
    })
  }
  return blocks
}

/** Resolves once the service answers /readyz; rejects if it exits first or takes a minute. */
async function untilReady (url: string, exited: Promise<void>, output: () => string): Promise<void> {
  let gone = false
  void exited.then(() => { gone = true })
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    if (gone) throw new Error(`the service exited before it was ready:\n${output()}`)
    const ready = await fetch(url).then(response => response.ok, () => false)
    if (ready) return
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`the service was not ready within 60 s:\n${output()}`)
}

/** The variables an `export A=b C=d` line of the start block sets (values without quotes or spaces). */
function exportedVariables (block: string): Record<string, string> {
  const variables: Record<string, string> = {}
  for (const line of block.split('\n').filter(l => l.startsWith('export '))) {
    for (const assignment of line.slice('export '.length).split(/\s+/).filter(Boolean)) {
      const [name, ...value] = assignment.split('=')
      variables[name!] = value.join('=')
    }
  }
  return variables
}

t.test('the README\'s walk-through runs as written against a fresh service', async t => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8')
  const blocks = shellBlocks(readme)
  const start = blocks.filter(b => b.marker === 'start')
  const steps = blocks.filter(b => b.marker === 'step')
  t.equal(start.length, 1, 'one start block')
  t.ok(steps.length >= 6, 'the walk-through has its steps')
  const unmarked = blocks.filter(b => b.marker === undefined && b.text.includes(readmeAddress)).map(b => `README.md:${b.line}`)
  t.same(unmarked, [], 'every block that calls the service is marked <!-- walkthrough -->, so it is run')
  t.match(start[0]!.text, /^npm start &$/m, 'the start block starts the service')
  t.match(start[0]!.text, /^cd walkthrough$/m, 'and goes to the walk-through\'s folder')

  const port = await freePort()
  const localise = (text: string) => text.replaceAll(readmeAddress, `localhost:${port}`)
  const exported = Object.fromEntries(Object.entries(exportedVariables(start[0]!.text)).map(([name, value]) => [name, localise(value)]))
  t.ok(exported.ADMIN_TOKEN !== undefined && exported.PUBLIC_BASE_URL === `http://localhost:${port}`, 'the start block sets ADMIN_TOKEN and PUBLIC_BASE_URL')

  // The service as `npm start` runs it, on the embedded database in a fresh DATA_DIR, with tsx instead of a build.
  const data = await temporaryDirectory(t, 'ce-readme-')
  // The shell starts here, as in the repository's folder; the start block goes on into walkthrough/.
  const shellStart = path.join(data, 'shell')
  const work = path.join(shellStart, 'walkthrough')
  await mkdir(work, { recursive: true })
  const server = spawn(process.execPath, ['--import=tsx', 'src/server.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      DATA_DIR: path.join(data, 'data'),
      KEYS_DIR: path.join(data, 'keys'),
      ARCHIVE_DIR: path.join(data, 'archives'),
      LOG_LEVEL: 'warn',
      ...exported,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let serverOutput = ''
  server.stdout.on('data', (chunk: Buffer) => { serverOutput += chunk.toString() })
  server.stderr.on('data', (chunk: Buffer) => { serverOutput += chunk.toString() })
  const serverExited = new Promise<void>(resolve => server.once('exit', () => resolve()))
  t.teardown(async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM')
    await serverExited
  })

  await untilReady(`http://127.0.0.1:${port}/readyz`, serverExited, () => serverOutput)

  // The one file a reader brings (into walkthrough/); everything else the walk-through makes.
  await writeFile(path.join(work, 'seal.png'), sealPng())
  const script = [
    'set -euo pipefail',
    'shopt -s inherit_errexit',
    // The start block without its `npm start &`: the service above is that.
    localise(start[0]!.text.replace(/^npm start &\n/m, '')),
    ...steps.map((block, i) => `printf '\\n=== walk-through step %d, README.md line %d ===\\n' ${i + 1} ${block.line}\n${localise(block.text)}`),
  ].join('\n')
  const shell = spawn('bash', ['-c', script], {
    cwd: shellStart,
    // HOME is the work folder: no ~/.curlrc of the machine changes what curl does.
    env: { PATH: process.env.PATH ?? '', HOME: work, LANG: 'C.UTF-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  shell.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  shell.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const timer = setTimeout(() => shell.kill('SIGKILL'), 90_000)
  const code = await new Promise<number | null>(resolve => shell.once('exit', resolve))
  clearTimeout(timer)
  if (!t.equal(code, 0, 'every command of the walk-through succeeded')) {
    t.comment(`walk-through output (the end):\n${output.slice(-6000)}\nservice output:\n${serverOutput.slice(-3000)}`)
    return
  }

  const file = (name: string) => readFile(path.join(work, name))
  const pdf = await file('44010625000001.pdf')
  t.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-', 'the certificate saved is a PDF')
  t.match(output, /^Pages:\s+1$/m, 'pdfinfo reads its one page')
  t.match(output, /verdict: valid\n[\s\S]*verdict: revoked\n/, 'its QR code verifies as valid, then as revoked once revoked')
  t.match(output, /结论 Verdict: 有效 VALID/, 'the offline verifier, one downloaded file, says valid')
  for (const zip of ['batch-1.zip', 'batch-1-archive.zip', '名册.xlsx', '批量颁发模板.xlsx', '核验结果.xlsx']) {
    t.equal((await file(zip)).subarray(0, 2).toString('latin1'), 'PK', `${zip} is a ZIP container`)
  }
  t.same(JSON.parse((await file('batch.json')).toString()).summary, { rows: 2, issued: 2, rejected: 0, rejectedByCode: {} }, 'both rows of the GB18030 list with its title, 序号 and 备注 were issued')
  const register = (await file('名册.csv')).toString('utf8')
  t.ok(register.startsWith('\uFEFF') && register.includes('44010625000003'), 'the city reads the county\'s register as CSV for Excel')
  t.match((await file('核验结果.csv')).toString('utf8'), /44010625000002[^\n]*有效[\s\S]*科学计数法/, 'the committee\'s report: one valid, one number Excel spoilt, explained')
})

// The CLI block needs the service stopped (PGlite's folder is locked) and ~4 s a command: not run here, but every
// command and option it uses must be one the admin CLI's usage lists.
t.test('the README\'s admin CLI commands are the CLI\'s commands, with its options', async t => {
  const readme = await readFile(path.join(root, 'README.md'), 'utf8')
  const usage = await readFile(path.join(root, 'src/cli/admin-commands.ts'), 'utf8')
  const calls = shellBlocks(readme).flatMap(b => b.text.split('\n')).flatMap(line => {
    const call = /npm run (?:-s )?admin -- ([a-z-]+)([^#|]*)/.exec(line)
    return call === null ? [] : [{ command: call[1]!, options: call[2]!.match(/--[a-z-]+/g) ?? [] }]
  })
  t.ok(calls.length >= 5, 'the README shows the CLI')
  for (const { command, options } of calls) {
    const line = new RegExp(`^  ${command}( .*)?$`, 'm').exec(usage)
    if (!t.ok(line, `${command} is a command of npm run admin`)) continue
    for (const option of options) t.ok(line![0].includes(`${option} `) || line![0].endsWith(option), `${command} takes ${option}`)
  }
})
