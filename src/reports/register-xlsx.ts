// The register as an .xlsx workbook, streamed: the register sheet row by row as pages arrive, then its counts (统计).
import type { Writable } from 'node:stream'
import type { Region } from '../regions/region-table.js'
import { addCountsSheet, addTableSheet, chinaDateTime, chinaDay, commitRows, dayOf, streamWorkbook, type CellValue, type SheetColumn } from '../spreadsheets/workbook-writing.js'
import { registerCsvHeader } from './register-csv.js'
import type { RegisterEntry } from './register-service.js'

const kinds: ReadonlyArray<Pick<SheetColumn, 'width' | 'kind'>> = [
  { width: 18, kind: 'text' }, { width: 12, kind: 'text' }, { width: 36, kind: 'text' }, { width: 12, kind: 'date' }, { width: 8, kind: 'text' }, { width: 12, kind: 'date' },
  { width: 14, kind: 'number' }, { width: 14, kind: 'number' }, { width: 14, kind: 'number' }, { width: 10, kind: 'number' }, { width: 10, kind: 'number' },
]
/** The columns of the CSV register, with widths and formats. */
export const registerColumns: SheetColumn[] = registerCsvHeader.map((header, i) => ({ header, ...kinds[i]! }))
const statusNames = { valid: '有效', revoked: '已撤销' } as const

/**
 * Writes the register of `region` and `year` as .xlsx into `out` and ends it: the sheet 证书发放名册
 * with the CSV's columns (numbers and names as text, dates as dates in China time, hours as
 * numbers, the header frozen), then 统计 with the counts and the hours of valid certificates. The
 * entries are committed as they come, so the register is never in memory at once.
 */
export async function writeRegisterXlsx (out: Writable, register: { region: Region, year: number, entries: AsyncIterable<RegisterEntry> }, exportedAt: Date): Promise<void> {
  const workbook = streamWorkbook(out)
  const sheet = addTableSheet(workbook, '证书发放名册', registerColumns)
  const counts = { valid: 0, revoked: 0, public: 0, professional: 0, elective: 0, selfStudy: 0, total: 0 }
  const add = (a: number, b: number) => Math.round((a + b) * 100) / 100
  async function * rows (): AsyncGenerator<CellValue[]> {
    for await (const e of register.entries) {
      counts[e.status]++
      if (e.status === 'valid') {
        for (const k of ['public', 'professional', 'elective', 'selfStudy', 'total'] as const) counts[k] = add(counts[k], e.hours[k])
      }
      yield [e.number, e.holderName, e.employerName, dayOf(e.issueDate), statusNames[e.status], e.revokedAt === null ? null : chinaDay(e.revokedAt),
        e.hours.public, e.hours.professional, e.hours.elective, e.hours.selfStudy, e.hours.total]
    }
  }
  await commitRows(sheet, rows(), out)
  sheet.commit()
  addCountsSheet(workbook, [
    ['地区', register.region.fullName],
    ['行政区划代码', register.region.code],
    ['年度', register.year],
    ['导出时间（北京时间）', chinaDateTime(exportedAt), 'datetime'],
    ['证书总数', counts.valid + counts.revoked],
    ['有效', counts.valid],
    ['已撤销', counts.revoked],
    ['有效证书公需科目学时合计', counts.public],
    ['有效证书专业科目学时合计', counts.professional],
    ['有效证书选修科目学时合计', counts.elective],
    ['有效证书自学学时合计', counts.selfStudy],
    ['有效证书总学时合计', counts.total],
  ])
  await workbook.commit()
}
