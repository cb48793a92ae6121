// The offline verifier: the same pipeline with nothing but a saved JWKS and signed revocation lists — no database, no network.
import { importJwks } from '../signing/jwks-keys.js'
import { verifyRevocationList, type SignedRevocationList } from '../signing/revocation-list-jws.js'
import type { CertificateRegistry } from './certificate-registry.js'
import type { PdfTokenReader, Presentation } from './presented-token.js'
import { verifyPresentation } from './verification-pipeline.js'
import type { VerificationReport } from './verification-report.js'

export interface OfflineVerifierOptions {
  /** The JWKS as saved from `/.well-known/jwks.json` (parsed JSON). */
  jwks: unknown
  /** Signed revocation lists as saved from `/.well-known/crl/<kid>.jws`; without any, revocation is not checked. */
  revocationLists?: readonly string[]
  /** How to find the token in a PDF; the service's own reader by default. */
  readPdf?: PdfTokenReader
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

// The PDF machinery (pdf-lib, fonts) loads only when a PDF is verified: a token needs none of it.
const readPdfLazily: PdfTokenReader = async pdf => (await import('../documents/index.js')).readCertificateJws(pdf)

const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z')

function revocationRegistry (lists: ReadonlyMap<string, SignedRevocationList> | undefined): CertificateRegistry {
  return {
    async lookup (payload, kid) {
      if (lists === undefined) {
        return { kind: 'offline', status: 'unchecked', reason: 'revocation not checked: no revocation list was given', reasonZh: '未提供撤销列表，未核查是否已撤销。' }
      }
      const list = lists.get(kid)
      if (list === undefined) {
        return { kind: 'offline', status: 'unknown', reason: `unknown: no revocation list was given for key ${kid}`, reasonZh: `未提供密钥 ${kid} 的撤销列表，无法确定证书状态。` }
      }
      const of = `the revocation list of key ${kid} (ctr ${list.ctr}, signed ${isoTime(list.iat)})`
      const ofZh = `密钥 ${kid} 的撤销列表（计数 ${list.ctr}，签发于 ${isoTime(list.iat)}）`
      if (list.rids.includes(payload.num)) return { kind: 'offline', status: 'revoked', reason: `revoked: ${payload.num} is on ${of}`, reasonZh: `已撤销：${payload.num} 列于${ofZh}。` }
      return { kind: 'offline', status: 'not-revoked', reason: `valid: ${payload.num} is not on ${of}`, reasonZh: `有效：${payload.num} 不在${ofZh}中。` }
    },
  }
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

  let lists: Map<string, SignedRevocationList> | undefined
  if (options.revocationLists !== undefined && options.revocationLists.length > 0) {
    lists = new Map()
    for (const [index, jws] of options.revocationLists.entries()) {
      const result = await verifyRevocationList(jws, findKey)
      if (!result.ok) throw new OfflineVerifierError(`Revocation list ${index + 1} cannot be trusted: ${result.reason}.`)
      const held = lists.get(result.list.kid)
      if (held === undefined || held.ctr < result.list.ctr) lists.set(result.list.kid, result.list)
    }
  }
  const clock = options.clock ?? (() => new Date())
  const deps = { findKey, registry: revocationRegistry(lists), clock, readPdf: options.readPdf ?? readPdfLazily }
  return {
    verify: presentation => verifyPresentation(presentation, deps),
    revocationLists: [...(lists?.values() ?? [])],
  }
}
