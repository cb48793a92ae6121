import t from 'tap'
import { readFile } from 'node:fs/promises'
import { errorTable } from '../src/errors.js'
import { errorCataloguePath, renderErrorCatalogue } from '../src/cli/error-catalogue.js'

t.test('every error code has a 4xx or 5xx status and both messages', async t => {
  for (const [code, definition] of Object.entries(errorTable)) {
    t.match(code, /^[A-Z][A-Z0-9_]+$/, code)
    t.ok(definition.status >= 400 && definition.status <= 599, `${code} has an error status`)
    t.ok(definition.en.length > 0 && definition.zh.length > 0, `${code} has English and Chinese messages`)
  }
})

t.test('docs/ERRORS.md documents every code as the table says (npm run docs:errors)', async t => {
  t.equal(await readFile(errorCataloguePath, 'utf8'), renderErrorCatalogue())
})
