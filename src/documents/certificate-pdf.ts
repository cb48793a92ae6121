// Renders a certificate as a one-page, signed PDF that carries its signed JWS (attachment and metadata).
import { createHash } from 'node:crypto'
import fontkit from '@pdf-lib/fontkit'
import { AFRelationship, PDFDict, PDFDocument, PDFImage, PDFName, PDFString, PngEmbedder } from 'pdf-lib'
import { ServiceError } from '../errors.js'
import type { PdfSigner } from '../signing/pdf-cms.js'
import { drawCertificatePage, pageSize, textsOf, type CertificateContent } from './certificate-page.js'
import { embedCertificateFonts } from './fonts.js'
import { jwsAttachmentName, jwsInfoKey } from './pdf-jws-extraction.js'
import { addSignaturePlaceholder, signCertificatePdf } from './pdf-signature.js'
import { createQrMatrix } from './qr-code.js'
import { assertSealPng } from './seal-image.js'
import { chinaDateZh } from '../text/china-time.js'

export interface CertificatePdfInput {
  /** 14 digits, e.g. '44010625000201'. */
  number: string
  /** '广东省' gives the title 广东省专业技术人员继续教育证书; '' (a national rule set) gives 专业技术人员继续教育证书. */
  provinceName: string
  holderName: string
  year: number
  hourRows: Array<{ label: string, given: number, required: number | null }>
  totalHours: { given: number, required: number }
  ruleSetName: string
  /** With its book-title marks, e.g. '《广东省专业技术人员继续教育条例》'. */
  regulationName: string
  issuerName: string
  employerName: string
  issuedAt: Date
  /** Compact JWS of the certificate. */
  jws: string
  /** Exact content of the QR code. */
  verifyUrl: string
  /** PNG of the issuer's seal; without it no seal is drawn. */
  seal?: Uint8Array
  /** The key that signed `jws`, which signs the PDF too. */
  signer: PdfSigner
}


/**
 * Renders the certificate as a one-page A4 PDF: the wording of the official template, the hours table,
 * the verification QR code and, if given, the issuer's seal. The compact JWS is attached as
 * `certificate.jws` and stored under /CertificateJWS in the document information. The whole file is
 * signed by `signer` (PAdES baseline B-B, signing time `issuedAt`; see pdf-signature.ts). The same input
 * always gives the same bytes (all dates are `issuedAt`, the signature is deterministic).
 *
 * Throws ServiceError('UNRENDERABLE_CHARACTER') when a character has no glyph in any font,
 * ServiceError('INVALID_SEAL_IMAGE') when `seal` is not a PNG, and an Error when `signer` cannot sign a
 * PDF (an EdDSA key: see assertPdfSigner).
 */
export async function renderCertificatePdf (input: CertificatePdfInput): Promise<Uint8Array> {
  const content = contentOf(input)
  const doc = await PDFDocument.create({ updateMetadata: false })
  doc.registerFontkit(fontkit)
  const fonts = await embedCertificateFonts(doc, textsOf(content))
  const seal = input.seal === undefined ? null : await embedSeal(doc, input.seal)
  const page = doc.addPage(pageSize)
  drawCertificatePage(page, fonts, content, createQrMatrix(input.verifyUrl), seal)

  doc.setTitle(`${content.title} ${content.number}`, { showInWindowTitleBar: true })
  doc.setAuthor(content.issuerName)
  doc.setSubject(`${content.holderName} ${content.year} 年度专业技术人员继续教育证书，证书编号 ${content.number}`)
  doc.setKeywords([content.number, content.year, '专业技术人员继续教育证书'])
  doc.setCreator('ce-certificates')
  doc.setProducer('ce-certificates (pdf-lib, HarfBuzz subset fonts)')
  doc.setCreationDate(input.issuedAt)
  doc.setModificationDate(input.issuedAt)
  doc.setLanguage('zh-CN')
  doc.context.lookup(doc.context.trailerInfo.Info, PDFDict).set(PDFName.of(jwsInfoKey), PDFString.of(input.jws))
  await doc.attach(new TextEncoder().encode(input.jws), jwsAttachmentName, {
    mimeType: 'application/jose',
    description: '证书签名数据 (JWS Compact Serialization)',
    creationDate: input.issuedAt,
    modificationDate: input.issuedAt,
    afRelationship: AFRelationship.Source,
  })
  addSignaturePlaceholder(doc, { signer: input.signer, signingTime: input.issuedAt, reason: `签发${content.title}，证书编号 ${content.number}` })
  return await signCertificatePdf(await doc.save(), input.signer)
}

