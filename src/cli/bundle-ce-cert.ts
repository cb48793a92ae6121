// `npm run build`, after tsc: writes the offline verifier as one file, dist/ce-cert.mjs, which the service serves.
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { projectFile } from '../project-files.js'
import { bundleOfflineVerifier, offlineVerifierBundleFile } from '../verification/offline-verifier-bundle.js'

const file = projectFile(offlineVerifierBundleFile)
await mkdir(path.dirname(file), { recursive: true })
await writeFile(file, await bundleOfflineVerifier())
await chmod(file, 0o755)
