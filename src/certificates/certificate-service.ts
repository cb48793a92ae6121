// Issuing, looking up and revoking certificates: the transactions and the views the API returns.
import { timingSafeEqual } from 'node:crypto'
import type { Kysely, Transaction } from 'kysely'
import { ServiceError } from '../errors.js'
import type { CertificateRow, Database, NewCertificate } from '../db/schema.js'
import type { Actor } from '../actors/actor.js'
import { mayRead, mayRevoke } from '../issuers/issuer-scope.js'
import { findRegion } from '../regions/region-table.js'
import type { SigningKeyRing } from '../signing/signing-keys.js'
import { signCertificatePayload, type CertificatePayload } from '../signing/certificate-jws.js'
import { formatCertificateNumber, maxSequence, parseCertificateNumber } from './certificate-number.js'
import { ruleSets, isRuleSetId } from './hour-rules.js'
import { normaliseName } from '../text/names.js'
import { holderIdHmac, planIssuance, type IssuancePlan, type IssueCertificateRequest } from './issuance-request.js'
import { diagnoseEnteredIdNumber } from './entered-id-number.js'
import { maskName } from './masking.js'
import type { PrintableCharacters } from '../documents/index.js'
import * as certificates from './certificate-repository.js'
import type { HeldCertificate, PublicCertificateRow } from './certificate-repository.js'
import { countRevocation } from './revocation-repository.js'
import { issuerAuditActor, recordAudit, recordAuditEvents } from '../audit/audit-repository.js'
import { createGroupingQueue, type Outcome } from '../db/grouping-queue.js'
import { nameCheckBudget, type NameCheckService } from './name-checks.js'
import { waitWords } from './wait-words.js'
import { chinaYear } from '../text/china-time.js'

export interface CertificateHours { public: number, professional: number, elective: number, selfStudy: number, total: number }

/** What an issuer gets back (schemas/certificate-issued.json). */
export interface IssuedCertificate {
  number: string
  status: 'valid'
  year: number
  regionCode: string
  regionName: string
  ruleSet: string
  hours: CertificateHours
  issuedAt: string
  kid: string
  jws: string
  links: { self: string, pdf: string, verify: string }
}

/** What anyone may see (schemas/public-certificate.json): masked name, never an ID number. */
export interface PublicCertificate {
  number: string
  status: 'valid' | 'revoked'
  holder: { maskedName: string }
  year: number
  region: { code: string, name: string }
  issuer: { name: string }
  issuedAt: string
  hours: CertificateHours
  ruleSet: { id: string, name: string }
  revokedAt?: string
  nameMatches?: boolean
}

export interface CertificateServiceDeps {
  db: Kysely<Database>
  keys: SigningKeyRing
  holderIdSecret: Buffer
  clock: () => Date
  publicBaseUrl: string
  nameChecks: NameCheckService
  /** What the certificate fonts can print (documents/printable-text.ts). */
  printable: PrintableCharacters
}

export type CertificateService = ReturnType<typeof createCertificateService>

/** Work to do inside an operation's transaction just before it commits (e.g. recording an idempotent response). */
export type BeforeCommit<T> = (trx: Transaction<Database>, result: T) => Promise<void>

/** A planned certificate and who asked for it. */
export interface IssuanceOrder { actor: Actor, plan: IssuancePlan }

/** A single issuance waiting for its group commit. */
interface PendingIssuance extends IssuanceOrder { beforeCommit?: BeforeCommit<IssuedCertificate> }

/**
 * Single issuances in flight at once, and the most one transaction takes. Under load, the requests
 * that arrive meanwhile share the next transaction: one number allocation, insert and commit for
 * all of them instead of one each, and a hot county's sequence row is locked once per group.
 */
const issuingConcurrency = 2
const maxIssuingGroup = 200
/** Public lookups in flight at once, each one query for every number asked meanwhile. */
const lookupConcurrency = 4
const maxLookupGroup = 500

const maxRevocationReasonLength = 500

const isUniqueViolation = (error: unknown) => (error as { code?: string } | null)?.code === '23505'

