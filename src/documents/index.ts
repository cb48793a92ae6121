// The public surface of the documents module: rendering certificate PDFs and reading their JWS back.
export { renderCertificatePdf, type CertificatePdfInput } from './certificate-pdf.js'
export { loadCertificateFonts } from './fonts.js'
export { readCertificateJws } from './pdf-certificate-reader.js'
export { assertSealPng } from './seal-image.js'
