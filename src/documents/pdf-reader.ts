// Reads an uploaded PDF in this thread: its signature from the bytes, and only if a trusted key made it, the token with pdf-lib.
import { kidOfPublicKey } from '../signing/certificate-jws.js'
import { extractCertificateJws } from './pdf-jws-extraction.js'
import type { PdfReading } from './pdf-reading.js'
import { readPdfSignature } from './pdf-signature-reader.js'

/**
 * The signature of `pdf`, and the token it carries when the signature holds and was made by one of
 * `trustedKids`: a file this service did not sign is never parsed (pdf-lib spends seconds on some
 * junk, and anyone can sign junk with a key of their own). Never throws for bad input.
 */
export async function readPdfHere (pdf: Uint8Array, trustedKids: readonly string[]): Promise<PdfReading> {
  const signature = readPdfSignature(pdf)
  if (signature.kind !== 'signed' || !trustedKids.includes(await kidOfPublicKey(signature.signerPublicJwk))) return { signature }
  return { signature, extraction: await extractCertificateJws(pdf) }
}
