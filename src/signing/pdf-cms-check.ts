// Checks the CMS of a PDF signature from an untrusted file: one signer, the digest, the signature, the certificate binding.
import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import { signatureAlgorithmOids } from './deterministic-signatures.js'
import { cmsOids, sha256 } from './pdf-cms.js'

export type PdfCmsFailure =
  | 'too-large' | 'unreadable' | 'not-detached' | 'signer-count' | 'signer-certificate-missing' | 'unsupported-algorithm'
  | 'signed-attributes' | 'signing-time-attribute' | 'digest-mismatch' | 'certificate-binding' | 'bad-signature'

export type PdfCmsCheck =
  | { readonly ok: true, readonly signerCertificate: Uint8Array, readonly signerPublicJwk: JsonWebKey }
  | { readonly ok: false, readonly failure: PdfCmsFailure, readonly reason: string, readonly reasonZh: string }

/** A signature of the service is under 2 KB; an imported chain with a few RSA certificates stays far below this. */
export const maxCmsBytes = 64 * 1024
// Bounds for parsing hostile DER: nesting and elements (asn1js counts both; a certificate chain needs about 300 elements).
const maxDepth = 32
const maxElements = 4096

const failed = (failure: PdfCmsFailure, reason: string, reasonZh: string): PdfCmsCheck => ({ ok: false, failure, reason, reasonZh })

/**
 * Checks a PDF signature's CMS (DER ContentInfo) against the signed bytes `content` (the byte ranges, in
 * order): a SignedData with exactly one signer, whose certificate it carries (by issuer and serial number);
 * SHA-256 and ECDSA P-256; signed attributes content-type id-data, a message-digest equal to the digest
 * of `content`, an ESS signing-certificate-v2 whose hash is the signer certificate's, and no signing-time
 * (PAdES baseline); the signature over the signed attributes verifies with the certificate's key. Returns
 * the signer's certificate (DER) and public key (JWK), or why not: a code, English and Chinese. Never throws;
 * whether the signer is trusted is for the caller to decide.
 */
export function checkPdfCms (cms: Uint8Array, content: readonly Uint8Array[]): PdfCmsCheck {
  if (cms.byteLength > maxCmsBytes) return failed('too-large', `the signature is ${cms.byteLength} bytes; at most ${maxCmsBytes} are accepted`, `签名数据有 ${cms.byteLength} 字节，超出上限 ${maxCmsBytes} 字节`)
  let signedData: pkijs.SignedData
  try {
    const parsed = asn1js.fromBER(new Uint8Array(cms), { maxDepth, maxNodes: maxElements, parseEmbedded: false })
    if (parsed.offset !== cms.byteLength) throw new Error(parsed.result.error)
    const contentInfo = new pkijs.ContentInfo({ schema: parsed.result })
    if (contentInfo.contentType !== cmsOids.signedData) throw new Error('not SignedData')
    signedData = new pkijs.SignedData({ schema: contentInfo.content })
  } catch {
    return failed('unreadable', 'the signature is not a readable CMS SignedData', '签名数据不是可读取的 CMS SignedData 结构')
  }
  try {
    return checkSignedData(signedData, content)
  } catch {
    return failed('unreadable', 'the signature is not a readable CMS SignedData', '签名数据不是可读取的 CMS SignedData 结构')
  }
}

