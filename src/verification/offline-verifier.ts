// The offline verifier: the same pipeline with nothing but a saved JWKS and signed revocation lists — no database, no network.
import { importJwks } from '../signing/jwks-keys.js'
import { verifyRevocationList, type SignedRevocationList } from '../signing/revocation-list-jws.js'
import type { CertificateRegistry } from './certificate-registry.js'
import type { PdfReader, Presentation } from './presented-token.js'
import { verifyPresentation } from './verification-pipeline.js'
import type { VerificationReport } from './verification-report.js'
import { chinaDateTime } from '../text/china-time.js'

export interface OfflineVerifierOptions {
  /** The JWKS as saved from `/.well-known/jwks.json` (parsed JSON). */
  jwks: unknown
  /**
   * Signed revocation lists as saved from `/.well-known/crl/<kid>.jws`. Without a current one (none,
   * none for the certificate's key, or one past its `nextUpdate`) the revocation state is unknown.
   */
  revocationLists?: readonly string[]
  /** `false` to verify the signature only, knowingly: the revocation state is then reported as not checked. */
  checkRevocation?: boolean
  /** The service's addresses a QR code may point to; by default the `origins` the saved JWKS names. */
  trustedBaseUrls?: readonly string[]
  /** How to find the token in a PDF; the service's own reader by default. */
  readPdf?: PdfReader
  clock?: () => Date
}

export interface OfflineVerifier {
  verify (presentation: Presentation): Promise<VerificationReport>
  /** The revocation lists in use, one per kid (the newest when several were given). */
  readonly revocationLists: readonly SignedRevocationList[]
}

/** Thrown when the JWKS or a revocation list cannot be trusted or read. */
export class OfflineVerifierError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'OfflineVerifierError'
  }
}

const chinaTime = (seconds: number) => `${chinaDateTime(seconds * 1000, 'minute')} (UTC+8)`

function revocationRegistry (lists: ReadonlyMap<string, SignedRevocationList>, checkRevocation: boolean, clock: () => Date): CertificateRegistry {
  return {
    async lookup (number, kid) {
      if (!checkRevocation) {
        return { kind: 'offline', status: 'unchecked', reason: 'revocation not checked (--no-revocation-check): whether the certificate was revoked is unknown', reasonZh: '未核查撤销状态（--no-revocation-check）：证书是否已被撤销无法确定。' }
      }
      const list = lists.get(kid)
      if (list === undefined) {
        const none = lists.size === 0
        return {
          kind: 'offline',
          status: 'unknown',
          reason: none ? 'unknown: no revocation list was given, so whether the certificate was revoked cannot be told' : `unknown: no revocation list was given for key ${kid}`,
          reasonZh: none ? '未提供撤销列表，无法确定证书是否已被撤销。' : `未提供密钥 ${kid} 的撤销列表，无法确定证书是否已被撤销。`,
        }
      }
      const of = `the revocation list of key ${kid} (ctr ${list.ctr}, signed ${chinaTime(list.iat)})`
      const ofZh = `密钥 ${kid} 的撤销列表（计数 ${list.ctr}，签发于 ${chinaTime(list.iat)}）`
      // A revocation is final: an old list that names the certificate still proves it.
      if (list.rids.includes(number)) return { kind: 'offline', status: 'revoked', reason: `revoked: ${number} is on ${of}`, reasonZh: `已撤销：${number} 列于${ofZh}。` }
      if (clock().getTime() >= list.nextUpdate * 1000) {
        return {
          kind: 'offline',
          status: 'stale',
          reason: `unknown: ${number} is not on ${of}, but that list was to be replaced by ${chinaTime(list.nextUpdate)}; download it again`,
          reasonZh: `无法确定：${number} 不在${ofZh}中，但该列表应于 ${chinaTime(list.nextUpdate)} 前更新，已过期，请重新下载。`,
        }
      }
      return { kind: 'offline', status: 'not-revoked', reason: `valid: ${number} is not on ${of}, current until ${chinaTime(list.nextUpdate)}`, reasonZh: `有效：${number} 不在${ofZh}中，该列表有效期至 ${chinaTime(list.nextUpdate)}。` }
    },
  }
}

/** The `origins` member a JWKS saved from the service carries (RFC 7517 lets a JWK Set have more members). */
function originsOf (jwks: unknown): string[] | undefined {
  const origins = (jwks as { origins?: unknown } | null)?.origins
  return Array.isArray(origins) && origins.every(o => typeof o === 'string') ? origins : undefined
}

/**
 * Builds a verifier from a saved JWKS and signed revocation lists. Each list must verify with the
 * JWKS (signed by a published key within its validity window); otherwise this throws.
 */
export async function createOfflineVerifier (options: OfflineVerifierOptions): Promise<OfflineVerifier> {
  let keys: Awaited<ReturnType<typeof importJwks>>
  try {
    keys = await importJwks(options.jwks)
  } catch (error) {
    throw new OfflineVerifierError(`The JWKS cannot be used: ${error instanceof Error ? error.message : String(error)}.`)
  }
  const findKey = async (kid: string) => keys.get(kid)

  const lists = new Map<string, SignedRevocationList>()
  for (const [index, jws] of (options.revocationLists ?? []).entries()) {
    const result = await verifyRevocationList(jws, findKey)
    if (!result.ok) throw new OfflineVerifierError(`Revocation list ${index + 1} cannot be trusted: ${result.reason}.`)
    const held = lists.get(result.list.kid)
    if (held === undefined || held.ctr < result.list.ctr || (held.ctr === result.list.ctr && held.iat < result.list.iat)) lists.set(result.list.kid, result.list)
  }
  const clock = options.clock ?? (() => new Date())
  const deps = {
    findKey,
    kids: async () => [...keys.keys()],
    registry: revocationRegistry(lists, options.checkRevocation ?? true, clock),
    clock,
    // The PDF machinery (pdf-lib, pkijs) loads only when a PDF is verified: a token needs none of it. The reader itself, not
    // documents/index.js: the renderer and the PDF pool are no part of the offline verifier (nor of its bundle, dist/ce-cert.mjs).
    readPdf: options.readPdf ?? (async pdf => (await import('../documents/pdf-reader.js')).readPdfHere(pdf, [...keys.keys()])),
    trustedBaseUrls: options.trustedBaseUrls ?? originsOf(options.jwks),
  }
  return {
    verify: presentation => verifyPresentation(presentation, deps),
    revocationLists: [...lists.values()],
  }
}
