// A batch's PDFs as one ZIP: small ones at once, large ones prepared in the background with their progress, then
// downloaded whole (Content-Length, ranges). Rendered on the PDF pool a few at a time; complete, or failed with the reason.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import { PassThrough, Transform, type Readable, type Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Kysely } from 'kysely'
import { ZipFile } from 'yazl'
import type { Database } from '../db/schema.js'
import type { PdfPool } from '../documents/index.js'
import { isServiceError, ServiceError } from '../errors.js'
import type { CertificatePdfService } from '../certificates/certificate-pdf-service.js'
import type { Actor } from '../actors/actor.js'
import { findIssuerSeal } from '../issuers/issuer-repository.js'
import { findBatch } from './batch-repository.js'
import * as archives from './batch-archive-repository.js'

/** Batches up to this size are zipped at once in memory (≤ ~10 MB); larger ones are prepared as an archive. */
export const maxBatchZipInMemory = 200
/** Archives this instance prepares at a time: each keeps the pool's threads busy on its own. */
const maxPreparingArchives = 2
const leaseMs = 60_000
const progressEveryMs = 2_000
const pageSize = 500

/** An archive as its owner sees it (schemas/batch-archive.json). */
export interface ArchiveView {
  batchId: number
  status: 'preparing' | 'ready' | 'failed'
  done: number
  total: number
  /** 0-100, whole: what a page or script shows as progress. */
  percent: number
  bytes?: number
  sha256?: string
  error?: { code: string, message: string, messageZh: string }
  links: { self: string, download: string }
}

export interface BatchArchiveDeps {
  db: Kysely<Database>
  pdfs: CertificatePdfService
  pool: PdfPool
  /** ARCHIVE_DIR: shared by the instances when there are several. */
  directory: string
  clock: () => Date
  /** How many PDFs of one archive are rendered at once: the pool's threads. */
  parallel: number
  log: { warn (details: object, message: string): void }
}

export type BatchArchives = ReturnType<typeof createBatchArchives>

/** A certificate's refusal, saying which certificate it is. */
function inCertificate (number: string, error: unknown): unknown {
  if (!isServiceError(error)) return error
  return new ServiceError(error.code, { en: `Certificate ${number}: ${error.message}`, zh: `证书 ${number}：${error.messageZh}` }, { number, ...(typeof error.details === 'object' && error.details !== null ? error.details : {}) })
}