function checkSignedData (signedData: pkijs.SignedData, content: readonly Uint8Array[]): PdfCmsCheck {
  if (signedData.encapContentInfo.eContentType !== cmsOids.data || signedData.encapContentInfo.eContent !== undefined) {
    return failed('not-detached', 'the signature does not sign the PDF detached (content type id-data, no content inside)', '签名不是对 PDF 字节的分离式签名')
  }
  if (signedData.signerInfos.length !== 1) return failed('signer-count', `the signature has ${signedData.signerInfos.length} signers; exactly one is expected`, `签名含 ${signedData.signerInfos.length} 个签名者，应当恰好一个`)
  const signer = signedData.signerInfos[0]!
  const certificate = signer.sid instanceof pkijs.IssuerAndSerialNumber ? certificateOf(signedData, signer.sid) : undefined
  if (certificate === undefined) return failed('signer-certificate-missing', 'the signature does not carry the signer\'s certificate', '签名中没有签名者的证书')
  if (signer.digestAlgorithm.algorithmId !== cmsOids.sha256) return failed('unsupported-algorithm', 'the signature does not use SHA-256', '签名未使用 SHA-256 摘要算法')
  if (signer.signatureAlgorithm.algorithmId !== signatureAlgorithmOids.ES256) return failed('unsupported-algorithm', 'the signature algorithm is not ECDSA with SHA-256', '签名算法不是 ECDSA（SHA-256）')
  const attributes = signer.signedAttrs?.attributes
  if (attributes === undefined || signer.signedAttrs === undefined) return failed('signed-attributes', 'the signature has no signed attributes', '签名没有签名属性')
  const byType = new Map<string, asn1js.AsnType>()
  for (const attribute of attributes) {
    if (byType.has(attribute.type) || attribute.values.length !== 1) return failed('signed-attributes', `the signed attribute ${attribute.type} is not one single value`, `签名属性 ${attribute.type} 不是唯一的单个值`)
    byType.set(attribute.type, attribute.values[0])
  }
  if (byType.has(cmsOids.signingTime)) return failed('signing-time-attribute', 'the signature carries a signing-time attribute, which a PAdES baseline signature leaves out', '签名含有 signing-time 属性，PAdES 基础签名不应包含')
  const contentType = byType.get(cmsOids.contentType)
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== cmsOids.data) {
    return failed('signed-attributes', 'the signed content type is not id-data', '签名的内容类型不是 id-data')
  }
  const digest = byType.get(cmsOids.messageDigest)
  if (!(digest instanceof asn1js.OctetString) || !equal(digest.valueBlock.valueHexView, sha256(...content))) {
    return failed('digest-mismatch', 'the signature does not match the content: the signed bytes were changed', '签名与内容不符：已签名的字节被改动')
  }
  const certificateDer = new Uint8Array(certificate.toSchema().toBER(false))
  const binding = checkSigningCertificateV2(byType.get(cmsOids.signingCertificateV2), certificate, certificateDer)
  if (binding !== undefined) return binding
  let key: KeyObject
  try {
    key = createPublicKey({ key: Buffer.from(certificate.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' })
  } catch {
    return failed('unsupported-algorithm', 'the signer certificate\'s public key cannot be read', '无法读取签名者证书的公钥')
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return failed('unsupported-algorithm', 'the signer certificate\'s key is not an ECDSA P-256 key', '签名者证书的公钥不是 ECDSA P-256 密钥')
  const signature = signer.signature.valueBlock.valueHexView
  let verified: boolean
  try {
    verified = verify('sha256', new Uint8Array(signer.signedAttrs.encodedValue), { key, dsaEncoding: 'der' }, signature)
  } catch {
    verified = false
  }
  if (!verified) return failed('bad-signature', 'the signature does not verify with the key of the signer\'s certificate', '签名无法用签名者证书的公钥验证')
  return { ok: true, signerCertificate: certificateDer, signerPublicJwk: key.export({ format: 'jwk' }) }
}

function certificateOf (signedData: pkijs.SignedData, sid: pkijs.IssuerAndSerialNumber): pkijs.Certificate | undefined {
  const matching = (signedData.certificates ?? []).filter((candidate): candidate is pkijs.Certificate =>
    candidate instanceof pkijs.Certificate && candidate.issuer.isEqual(sid.issuer) && equal(candidate.serialNumber.valueBlock.valueHexView, sid.serialNumber.valueBlock.valueHexView))
  return matching.length === 1 ? matching[0] : undefined
}

/**
 * RFC 5035: the first ESSCertIDv2 names the signer's certificate by its hash (SHA-256 when no algorithm is
 * given) and, optionally, its issuer and serial number.
 */
function checkSigningCertificateV2 (value: asn1js.AsnType | undefined, certificate: pkijs.Certificate, certificateDer: Uint8Array): PdfCmsCheck | undefined {
  const missing = failed('certificate-binding', 'the signature does not bind its certificate (no ESS signing-certificate-v2 attribute)', '签名未绑定签名证书（缺少 ESS signing-certificate-v2 属性）')
  const mismatch = failed('certificate-binding', 'the certificate named in the signature is not the signer\'s certificate', '签名所指明的证书不是签名者的证书')
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined
  const certId = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined
  if (!(certId instanceof asn1js.Sequence)) return missing
  const fields = [...certId.valueBlock.value]
  if (fields[0] instanceof asn1js.Sequence) {
    const algorithm = new pkijs.AlgorithmIdentifier({ schema: fields.shift() })
    if (algorithm.algorithmId !== cmsOids.sha256) return failed('certificate-binding', 'the certificate is bound by a hash other than SHA-256', '签名证书的绑定未使用 SHA-256')
  }
  const hash = fields[0]
  if (!(hash instanceof asn1js.OctetString) || !equal(hash.valueBlock.valueHexView, sha256(certificateDer))) return mismatch
  if (fields[1] !== undefined) {
    const issuerSerial = new pkijs.IssuerSerial({ schema: fields[1] })
    const issuer = issuerSerial.issuer.names[0]
    if (!equal(issuerSerial.serialNumber.valueBlock.valueHexView, certificate.serialNumber.valueBlock.valueHexView) ||
      issuer?.type !== 4 || !certificate.issuer.isEqual(issuer.value)) return mismatch
  }
  return undefined
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}
