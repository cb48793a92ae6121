// `npm run docs:errors`: writes docs/ERRORS.md from the error table, so the catalogue cannot drift from the code.
import { writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import { errorTable, type ErrorCode } from '../errors.js'
import { projectFile } from '../project-files.js'

export const errorCataloguePath = projectFile('docs/ERRORS.md')

/** The Markdown catalogue of every error code, ordered by status then code. */
export function renderErrorCatalogue (): string {
  const codes = (Object.keys(errorTable) as ErrorCode[]).sort((a, b) => errorTable[a].status - errorTable[b].status || a.localeCompare(b))
  const rows = codes.map(code => `| \`${code}\` | ${errorTable[code].status} | ${errorTable[code].en} | ${errorTable[code].zh} |`)
  return [
    '# Error codes',
    '',
    'Every error answers `{ statusCode, code, error, message, messageZh, details?, requestId }`.',
    '`code` is stable: it is never renamed or reused. `message` may be more precise than the text',
    'below for a given case; `details` carries machine-readable facts (e.g. every hour shortfall).',
    'Generated from `src/errors.ts` by `npm run docs:errors`; a test fails when this file is stale.',
    '',
    '| code | status | message | 中文说明 |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n')
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await writeFile(errorCataloguePath, renderErrorCatalogue())
  process.stdout.write(`wrote ${errorCataloguePath}\n`)
}
