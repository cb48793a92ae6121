// Reads the signed JWS back out of an uploaded PDF, parsing it in a worker thread under a time limit.
import { Worker } from 'node:worker_threads'
import { ServiceError } from '../errors.js'
import { runningCompiled, sourceModuleUrl } from '../project-files.js'
import type { JwsExtraction } from './pdf-jws-extraction.js'

// pdf-lib parses our certificates in milliseconds but spends ~9 s per MB of junk after a PDF header (and
// minutes on some malformed files); JavaScript cannot interrupt synchronous code, a worker thread can be stopped.
const parseTimeoutMs = 5_000
const headerWindow = 1024

let current: { readonly worker: Worker, readonly ready: Promise<void> } | undefined
// One PDF at a time: a file that must be stopped then takes no other request down with it.
let queue: Promise<unknown> = Promise.resolve()

/**
 * Finds the compact JWS embedded in a certificate PDF: the attachment `certificate.jws`, else the
 * /CertificateJWS key of the document information. Throws ServiceError('INVALID_PDF') for bytes that
 * are not a PDF, are encrypted or cannot be parsed within 5 s, and ServiceError('PDF_WITHOUT_CERTIFICATE')
 * when the PDF carries no compact JWS. The caller limits the size of `pdf`.
 */
export async function readCertificateJws (pdf: Uint8Array): Promise<string> {
  if (!startsLikePdf(pdf)) throw new ServiceError('INVALID_PDF', 'The file has no PDF header.')
  const run = queue.then(async () => await extractInWorker(pdf))
  queue = run.catch(() => undefined)
  const result = await run
  switch (result.outcome) {
    case 'found':
      return result.jws
    case 'absent':
      throw new ServiceError('PDF_WITHOUT_CERTIFICATE')
    case 'encrypted':
      throw new ServiceError('INVALID_PDF', 'The PDF is encrypted.')
    case 'conflicting':
      throw new ServiceError('INVALID_PDF', 'The PDF carries two different certificate tokens (attachment and metadata): it was altered after it was issued.')
    case 'unreadable':
      throw new ServiceError('INVALID_PDF', 'The PDF cannot be parsed.')
  }
}

function startsLikePdf (bytes: Uint8Array): boolean {
  // Readers accept the header anywhere in the first kilobyte (ISO 32000 allows leading junk in practice).
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, headerWindow)).includes('%PDF-')
}

async function extractInWorker (bytes: Uint8Array): Promise<JwsExtraction> {
  const worker = await startWorker()
  return await new Promise((resolve) => {
    const finish = (result: JwsExtraction, stop: boolean): void => {
      clearTimeout(timer)
      worker.off('message', resolveWith)
      worker.off('exit', onExit)
      if (stop) stopWorker(worker)
      resolve(result)
    }
    const resolveWith = (result: JwsExtraction): void => { finish(result, false) }
    const onExit = (): void => { finish({ outcome: 'unreadable', reason: 'The PDF reader stopped.' }, true) }
    const timer = setTimeout(() => {
      finish({ outcome: 'unreadable', reason: `Parsing took longer than ${parseTimeoutMs} ms.` }, true)
    }, parseTimeoutMs)
    worker.on('message', resolveWith)
    worker.once('exit', onExit)
    worker.postMessage(bytes)
  })
}

async function startWorker (): Promise<Worker> {
  if (current === undefined) {
    const worker = spawnReader()
    // An idle reader must not keep the process alive; a pending read keeps it alive through its timer.
    worker.unref()
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (message) => {
        if (message === 'ready') resolve()
        else reject(new Error('The PDF reader did not start.'))
      })
      worker.once('exit', () => { reject(new Error('The PDF reader stopped while starting.')) })
    })
    // Out of memory or a crash: the read in progress sees 'exit', and the next read starts a new worker.
    worker.on('error', () => { stopWorker(worker) })
    worker.once('exit', () => { stopWorker(worker) })
    current = { worker, ready }
  }
  const { worker, ready } = current
  try {
    await ready
  } catch (error) {
    stopWorker(worker)
    throw error
  }
  return worker
}

/** Starts pdf-reading-worker: .js once compiled, .ts when run from source. */
function spawnReader (): Worker {
  const limits = { resourceLimits: { maxOldGenerationSizeMb: 512 } }
  const entry = sourceModuleUrl('documents/pdf-reading-worker')
  if (runningCompiled) return new Worker(entry, limits)
  // From source, the worker needs the parent's TypeScript loader. tsx (npm run dev, the tests) installs its hooks in the
  // main thread only on Node.js < 22.14, so the worker installs them itself when the plain import fails.
  const bootstrap = `const { workerData } = require('node:worker_threads')
import(workerData.entry).catch(async (error) => {
  if (error?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error
  const { register } = await import(workerData.tsx)
  register()
  await import(workerData.entry + '?tsx')
})`
  return new Worker(bootstrap, { ...limits, eval: true, workerData: { entry: entry.href, tsx: import.meta.resolve('tsx/esm/api') } })
}

function stopWorker (worker: Worker): void {
  if (current?.worker === worker) current = undefined
  void worker.terminate()
}
