// The offline verifier as one file anyone can run with plain node: src/cli/ce-cert.ts and all it imports (pdf-lib,
// pkijs, jose, cborg, the region table…) bundled by esbuild into dist/ce-cert.mjs, which the service serves.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { projectFile, runningCompiled } from '../project-files.js'

/** Where `npm run build` writes the bundle. */
export const offlineVerifierBundleFile = 'dist/ce-cert.mjs'

/** The bundle's bytes and what the download page states of them. */
export interface OfflineVerifierBundle { bytes: Uint8Array, sha256: string, size: number }

/**
 * Bundles ce-cert from its TypeScript source: ESM for Node 20 and later, every dependency inside, the licence
 * comments of the bundled packages kept at the end. The packages written in CommonJS get a `require` of their own
 * (Node's built-in modules only: everything else is in the file).
 */
export async function bundleOfflineVerifier (): Promise<Uint8Array> {
  const { build } = await import('esbuild')
  const result = await build({
    entryPoints: [projectFile('src/cli/ce-cert.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    legalComments: 'eof',
    logLevel: 'silent',
    banner: {
      js: [
        '#!/usr/bin/env node',
        '// ce-cert: the offline verifier of the continuing-education certificate service, one self-contained file (node ce-cert.mjs --help).',
        "import { createRequire as __ceCertCreateRequire } from 'node:module'",
        'const require = __ceCertCreateRequire(import.meta.url)',
      ].join('\n'),
    },
  })
  const [output] = result.outputFiles
  if (output === undefined) throw new Error('esbuild wrote no bundle of ce-cert')
  return output.contents
}

let loaded: Promise<OfflineVerifierBundle> | undefined

/**
 * The bundle the service serves: dist/ce-cert.mjs as `npm run build` made it beside the compiled service, or —
 * under tsx, or when the file is missing — bundled now from the source, once per process.
 */
export function loadOfflineVerifierBundle (): Promise<OfflineVerifierBundle> {
  loaded ??= (async () => {
    const built = runningCompiled ? await readFile(projectFile(offlineVerifierBundleFile)).catch(() => undefined) : undefined
    const bytes = built === undefined ? await bundleOfflineVerifier() : new Uint8Array(built)
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.byteLength }
  })()
  loaded.catch(() => { loaded = undefined })
  return loaded
}
