// The encoding of an uploaded text table, detected rather than asked: a BOM first, else valid UTF-8, else GB18030.
import iconv from 'iconv-lite'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { ServiceError } from '../errors.js'

export type TextEncoding = 'UTF-8' | 'UTF-16LE' | 'UTF-16BE' | 'GB18030'

/** Decoded a piece at a time, with a turn of the event loop between pieces. */
const pieceBytes = 256 * 1024

function byteOrderMark (bytes: Uint8Array): { encoding: TextEncoding, length: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'UTF-8', length: 3 }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'UTF-16LE', length: 2 }
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'UTF-16BE', length: 2 }
  return null
}

/** UTF-16 saved without a BOM: a NUL in most odd (LE) or even (BE) bytes of the start, as ASCII headers give. */
function utf16WithoutBom (bytes: Uint8Array): TextEncoding | null {
  const sample = Math.min(bytes.length - (bytes.length % 2), 1024)
  if (sample < 4) return null
  let evenNuls = 0
  let oddNuls = 0
  for (let i = 0; i < sample; i += 2) {
    if (bytes[i] === 0) evenNuls++
    if (bytes[i + 1] === 0) oddNuls++
  }
  const pairs = sample / 2
  if (oddNuls > pairs * 0.3 && evenNuls === 0) return 'UTF-16LE'
  if (evenNuls > pairs * 0.3 && oddNuls === 0) return 'UTF-16BE'
  return null
}

async function decodeWith (decode: (piece: Uint8Array, last: boolean) => string, bytes: Uint8Array): Promise<string[]> {
  const pieces: string[] = []
  for (let offset = 0; offset < bytes.length || offset === 0; offset += pieceBytes) {
    const last = offset + pieceBytes >= bytes.length
    pieces.push(decode(bytes.subarray(offset, offset + pieceBytes), last))
    if (last) break
    await nextTurn()
  }
  return pieces
}

const webDecoder = (label: string) => {
  const decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true })
  return (piece: Uint8Array, last: boolean) => decoder.decode(piece, { stream: !last })
}

/**
 * The text of an uploaded table, in pieces, and the encoding it was in. A BOM names UTF-8 or
 * UTF-16 (Excel's "Unicode 文本" is UTF-16LE with BOM); without one the bytes are UTF-8 if they are
 * valid UTF-8, else GB18030 (which includes GBK: what Excel on Chinese Windows saves as "CSV (逗号分隔)").
 * Throws MALFORMED_CSV for bytes that are none of these, or binary.
 */
export async function decodeTableText (bytes: Uint8Array): Promise<{ encoding: TextEncoding, pieces: string[] }> {
  const bom = byteOrderMark(bytes)
  const encoding = bom?.encoding ?? utf16WithoutBom(bytes)
  const body = bytes.subarray(bom?.length ?? 0)
  if (encoding !== null) {
    try {
      return { encoding, pieces: await decodeWith(webDecoder(encoding.toLowerCase()), body) }
    } catch {
      throw new ServiceError('MALFORMED_CSV', {
        en: `The file starts as ${encoding} but is not valid ${encoding} further on: save it again from Excel or WPS.`,
        zh: `文件开头是 ${encoding} 编码，但后面的内容不是有效的 ${encoding}：请在 Excel 或 WPS 中重新保存后再上传。`,
      }, { encoding })
    }
  }
  if (body.includes(0)) {
    throw new ServiceError('MALFORMED_CSV', {
      en: 'The file is not a text table (it holds binary data): send the .xlsx workbook itself, or save it as "CSV UTF-8" or "CSV (逗号分隔)".',
      zh: '文件不是文本表格（含有二进制内容）：请直接上传 .xlsx 工作簿，或另存为“CSV UTF-8”或“CSV（逗号分隔）”后上传。',
    })
  }
  try {
    return { encoding: 'UTF-8', pieces: await decodeWith(webDecoder('utf-8'), body) }
  } catch {
    // Not UTF-8: GB18030 decodes every GBK file, and nearly any byte sequence, so what it cannot map is the test.
    const decoder = iconv.getDecoder('gb18030')
    const pieces = await decodeWith((piece, last) => decoder.write(Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength)) + (last ? decoder.end() ?? '' : ''), body)
    if (pieces.some(p => p.includes('\ufffd'))) {
      throw new ServiceError('MALFORMED_CSV', {
        en: 'The file is neither UTF-8 nor GB18030/GBK text: in Excel or WPS save it as "CSV UTF-8" (or "CSV (逗号分隔)"), or send the .xlsx workbook.',
        zh: '文件既不是 UTF-8 也不是 GB18030/GBK 编码的文本：请在 Excel 或 WPS 中另存为“CSV UTF-8”（或“CSV（逗号分隔）”），或直接上传 .xlsx 工作簿。',
      })
    }
    return { encoding: 'GB18030', pieces }
  }
}
