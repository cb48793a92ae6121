// Where the files beside the code are, the same whether tsx runs src/ or node runs what tsc compiled to dist/src/.
import { fileURLToPath } from 'node:url'

/** True when this process runs the compiled JavaScript of dist/, false when tsx runs the TypeScript of src/. */
export const runningCompiled = !import.meta.url.endsWith('.ts')

// This file is src/project-files.ts, or dist/src/project-files.js once compiled.
const sourceRoot = new URL('./', import.meta.url)
const repositoryRoot = new URL(runningCompiled ? '../../' : '../', import.meta.url)

/** A file that is not code, by its path in the repository: `schemas`, `src/http/page-assets/verify-page.js`. */
export function projectFile (repositoryPath: string): string {
  return fileURLToPath(new URL(repositoryPath, repositoryRoot))
}

/** A module of src/ by its path there without extension (`documents/pdf-reading-worker`), as this process runs it. */
export function sourceModuleUrl (sourcePath: string): URL {
  return new URL(`${sourcePath}${runningCompiled ? '.js' : '.ts'}`, sourceRoot)
}
