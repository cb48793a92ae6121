// CSV read a piece at a time: each piece scanned for the bounds before csv-parse sees it, a turn of the event loop between pieces.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { parse } from 'csv-parse'
import { ServiceError } from '../errors.js'
import { decodeTableText, type TextEncoding } from './text-encoding.js'
import { columnLetters, type RawRow, type TableLimits } from './table-rows.js'
import { countText } from './table-wording.js'

export type Delimiter = ',' | '\t' | ';'
const delimiters: readonly Delimiter[] = [',', '\t', ';']

/** Characters csv-parse is given at once: under a millisecond of its work, even when they are 2,048 empty lines, each a record. */
const pieceCharacters = 2 * 1024
/** Characters at the start searched for the header line, to tell the delimiter. */
const sniffCharacters = 64 * 1024

export interface CsvRows {
  encoding: TextEncoding
  delimiter: Delimiter
  rows: AsyncGenerator<RawRow>
}

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

/**
 * The bounds of a CSV, checked by one pass over each piece with the same quoting rules as
 * csv-parse (a quote opens a field only at its start; "" inside quotes is a quote). A line with
 * too many fields is counted to its end — cheaply, without csv-parse — so the refusal names the count.
 */
class CsvBounds {
  private state: 'start' | 'plain' | 'quoted' | 'quote-in-quoted' = 'start'
  private fields = 1
  private cellCharacters = 0
  private record = 1
  private afterCr = false
  private counting = false

  constructor (private readonly delimiter: number, private readonly limits: TableLimits) {}

  /** Scans a piece; false while an overlong line is being counted (the piece must not be parsed). */
  scan (piece: string): boolean {
    for (let i = 0; i < piece.length; i++) {
      const c = piece.charCodeAt(i)
      if (this.afterCr) {
        this.afterCr = false
        if (c === LF) continue
      }
      if (this.state === 'quoted') {
        if (c === QUOTE) this.state = 'quote-in-quoted'
        else this.grow()
        continue
      }
      if (this.state === 'quote-in-quoted' && c === QUOTE) {
        this.state = 'quoted'
        this.grow()
        continue
      }
      if (c === this.delimiter) {
        this.state = 'start'
        this.cellCharacters = 0
        if (++this.fields > this.limits.maxColumns) this.counting = true
      } else if (c === LF || c === CR) {
        this.endRecord()
        this.afterCr = c === CR
      } else if (this.state === 'start' && c === QUOTE) {
        this.state = 'quoted'
      } else {
        this.state = 'plain'
        this.grow()
      }
    }
    return !this.counting
  }

  /** The end of the input ends the last line. */
  finish (): void {
    if (this.counting) this.endRecord()
  }

  private grow (): void {
    if (this.counting || ++this.cellCharacters <= this.limits.maxCellCharacters) return
    const cell = `${columnLetters(this.fields - 1)}${this.record}`
    throw new ServiceError('TABLE_TOO_LARGE', {
      en: `Cell ${cell} (line ${this.record}, column ${this.fields}) has more than ${countText(this.limits.maxCellCharacters)} characters; no cell of a batch needs that many.`,
      zh: `第 ${this.record} 行第 ${this.fields} 列（${cell}）的单元格超过 ${countText(this.limits.maxCellCharacters)} 个字符，批量表格中的单元格不会这么长：请检查该单元格（或是否有引号没有闭合）。`,
    }, { line: this.record, column: this.fields, maxCellCharacters: this.limits.maxCellCharacters })
  }

  private endRecord (): void {
    if (this.counting) {
      throw new ServiceError('TABLE_TOO_LARGE', {
        en: `Line ${this.record} has ${countText(this.fields)} columns; a table may have at most ${this.limits.maxColumns}.`,
        zh: `第 ${this.record} 行有 ${countText(this.fields)} 列，表格最多 ${this.limits.maxColumns} 列：请删除多余的列后再上传。`,
      }, { line: this.record, columns: this.fields, maxColumns: this.limits.maxColumns })
    }
    this.state = 'start'
    this.fields = 1
    this.cellCharacters = 0
    if (++this.record > this.limits.maxSheetRows) {
      throw new ServiceError('TABLE_TOO_LARGE', {
        en: `The file has more than ${countText(this.limits.maxSheetRows)} lines (empty ones included); a batch has at most ${countText(this.limits.maxDataRows)} rows.`,
        zh: `文件超过 ${countText(this.limits.maxSheetRows)} 行（含空行），而一批最多 ${countText(this.limits.maxDataRows)} 行：请删除多余的行，或分成几个文件上传。`,
      }, { maxSheetRows: this.limits.maxSheetRows })
    }
  }
}

