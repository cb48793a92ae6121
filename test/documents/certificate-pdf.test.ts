import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { loadCertificateFonts, renderCertificatePdf } from '../../src/documents/index.js'
import { certificatesToPem } from '../../src/signing/signing-certificates.js'
import { importSigningKey, loadSigningKeys } from '../../src/signing/signing-keys.js'
import { temporaryDirectory } from '../helper.js'
import { certificateInput, fixtureSigner, sealPng } from '../fixtures/certificate-pdf-input.js'
import { createTestCa } from '../fixtures/test-ca.js'
import { drawnGlyphs, textOf } from './drawn-glyphs.js'

const run = promisify(execFile)
const withoutSpace = (text: string): string => text.replace(/\s+/g, '')

const directories = new WeakMap<Test, string>()
let saves = 0

/** Writes `pdf` to a new file in the test's own directory, for the command-line tools. */
async function saved (t: Test, pdf: Uint8Array): Promise<string> {
  const directory = directories.get(t) ?? t.testdir()
  directories.set(t, directory)
  const file = join(directory, `certificate-${++saves}.pdf`)
  await writeFile(file, pdf)
  return file
}

/** What Poppler's pdfsig says of the file's signatures; with `trusted`, the CA certificates (PEM) are in its NSS database. */
async function pdfsig (t: Test, file: string, trusted: string[] = []): Promise<string> {
  if (trusted.length === 0) return (await run('pdfsig', [file])).stdout
  const nss = await temporaryDirectory(t, 'ce-nss-')
  await run('certutil', ['-N', '-d', `sql:${nss}`, '--empty-password'])
  for (const [index, pem] of trusted.entries()) {
    await writeFile(join(nss, `ca-${index}.pem`), pem)
    await run('certutil', ['-A', '-d', `sql:${nss}`, '-n', `ca-${index}`, '-t', 'C,C,C', '-i', join(nss, `ca-${index}.pem`)])
  }
  return (await run('pdfsig', ['-nssdir', `sql:${nss}`, file])).stdout
}

t.before(loadCertificateFonts)

for (const name of ['张三', '欧阳娜娜', '买买提·艾力', '䶮', '𠮷']) {
  t.test(`the certificate of ${name} reads as the template and draws every character`, async (t) => {
    const pdf = await renderCertificatePdf(certificateInput({ holderName: name }))
    const { stdout } = await run('pdftotext', [await saved(t, pdf), '-'])
    const text = withoutSpace(stdout)
    t.match(text, '广东省专业技术人员继续教育证书')
    t.match(text, '证书编号：44010625000201')
    t.match(text, `${name}参加专业技术人员继续教育学习，经审核，已完成2025年度专业技术人员继续教育学习任务，` +
      '根据《广东省专业技术人员继续教育条例》，特发此证。')
    t.match(text, '发证单位：广州市天河区人力资源和社会保障局')
    t.match(text, '发证时间：2025年12月1日')
    t.match(text, '工作单位：广州市天河区珠江新城建筑设计研究院有限公司第三分院（华南理工大学合作基地）')

    const signature = await pdfsig(t, await saved(t, pdf))
    t.match(signature, '- Signature Validation: Signature is Valid.')
    t.match(signature, '- Total document signed')

    const glyphs = await drawnGlyphs(pdf)
    t.ok(textOf(glyphs).includes(name), 'the name is among the glyphs drawn')
    t.same(glyphs.filter((glyph) => !glyph.hasOutline && glyph.text.trim() !== '').map((glyph) => glyph.text), [],
      'every visible character has an outline in its embedded font')
  })
}

t.test('𠮷, missing from Noto Serif SC, is drawn with Noto Serif JP in both weights', async (t) => {
  const glyphs = await drawnGlyphs(await renderCertificatePdf(certificateInput({ holderName: '𠮷田' })))
  const fonts = new Set(glyphs.filter((glyph) => glyph.text === '𠮷').map((glyph) => glyph.font.replace(/^\/\w+\+/, '')))
  t.same([...fonts].sort(), ['NotoSerifJP-Bold', 'NotoSerifJP-Regular'])
  t.ok(glyphs.filter((glyph) => glyph.text === '田').every((glyph) => glyph.font.includes('NotoSerifSC')))
})

t.test('a character that no font has is refused, never dropped', async (t) => {
  await t.rejects(renderCertificatePdf(certificateInput({ holderName: '张𪚥' })), {
    code: 'UNRENDERABLE_CHARACTER',
    details: { characters: ['𪚥'], codePoints: ['U+2A6A5'] },
  })
  await t.rejects(renderCertificatePdf(certificateInput({ employerName: '\u{E000}公司' })), {
    code: 'UNRENDERABLE_CHARACTER',
    details: { codePoints: ['U+E000'] },
  })
})

t.test('the national rule set prints the title without a province', async (t) => {
  const pdf = await renderCertificatePdf(certificateInput({ provinceName: '' }))
  const { stdout } = await run('pdftotext', [await saved(t, pdf), '-'])
  t.match(withoutSpace(stdout), /^证书编号：44010625000201专业技术人员继续教育证书/)
})

