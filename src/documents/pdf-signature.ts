// A certificate PDF's signature: the signature field added while the document is built, its CMS filled in after the one save.
import { SignPdf } from '@signpdf/signpdf'
import { ANNOTATION_FLAGS, DEFAULT_BYTE_RANGE_PLACEHOLDER, SIG_FLAGS, Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils'
import { PDFArray, PDFHexString, PDFInvalidObject, PDFName, PDFNumber, PDFString, type PDFDocument } from 'pdf-lib'
import { assertPdfSigner, createPdfCms, type PdfSigner } from '../signing/pdf-cms.js'

/** Room for the CMS beyond its certificates: signed attributes, signer info and signature take under 600 bytes. */
const cmsOverheadBytes = 1024

/**
 * Adds an invisible signature field to the first page of `doc` whose signature dictionary (ETSI.CAdES.detached,
 * /M `signingTime`, /Reason `reason`) holds a zero-filled /Contents big enough for `signer`'s CMS and a
 * /ByteRange placeholder. The dictionary is written as is, never into an object stream, so that
 * signCertificatePdf finds it in the saved bytes.
 */
export function addSignaturePlaceholder (doc: PDFDocument, { signer, signingTime, reason }: { signer: PdfSigner, signingTime: Date, reason: string }): void {
  assertPdfSigner(signer)
  const { context } = doc
  const page = doc.getPage(0)
  const contentsBytes = signer.certificateChain.reduce((total, der) => total + der.byteLength, cmsOverheadBytes)
  const placeholder = PDFName.of(DEFAULT_BYTE_RANGE_PLACEHOLDER)
  // Key order matters to @signpdf: /Contents is looked for after /ByteRange.
  const signature = context.obj({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: SUBFILTER_ETSI_CADES_DETACHED,
    ByteRange: [PDFNumber.of(0), placeholder, placeholder, placeholder],
    Contents: PDFHexString.of('0'.repeat(contentsBytes * 2)),
    M: PDFString.fromDate(signingTime),
    Reason: PDFHexString.fromText(reason),
  })
  const bytes = new Uint8Array(signature.sizeInBytes())
  signature.copyBytesInto(bytes, 0)
  const signatureRef = context.register(PDFInvalidObject.of(bytes))
  const widget = context.register(context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    Rect: [0, 0, 0, 0],
    V: signatureRef,
    T: PDFString.of('Signature1'),
    F: ANNOTATION_FLAGS.PRINT,
    P: page.ref,
    // An appearance, even an empty one, is what PDF/A asks of every widget.
    AP: { N: context.register(context.formXObject([], { BBox: [0, 0, 0, 0], Resources: {} })) },
  }))
  const annotations = page.node.lookupMaybe(PDFName.of('Annots'), PDFArray) ?? context.obj([])
  annotations.push(widget)
  page.node.set(PDFName.of('Annots'), annotations)
  const form = context.obj({ Fields: [widget], SigFlags: SIG_FLAGS.SIGNATURES_EXIST | SIG_FLAGS.APPEND_ONLY })
  doc.catalog.set(PDFName.of('AcroForm'), context.register(form))
}

/** A @signpdf signer over the signed byte ranges. */
class CmsSigner extends Signer {
  constructor (private readonly signer: PdfSigner) {
    super()
  }

  override async sign (content: Buffer): Promise<Buffer> {
    const cms = createPdfCms(this.signer, content)
    return Buffer.from(cms.buffer, cms.byteOffset, cms.byteLength)
  }
}

/**
 * Signs a saved PDF that has the placeholder of addSignaturePlaceholder: fills in its /ByteRange (the
 * whole file but the /Contents string) and puts `signer`'s CMS over those bytes into /Contents. The same
 * bytes and signer always give the same signed PDF.
 */
export async function signCertificatePdf (pdf: Uint8Array, signer: PdfSigner): Promise<Uint8Array> {
  return new Uint8Array(await new SignPdf().sign(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), new CmsSigner(signer)))
}