/** A line split as CSV for sniffing, or null past `max` fields. */
function splitLine (line: string, delimiter: string, max: number): string[] | null {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cell += '"'; i++ } else if (ch === '"') quoted = false
      else cell += ch
    } else if (ch === '"' && cell === '') quoted = true
    else if (ch === delimiter) {
      cells.push(cell)
      cell = ''
      if (cells.length >= max) return null
    } else cell += ch
  }
  cells.push(cell)
  return cells
}

/** The delimiter that makes one of the first lines a header; else the one the first line uses most; else a comma. */
function detectDelimiter (start: string, maxLines: number, maxColumns: number, isHeader: (cells: string[]) => boolean): Delimiter {
  const lines = start.split(/\r\n|\n|\r/, maxLines)
  for (const line of lines) {
    for (const delimiter of delimiters) {
      const cells = splitLine(line, delimiter, maxColumns)
      if (cells !== null && cells.length > 1 && isHeader(cells)) return delimiter
    }
  }
  const first = lines.find(line => line.trim() !== '') ?? ''
  const counts = delimiters.map(d => first.split(d).length - 1)
  const most = Math.max(...counts)
  return most === 0 ? ',' : delimiters[counts.indexOf(most)]!
}

/** ="…" is how this service (and many tools) keep a number as text in CSV: Excel shows the text inside. */
const excelTextFormula = /^="((?:[^"]|"")*)"$/
const cellText = (field: string) => excelTextFormula.exec(field)?.[1]!.replace(/""/g, '"') ?? field

/** The text in pieces for csv-parse; each decoded text is let go once it is sliced. */
function * pieces (texts: string[]): Generator<string> {
  for (let text = texts.shift(); text !== undefined; text = texts.shift()) {
    for (let i = 0; i < text.length; i += pieceCharacters) yield text.slice(i, i + pieceCharacters)
  }
}

function parseFailure (error: unknown, line: number): ServiceError {
  const code = (error as { code?: string }).code ?? 'CSV_ERROR'
  if (code === 'CSV_QUOTE_NOT_CLOSED') {
    return new ServiceError('MALFORMED_CSV', {
      en: `A quote opened on line ${line} is never closed: check that line for a stray " (Excel doubles a quote inside a cell).`,
      zh: `第 ${line} 行开始的引号没有闭合：请检查该行是否有多余的英文引号（"）。`,
    }, { line, csvError: code })
  }
  return new ServiceError('MALFORMED_CSV', { en: `Line ${line} cannot be read as CSV (${code}).`, zh: `第 ${line} 行无法按 CSV 格式读取（${code}）。` }, { line, csvError: code })
}

async function * csvRows (texts: string[], delimiter: Delimiter, limits: TableLimits): AsyncGenerator<RawRow> {
  const bounds = new CsvBounds(delimiter.charCodeAt(0), limits)
  const parser = parse({ delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: false })
  const records: string[][] = []
  let failure: unknown
  parser.on('readable', () => {
    for (let record: string[] | null; (record = parser.read() as string[] | null) !== null;) records.push(record)
  })
  parser.on('error', error => { failure = error })
  let sheetRow = 0
  const take = (): RawRow[] => records.splice(0).map(record => ({ sheetRow: ++sheetRow, cells: record.map(field => ({ text: cellText(field), storedAs: 'text' as const })) }))
  try {
    for (const piece of pieces(texts)) {
      if (bounds.scan(piece)) parser.write(piece)
      await nextTurn()
      if (failure !== undefined) throw parseFailure(failure, parser.info.records + 1)
      yield * take()
    }
    bounds.finish()
    const ended = new Promise<void>(resolve => { parser.once('end', resolve); parser.once('error', () => resolve()) })
    parser.end()
    await ended
    if (failure !== undefined) throw parseFailure(failure, parser.info.records + 1)
    yield * take()
  } finally {
    parser.destroy()
  }
}

/**
 * The rows of a CSV or tab-separated text file, in any encoding Excel or WPS saves (see
 * decodeTableText), read in pieces with the bounds of `limits` checked before each is parsed.
 * The delimiter (comma, tab or semicolon) is the one that makes one of the first lines a header
 * by `isHeader`. Cells are exactly as written, except ="…" which is read as the text inside it.
 */
export async function openCsvRows (bytes: Uint8Array, limits: TableLimits, isHeader: (cells: string[]) => boolean): Promise<CsvRows> {
  const { encoding, pieces: texts } = await decodeTableText(bytes)
  let start = ''
  for (const text of texts) {
    start += text.slice(0, sniffCharacters - start.length)
    if (start.length >= sniffCharacters) break
  }
  const delimiter = detectDelimiter(start, limits.maxRowsBeforeHeader + 1, limits.maxColumns, isHeader)
  return { encoding, delimiter, rows: csvRows(texts, delimiter, limits) }
}

