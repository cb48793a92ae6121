// The PDF pool's task: render a certificate or a verification report, or read the token out of an uploaded PDF — on a worker thread, never the event loop.
import type { MessagePort } from 'node:worker_threads'
import { isServiceError } from '../errors.js'
import { renderCertificatePdf, type CertificatePdfInput } from './certificate-pdf.js'
import { readPdfHere } from './pdf-reader.js'
import { renderReportPdf, type ReportPdfInput } from './report-pdf.js'
import type { PdfReading } from './pdf-reading.js'

export type PdfTask = (
  | { kind: 'render', input: CertificatePdfInput }
  | { kind: 'report', input: ReportPdfInput }
  | { kind: 'read', pdf: Uint8Array, trustedKids: readonly string[] }
) & {
  /** Told when this thread starts the task: the pool then no longer drops it when its client leaves. */
  started?: MessagePort
}

/** What comes back across the thread boundary: data, since an error loses its class there. */
export type PdfTaskResult =
  | { kind: 'rendered', pdf: Uint8Array }
  | { kind: 'read', reading: PdfReading }
  | { kind: 'refused', code: string, message: string, messageZh: string, details?: unknown }

// pdf-lib warns on stdout about every damaged object: an uploaded file must not be able to flood the logs.
console.warn = () => {}

export default async function runPdfTask (task: PdfTask): Promise<PdfTaskResult> {
  task.started?.postMessage(null)
  if (task.kind === 'read') return { kind: 'read', reading: await readPdfHere(task.pdf, task.trustedKids) }
  try {
    return { kind: 'rendered', pdf: task.kind === 'report' ? await renderReportPdf(task.input) : await renderCertificatePdf(task.input) }
  } catch (error) {
    if (!isServiceError(error)) throw error
    return { kind: 'refused', code: error.code, message: error.message, messageZh: error.messageZh, ...(error.details === undefined ? {} : { details: error.details }) }
  }
}
