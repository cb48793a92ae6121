// What a certificate can print: the characters the certificate fonts have a glyph for, in both weights, read once from
// the fonts themselves (their cmaps, through fontkit as the renderer does), so that a name is refused before it is numbered
// rather than issued and then unprintable for ever.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { ServiceError } from '../errors.js'
import { certificateFontFiles } from './font-files.js'

/** The code points every weight of the certificate fonts can draw. */
export interface PrintableCharacters {
  has (codePoint: number): boolean
}

const require = createRequire(import.meta.url)
let loading: Promise<PrintableCharacters> | undefined

/** Reads the fonts' character maps (~0.2 s once); the font data is not kept. */
export function loadPrintableCharacters (): Promise<PrintableCharacters> {
  loading ??= (async () => {
    // Loaded here, not at import: an instance that never issues need not hold fontkit.
    const { default: fontkit } = await import('@pdf-lib/fontkit')
    const byWeight = await Promise.all(Object.values(certificateFontFiles).map(async ({ primary, fallback }) => {
      const covered = new Set<number>()
      for (const file of [primary, fallback]) {
        // The file's own bytes, not a copy: ~100 MB of fonts would otherwise be held twice until the next full GC.
        const font = fontkit.create(await readFile(require.resolve(file)))
        for (const codePoint of font.characterSet) if (font.hasGlyphForCodePoint(codePoint)) covered.add(codePoint)
      }
      return covered
    }))
    const [first, ...others] = byWeight
    const printable = new Set([...first!].filter(codePoint => others.every(weight => weight.has(codePoint))))
    return { has: codePoint => printable.has(codePoint) || codePoint === 0x20 }
  })()
  return loading
}

const label = (codePoint: number) => `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`

/** How fields are called in a person's language, for the message. */
const fieldNames: Readonly<Record<string, { en: string, zh: string, adviceEn: string, adviceZh: string }>> = {
  'holder.name': { en: 'the holder\'s name', zh: '姓名', adviceEn: 'Check the name as written on the ID card.', adviceZh: '请按身份证上的写法核对。' },
  'employer.name': { en: 'the employer\'s name', zh: '工作单位', adviceEn: 'Write it in standard characters, without symbols or emoji.', adviceZh: '请使用规范汉字，去掉特殊符号或表情。' },
  name: { en: 'the issuer\'s name', zh: '发证机构名称', adviceEn: 'Write it in standard characters, without symbols or emoji.', adviceZh: '请使用规范汉字，去掉特殊符号或表情。' },
}
const otherField = { adviceEn: '', adviceZh: '' }

/** UNRENDERABLE_CHARACTER naming every character no font can print, and the field it is in when known. */
export function unrenderableCharacters (codePoints: readonly number[], field?: string): ServiceError {
  const characters = codePoints.map(codePoint => String.fromCodePoint(codePoint))
  const labels = codePoints.map(label)
  const where = field === undefined ? undefined : fieldNames[field] ?? { ...otherField, en: field, zh: field }
  const listedEn = characters.map((c, i) => `${c} (${labels[i]})`).join(', ')
  const listedZh = characters.map((c, i) => `“${c}”（${labels[i]}）`).join('、')
  return new ServiceError('UNRENDERABLE_CHARACTER', {
    en: where === undefined ? `No available font can print ${listedEn}.` : `The certificate fonts cannot print ${listedEn} of ${where.en}: nothing was issued. ${where.adviceEn}`.trim(),
    zh: where === undefined ? `证书字体无法打印字符${listedZh}。` : `${where.zh}中的字符${listedZh}无法在证书上打印，未予颁发。${where.adviceZh}`,
  }, { ...(field === undefined ? {} : { field }), characters, codePoints: labels })
}

/** Throws UNRENDERABLE_CHARACTER unless every character of `text` can be printed. */
export function assertPrintable (text: string, field: string, printable: PrintableCharacters): void {
  const missing = new Set<number>()
  for (const character of text) {
    const codePoint = character.codePointAt(0)!
    if (!printable.has(codePoint)) missing.add(codePoint)
  }
  if (missing.size > 0) throw unrenderableCharacters([...missing], field)
}
