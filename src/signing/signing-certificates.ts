// X.509 certificates for the signing keys: the service's root CA in KEYS_DIR and the certificate it issues each key.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto'
import { link, readFile, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import * as asn1js from 'asn1js'
import * as pkijs from 'pkijs'
import type { SigningAlgorithm } from '../config.js'
import { signatureAlgorithmOids, signDeterministically } from './deterministic-signatures.js'

/** The service's own certificate authority: it certifies every key the service generates. */
export interface RootCertificateAuthority {
  readonly privateJwk: JsonWebKey
  readonly certificate: Uint8Array
}

/** What a signing key's certificate is issued for. */
export interface CertifiedKey {
  readonly kid: string
  readonly alg: SigningAlgorithm
  readonly publicJwk: JsonWebKey
  readonly created: Date
}

const rootCommonName = '专业技术人员继续教育证书服务 根证书'
const signingKeyCommonName = '专业技术人员继续教育证书服务 签名密钥'
/** The root's private key with its certificate (mode 0600), and the certificate alone, for trust stores. */
export const rootKeyFile = 'root-ca-key.pem'
export const rootCertificateFile = 'root-ca.pem'
const validityYears = 30
/** Certificates start this long before their key, so that instances whose clocks run a little behind accept them. */
const backdatingMs = 3_600_000

const oids = {
  commonName: '2.5.4.3',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
}

/**
 * The root CA in `dir`, created on first use: an ECDSA P-256 key and a self-signed certificate valid for
 * 30 years from an hour before `validFrom` (the oldest key it is to certify, or now), stored together in
 * root-ca-key.pem (mode 0600) and the certificate again in root-ca.pem. Instances starting together
 * agree on one root: the first file linked into place wins.
 */
export async function loadRootCertificateAuthority (dir: string, validFrom: Date): Promise<RootCertificateAuthority> {
  const keyFile = path.join(dir, rootKeyFile)
  let bundle = await readFile(keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (bundle === undefined) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const { certificate } = createRootCertificateAuthority(privateKey.export({ format: 'jwk' }), validFrom)
    await writeFileOnce(keyFile, `${privateKey.export({ format: 'pem', type: 'pkcs8' }) as string}${certificatesToPem([certificate])}`, 0o600)
    bundle = await readFile(keyFile, 'utf8')
  }
  const keyPem = /-----BEGIN PRIVATE KEY-----[A-Za-z0-9+/=\r\n]+-----END PRIVATE KEY-----/.exec(bundle)?.[0]
  const [certificate] = certificatesFromPem(bundle)
  if (keyPem === undefined || certificate === undefined) throw new Error(`${keyFile} holds no private key and certificate`)
  await writeFileOnce(path.join(dir, rootCertificateFile), certificatesToPem([certificate]), 0o644)
  return { privateJwk: createPrivateKey(keyPem).export({ format: 'jwk' }), certificate }
}

/**
 * The root CA of a P-256 private key: its self-signed certificate, valid for 30 years from an hour before
 * `validFrom`. Deterministic: the same key and time give the same certificate.
 */
export function createRootCertificateAuthority (privateJwk: JsonWebKey, validFrom: Date): RootCertificateAuthority {
  const certificate = issueCertificate({
    serial: serialOf(`root:${privateJwk.x}:${privateJwk.y}`),
    subject: rootCommonName,
    issuer: { commonName: rootCommonName, privateJwk, publicJwk: privateJwk },
    publicJwk: privateJwk,
    notBefore: new Date(validFrom.getTime() - backdatingMs),
    authority: true,
  })
  return { privateJwk, certificate }
}

/**
 * Issues the end-entity certificate of a signing key: digitalSignature and nonRepudiation, valid from an
 * hour before the key was created for 30 years, serial derived from the kid. Signed deterministically, so
 * the same root and key always give the same certificate.
 */
function issueSigningCertificate (root: RootCertificateAuthority, key: CertifiedKey): Uint8Array {
  const rootCertificate = pkijs.Certificate.fromBER(new Uint8Array(root.certificate))
  return issueCertificate({
    serial: serialOf(`signing-key:${key.kid}`),
    subject: `${signingKeyCommonName} ${key.kid}`,
    issuer: { name: rootCertificate.subject, privateJwk: root.privateJwk, publicJwk: publicJwkOf(rootCertificate) },
    publicJwk: key.publicJwk,
    notBefore: new Date(key.created.getTime() - backdatingMs),
    authority: false,
  })
}

/**
 * The certificate chain of a key, stored beside its key file as `<name>.pem` (leaf first); issued by the
 * root CA (`root`, called only then) for a key that has none yet, such as a key made before certificates.
 */
export async function loadCertificateChain (dir: string, keyFileName: string, key: CertifiedKey, root: () => Promise<RootCertificateAuthority>): Promise<Uint8Array[]> {
  const file = path.join(dir, chainFileName(keyFileName))
  const stored = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined
    throw error
  })
  if (stored !== undefined) return certificatesFromPem(stored)
  const authority = await root()
  await writeFileOnce(file, certificatesToPem([issueSigningCertificate(authority, key), authority.certificate]), 0o644)
  return certificatesFromPem(await readFile(file, 'utf8'))
}

