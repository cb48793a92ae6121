// One worker pool for every PDF: rendering certificates and reports and reading uploaded PDFs run on its threads, never on the
// event loop. The queue is bounded, each client has at most two PDFs in flight, and work for a client that left is dropped.
import { availableParallelism } from 'node:os'
import { MessageChannel } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { ServiceError, type ErrorCode } from '../errors.js'
import { projectFile, runningCompiled, sourceModuleUrl } from '../project-files.js'
import type { CertificatePdfInput } from './certificate-pdf.js'
import { mayBeSigned, type PdfReading } from './pdf-reading.js'
import type { ReportPdfInput } from './report-pdf.js'
import type { PdfTask, PdfTaskResult } from './pdf-worker.js'

/** Who a PDF is for (an address or an account) and whether they are still waiting. */
export interface PdfWork {
  readonly client: string
  /**
   * Aborted when the client has gone: its work still waiting for a thread is dropped. Work already on a thread finishes
   * (a read is bounded by the read limit): stopping it would cost the thread itself, which piscina can only terminate,
   * and a new one loads its modules and fonts again — a client leaving at once, again and again, would cost a thread each time.
   */
  readonly signal?: AbortSignal
  /** The service's own background work (an archive) sets its window itself instead of the per-client limit. */
  readonly maxInFlight?: number
}

export interface PdfPoolOptions {
  /** Worker threads; the cores by default. */
  threads?: number
  /** Tasks waiting for a thread beyond which new ones are refused with 503 OVERLOADED. */
  maxQueue?: number
  /** PDFs one client may have in flight at once. */
  perClient?: number
  /** How long reading one uploaded PDF may take, its wait for a thread included. */
  readTimeoutMs?: number
}

export type PdfPool = ReturnType<typeof createPdfPool>

/**
 * The pool. `render` and `readToken` throw ServiceError: OVERLOADED (503, Retry-After) when the queue
 * is full, RATE_LIMITED (429) when the client already has `perClient` PDFs in flight, the renderer's
 * own refusals (UNRENDERABLE_CHARACTER, INVALID_SEAL_IMAGE), INVALID_PDF for a PDF not read within
 * `readTimeoutMs`.
 */
export function createPdfPool ({ threads = availableParallelism(), maxQueue = threads * 16, perClient = 2, readTimeoutMs = 5_000 }: PdfPoolOptions = {}) {
  const pool = new Piscina({
    filename: projectFile('src/documents/pdf-worker-entry.mjs'),
    workerData: { entry: sourceModuleUrl('documents/pdf-worker').href, ...(runningCompiled ? {} : { tsx: import.meta.resolve('tsx/esm/api') }) },
    minThreads: 0,
    maxThreads: threads,
    maxQueue,
    // Fonts load once per thread (~0.3 s): keep an idle thread a while rather than start it again for the next PDF.
    idleTimeout: 300_000,
    resourceLimits: { maxOldGenerationSizeMb: 512 },
  })
  const inFlight = new Map<string, number>()

  /**
   * Runs `task` for `work`'s client. The thread says when it starts the task: from then on the client leaving no
   * longer drops it. `timeout` (if given) counts from now, as the queue is bounded; when it passes the task is
   * dropped, or its thread stopped, and `timeout.error()` thrown.
   */
  async function run (task: PdfTask, work: PdfWork, timeout?: { ms: number, error: () => Error }): Promise<PdfTaskResult> {
    const held = inFlight.get(work.client) ?? 0
    if (held >= (work.maxInFlight ?? perClient)) {
      throw new ServiceError('RATE_LIMITED', {
        en: `${held} PDFs of yours are still being prepared; send the next when one is done.`,
        zh: `您已有 ${held} 份 PDF 正在处理，请待其完成后再提交。`,
      }, { retryAfterSeconds: 1 })
    }
    if (pool.queueSize >= maxQueue) throw overloaded()
    if (work.signal?.aborted === true) throw new DOMException('The client has gone.', 'AbortError')
    inFlight.set(work.client, held + 1)
    const controller = new AbortController()
    const { port1: startedHere, port2: startedThere } = new MessageChannel()
    let started = false
    let timedOut = false
    startedHere.once('message', () => { started = true })
    startedHere.unref()
    const timer = timeout === undefined ? undefined : setTimeout(() => { timedOut = true; controller.abort() }, timeout.ms)
    const left = () => { if (!started) controller.abort(work.signal?.reason) }
    work.signal?.addEventListener('abort', left, { once: true })
    try {
      return await pool.run({ ...task, started: startedThere }, { signal: controller.signal, transferList: [startedThere] }) as PdfTaskResult
    } catch (error) {
      if (timedOut && timeout !== undefined) throw timeout.error()
      if ((error as Error).message === 'Task queue is at limit') throw overloaded()
      throw error
    } finally {
      clearTimeout(timer)
      work.signal?.removeEventListener('abort', left)
      startedHere.close()
      const remaining = (inFlight.get(work.client) ?? 1) - 1
      if (remaining === 0) inFlight.delete(work.client)
      else inFlight.set(work.client, remaining)
    }
  }

  return {
    /** A certificate's signed PDF, rendered on a worker thread. */
    async render (input: CertificatePdfInput, work: PdfWork): Promise<Uint8Array> {
      const result = await run({ kind: 'render', input }, work)
      if (result.kind === 'refused') throw new ServiceError(result.code as ErrorCode, { en: result.message, zh: result.messageZh }, result.details)
      if (result.kind !== 'rendered') throw new Error('the PDF worker answered a render with something else')
      return result.pdf
    },

    /** A verification report's signed PDF (up to hundreds of pages, seconds of work), rendered on a worker thread. */
    async renderReport (input: ReportPdfInput, work: PdfWork): Promise<Uint8Array> {
      const result = await run({ kind: 'report', input }, work)
      if (result.kind !== 'rendered') throw new Error('the PDF worker answered a report with something else')
      return result.pdf
    },

    /**
     * An uploaded PDF's signature and, when one of `trustedKids` made it, its token: read on a worker thread
     * that is stopped after `readTimeoutMs`. A file without a signature dictionary is answered here, at
     * once, taking no thread.
     */
    async read (pdf: Uint8Array, trustedKids: readonly string[], work: PdfWork): Promise<PdfReading> {
      if (!mayBeSigned(pdf)) return { signature: { kind: 'absent' } }
      const result = await run({ kind: 'read', pdf, trustedKids }, work, {
        ms: readTimeoutMs,
        error: () => new ServiceError('INVALID_PDF', { en: `The PDF could not be read within ${readTimeoutMs / 1000} s.`, zh: `PDF 在 ${readTimeoutMs / 1000} 秒内未能读取完毕。` }),
      })
      if (result.kind !== 'read') throw new Error('the PDF worker answered a read with something else')
      return result.reading
    },

    /** Tasks waiting for a thread, and threads at work. */
    load: () => ({ queued: pool.queueSize, threads: pool.threads.length, utilization: pool.utilization }),
    close: () => pool.close({ force: true }),
  }
}

function overloaded (): ServiceError {
  return new ServiceError('OVERLOADED', { en: 'Too many PDFs are being prepared right now; try again in a few seconds.', zh: '当前待处理的 PDF 过多，请数秒后再试。' }, { retryAfterSeconds: 2 })
}
