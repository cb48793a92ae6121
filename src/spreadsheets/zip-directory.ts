// The zip inside an .xlsx, read only as far as needed: its directory, parts inflated within a bound, and the parts re-ordered for a streaming reader.
import { Readable } from 'node:stream'
import { promisify } from 'node:util'
import { inflateRaw } from 'node:zlib'
import { ServiceError } from '../errors.js'
import type { TableLimits } from './table-rows.js'
import { countText } from './table-wording.js'

const inflate = promisify(inflateRaw)
const sliceBytes = 4096

export interface ZipEntry {
  readonly name: string
  readonly method: number
  readonly flags: number
  readonly crc32: number
  readonly compressedSize: number
  readonly size: number
  readonly time: number
  readonly date: number
  /** Where the compressed data starts. */
  readonly dataOffset: number
}

const malformed = (en: string, zh: string, details?: unknown) => new ServiceError('MALFORMED_XLSX', { en, zh }, details)
const broken = () => malformed('The .xlsx file is damaged (its zip structure cannot be read): open it in Excel or WPS and save it again.', '.xlsx 文件已损坏（无法读取其压缩结构）：请在 Excel 或 WPS 中打开后重新保存再上传。')

/** The entries of a zip from its central directory: nothing is inflated. Refuses zip64, encryption and more than `limits.maxZipEntries` entries. */
export function readZipDirectory (bytes: Uint8Array, limits: TableLimits): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // The end-of-directory record is in the last 22 + 65,535 bytes (its comment may be that long).
  let end = -1
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === 0x06054b50) { end = i; break }
  }
  if (end < 0) throw broken()
  const count = view.getUint16(end + 10, true)
  const directoryOffset = view.getUint32(end + 16, true)
  if (count === 0xffff || directoryOffset === 0xffffffff) throw malformed('The .xlsx file uses zip64, which no workbook of this size needs: save it again from Excel or WPS.', '.xlsx 文件使用了 zip64 格式，这种大小的工作簿不需要它：请在 Excel 或 WPS 中重新保存。')
  if (count > limits.maxZipEntries) {
    throw new ServiceError('TABLE_TOO_LARGE', { en: `The .xlsx file holds ${countText(count)} parts; a workbook has a few dozen.`, zh: `.xlsx 文件包含 ${countText(count)} 个部件，正常的工作簿只有几十个：请只保留名单工作表后重新保存。` }, { parts: count, maxParts: limits.maxZipEntries })
  }
  const entries = new Map<string, ZipEntry>()
  let at = directoryOffset
  for (let n = 0; n < count; n++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== 0x02014b50) throw broken()
    const nameLength = view.getUint16(at + 28, true)
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + at + 46, nameLength).toString('utf8').replace(/^\/+/, '')
    const local = view.getUint32(at + 42, true)
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw broken()
    const entry: ZipEntry = {
      name,
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      time: view.getUint16(at + 12, true),
      date: view.getUint16(at + 14, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      dataOffset: local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true),
    }
    if (entry.dataOffset + entry.compressedSize > bytes.length) throw broken()
    entries.set(name, entry)
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true)
  }
  return entries
}

/**
 * The inflated bytes of an entry, at most its declared size (which the caller has bounded): the
 * inflater stops at that size, so a part that claims little and inflates to gigabytes (a zip bomb)
 * is refused after the bound, not after the gigabytes. Inflated on the thread pool, off the event loop.
 */
export async function inflateEntry (bytes: Uint8Array, entry: ZipEntry): Promise<Buffer> {
  if ((entry.flags & 1) !== 0) throw malformed('The .xlsx file is protected by a password: remove the password in Excel or WPS and save it again.', '.xlsx 文件设有密码保护：请在 Excel 或 WPS 中取消密码后重新保存。')
  const data = bytes.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize)
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size) throw broken()
    return Buffer.from(data)
  }
  if (entry.method !== 8) throw malformed(`Part ${entry.name} of the .xlsx file is compressed in a way Excel does not use (method ${entry.method}).`, `.xlsx 文件的部件 ${entry.name} 使用了 Excel 不使用的压缩方式（${entry.method}）：请在 Excel 或 WPS 中重新保存。`)
  let inflated: Buffer
  try {
    inflated = await inflate(data, { maxOutputLength: Math.max(entry.size, 1) })
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new ServiceError('TABLE_TOO_LARGE', {
        en: `Part ${entry.name} of the .xlsx file inflates to more than it declares (${countText(entry.size)} bytes): the file is damaged or a zip bomb.`,
        zh: `.xlsx 文件的部件 ${entry.name} 解压后超过其声明的大小（${countText(entry.size)} 字节）：文件已损坏或是恶意构造的压缩文件。`,
      }, { part: entry.name })
    }
    throw broken()
  }
  if (inflated.length !== entry.size) throw broken()
  return inflated
}

/** A part made here, not read from the upload: stored uncompressed. */
export interface MadePart { readonly name: string, readonly content: Buffer }

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
/** CRC-32 of a small part made here (zlib.crc32 needs Node 20.15). */
function crc32 (bytes: Buffer): number {
  let c = 0xffffffff
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A local file header with its sizes in place (no data descriptor), followed by the data: an entry's as stored, or a made part's. */
function localPart (bytes: Uint8Array, part: ZipEntry | MadePart): Buffer[] {
  const made = 'content' in part
  const name = Buffer.from(part.name, 'utf8')
  const data = made ? part.content : Buffer.from(bytes.buffer, bytes.byteOffset + part.dataOffset, part.compressedSize)
  const header = Buffer.alloc(30)
  header.writeUInt32LE(0x04034b50, 0)
  header.writeUInt16LE(20, 4)
  header.writeUInt16LE(made ? 0x0800 : (part.flags & ~0x0008) | 0x0800, 6)
  header.writeUInt16LE(made ? 0 : part.method, 8)
  header.writeUInt16LE(made ? 0 : part.time, 10)
  header.writeUInt16LE(made ? 0x21 : part.date, 12)
  header.writeUInt32LE(made ? crc32(data) : part.crc32, 14)
  header.writeUInt32LE(data.length, 18)
  header.writeUInt32LE(made ? data.length : part.size, 22)
  header.writeUInt16LE(name.length, 26)
  header.writeUInt16LE(0, 28)
  return [header, name, data]
}

/**
 * A zip stream of `parts` in the order given — entries of the upload with their compressed data
 * unchanged, or parts made here — ending with an empty directory. A streaming reader needs the
 * shared strings before the sheets, which Excel writes after them; re-ordering spares it from
 * keeping the sheets in temporary files. Emitted in 4 KB slices: what one slice inflates to is
 * parsed at once, so a slice stays a few milliseconds of work.
 */
export function reorderedZip (bytes: Uint8Array, parts: ReadonlyArray<ZipEntry | MadePart>): Readable {
  const endOfDirectory = Buffer.alloc(22)
  endOfDirectory.writeUInt32LE(0x06054b50, 0)
  const pieces = [...parts.flatMap(part => localPart(bytes, part)), endOfDirectory]
  return Readable.from((function * () {
    for (const piece of pieces) for (let i = 0; i < piece.length; i += sliceBytes) yield piece.subarray(i, i + sliceBytes)
  })(), { objectMode: false })
}