/** `<number>-<姓名>.pdf`, the name made safe for every file system (no separators, controls or reserved characters). */
export function pdfFileName (number: string, holderName: string): string {
  const safe = holderName.replace(/[\\/:*?"<>|\p{Cc}\p{Cf}]/gu, '_').trim()
  return `${number}-${safe === '' ? '_' : safe}.pdf`
}

const links = (batchId: number) => ({ self: `/v1/batches/${batchId}/archive`, download: `/v1/batches/${batchId}/archive.zip` })

function viewOf (row: NonNullable<Awaited<ReturnType<typeof archives.findArchive>>>): ArchiveView {
  const percent = row.status === 'ready' ? 100 : row.total === 0 ? 0 : Math.floor(row.done * 100 / row.total)
  return {
    batchId: row.batch_id,
    status: row.status,
    done: row.done,
    total: row.total,
    percent,
    ...(row.bytes === null ? {} : { bytes: Number(row.bytes) }),
    ...(row.sha256 === null ? {} : { sha256: row.sha256 }),
    ...(row.error === null ? {} : { error: typeof row.error === 'string' ? JSON.parse(row.error) : row.error }),
    links: links(row.batch_id),
  }
}

export function createBatchArchives ({ db, pdfs, pool, directory, clock, parallel, log }: BatchArchiveDeps) {
  const preparing = new Set<number>()

  /** The batch, for the account that issued it (as GET /v1/batches/{id}). */
  async function batchOf (actor: Actor, batchId: number) {
    const batch = await findBatch(db, batchId)
    if (batch === undefined) throw new ServiceError('BATCH_NOT_FOUND', { en: `No batch has the id ${batchId}.`, zh: `未找到编号为 ${batchId} 的批次。` })
    if (batch.issuer_id !== actor.issuerId) throw new ServiceError('OUT_OF_SCOPE', { en: `Batch ${batchId} was issued by another account.`, zh: `批次 ${batchId} 由其他账户颁发，本账户无权下载。` })
    return batch
  }

  /**
   * Writes the ZIP of a batch's certificates to `output`, in number order, `parallel` PDFs rendered at
   * a time (the next waits for the oldest: back-pressure), each named `<number>-<姓名>.pdf`. Rejects,
   * with the output destroyed, on the first PDF that cannot be rendered: never a ZIP missing one.
   */
  async function writeZip (batch: { id: number, created_at: Date }, output: Writable, onPdf: (done: number) => void, signal?: AbortSignal): Promise<void> {
    // Stops the renders still under way once the ZIP fails or its client leaves.
    const stop = new AbortController()
    const renderSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal])
    const zip = new ZipFile()
    const zipped = zip.outputStream as Readable
    const written = pipeline(zipped, output)
    const seals = new Map<number, Promise<Uint8Array | null>>()
    const pending: Array<Promise<{ pdf: Uint8Array, name: string }>> = []
    let done = 0
    const add = async () => {
      const { pdf, name } = await pending.shift()!
      zip.addBuffer(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength), name, { compress: false, mtime: batch.created_at })
      onPdf(++done)
    }
    try {
      for (let after: string | null = null; ;) {
        const page = await archives.listBatchCertificateRecords(db, batch.id, after, pageSize)
        for (const row of page) {
          if (!seals.has(row.issuer_id)) seals.set(row.issuer_id, findIssuerSeal(db, row.issuer_id))
          const input = pdfs.inputOf(row, await seals.get(row.issuer_id)!)
          const entry = input.then(i => pool.render(i, { client: `archive:${batch.id}`, maxInFlight: parallel, signal: renderSignal }))
            .then(pdf => ({ pdf, name: pdfFileName(row.number, row.holder_name) }), (error: unknown) => { throw inCertificate(row.number, error) })
          // A rejection is taken when its turn comes; meanwhile it must not count as unhandled.
          entry.catch(() => {})
          pending.push(entry)
          if (pending.length >= parallel) await add()
        }
        if (page.length < pageSize) break
        after = page[page.length - 1]!.number
      }
      while (pending.length > 0) await add()
      zip.end()
      await written
    } catch (error) {
      stop.abort()
      zipped.destroy()
      output.destroy()
      await written.catch(() => {})
      throw error
    }
  }

  async function archiveOf (actor: Actor, batchId: number) {
    await batchOf(actor, batchId)
    const row = await archives.findArchive(db, batchId)
    if (row === undefined) throw new ServiceError('ARCHIVE_NOT_FOUND', { en: `No archive of batch ${batchId} was asked for, or it has expired: POST /v1/batches/${batchId}/archive prepares one.`, zh: `第 ${batchId} 批尚未生成压缩包或已过期，请先提交生成请求。` })
    return row
  }

  /** The failure as the archive records it: a refusal's own words, anything else as an internal error. */
  const failureOf = (error: unknown) => isServiceError(error)
    ? { code: error.code, message: error.message, messageZh: error.messageZh }
    : { code: 'INTERNAL_ERROR', message: 'The archive could not be written.', messageZh: '压缩包未能生成。' }

  async function prepare (batch: { id: number, created_at: Date }): Promise<void> {
    await mkdir(directory, { recursive: true, mode: 0o700 })
    const part = path.join(directory, `batch-${batch.id}.zip.part`)
    const hash = createHash('sha256')
    let bytes = 0
    let reported = Date.now()
    const counting = new Transform({ transform (chunk: Buffer, _encoding, next) { hash.update(chunk); bytes += chunk.length; next(null, chunk) } })
    const file = createWriteStream(part, { mode: 0o600 })
    const out = new PassThrough()
    const saved = pipeline(out, counting, file)
    try {
      await writeZip(batch, out, done => {
        if (Date.now() - reported < progressEveryMs) return
        reported = Date.now()
        archives.recordProgress(db, batch.id, done, new Date(clock().getTime() + leaseMs)).catch(() => {})
      })
      await saved
      const sha256 = hash.digest('hex')
      const name = `batch-${batch.id}-${sha256.slice(0, 16)}.zip`
      await rename(part, path.join(directory, name))
      await archives.recordReady(db, batch.id, { name, bytes, sha256 }, clock())
    } catch (error) {
      await saved.catch(() => {})
      await rm(part, { force: true })
      if (!isServiceError(error)) log.warn({ err: error, batch: batch.id }, 'batch archive failed')
      await archives.recordFailure(db, batch.id, failureOf(error), clock())
    }
  }

  return {
    /**
     * The ZIP of a batch of at most `maxBatchZipInMemory` certificates, whole: complete, or the reason it
     * cannot be (409 ARCHIVE_REQUIRED for a larger batch, the refusal of a PDF that cannot be rendered).
     */
    async zipSmallBatch (actor: Actor, batchId: number, signal?: AbortSignal): Promise<Buffer> {
      const batch = await batchOf(actor, batchId)
      if (batch.issued_count > maxBatchZipInMemory) {
        throw new ServiceError('ARCHIVE_REQUIRED', {
          en: `Batch ${batch.id} has ${batch.issued_count} certificates, more than the ${maxBatchZipInMemory} zipped at once: POST /v1/batches/${batch.id}/archive prepares the ZIP, GET …/archive shows its progress, GET …/archive.zip downloads it.`,
          zh: `第 ${batch.id} 批共 ${batch.issued_count} 份证书，超过即时打包的上限 ${maxBatchZipInMemory} 份：请先生成压缩包，生成后再下载。`,
        }, { links: links(batch.id) })
      }
      const collected = new PassThrough()
      const chunks: Buffer[] = []
      collected.on('data', (chunk: Buffer) => chunks.push(chunk))
      await writeZip(batch, collected, () => {}, signal)
      return Buffer.concat(chunks)
    },

    /**
     * Starts preparing the archive of a batch, unless it is ready or being prepared; returns its state.
     * 503 OVERLOADED when this instance is already preparing as many archives as it may.
     */
    async requestArchive (actor: Actor, batchId: number): Promise<ArchiveView> {
      const batch = await batchOf(actor, batchId)
      const existing = await archives.findArchive(db, batchId)
      const alive = existing !== undefined && (existing.status === 'ready' || (existing.status === 'preparing' && existing.lease_until > clock()))
      if (!alive) {
        if (preparing.size >= maxPreparingArchives) {
          throw new ServiceError('OVERLOADED', { en: 'As many archives as this instance prepares at once are being prepared; try again in a minute.', zh: '当前正在生成的压缩包已达上限，请一分钟后再试。' }, { retryAfterSeconds: 60 })
        }
        const now = clock()
        if (await archives.claimArchive(db, batchId, batch.issued_count, now, new Date(now.getTime() + leaseMs))) {
          preparing.add(batchId)
          void prepare(batch).finally(() => preparing.delete(batchId))
        }
      }
      return viewOf((await archives.findArchive(db, batchId))!)
    },

    /** The state of a batch's archive: 404 ARCHIVE_NOT_FOUND when none was asked for (or it has expired). */
    readArchive: async (actor: Actor, batchId: number): Promise<ArchiveView> => viewOf(await archiveOf(actor, batchId)),

    /** The ready archive's file: 409 ARCHIVE_NOT_READY while it is prepared or when it failed. */
    async openArchive (actor: Actor, batchId: number): Promise<{ file: string, bytes: number, sha256: string }> {
      const row = await archiveOf(actor, batchId)
      const view = viewOf(row)
      if (view.status !== 'ready' || row.file === null) {
        throw new ServiceError('ARCHIVE_NOT_READY', { en: `The archive of batch ${batchId} is ${view.status} (${view.percent} %).`, zh: `第 ${batchId} 批的压缩包尚未就绪（${view.status === 'failed' ? '生成失败' : `已完成 ${view.percent}%`}）。` }, view)
      }
      const file = path.join(directory, row.file)
      await stat(file).catch(() => { throw new ServiceError('ARCHIVE_NOT_FOUND', { en: `The archive of batch ${batchId} is not on this instance's ARCHIVE_DIR.`, zh: `第 ${batchId} 批的压缩包不在本实例的存储目录中。` }) })
      return { file, bytes: Number(row.bytes), sha256: row.sha256! }
    },

    /** Deletes archives (rows and files) finished more than `retentionMs` ago; returns how many. */
    async purgeExpired (retentionMs: number): Promise<number> {
      const files = await archives.removeArchivesFinishedBefore(db, new Date(clock().getTime() - retentionMs))
      await Promise.all(files.map(name => (name === null ? undefined : rm(path.join(directory, name), { force: true }))))
      return files.length
    },
  }
}
