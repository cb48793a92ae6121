// The public surface of the documents module: rendering certificate PDFs and reading their JWS back.
// The renderer (pdf-lib, fontkit, subset-font, qrcode, then the fonts) loads on first use, so an instance that only looks
// certificates up and verifies them never holds it; in the service, rendering and reading PDFs run on the PDF pool's threads.
export type { CertificatePdfInput } from './certificate-pdf.js'
export type { PdfSignatureReading } from './pdf-signature-reader.js'
export { mayBeSigned, tokenOf, type PdfReading } from './pdf-reading.js'
export { createPdfPool, type PdfPool, type PdfWork } from './pdf-pool.js'
export { assertSealPng } from './seal-image.js'
export { assertPrintable, loadPrintableCharacters, type PrintableCharacters } from './printable-text.js'

type Renderer = typeof import('./certificate-pdf.js')
type Fonts = typeof import('./fonts.js')
type Reader = typeof import('./pdf-reader.js')

// Kept after the first call: import() resolves its specifier again every time (under tsx, through the loader
// hooks' thread: ~0.5 ms, a sixth of a PDF).
let renderer: Promise<Renderer> | undefined
let fonts: Promise<Fonts> | undefined
let reader: Promise<Reader> | undefined

/** Renders a certificate's one-page PDF (certificate-pdf.ts), loading the renderer on the first call. */
export const renderCertificatePdf: Renderer['renderCertificatePdf'] = async input => await (await (renderer ??= import('./certificate-pdf.js'))).renderCertificatePdf(input)
export type { ReportPdfInput } from './report-pdf.js'
/** Reads a PDF's signature and token in this thread (pdf-reader.ts): the offline verifier, which has no pool. */
export const readPdfHere: Reader['readPdfHere'] = async (pdf, trustedKids) => await (await (reader ??= import('./pdf-reader.js'))).readPdfHere(pdf, trustedKids)
/** Loads the certificate fonts ahead of the first rendering (fonts.ts). */
export const loadCertificateFonts: Fonts['loadCertificateFonts'] = async () => { await (await (fonts ??= import('./fonts.js'))).loadCertificateFonts() }
