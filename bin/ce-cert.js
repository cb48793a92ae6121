#!/usr/bin/env node
// Starts the ce-cert command (src/cli/ce-cert.ts) under tsx, inside a checkout. Without one, use the single file
// `npm run build` bundles (dist/ce-cert.mjs, served at /downloads/ce-cert.mjs): `node ce-cert.mjs verify …`.
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const cli = fileURLToPath(new URL('../src/cli/ce-cert.ts', import.meta.url))
const result = spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), cli, ...process.argv.slice(2)], { stdio: 'inherit' })
process.exit(result.status ?? 2)