/** The name of the chain file beside a key file. */
export function chainFileName (keyFileName: string): string {
  return keyFileName.replace(/\.json$/, '.pem')
}

/** DER certificates as concatenated PEM blocks. */
export function certificatesToPem (certificates: readonly Uint8Array[]): string {
  return certificates.map(der => {
    const lines = Buffer.from(der).toString('base64').match(/.{1,64}/g) ?? []
    return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`
  }).join('')
}

/** The DER certificates of PEM text, in order; anything between the blocks is ignored. */
export function certificatesFromPem (pem: string): Uint8Array[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\r\n]+)-----END CERTIFICATE-----/g)]
    .map(match => new Uint8Array(Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64')))
}

/** Thrown when a certificate chain offered for a key cannot be used; the message says which certificate and why. */
export class SigningCertificateError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SigningCertificateError'
  }
}

const maxChainLength = 8

/**
 * Checks a certificate chain offered for a private key, leaf first: every certificate readable, the leaf's
 * public key the private key's, the leaf valid at `now` and usable for signatures, and each certificate
 * issued (name and signature) by the next. Throws SigningCertificateError otherwise.
 */
export async function checkCertificateChain (privateJwk: JsonWebKey, chain: readonly Uint8Array[], now: Date): Promise<void> {
  if (chain.length === 0) throw new SigningCertificateError('the chain holds no certificate')
  if (chain.length > maxChainLength) throw new SigningCertificateError(`the chain holds ${chain.length} certificates; at most ${maxChainLength} are accepted`)
  const certificates = chain.map((der, index) => {
    try {
      return pkijs.Certificate.fromBER(new Uint8Array(der))
    } catch {
      throw new SigningCertificateError(`certificate ${index + 1} of the chain is not a readable X.509 certificate`)
    }
  })
  const leaf = certificates[0]!
  const leafJwk = publicJwkOf(leaf)
  if (leafJwk.kty !== privateJwk.kty || leafJwk.crv !== privateJwk.crv || leafJwk.x !== privateJwk.x || leafJwk.y !== privateJwk.y) {
    throw new SigningCertificateError('the first certificate of the chain is not for this private key: its public key differs')
  }
  if (leaf.notBefore.value > now || leaf.notAfter.value <= now) {
    throw new SigningCertificateError(`the first certificate is valid from ${leaf.notBefore.value.toISOString()} to ${leaf.notAfter.value.toISOString()}, not now (${now.toISOString()})`)
  }
  const keyUsage = leaf.extensions?.find(e => e.extnID === oids.keyUsage)?.parsedValue as asn1js.BitString | undefined
  const usageBits = keyUsage?.valueBlock.valueHexView[0] ?? 0xc0
  if ((usageBits & 0xc0) === 0) throw new SigningCertificateError('the first certificate does not allow digital signatures (key usage digitalSignature or nonRepudiation)')
  for (let index = 0; index + 1 < certificates.length; index++) {
    const [subject, issuer] = [certificates[index]!, certificates[index + 1]!]
    if (!subject.issuer.isEqual(issuer.subject)) {
      throw new SigningCertificateError(`certificate ${index + 1} was not issued by certificate ${index + 2} (the names differ): give the chain leaf first`)
    }
    const verified = await subject.verify(issuer).catch(() => false)
    if (!verified) throw new SigningCertificateError(`the signature of certificate ${index + 1} does not verify with the key of certificate ${index + 2}`)
  }
}

/** The public key of a certificate as a JWK. */
function publicJwkOf (certificate: pkijs.Certificate): JsonWebKey {
  const spki = certificate.subjectPublicKeyInfo.toSchema().toBER(false)
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }).export({ format: 'jwk' })
}

interface CertificateRequest {
  serial: Uint8Array
  subject: string
  issuer: { privateJwk: JsonWebKey, publicJwk: JsonWebKey } & ({ commonName: string } | { name: pkijs.RelativeDistinguishedNames })
  publicJwk: JsonWebKey
  notBefore: Date
  authority: boolean
}

function issueCertificate (request: CertificateRequest): Uint8Array {
  const notBefore = new Date(Math.floor(request.notBefore.getTime() / 1000) * 1000)
  const notAfter = new Date(notBefore)
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + validityYears)
  const publicKeyInfo = publicKeyInfoOf(request.publicJwk)
  const algorithm = () => new pkijs.AlgorithmIdentifier({ algorithmId: signatureAlgorithmOids.ES256 })
  const certificate = new pkijs.Certificate({
    version: 2,
    serialNumber: new asn1js.Integer({ valueHex: request.serial }),
    signature: algorithm(),
    issuer: 'name' in request.issuer ? request.issuer.name : nameOf(request.issuer.commonName),
    notBefore: timeOf(notBefore),
    notAfter: timeOf(notAfter),
    subject: nameOf(request.subject),
    subjectPublicKeyInfo: publicKeyInfo,
    extensions: [
      extension(oids.basicConstraints, true, new pkijs.BasicConstraints({ cA: request.authority }).toSchema()),
      // digitalSignature and nonRepudiation (bits 0, 1), or keyCertSign and cRLSign (bits 5, 6).
      extension(oids.keyUsage, true, request.authority
        ? new asn1js.BitString({ unusedBits: 1, valueHex: new Uint8Array([0x06]) })
        : new asn1js.BitString({ unusedBits: 6, valueHex: new Uint8Array([0xc0]) })),
      extension(oids.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyIdentifierOf(request.publicJwk) })),
      extension(oids.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({
        keyIdentifier: new asn1js.OctetString({ valueHex: keyIdentifierOf(request.issuer.publicJwk) }),
      }).toSchema()),
    ],
    signatureAlgorithm: algorithm(),
  })
  const tbs = new Uint8Array(certificate.encodeTBS().toBER(false))
  certificate.signatureValue = new asn1js.BitString({ valueHex: signDeterministically('ES256', request.issuer.privateJwk, tbs) })
  return new Uint8Array(certificate.toSchema(true).toBER(false))
}

function nameOf (commonName: string): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: oids.commonName, value: new asn1js.Utf8String({ value: commonName }) })],
  })
}

/** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5). */
function timeOf (date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? pkijs.TimeType.UTCTime : pkijs.TimeType.GeneralizedTime, value: date })
}

function extension (extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) })
}

function publicKeyInfoOf (jwk: JsonWebKey): pkijs.PublicKeyInfo {
  const { d: _private, ...publicJwk } = jwk
  const spki = createPublicKey({ key: publicJwk, format: 'jwk' }).export({ type: 'spki', format: 'der' })
  return pkijs.PublicKeyInfo.fromBER(spki)
}

/** RFC 7093 §2 method 1: the leftmost 160 bits of the SHA-256 of the subjectPublicKey bits. */
function keyIdentifierOf (jwk: JsonWebKey): Uint8Array {
  const bits = publicKeyInfoOf(jwk).subjectPublicKey.valueBlock.valueHexView
  return new Uint8Array(createHash('sha256').update(bits).digest().subarray(0, 20))
}

/** A positive 16-byte serial from `seed`: the top bit cleared so it needs no sign byte, the next set so it keeps 16 bytes. */
function serialOf (seed: string): Uint8Array {
  const serial = new Uint8Array(createHash('sha256').update(seed).digest().subarray(0, 16))
  serial[0] = (serial[0]! & 0x7f) | 0x40
  return serial
}

/** Writes `content` to `file` unless it exists; linking a finished file makes it race-safe across processes. */
async function writeFileOnce (file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, content, { mode })
  try {
    await link(temporary, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  } finally {
    await unlink(temporary)
  }
}
