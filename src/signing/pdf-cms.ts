// The CMS of a PDF signature, PAdES baseline B-B: a detached SignedData over the signed byte ranges.
import { createHash } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import type { SigningAlgorithm } from '../config.js'
import { signatureAlgorithmOids, signDeterministically } from './deterministic-signatures.js'

/** Who signs a PDF: plain, serialisable data (a worker thread can take it). */
export interface PdfSigner {
  readonly kid: string
  readonly alg: SigningAlgorithm
  /** The private JWK; its `d` signs. */
  readonly privateJwk: JsonWebKey
  /** DER certificates, leaf (this key's) first, root last. */
  readonly certificateChain: readonly Uint8Array[]
}

export const cmsOids = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  sha256: '2.16.840.1.101.3.4.2.1',
}

/**
 * Throws unless `signer` can sign a PDF: it needs an ES256 key and its certificate. Poppler's pdfsig (with
 * NSS 3.87, Debian 12) reports an Ed25519 CMS (RFC 8419) as "Document isn't signed or corrupted data".
 */
export function assertPdfSigner (signer: PdfSigner): void {
  if (signer.alg !== 'ES256') {
    throw new Error(`signing key ${signer.kid} is an ${signer.alg} key, and a PDF signature needs an ES256 (ECDSA P-256) key: PDF readers such as Poppler's pdfsig cannot check an Ed25519 CMS signature (RFC 8419). Rotate to an ES256 key (SIGNING_ALG=ES256) to render certificate PDFs`)
  }
  if (signer.certificateChain.length === 0) throw new Error(`signing key ${signer.kid} has no certificate`)
}

/**
 * Signs the signed byte ranges of a PDF (`content`, the file without its /Contents string) as PAdES
 * baseline B-B: a detached CMS SignedData with the certificate chain, one signer identified by issuer and
 * serial number, SHA-256, and the signed attributes content-type, message-digest and ESS
 * signing-certificate-v2 — no signing-time: the signature dictionary's /M says when. ECDSA P-256 with
 * SHA-256, deterministic: the same signer and content always give the same bytes. Returns the DER of the
 * ContentInfo. Throws for a signer assertPdfSigner refuses.
 */
export function createPdfCms (signer: PdfSigner, content: Uint8Array): Uint8Array {
  assertPdfSigner(signer)
  const leafDer = signer.certificateChain[0]!
  const certificates = signer.certificateChain.map(parsedCertificate)
  const leaf = certificates[0]!
  const attributes = [
    new pkijs.Attribute({ type: cmsOids.contentType, values: [new asn1js.ObjectIdentifier({ value: cmsOids.data })] }),
    new pkijs.Attribute({ type: cmsOids.messageDigest, values: [new asn1js.OctetString({ valueHex: sha256(content) })] }),
    new pkijs.Attribute({ type: cmsOids.signingCertificateV2, values: [signingCertificateV2(leaf, leafDer)] }),
  ]
  // DER orders a SET OF by the encodings of its members; verifiers that re-encode the attributes (NSS) sort them.
  const sorted = attributes
    .map(attribute => ({ attribute, der: Buffer.from(attribute.toSchema().toBER(false)) }))
    .sort((a, b) => Buffer.compare(a.der, b.der))
    .map(({ attribute }) => attribute)
  const signedAttributes = new Uint8Array(new asn1js.Set({ value: sorted.map(attribute => attribute.toSchema()) }).toBER(false))
  const sha256Algorithm = () => new pkijs.AlgorithmIdentifier({ algorithmId: cmsOids.sha256 })
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: new pkijs.IssuerAndSerialNumber({ issuer: leaf.issuer, serialNumber: leaf.serialNumber }),
    digestAlgorithm: sha256Algorithm(),
    signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted }),
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: signatureAlgorithmOids.ES256 }),
    signature: new asn1js.OctetString({ valueHex: signDeterministically(signer.alg, signer.privateJwk, signedAttributes) }),
  })
  const signedData = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [sha256Algorithm()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: cmsOids.data }),
    certificates,
    signerInfos: [signerInfo],
  })
  const contentInfo = new pkijs.ContentInfo({ contentType: cmsOids.signedData, content: signedData.toSchema(true) })
  return new Uint8Array(contentInfo.toSchema().toBER(false))
}

/** Parsed certificates by their DER: a key's chain is the same for every PDF it signs, and parsing one takes ~1 ms. */
const parsedCertificates = new Map<string, pkijs.Certificate>()
const maxParsedCertificates = 64

function parsedCertificate (der: Uint8Array): pkijs.Certificate {
  const key = Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString('base64')
  let certificate = parsedCertificates.get(key)
  if (certificate === undefined) {
    if (parsedCertificates.size >= maxParsedCertificates) parsedCertificates.clear()
    certificate = pkijs.Certificate.fromBER(new Uint8Array(der))
    parsedCertificates.set(key, certificate)
  }
  return certificate
}

/**
 * ESS signing-certificate-v2 (RFC 5035): the SHA-256 of the signer's certificate (the default hash, so its
 * algorithm is left out) and the certificate's issuer and serial number.
 */
function signingCertificateV2 (leaf: pkijs.Certificate, leafDer: Uint8Array): asn1js.Sequence {
  const issuerSerial = new pkijs.IssuerSerial({
    issuer: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: leaf.issuer })] }),
    serialNumber: leaf.serialNumber,
  })
  const certId = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: sha256(leafDer) }), issuerSerial.toSchema()] })
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [certId] })] })
}

/** The SHA-256 of `parts` one after the other. */
export function sha256 (...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256')
  for (const part of parts) hash.update(part)
  return new Uint8Array(hash.digest())
}