t.test('the hours table lists every category, the total and a dash for no requirement', async (t) => {
  const pdf = await renderCertificatePdf(certificateInput({
    hourRows: [{ label: '公需科目', given: 30, required: 30 }, { label: '专业科目', given: 62.5, required: 60 },
      { label: '选修科目', given: 6, required: null }],
    totalHours: { given: 98.5, required: 90 },
  }))
  const { stdout } = await run('pdftotext', ['-layout', await saved(t, pdf), '-'])
  t.match(stdout, /公需科目\s+30\s+30\n/)
  t.match(stdout, /专业科目\s+62\.5\s+60\n/)
  t.match(stdout, /选修科目\s+6\s+—\n/)
  t.match(stdout, /合计\s+98\.5\s+90\n/)
})

t.test('the whole PDF is signed, PAdES, at the issue time, by a certificate pdfsig trusts once the root CA is', async (t) => {
  const file = await saved(t, await renderCertificatePdf(certificateInput({ seal: sealPng() })))
  const signature = await pdfsig(t, file, [certificatesToPem([fixtureSigner.certificateChain.at(-1)!])])
  t.match(signature, /Signature #1:\n/)
  t.notMatch(signature, /Signature #2/)
  t.match(signature, `- Signer Certificate Common Name: 专业技术人员继续教育证书服务 签名密钥 ${fixtureSigner.kid}`)
  t.match(signature, '- Signing Time: Nov 30 2025 17:30:00')
  t.match(signature, '- Signing Hash Algorithm: SHA-256')
  t.match(signature, '- Signature Type: ETSI.CAdES.detached')
  t.match(signature, '- Total document signed')
  t.match(signature, '- Signature Validation: Signature is Valid.')
  t.match(signature, '- Certificate Validation: Certificate is Trusted.')
})

t.test('the PDF\'s CMS signs content type, digest and signing certificate, and no signing time', async (t) => {
  const pdf = Buffer.from(await renderCertificatePdf(certificateInput()))
  const [, from, to] = /\/ByteRange \[0 (\d+) (\d+) \d+\]/.exec(pdf.toString('latin1'))!.map(Number) as [number, number, number]
  const file = join(await temporaryDirectory(t), 'signature.der')
  await writeFile(file, Buffer.from(pdf.toString('latin1', from + 1, to - 1), 'hex'))
  const { stdout } = await run('openssl', ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', file])
  const attributes = [...stdout.matchAll(/^\s+object: (\S+) \(/gm)].map(match => match[1])
  t.same(attributes, ['contentType', 'messageDigest', 'id-smime-aa-signingCertificateV2'])
  const signer = stdout.slice(stdout.indexOf('signerInfos:'))
  t.match(signer, /d\.issuerAndSerialNumber:/)
  t.match(signer, /digestAlgorithm:\s+algorithm: sha256 .*\s+parameter: <ABSENT>/)
  t.match(signer, /signatureAlgorithm:\s+algorithm: ecdsa-with-SHA256 .*\s+parameter: <ABSENT>/)
  t.match(signer, /unsignedAttrs:\s+<ABSENT>/)
})

t.test('a key imported with a CA\'s chain signs PDFs that pdfsig trusts with that CA', async (t) => {
  const dir = await temporaryDirectory(t, 'ce-keys-')
  const ca = await createTestCa(await temporaryDirectory(t))
  // openssl dates the certificate to the second it runs: the clock is read after it, or the import could precede it.
  const issued = await ca.issue('广州市天河区人力资源和社会保障局')
  const now = new Date()
  await importSigningKey(dir, { privateKeyPem: issued.privateKeyPem, certificateChainPem: issued.certificatePem + ca.certificatePem }, now, 0)
  const keys = await loadSigningKeys(dir, 'ES256', () => now)
  keys.close()
  const { kid, alg, privateJwk, certificateChain } = keys.current(now)
  const file = await saved(t, await renderCertificatePdf(certificateInput({ issuedAt: now, signer: { kid, alg, privateJwk, certificateChain } })))
  const signature = await pdfsig(t, file, [ca.certificatePem])
  t.match(signature, '- Signer Certificate Common Name: 广州市天河区人力资源和社会保障局')
  t.match(signature, '- Total document signed')
  t.match(signature, '- Signature Validation: Signature is Valid.')
  t.match(signature, '- Certificate Validation: Certificate is Trusted.')
})

t.test('an EdDSA key cannot sign a certificate PDF, and says why', async (t) => {
  await t.rejects(renderCertificatePdf(certificateInput({ signer: { ...fixtureSigner, alg: 'EdDSA' } })), /needs an ES256 \(ECDSA P-256\) key/)
})

t.test('the same certificate always renders to the same bytes', async (t) => {
  const first = await renderCertificatePdf(certificateInput({ seal: sealPng() }))
  const second = await renderCertificatePdf(certificateInput({ seal: sealPng() }))
  t.ok(Buffer.from(first).equals(Buffer.from(second)), 'byte-identical')
  const other = await renderCertificatePdf(certificateInput({ number: '44010625000202' }))
  t.notOk(Buffer.from(first).equals(Buffer.from(other)), 'another certificate differs')
})

t.test('a certificate is a small, valid PDF with its fonts embedded', async (t) => {
  const pdf = await renderCertificatePdf(certificateInput({ holderName: '𠮷田䶮', seal: sealPng() }))
  t.ok(pdf.length < 100 * 1024, `${pdf.length} bytes`)
  const file = await saved(t, pdf)
  const check = await run('qpdf', ['--check', file])
  t.match(check.stdout, 'No syntax or stream encoding errors')
  const fonts = (await run('pdffonts', [file])).stdout.split('\n').slice(2).filter((line) => line.trim() !== '')
  t.equal(fonts.length, 4, 'Noto Serif SC and JP, regular and bold')
  for (const line of fonts) t.match(line, /CID TrueType\s+Identity-H\s+yes yes yes/)
})

t.test('the metadata names the certificate, its issuer and the issue date', async (t) => {
  const input = certificateInput()
  const { stdout } = await run('pdfinfo', ['-custom', '-isodates', await saved(t, await renderCertificatePdf(input))])
  t.match(stdout, /Title:\s+广东省专业技术人员继续教育证书 44010625000201/)
  t.match(stdout, /Author:\s+广州市天河区人力资源和社会保障局/)
  t.match(stdout, /Subject:\s+张三 2025 年度专业技术人员继续教育证书/)
  t.match(stdout, /Creator:\s+ce-certificates/)
  t.match(stdout, /Producer:\s+ce-certificates/)
  t.match(stdout, /CreationDate:\s+2025-11-30T17:30:00Z/)
  t.match(stdout, /ModDate:\s+2025-11-30T17:30:00Z/)
  t.match(stdout, new RegExp(`CertificateJWS:\\s+${input.jws}\n`))
})

t.test('the JWS is attached as certificate.jws', async (t) => {
  const input = certificateInput()
  const file = await saved(t, await renderCertificatePdf(input))
  t.match((await run('pdfdetach', ['-list', file])).stdout, /1 embedded files\n1: certificate\.jws/)
  const out = join(dirname(file), 'certificate.jws')
  await run('pdfdetach', ['-save', '1', '-o', out, file])
  t.equal(await readFile(out, 'utf8'), input.jws)
})

t.test('the seal is placed when given and no seal is drawn without one', async (t) => {
  const images = async (pdf: Uint8Array): Promise<string[]> =>
    (await run('pdfimages', ['-list', await saved(t, pdf)])).stdout.split('\n').slice(2).filter((line) => line.trim() !== '')
  const sealed = await images(await renderCertificatePdf(certificateInput({ seal: sealPng(240) })))
  t.equal(sealed.length, 2, 'the seal image and its alpha mask')
  t.match(sealed[0], /^\s*1\s+0\s+image\s+240\s+240\s+rgb/)
  t.same(await images(await renderCertificatePdf(certificateInput())), [])
})

t.test('a seal that is not a PNG is refused', async (t) => {
  await t.rejects(renderCertificatePdf(certificateInput({ seal: new TextEncoder().encode('GIF89a not a png') })),
    { code: 'INVALID_SEAL_IMAGE' })
  // pdf-lib's own decoder never returns from these.
  const png = sealPng()
  for (const length of [60, 200, png.length - 20]) {
    await t.rejects(renderCertificatePdf(certificateInput({ seal: png.slice(0, length) })), { code: 'INVALID_SEAL_IMAGE' },
      `cut to ${length} bytes`)
  }
  const damaged = png.slice()
  damaged.fill(0x55, 100, 140)
  await t.rejects(renderCertificatePdf(certificateInput({ seal: damaged })), { code: 'INVALID_SEAL_IMAGE' }, 'damaged')
})

t.test('the check for blank glyphs catches what pdf-lib subsetting does to Noto Serif SC', async (t) => {
  const { PDFDocument } = await import('pdf-lib')
  const { default: fontkit } = await import('@pdf-lib/fontkit')
  const { createRequire } = await import('node:module')
  const doc = await PDFDocument.create()
  doc.registerFontkit(fontkit)
  const fontFile = createRequire(import.meta.url).resolve('@expo-google-fonts/noto-serif-sc/400Regular/NotoSerifSC_400Regular.ttf')
  const font = await doc.embedFont(await readFile(fontFile), { subset: true })
  doc.addPage().drawText('广东省专业技术人员继续教育证书', { font, size: 20, x: 50, y: 500 })
  const glyphs = await drawnGlyphs(await doc.save())
  t.equal(textOf(glyphs), '广东省专业技术人员继续教育证书', 'the text layer is right…')
  t.ok(glyphs.some((glyph) => !glyph.hasOutline), '…but glyphs are blank, and the check sees it')
})
