// Chooses a QR code's mask as the qrcode package does (lowest ISO/IEC 18004 penalty), in a fraction of its time.
import type { BitMatrix } from 'qrcode'

/**
 * Takes a symbol that qrcode encoded with mask 0 and returns its modules (1 dark, row by row) under the
 * mask with the lowest penalty, first one on a tie: what qrcode itself would have drawn. qrcode scores the
 * eight masks a module at a time; here rows and columns are bit sets, scored 32 modules at a time.
 */
export function remaskQrCode (modules: BitMatrix): Uint8Array {
  const { size, data, reservedBit } = modules
  const masks = maskTables(size, reservedBit)
  const unmasked = data.slice()
  xorInto(unmasked, unmasked, masks.modules[0] as Uint8Array)
  const rows = packed(unmasked, size, false)
  const columns = packed(unmasked, size, true)
  const maskedRows = new Int32Array(rows.length)
  const maskedColumns = new Int32Array(columns.length)
  const words = wordsPerLine(size)
  let best = 0
  let lowest = Infinity
  for (let mask = 0; mask < 8; mask++) {
    for (const [index, bit] of formatModules(size, mask)) {
      setBit(rows, words, Math.floor(index / size), index % size, bit)
      setBit(columns, words, index % size, Math.floor(index / size), bit)
    }
    xorInto(maskedRows, rows, masks.rows[mask] as Int32Array)
    xorInto(maskedColumns, columns, masks.columns[mask] as Int32Array)
    const penalty = linePenalty(maskedRows, size) + linePenalty(maskedColumns, size) + blockPenalty(maskedRows, size) +
      balancePenalty(maskedRows, size)
    if (penalty < lowest) {
      lowest = penalty
      best = mask
    }
  }
  for (const [index, bit] of formatModules(size, best)) unmasked[index] = bit
  xorInto(unmasked, unmasked, masks.modules[best] as Uint8Array)
  return unmasked
}

interface MaskTables {
  /** Per mask, 1 where it inverts a module: every module but the function patterns (finders, timing, format…). */
  readonly modules: Uint8Array[]
  readonly rows: Int32Array[]
  readonly columns: Int32Array[]
}

// Per symbol size (one per QR version): its eight masks, ~70 KB for the versions a certificate uses.
const maskTablesOf = new Map<number, MaskTables>()

function maskTables (size: number, reserved: Uint8Array): MaskTables {
  let tables = maskTablesOf.get(size)
  if (tables === undefined) {
    const modules = Array.from({ length: 8 }, (_, mask) => {
      const table = new Uint8Array(size * size)
      for (let row = 0; row < size; row++) {
        for (let column = 0; column < size; column++) {
          const index = row * size + column
          table[index] = reserved[index] === 0 && maskInverts(mask, row, column) ? 1 : 0
        }
      }
      return table
    })
    tables = {
      modules,
      rows: modules.map((table) => packed(table, size, false)),
      columns: modules.map((table) => packed(table, size, true)),
    }
    maskTablesOf.set(size, tables)
  }
  return tables
}

function maskInverts (mask: number, i: number, j: number): boolean {
  switch (mask) {
    case 0: return (i + j) % 2 === 0
    case 1: return i % 2 === 0
    case 2: return j % 3 === 0
    case 3: return (i + j) % 3 === 0
    case 4: return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0
    case 5: return (i * j) % 2 + (i * j) % 3 === 0
    case 6: return ((i * j) % 2 + (i * j) % 3) % 2 === 0
    default: return ((i * j) % 3 + (i + j) % 2) % 2 === 0
  }
}

/** The two copies of the 15 format bits (ISO/IEC 18004 7.9.1) as [module index, bit], placed as qrcode places them. */
function formatModules (size: number, mask: number): Array<[number, number]> {
  // Error correction level M (00) and the mask, BCH(15,5)-protected and XORed with 101010000010010.
  let remainder = mask << 10
  for (let bit = 14; bit >= 10; bit--) {
    if ((remainder >> bit) & 1) remainder ^= 0x537 << (bit - 10)
  }
  const bits = ((mask << 10) | remainder) ^ 0x5412
  const placed: Array<[number, number]> = []
  for (let i = 0; i < 15; i++) {
    const bit = (bits >> i) & 1
    const row = i < 6 ? i : i < 8 ? i + 1 : size - 15 + i
    const column = i < 8 ? size - i - 1 : i < 9 ? 15 - i : 15 - i - 1
    placed.push([row * size + 8, bit], [8 * size + column, bit])
  }
  placed.push([(size - 8) * size + 8, 1])
  return placed
}

function wordsPerLine (size: number): number {
  return (size + 31) >>> 5
}

