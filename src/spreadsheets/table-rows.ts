// The rows of an uploaded table as its readers give them (CSV or .xlsx alike), and the bounds every reader keeps.

/** How a cell was stored: CSV cells are always text; an .xlsx cell may hold a number, a date… */
export type StoredAs = 'text' | 'number' | 'date' | 'boolean' | 'error'

/** A cell as a person sees it in Excel: its text, and how it was stored. */
export interface TableCell {
  readonly text: string
  readonly storedAs: StoredAs
}

/** A row of the file, numbered as Excel and WPS number it (1 = the first line or row). */
export interface RawRow {
  readonly sheetRow: number
  /** By column, 0 = A; a missing cell is empty. */
  readonly cells: ReadonlyArray<TableCell | undefined>
}

export interface TableLimits {
  /** Bytes of the file. */
  readonly maxBytes: number
  /** Data rows after the header. */
  readonly maxDataRows: number
  /** Rows of the file or sheet, empty ones and those above the header included. */
  readonly maxSheetRows: number
  /** Rows above the header (a title, notes, blank lines) searched for it. */
  readonly maxRowsBeforeHeader: number
  /** Fields of a line or cells of a row, empty ones included. */
  readonly maxColumns: number
  /** Characters of one cell. */
  readonly maxCellCharacters: number
  /** .xlsx: entries of the zip, and the inflated size of each part read and of all of them. */
  readonly maxZipEntries: number
  readonly maxPartBytes: number
  readonly maxPartsBytes: number
}

/**
 * The bounds of every uploaded table, checked before the work they bound: 8 MB, 10,000 data rows (the
 * batch size), 50 columns (a batch has 14 and an export 14 at most), 4 KB a cell (a name has 30
 * characters, an employer 60), and for .xlsx at most 32 MB inflated per part and 64 MB in all —
 * a 10,000-row sheet of 50 columns is about 15 MB, so no real sheet comes near.
 */
export const tableLimits: TableLimits = {
  maxBytes: 8 * 1024 * 1024,
  maxDataRows: 10_000,
  maxSheetRows: 20_000,
  maxRowsBeforeHeader: 30,
  maxColumns: 50,
  maxCellCharacters: 4096,
  maxZipEntries: 2000,
  maxPartBytes: 32 * 1024 * 1024,
  maxPartsBytes: 64 * 1024 * 1024,
}

/** The letters of a column (0 → A, 26 → AA), as Excel shows them. */
export function columnLetters (index: number): string {
  let letters = ''
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters
  return letters
}
