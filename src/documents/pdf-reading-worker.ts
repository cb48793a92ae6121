// Worker thread that parses untrusted PDFs, so that one which takes pdf-lib too long can be stopped.
import { parentPort } from 'node:worker_threads'
import { extractCertificateJws } from './pdf-jws-extraction.js'

// pdf-lib warns on stdout about every damaged object: an uploaded file must not be able to flood the logs.
console.warn = () => {}

parentPort?.on('message', (bytes: Uint8Array) => {
  void extractCertificateJws(bytes).then((result) => parentPort?.postMessage(result))
})
parentPort?.postMessage('ready')
