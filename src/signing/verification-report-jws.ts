// The signed token of a verification report (核验报告): its number, committee, time, counts and the digest of every verdict.
import { CompactSign } from 'jose'
import type { SigningKey } from './signing-keys.js'

/** Never taken for a certificate or a revocation list: verifyCertificateSignature is asked for this typ. */
export const verificationReportJwsType = 'cevr+jws'

export interface VerificationReportPayload {
  /** The report's number, e.g. HY2026000001. */
  num: string
  /** The committee (or authority) that verified. */
  iss: string
  iid: number
  /** When the verification was made (seconds). */
  iat: number
  /** Rows per verdict. */
  sum: Record<string, number>
  /** SHA-256 (base64url) of the report's rows as stored: any change to a verdict breaks it. */
  dig: string
}

/** Signs a verification report's payload as a compact JWS. */
export async function signVerificationReport (key: SigningKey, payload: VerificationReportPayload): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: verificationReportJwsType })
    .sign(key.privateKey)
}
