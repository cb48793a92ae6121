// How long reading an uploaded table holds the event loop: the longest single synchronous stretch, per hostile or large file.
// node --expose-gc --import tsx bench/spreadsheet-event-loop.ts — one line per file; not part of npm run bench (no service, no database).
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import { PassThrough } from 'node:stream'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { readUploadedTable } from '../src/spreadsheets/uploaded-table.js'
import { batchColumns, readBatchRows } from '../src/batches/batch-table.js'
import { writeRegisterXlsx } from '../src/reports/register-xlsx.js'
import type { RegisterEntry } from '../src/reports/register-service.js'
import { findRegion } from '../src/regions/region-table.js'
import { idCheckCharacter } from '../src/certificates/id-number.js'
import { handMadeXlsx } from '../test/fixtures/spreadsheet-files.js'

const header = '序号,姓名,身份证号,工作单位,年度,公需科目,专业科目,选修科目,备注\r\n'
const longEmployer = '广东省广州市天河区某某科技发展有限公司第一分公司研发中心'.repeat(7)
/** A valid ID number for holder i (a tenth of them spoilt by Excel, as real files are). */
const idOf = (i: number) => {
  const first17 = `4401061985${String(1 + (Math.floor(i / 1000) % 12)).padStart(2, '0')}12${String(i % 1000).padStart(3, '0')}`
  return i % 10 === 9 ? '4.40106E+17' : first17 + idCheckCharacter(first17)
}
const tenThousandLongRows = header + Array.from({ length: 10_000 }, (_, i) => `${i + 1},欧阳娜娜,${idOf(i)},${longEmployer},2025,20,44,12,${'备注'.repeat(20)}\r\n`).join('')

async function xlsxOf (rows: number): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('名单')
  sheet.addRow(['2025年度专业技术人员继续教育证书发放名册'])
  sheet.mergeCells('A1:N1')
  sheet.addRow(['序号', '姓名', '身份证号', '工作单位', '年度', '公需科目', '专业科目', '选修科目', '自学', '发表作品', '成果', '行政区划代码', '专业系列', '备注'])
  for (let i = 0; i < rows; i++) sheet.addRow([i + 1, `欧阳娜娜${i}`, idOf(i), `广州某某科技有限公司第${i % 50}分公司`, 2025, 20, 44, 12, null, null, null, '440106', null, null])
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

let longestGc = 0
new PerformanceObserver(list => { for (const entry of list.getEntries()) longestGc = Math.max(longestGc, entry.duration) }).observe({ entryTypes: ['gc'] })

/** Runs `run` twice (the first warms the code up, as a running service is) and reports the second. */
async function measure (what: string, bytes: number, run: () => Promise<string>) {
  let line = ''
  for (const round of ['cold', 'warm']) {
    // Each case starts on a clean heap (with --expose-gc), so no case pays for the garbage of the one before.
    ;(globalThis as { gc?: () => void }).gc?.()
    await new Promise(resolve => setTimeout(resolve, 50))
    const delay = monitorEventLoopDelay({ resolution: 1 })
    longestGc = 0
    delay.enable()
    const started = performance.now()
    let outcome: string
    try {
      outcome = await run()
    } catch (error) {
      outcome = `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message.slice(0, 80)}`
    }
    const total = performance.now() - started
    await new Promise(resolve => setTimeout(resolve, 5))
    delay.disable()
    if (round === 'warm') line = `${what.padEnd(44)} ${(bytes / 1024 / 1024).toFixed(1).padStart(5)} MB  total ${total.toFixed(0).padStart(5)} ms  longest stretch ${(delay.max / 1e6).toFixed(1).padStart(5)} ms (p99 ${(delay.percentile(99) / 1e6).toFixed(1)}, longest GC pause ${longestGc.toFixed(1)})  → ${outcome}\n`
  }
  process.stdout.write(line)
}

const read = (bytes: Buffer) => async () => {
  const table = await readUploadedTable(bytes, batchColumns)
  const rows = await readBatchRows(table, new Date())
  return `${rows.length} rows, ${rows.filter(r => r.problems.length > 0).length} with problems`
}

const commas = Buffer.from(','.repeat(8 * 1024 * 1024 - 2) + '\r\n')
await measure('8 MB of commas (one header line)', commas.length, read(commas))
const longRows = Buffer.from(tenThousandLongRows)
await measure('10,000 long rows, UTF-8 CSV (just under 8 MB)', longRows.length, read(longRows))
const gbk = iconv.encode(tenThousandLongRows, 'gb18030')
await measure('10,000 long rows, GB18030 CSV', gbk.length, read(gbk))
const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tenThousandLongRows.replace(/,/g, '\t'), 'utf16le')]).subarray(0, 8 * 1024 * 1024)
await measure('UTF-16LE tab-separated, 8 MB', utf16.length, read(utf16))
const newlines = Buffer.from('\n'.repeat(8 * 1024 * 1024))
await measure('8 MB of empty lines', newlines.length, read(newlines))
const quote = Buffer.from(`${header}"${'x'.repeat(8 * 1024 * 1024 - 1024)}`)
await measure('an unclosed quote over 8 MB', quote.length, read(quote))
const xlsx = await xlsxOf(10_000)
await measure('10,000-row .xlsx (title row, 14 columns)', xlsx.length, read(xlsx))
const bomb = handMadeXlsx(Buffer.concat([Buffer.from('<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'), Buffer.alloc(200 * 1024 * 1024, 0x61), Buffer.from('</t></is></c></row></sheetData></worksheet>')]))
await measure('.xlsx zip bomb (200 MB sheet)', bomb.length, read(bomb))
const wide = handMadeXlsx(Buffer.from('<worksheet><dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'))
await measure('.xlsx with dimension A1:XFD1048576', wide.length, read(wide))

// The register export: 100,000 entries streamed into a workbook, memory and the longest stretch.
const entries = async function * (): AsyncGenerator<RegisterEntry> {
  for (let i = 1; i <= 100_000; i++) {
    if (i % 1000 === 0) await new Promise(resolve => setImmediate(resolve))
    yield { number: `440106250${String(i).padStart(5, '0')}`, holderName: '欧阳娜娜', employerName: '广州天河软件科技有限公司', issuedAt: '2025-12-01T02:00:00.000Z', issueDate: '2025-12-01', status: 'valid', revokedAt: null, hours: { public: 20, professional: 44, elective: 12, selfStudy: 0, total: 76 } }
  }
}
let written = 0
await measure('register of 100,000 certificates as .xlsx', 0, async () => {
  written = 0
  const out = new PassThrough()
  out.on('data', (chunk: Buffer) => { written += chunk.length })
  await writeRegisterXlsx(out, { region: findRegion('440106')!, year: 2025, entries: entries() }, new Date())
  return `${(written / 1024 / 1024).toFixed(1)} MB written, heap after ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(0)} MB`
})
