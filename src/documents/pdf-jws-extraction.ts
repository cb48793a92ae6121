// Finds the compact JWS in PDF bytes: the `certificate.jws` attachment first, then the /CertificateJWS info key.
import { inflateSync } from 'node:zlib'
import {
  EncryptedPDFError, ParseSpeeds, PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFRawStream, PDFString,
  type PDFObject,
} from 'pdf-lib'
import type { JwsExtraction } from './pdf-reading.js'

/** Name of the attached file that holds the compact JWS. */
export const jwsAttachmentName = 'certificate.jws'
/** Key of the document information dictionary that also holds the compact JWS. */
export const jwsInfoKey = 'CertificateJWS'
const maxJwsLength = 16 * 1024
const compactJws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/
// Bounds for walking a hostile name tree.
const maxTreeDepth = 16
const maxTreeNodes = 4096

/** Parses `bytes` with pdf-lib and returns the certificate JWS it carries, if any. Never throws. */
export async function extractCertificateJws (bytes: Uint8Array): Promise<JwsExtraction> {
  let doc: PDFDocument
  try {
    doc = await PDFDocument.load(bytes, { updateMetadata: false, parseSpeed: ParseSpeeds.Fastest })
  } catch (error) {
    if (error instanceof EncryptedPDFError || declaresEncryption(bytes)) return { outcome: 'encrypted' }
    return { outcome: 'unreadable', reason: error instanceof Error ? error.message : String(error) }
  }
  try {
    if (!(doc.catalog instanceof PDFDict)) return { outcome: 'unreadable', reason: 'The PDF has no document catalog.' }
    const attachments = attachedTokens(doc)
    const info = infoJws(doc)
    // A second certificate.jws, or metadata that says otherwise: one of them was put there after rendering.
    if (attachments.length > 1 || (attachments[0] !== undefined && info !== undefined && attachments[0] !== info)) return { outcome: 'conflicting' }
    const jws = attachments[0] ?? info
    return jws === undefined ? { outcome: 'absent' } : { outcome: 'found', jws }
  } catch (error) {
    return { outcome: 'unreadable', reason: error instanceof Error ? error.message : String(error) }
  }
}

/**
 * pdf-lib reports encryption only once it has parsed the file, and encrypted object streams stop it first;
 * the /Encrypt entry of the trailer (or cross-reference stream) is never itself encrypted.
 */
function declaresEncryption (bytes: Uint8Array): boolean {
  return /\/Encrypt[\s/<\d]/.test(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1'))
}

/** Every distinct token attached as certificate.jws (one, in a PDF as issued). */
function attachedTokens (doc: PDFDocument): string[] {
  const names = doc.catalog.lookup(PDFName.of('Names'))
  const tree = names instanceof PDFDict ? names.lookup(PDFName.of('EmbeddedFiles')) : undefined
  if (!(tree instanceof PDFDict)) return []
  const found = new Set<string>()
  const visited = new Set<PDFObject>()
  const walk = (node: PDFDict, depth: number): void => {
    if (depth > maxTreeDepth || visited.size > maxTreeNodes || visited.has(node)) return
    visited.add(node)
    const pairs = node.lookup(PDFName.of('Names'))
    if (pairs instanceof PDFArray) {
      for (let index = 1; index < pairs.size(); index += 2) {
        const jws = jwsOfFileSpec(pairs.lookup(index))
        if (jws !== undefined) found.add(jws)
      }
    }
    const kids = node.lookup(PDFName.of('Kids'))
    if (kids instanceof PDFArray) {
      for (let index = 0; index < kids.size(); index++) {
        const kid = kids.lookup(index)
        if (kid instanceof PDFDict) walk(kid, depth + 1)
      }
    }
  }
  walk(tree, 0)
  return [...found]
}

function jwsOfFileSpec (spec: PDFObject | undefined): string | undefined {
  if (!(spec instanceof PDFDict)) return undefined
  const name = textOf(spec.lookup(PDFName.of('UF'))) ?? textOf(spec.lookup(PDFName.of('F')))
  if (name !== jwsAttachmentName) return undefined
  const files = spec.lookup(PDFName.of('EF'))
  const stream = files instanceof PDFDict ? files.lookup(PDFName.of('F')) : undefined
  if (!(stream instanceof PDFRawStream)) return undefined
  const content = decodedContent(stream)
  return content === undefined ? undefined : asJws(new TextDecoder().decode(content))
}

/** The stream's bytes if unfiltered or plainly deflated, capped so a compression bomb stops early. */
function decodedContent (stream: PDFRawStream): Uint8Array | undefined {
  const filter = stream.dict.lookup(PDFName.of('Filter'))
  const filters = filter instanceof PDFArray ? filter.asArray() : filter === undefined ? [] : [filter]
  if (stream.dict.lookup(PDFName.of('DecodeParms')) !== undefined) return undefined
  if (filters.length === 0) return stream.contents
  if (filters.length > 1 || filters[0] !== PDFName.of('FlateDecode')) return undefined
  try {
    return inflateSync(stream.contents, { maxOutputLength: maxJwsLength * 2 })
  } catch {
    return undefined
  }
}

function infoJws (doc: PDFDocument): string | undefined {
  const info = doc.context.lookup(doc.context.trailerInfo.Info)
  return info instanceof PDFDict ? asJws(textOf(info.lookup(PDFName.of(jwsInfoKey)))) : undefined
}

function textOf (value: PDFObject | undefined): string | undefined {
  return value instanceof PDFString || value instanceof PDFHexString ? value.decodeText() : undefined
}

function asJws (text: string | undefined): string | undefined {
  const candidate = text?.trim()
  return candidate !== undefined && candidate.length <= maxJwsLength && compactJws.test(candidate) ? candidate : undefined
}
