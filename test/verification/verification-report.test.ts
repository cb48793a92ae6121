// The report's contract cannot drift from the pipeline: every check the pipeline makes is a name the schema knows.
import { readFileSync } from 'node:fs'
import t from 'tap'
import { checkNames, checkTitles } from '../../src/verification/verification-report.js'

t.test('schemas/verification-report.json names exactly the checks of the pipeline, each titled in Chinese and English', async t => {
  const schema = JSON.parse(readFileSync(new URL('../../schemas/verification-report.json', import.meta.url), 'utf8'))
  t.same(schema.properties.checks.items.properties.name.enum, [...checkNames])
  for (const name of checkNames) t.ok(checkTitles[name].zh.length > 0 && checkTitles[name].en.length > 0, name)
})