function contentOf (input: CertificatePdfInput): CertificateContent {
  return {
    title: `${printable(input.provinceName)}专业技术人员继续教育证书`,
    number: printable(input.number),
    holderName: printable(input.holderName),
    year: String(input.year),
    hourRows: [
      ...input.hourRows.map((row) => ({ label: printable(row.label), given: hours(row.given), required: hours(row.required) })),
      { label: '合计', given: hours(input.totalHours.given), required: hours(input.totalHours.required) },
    ],
    ruleSetName: printable(input.ruleSetName),
    regulationName: printable(input.regulationName),
    issuerName: printable(input.issuerName),
    employerName: printable(input.employerName),
    issuedOn: chinaDateZh(input.issuedAt),
  }
}

/**
 * Drops invisible format characters (zero-width joiners, variation selectors, bidi marks), which pdf-lib
 * cannot shape and which print nothing, and folds every other space or line break into one space.
 */
function printable (text: string): string {
  return text
    .replace(/[\p{Cc}\p{Cf}\u{FE00}-\u{FE0F}\u{E0100}-\u{E01EF}]+/gu, (match) => /[\n\r\t]/.test(match) ? ' ' : '')
    .replace(/[^\S\u3000]+/g, ' ')
    .trim()
}

function hours (value: number | null): string {
  return value === null ? '—' : String(Math.round(value * 100) / 100)
}


/**
 * Seals decoded by pdf-lib, by the SHA-256 of their PNG, most recently used last: an issuer's seal is
 * decoded once rather than for every certificate (decoding was ~10 % of a PDF). Bounded by the
 * decoded pixels held (4 bytes each), so that large seals cannot pile up.
 */
const decodedSeals = new Map<string, { embedder: Promise<PngEmbedder>, bytes: number }>()
const maxDecodedSealBytes = 64 * 1024 * 1024

function decodedSeal (png: Uint8Array): Promise<PngEmbedder> {
  const key = createHash('sha256').update(png).digest('base64')
  const cached = decodedSeals.get(key)
  if (cached !== undefined) {
    decodedSeals.delete(key)
    decodedSeals.set(key, cached)
    return cached.embedder
  }
  const embedder = PngEmbedder.for(png)
  const entry = { embedder, bytes: 0 }
  decodedSeals.set(key, entry)
  embedder.then(decoded => {
    entry.bytes = decoded.width * decoded.height * 4
    let held = 0
    for (const seal of decodedSeals.values()) held += seal.bytes
    for (const [oldest, seal] of decodedSeals) {
      if (held <= maxDecodedSealBytes || oldest === key) break
      decodedSeals.delete(oldest)
      held -= seal.bytes
    }
  }, () => { decodedSeals.delete(key) })
  return embedder
}

async function embedSeal (doc: PDFDocument, png: Uint8Array): Promise<PDFImage> {
  assertSealPng(png)
  let embedder: PngEmbedder
  try {
    embedder = await decodedSeal(png)
  } catch {
    throw new ServiceError('INVALID_SEAL_IMAGE', { en: 'The seal PNG cannot be decoded.', zh: '印章 PNG 图片无法解码。' })
  }
  // What doc.embedPng does, with the decoded image reused: its streams are written into this document now.
  const image = PDFImage.of(doc.context.nextRef(), doc, embedder)
  await image.embed()
  return image
}