function hoursOf (row: Pick<CertificateRow, 'hours_public' | 'hours_professional' | 'hours_elective' | 'hours_self_study' | 'hours_total'>): CertificateHours {
  return { public: row.hours_public, professional: row.hours_professional, elective: row.hours_elective, selfStudy: row.hours_self_study, total: row.hours_total }
}

function certificateNotFound (number: string): ServiceError {
  return new ServiceError('CERTIFICATE_NOT_FOUND', { en: `No certificate has the number ${number}.`, zh: `未找到编号为 ${number} 的证书。` })
}

/**
 * CERTIFICATE_EXISTS as `actor` may be told it: the existing certificate's number only when the actor
 * may read that certificate; otherwise only that the holder has a valid one for the year.
 */
export function certificateExists (actor: Actor, year: number, held: HeldCertificate | undefined): ServiceError {
  if (held !== undefined && mayRead(actor, { region_code: held.number.slice(0, 6), issuer_id: held.issuerId })) {
    return new ServiceError('CERTIFICATE_EXISTS', {
      en: `The holder already has valid certificate ${held.number} for ${year}; revoke it first to issue a new one.`,
      zh: `该人员 ${year} 年度已有有效证书 ${held.number}，须先撤销该证书才能重新颁发。`,
    }, { existingNumber: held.number })
  }
  return new ServiceError('CERTIFICATE_EXISTS', {
    en: `The holder already has a valid certificate for ${year}, issued outside the records this account may read; one holder has one certificate a year.`,
    zh: `该人员 ${year} 年度已有有效证书（由本账户管辖范围以外的机构颁发），每人每年度只能有一份有效证书。`,
  })
}

