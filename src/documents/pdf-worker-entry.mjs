// Entry of the PDF pool's threads: loads pdf-worker as this process runs it — the compiled JavaScript, or the
// TypeScript under tsx (whose loader, on Node.js < 22.14, reaches only the main thread unless a worker registers it).
import { workerData } from 'piscina'

let loaded
try {
  loaded = await import(workerData.entry)
} catch (error) {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION' || workerData.tsx === undefined) throw error
  const { register } = await import(workerData.tsx)
  register()
  loaded = await import(`${workerData.entry}?tsx`)
}

export default loaded.default
