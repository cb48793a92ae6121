// Column headers as offices write them: folded for comparison, matched to the fields of a table.

/** The columns a kind of table has: the header names each field answers to, which are required, which others to ignore. */
export interface TableColumns<F extends string> {
  /** Header names accepted per field; the first is the documented (English) one, the second the Chinese one shown in messages. */
  readonly names: Readonly<Record<F, readonly string[]>>
  readonly required: readonly F[]
  /** Headers of columns read and ignored: the other columns of this service's own exports. */
  readonly ignored: readonly string[]
}

/** Read and ignored in every table: a running number and remarks. */
export const alwaysIgnored = ['序号', '备注', 'No.', '#']

/** Units and marks that follow a header in templates: (学时), (必填)… */
const trailingNote = /\((?:学时|小时|学分|课时|h|hours?|必填|选填|可选|可不填|非必填)\)$/i

/**
 * A header as compared: NFKC (full-width forms become half-width), without white space, `*` marks
 * of required columns, '_' or '-', a trailing unit or note in brackets like （学时） or （必填）, and case.
 */
export function foldHeader (header: string): string {
  let folded = header.normalize('NFKC').replace(/[\s_\-*]+/g, '').toLowerCase()
  for (let previous = ''; previous !== folded;) {
    previous = folded
    folded = folded.replace(trailingNote, '')
  }
  return folded
}

export type HeaderCell<F extends string> = { kind: 'field', field: F } | { kind: 'ignored' } | { kind: 'unknown', header: string }

export interface HeaderMatch<F extends string> {
  cells: Array<HeaderCell<F>>
  /** Fields named, in column order. */
  fields: F[]
  missing: F[]
}

/** Finds a header's columns; empty-headed columns are ignored. */
export function headerMatcher<F extends string> (columns: TableColumns<F>) {
  const byName = new Map<string, F | null>()
  for (const name of [...alwaysIgnored, ...columns.ignored]) byName.set(foldHeader(name), null)
  for (const [field, names] of Object.entries(columns.names) as Array<[F, readonly string[]]>) for (const name of names) byName.set(foldHeader(name), field)
  return (headers: readonly string[]): HeaderMatch<F> => {
    const cells = headers.map((header): HeaderCell<F> => {
      const folded = foldHeader(header)
      if (folded === '') return { kind: 'ignored' }
      const field = byName.get(folded)
      if (field === undefined) return { kind: 'unknown', header: header.trim() }
      return field === null ? { kind: 'ignored' } : { kind: 'field', field }
    })
    const fields = cells.flatMap(c => (c.kind === 'field' ? [c.field] : []))
    return { cells, fields, missing: columns.required.filter(f => !fields.includes(f)) }
  }
}

/** The Chinese name of a field, for messages: its second accepted name. */
export const chineseName = <F extends string>(columns: TableColumns<F>, field: F) => columns.names[field][1] ?? columns.names[field][0]!