export function createCertificateService ({ db, keys, holderIdSecret, clock, publicBaseUrl, nameChecks, printable }: CertificateServiceDeps) {
  const currentYear = () => chinaYear(clock())

  /**
   * Numbers, signs and stores planned certificates inside `trx`: one contiguous range per
   * (county, year), all taken in one statement in a fixed order so concurrent transactions cannot
   * deadlock. Each order carries its own actor: a group commit stores several requests together.
   */
  async function storeIssuances (trx: Transaction<Database>, orders: readonly IssuanceOrder[], batchId?: number): Promise<IssuedCertificate[]> {
    const groups = new Map<string, number[]>()
    orders.forEach(({ plan }, index) => {
      const key = `${plan.region.code}:${plan.year}`
      // Appended in place: copying the list on every row made a 10,000-row batch for one county quadratic (~0.2 s).
      const group = groups.get(key)
      if (group === undefined) groups.set(key, [index])
      else group.push(index)
    })
    const ranges = [...groups.keys()].sort().map(key => {
      const indexes = groups.get(key)!
      const { region, year } = orders[indexes[0]!]!.plan
      return { region, year, indexes }
    })
    const firsts = await certificates.allocateNumberRanges(trx, ranges.map(r => ({ regionCode: r.region.code, year: r.year, count: r.indexes.length })))
    const numbers = new Array<string>(orders.length)
    ranges.forEach(({ region, year, indexes }, i) => {
      const first = firsts[i]
      if (first === undefined) throw new ServiceError('NUMBER_RANGE_EXHAUSTED', { en: `${region.fullName} has too few numbers left for ${year} (the last is ${maxSequence}).`, zh: `${region.fullName} ${year} 年度剩余的证书编号不足（最大序号为 ${maxSequence}）。` })
      indexes.forEach((orderIndex, offset) => { numbers[orderIndex] = formatCertificateNumber(region.code, year, first + offset) })
    })

    // Whole seconds, so the stored time and the signed `iat` are the same instant.
    const issuedAt = new Date(Math.floor(clock().getTime() / 1000) * 1000)
    const key = keys.current(issuedAt)
    const payloads = orders.map(({ actor, plan }, index): CertificatePayload => {
      const c = plan.evaluation.credited
      return {
        v: 1,
        num: numbers[index]!,
        nam: plan.holderName,
        yr: plan.year,
        hrs: { pub: c.public, pro: c.professional, ele: c.elective, ...(c.selfStudy > 0 ? { slf: c.selfStudy } : {}), tot: c.total },
        rs: plan.ruleSet.id,
        reg: plan.region.code,
        isi: actor.issuerId,
        iss: actor.name,
        emp: plan.employerName,
        iat: issuedAt.getTime() / 1000,
      }
    })
    // All at once: WebCrypto signs on libuv's thread pool, several at a time, instead of one per round trip to it.
    const tokens = await Promise.all(payloads.map(payload => signCertificatePayload(key, payload)))
    const rows: NewCertificate[] = []
    const issued: IssuedCertificate[] = []
    for (const [index, { actor, plan }] of orders.entries()) {
      const number = numbers[index]!
      const c = plan.evaluation.credited
      const jws = tokens[index]!
      rows.push({
        number,
        region_code: plan.region.code,
        year: plan.year,
        sequence: Number(number.slice(8)),
        holder_name: plan.holderName,
        holder_id_hmac: plan.holderIdHmac,
        employer_name: plan.employerName,
        series: plan.series,
        rule_set: plan.ruleSet.id,
        hours_public: c.public,
        hours_professional: c.professional,
        hours_elective: c.elective,
        hours_self_study: c.selfStudy,
        hours_total: c.total,
        declared_hours: JSON.stringify(plan.declared),
        issuer_id: actor.issuerId,
        batch_id: batchId ?? null,
        issued_at: issuedAt,
        kid: key.kid,
        jws,
      })
      issued.push({
        number,
        status: 'valid',
        year: plan.year,
        regionCode: plan.region.code,
        regionName: plan.region.fullName,
        ruleSet: plan.ruleSet.id,
        hours: { public: c.public, professional: c.professional, elective: c.elective, selfStudy: c.selfStudy, total: c.total },
        issuedAt: issuedAt.toISOString(),
        kid: key.kid,
        jws,
        links: { self: `/v1/certificates/${number}`, pdf: `/v1/certificates/${number}/pdf`, verify: `${publicBaseUrl}/v/${number}` },
      })
    }
    await certificates.insertCertificates(trx, rows)
    await recordAuditEvents(trx, issuedAt, rows.map((row, index) => ({
      by: issuerAuditActor(orders[index]!.actor),
      action: 'certificate.issued', subject: row.number, regionCode: row.region_code, before: null, after: 'valid', ...(batchId === undefined ? {} : { details: { batchId } }),
    })))
    return issued
  }

  async function heldCertificate (hmac: string, year: number): Promise<HeldCertificate | undefined> {
    return (await certificates.findHeldCertificates(db, [{ hmac, year }])).get(certificates.heldKey(hmac, year))
  }

  /**
   * Issues a group of single requests in one transaction. Holders who already have a certificate
   * are refused first (one query for the group). If the transaction fails, no member's failure may
   * fail the others: each then runs again alone, and gets its own result or error.
   */
  async function issueGroup (group: PendingIssuance[]): Promise<Array<Outcome<IssuedCertificate>>> {
    const outcomes = new Array<Outcome<IssuedCertificate>>(group.length)
    const held = await certificates.findHeldCertificates(db, group.map(({ plan }) => ({ hmac: plan.holderIdHmac, year: plan.year })))
    const todo: number[] = []
    group.forEach(({ actor, plan }, i) => {
      const existing = held.get(certificates.heldKey(plan.holderIdHmac, plan.year))
      if (existing === undefined) todo.push(i)
      else outcomes[i] = { error: certificateExists(actor, plan.year, existing) }
    })
    if (todo.length === 0) return outcomes
    try {
      const issued = await db.transaction().execute(async trx => {
        const issued = await storeIssuances(trx, todo.map(i => group[i]!))
        for (const [k, i] of todo.entries()) await group[i]!.beforeCommit?.(trx, issued[k]!)
        return issued
      })
      todo.forEach((i, k) => { outcomes[i] = { value: issued[k]! } })
    } catch (error) {
      if (todo.length === 1) {
        const { actor, plan } = group[todo[0]!]!
        // Two requests for one holder raced: the unique index refused this one, and its number went back.
        outcomes[todo[0]!] = { error: isUniqueViolation(error) ? certificateExists(actor, plan.year, await heldCertificate(plan.holderIdHmac, plan.year)) : error }
      } else {
        const alone = await Promise.all(todo.map(i => issueGroup([group[i]!])))
        todo.forEach((i, k) => { outcomes[i] = alone[k]![0]! })
      }
    }
    return outcomes
  }

  const issuing = createGroupingQueue({ concurrency: issuingConcurrency, maxGroupSize: maxIssuingGroup, run: issueGroup })

  /** Lookups in flight at once share one query: under load, a round trip per group instead of per lookup. */
  const lookups = createGroupingQueue<string, PublicCertificateRow | undefined>({
    concurrency: lookupConcurrency,
    maxGroupSize: maxLookupGroup,
    run: async numbers => {
      const found = new Map((await certificates.findCertificatesByNumbers(db, numbers)).map(row => [row.number, row]))
      return numbers.map(number => ({ value: found.get(number) }))
    },
  })

  function publicView (number: string, row: PublicCertificateRow | undefined): PublicCertificate {
    if (row === undefined) throw certificateNotFound(number)
    return {
      number: row.number,
      status: row.status,
      holder: { maskedName: maskName(row.holder_name) },
      year: row.year,
      region: { code: row.region_code, name: findRegion(row.region_code)?.fullName ?? '' },
      issuer: { name: row.issuer_name },
      issuedAt: row.issued_at.toISOString(),
      hours: hoursOf(row),
      ruleSet: { id: row.rule_set, name: isRuleSetId(row.rule_set) ? ruleSets[row.rule_set].name : row.rule_set },
      ...(row.revoked_at === null ? {} : { revokedAt: row.revoked_at.toISOString() }),
    }
  }

  const nameCheckLimited = (number: string, seconds: number) => {
    const wait = waitWords(seconds)
    return new ServiceError('NAME_CHECK_LIMITED', {
      en: `Certificate ${number} has been checked against ${nameCheckBudget.failuresPerCertificate} wrong names in the last 24 hours: no name is checked against it for ${wait.en}. Its status is still shown without a name.`,
      zh: `证书 ${number} 在 24 小时内已被核对错误姓名 ${nameCheckBudget.failuresPerCertificate} 次，${wait.zh}内不再核对该证书的姓名；不填姓名仍可查询证书状态。`,
    }, { retryAfterSeconds: seconds })
  }


  return {
    storeIssuances,

    /** Checks, numbers, signs and stores one certificate, in one transaction (shared with the requests issued alongside it). */
    async issueCertificate (actor: Actor, request: IssueCertificateRequest, beforeCommit?: BeforeCommit<IssuedCertificate>): Promise<IssuedCertificate> {
      const plan = planIssuance(actor, request, { now: clock(), holderIdSecret, printable })
      return issuing.submit({ actor, plan, beforeCommit })
    },

    /**
     * The public view of a certificate; with `name`, whether it is the holder's name, within the
     * certificate's name-check budget (429 NAME_CHECK_LIMITED once it is spent).
     */
    async lookupCertificate (number: string, name?: string): Promise<PublicCertificate> {
      parseCertificateNumber(number, currentYear())
      const row = await lookups.submit(number)
      const view = publicView(number, row)
      if (name === undefined || row === undefined) return view
      const [outcome] = (await nameChecks.checkNames([{ number, given: name, holderName: row.holder_name }])).outcomes
      if (outcome?.checked !== true) throw nameCheckLimited(number, outcome?.retryAfterSeconds ?? 1)
      return { ...view, nameMatches: outcome.matches }
    },

    /**
     * The full record, for its holder: the name and the ID number (by its keyed hash) must both be the holder's.
     * A wrong pair counts against the certificate's one name-check budget, like a wrong name at GET ?name=;
     * once it is spent, nothing is compared until the wait is over (NAME_CHECK_LIMITED). Only a valid certificate is given.
     */
    async readCertificateForHolder (number: string, name: string, idNumber: string): Promise<CertificateRow> {
      parseCertificateNumber(number, currentYear())
      const problem = diagnoseEnteredIdNumber(idNumber, { today: clock() })
      if (problem !== null) throw new ServiceError('INVALID_ID_NUMBER', { en: `The resident ID number is not valid: ${problem.reason}.`, zh: `公民身份号码无效：${problem.reasonZh}` })
      const row = await certificates.findCertificate(db, number)
      if (row === undefined) throw certificateNotFound(number)
      const idMatches = timingSafeEqual(Buffer.from(holderIdHmac(holderIdSecret, idNumber), 'hex'), Buffer.from(row.holder_id_hmac, 'hex'))
      const [outcome] = (await nameChecks.checkNames([{ number, given: name, holderName: row.holder_name, otherProofMatches: idMatches }])).outcomes
      if (outcome?.checked !== true) throw nameCheckLimited(number, outcome?.retryAfterSeconds ?? 1)
      if (!outcome.matches) throw new ServiceError('HOLDER_NOT_MATCHED')
      if (row.status !== 'valid') throw new ServiceError('CERTIFICATE_ALREADY_REVOKED', { en: `Certificate ${number} is revoked: it cannot be downloaded.`, zh: `证书 ${number} 已被撤销，不能下载。` })
      return row
    },

    /** The full record, for issuers whose scope covers it. */
    async readCertificate (actor: Actor, number: string) {
      parseCertificateNumber(number, currentYear())
      const row = await certificates.findCertificate(db, number)
      if (row === undefined) throw certificateNotFound(number)
      if (!mayRead(actor, row)) throw new ServiceError('OUT_OF_SCOPE', { en: `Certificate ${number} is outside the records ${actor.name} may read.`, zh: `证书 ${number} 超出${actor.name}的管辖范围，无权查看。` })
      return row
    },

    /** Revokes a certificate in the actor's scope; the holder may then be issued a new one for that year. */
    async revokeCertificate (actor: Actor, number: string, reason: string, beforeCommit?: BeforeCommit<PublicCertificate>): Promise<PublicCertificate> {
      parseCertificateNumber(number, currentYear())
      const why = reason.trim() === '' ? '' : normaliseName(reason, 'reason', maxRevocationReasonLength)
      if (why === '') throw new ServiceError('VALIDATION_FAILED', { en: 'A revocation needs a reason.', zh: '撤销证书须填写撤销原因。' }, [{ field: 'reason', reason: 'required' }])
      return db.transaction().execute(async trx => {
        const row = await certificates.lockCertificate(trx, number)
        if (row === undefined) throw certificateNotFound(number)
        if (actor.kind === 'verifier') throw new ServiceError('FORBIDDEN_ROLE', { en: 'A verifier account cannot revoke certificates.', zh: '核验账户不能撤销证书。' })
        if (!mayRevoke(actor, row)) throw new ServiceError('OUT_OF_SCOPE', { en: `Certificate ${number} is outside what ${actor.name} may revoke.`, zh: `证书 ${number} 超出${actor.name}的管辖范围，无权撤销。` })
        if (row.status === 'revoked') throw new ServiceError('CERTIFICATE_ALREADY_REVOKED', { en: `Certificate ${number} is already revoked.`, zh: `证书 ${number} 已被撤销。` })
        await certificates.markRevoked(trx, number, actor.issuerId, why, clock())
        await countRevocation(trx, row.kid)
        await recordAudit(trx, issuerAuditActor(actor), clock(), [{ action: 'certificate.revoked', subject: number, regionCode: row.region_code, before: row.status, after: 'revoked', details: { reason: why } }])
        const revoked = publicView(number, (await certificates.findCertificatesByNumbers(trx, [number]))[0])
        await beforeCommit?.(trx, revoked)
        return revoked
      })
    },
  }
}