/** Rows (or columns, `transpose`) as bit sets: bit j of a line is module j, 32 to a word, unused bits 0. */
function packed (modules: Uint8Array, size: number, transpose: boolean): Int32Array {
  const words = wordsPerLine(size)
  const lines = new Int32Array(size * words)
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      if (modules[row * size + column] === 1) setBit(lines, words, transpose ? column : row, transpose ? row : column, 1)
    }
  }
  return lines
}

function setBit (lines: Int32Array, words: number, line: number, at: number, bit: number): void {
  const word = line * words + (at >>> 5)
  lines[word] = bit === 1 ? (lines[word] as number) | (1 << (at & 31)) : (lines[word] as number) & ~(1 << (at & 31))
}

function xorInto<T extends Uint8Array | Int32Array> (target: T, a: T, b: T): void {
  for (let index = 0; index < target.length; index++) target[index] = (a[index] as number) ^ (b[index] as number)
}

/** Bits of word `word` for positions up to `last` (a line's last valid start of a pattern). */
function upTo (last: number, word: number): number {
  const bits = last - 32 * word + 1
  return bits >= 32 ? -1 : bits <= 0 ? 0 : (1 << bits) - 1
}

function bitCount (value: number): number {
  let x = value - ((value >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

// The penalty rules exactly as qrcode scores them. In a line, sK is the line moved K modules left (bit j of sK
// is module j + K), so that a pattern is tested at every start j at once.

/**
 * Runs of five or more modules of one colour (3 + length − 5 points each), and finder-like patterns
 * 1011101 with four light modules before or after (40 points each), in every line.
 */
function linePenalty (lines: Int32Array, size: number): number {
  const words = wordsPerLine(size)
  let points = 0
  for (let line = 0; line < size; line++) {
    for (let word = 0; word < words; word++) {
      const at = line * words + word
      const current = lines[at] as number
      const next = word + 1 < words ? lines[at + 1] as number : 0
      const previous = word > 0 ? lines[at - 1] as number : 0
      const s1 = (current >>> 1) | (next << 31)
      const s2 = (current >>> 2) | (next << 30)
      const s3 = (current >>> 3) | (next << 29)
      const s4 = (current >>> 4) | (next << 28)
      // Runs: module j starts four equal neighbours; a run of length L holds L − 4 such starts, and adding two
      // per run that has any (where module j − 1 differs from j) gives its L − 2 points.
      const sameAsPrevious = ~(((current << 1) | (previous >>> 31)) ^ current) & (word === 0 ? ~1 : -1)
      const fiveEqual = ~(current ^ s1) & ~(s1 ^ s2) & ~(s2 ^ s3) & ~(s3 ^ s4) & upTo(size - 5, word)
      if (fiveEqual !== 0) points += bitCount(fiveEqual) + 2 * bitCount(fiveEqual & ~sameAsPrevious)
      const s5 = (current >>> 5) | (next << 27)
      const s6 = (current >>> 6) | (next << 26)
      const s7 = (current >>> 7) | (next << 25)
      const s8 = (current >>> 8) | (next << 24)
      const s9 = (current >>> 9) | (next << 23)
      const s10 = (current >>> 10) | (next << 22)
      const shared = s4 & ~s5 & s6 & upTo(size - 11, word)
      const finderThenLight = current & ~s1 & s2 & s3 & shared & ~s7 & ~s8 & ~s9 & ~s10
      const lightThenFinder = ~current & ~s1 & ~s2 & ~s3 & shared & s7 & s8 & ~s9 & s10
      if (finderThenLight !== 0) points += 40 * bitCount(finderThenLight)
      if (lightThenFinder !== 0) points += 40 * bitCount(lightThenFinder)
    }
  }
  return points
}

/** 2×2 blocks of one colour, 3 points each. */
function blockPenalty (rows: Int32Array, size: number): number {
  const words = wordsPerLine(size)
  let blocks = 0
  for (let row = 0; row + 1 < size; row++) {
    for (let word = 0; word < words; word++) {
      const at = row * words + word
      const top = rows[at] as number
      const bottom = rows[at + words] as number
      const last = word + 1 === words
      const topRight = (top >>> 1) | (last ? 0 : (rows[at + 1] as number) << 31)
      const bottomRight = (bottom >>> 1) | (last ? 0 : (rows[at + words + 1] as number) << 31)
      blocks += bitCount(~(top ^ bottom) & ~(topRight ^ bottomRight) & ~(top ^ topRight) & upTo(size - 2, word))
    }
  }
  return blocks * 3
}

/** 10 points for every 5 % that dark modules are away from half. */
function balancePenalty (rows: Int32Array, size: number): number {
  let dark = 0
  for (let index = 0; index < rows.length; index++) dark += bitCount(rows[index] as number)
  return Math.abs(Math.ceil((dark * 100 / (size * size)) / 5) - 10) * 10
}
