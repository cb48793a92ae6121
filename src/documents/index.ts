// The public surface of the documents module: rendering certificate PDFs and reading their JWS back.
// The renderer (pdf-lib, fontkit, subset-font, qrcode, then the fonts) loads on first use, so an instance that only looks
// certificates up and verifies them never holds it; in the service, rendering and reading PDFs run on the PDF pool's threads.
export type { CertificatePdfInput } from './certificate-pdf.js'
export type { PdfSignatureReading } from './pdf-signature-reader.js'
export { createPdfPool, type PdfPool, type PdfWork } from './pdf-pool.js'
export { assertSealPng } from './seal-image.js'

type Renderer = typeof import('./certificate-pdf.js')
type Fonts = typeof import('./fonts.js')
type SignatureReader = typeof import('./pdf-signature-reader.js')

// Kept after the first call: import() resolves its specifier again every time (under tsx, through the loader
// hooks' thread: ~0.5 ms, a sixth of a PDF).
let renderer: Promise<Renderer> | undefined
let fonts: Promise<Fonts> | undefined
let signatureReader: Promise<SignatureReader> | undefined

/** Renders a certificate's one-page PDF (certificate-pdf.ts), loading the renderer on the first call. */
export const renderCertificatePdf: Renderer['renderCertificatePdf'] = async input => await (await (renderer ??= import('./certificate-pdf.js'))).renderCertificatePdf(input)
/** Reads an uploaded PDF's signature from its bytes (pdf-signature-reader.ts; pkijs loads on the first call). */
export const readPdfSignature = async (pdf: Uint8Array): Promise<ReturnType<SignatureReader['readPdfSignature']>> =>
  (await (signatureReader ??= import('./pdf-signature-reader.js'))).readPdfSignature(pdf)
/** The token inside a PDF whose signature already held, read in this thread (the offline verifier: no pool in a command). */
export const readCertificateJwsHere = async (pdf: Uint8Array): Promise<string> => {
  const { extractCertificateJws, tokenOf } = await import('./pdf-jws-extraction.js')
  return tokenOf(await extractCertificateJws(pdf))
}
/** Loads the certificate fonts ahead of the first rendering (fonts.ts). */
export const loadCertificateFonts: Fonts['loadCertificateFonts'] = async () => { await (await (fonts ??= import('./fonts.js'))).loadCertificateFonts() }
