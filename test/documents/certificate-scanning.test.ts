import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { renderCertificatePdf } from '../../src/documents/index.js'
import { createQrMatrix } from '../../src/documents/qr-code.js'
import { signCompactToken, type CompactClaims } from '../../src/signing/certificate-cose.js'
import { certificateInput, fakeJws, fixtureSigner, publicBaseUrl } from '../fixtures/certificate-pdf-input.js'

const run = promisify(execFile)

/** Renders the certificate to a PNG at `dpi`, as a scanner or a phone camera would see a print of it. */
async function scanned (t: Test, pdf: Uint8Array, dpi: number): Promise<string> {
  const directory = t.testdir()
  await writeFile(join(directory, 'certificate.pdf'), pdf)
  await run('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', join(directory, 'certificate.pdf'), join(directory, 'page')])
  return join(directory, 'page.png')
}

/** A phone's photo of a print: the page at 150 dpi, turned 7°, a little out of focus, grainy, then halved (a fixed noise seed). */
async function photographed (t: Test, pdf: Uint8Array): Promise<string> {
  const page = await scanned(t, pdf, 150)
  const photo = join(t.testdirName, 'photo.png')
  await run('convert', [page, '-seed', '7', '-background', 'white', '-rotate', '7', '-blur', '0x1', '+noise', 'Gaussian', '-resize', '50%', photo])
  return photo
}

const decoded = async (image: string) => (await run('zbarimg', ['--raw', '-q', image])).stdout.replace(/\n$/, '')

// The longest QR text the service prints: a 30-character name of Han characters (2 bytes each in the token),
// every hour a half, self-study given, under the test suite's 27-character PUBLIC_BASE_URL (docs/QR-FORMAT.md, "Size").
const serviceBaseUrl = 'https://cert.example.gov.cn'
const worstCase: CompactClaims = { holderName: '阿卜杜热合曼·买买提依明·阿不都克力木·艾合买提江·吐尔逊江', hours: { pub: 100.5, pro: 400.5, ele: 300.5, slf: 49.5, tot: 851 }, iat: 1764523800 }
const typical: CompactClaims = { holderName: '欧阳娜娜', hours: { pub: 20, pro: 44, ele: 12, tot: 76 }, iat: 1764523800 }

for (const [what, claims] of [['a 30-character name (the worst case)', worstCase], ['a four-character name', typical]] as const) {
  t.test(`the compact QR code of a certificate with ${what} is version 10 or less, and decodes from a 72 dpi render and from a phone's photo`, async (t) => {
    const number = '44010625000201'
    t.equal([...claims.holderName].length, claims === worstCase ? 30 : 4)
    const verifyUrl = `${serviceBaseUrl}/v/${number}#${signCompactToken(fixtureSigner, number, claims)}`
    t.ok(createQrMatrix(verifyUrl).version <= 10, `version ${createQrMatrix(verifyUrl).version} for ${verifyUrl.length} characters`)
    const pdf = await renderCertificatePdf(certificateInput({ number, holderName: claims.holderName, verifyUrl }))
    t.equal(await decoded(await scanned(t, pdf, 72)), verifyUrl, 'a plain 72 dpi render')
    t.equal(await decoded(await photographed(t, pdf)), verifyUrl, 'the photo')
  })
}

for (const length of [470, 700]) {
  t.test(`a QR code as long as the old URL#JWS (${length}-character JWS) still decodes from 150 dpi to the exact URL`, async (t) => {
    const number = '44010625000201'
    const jws = fakeJws(`qr-${length}`, length)
    const verifyUrl = `${publicBaseUrl}/v/${number}#${jws}`
    const page = await scanned(t, await renderCertificatePdf(certificateInput({ number, jws, verifyUrl })), 150)
    t.equal(await decoded(page), verifyUrl)
  })
}

t.test('a person can read the title, the number and the name (OCR of a 200 dpi render)', async (t) => {
  const page = await scanned(t, await renderCertificatePdf(certificateInput({ holderName: '欧阳娜娜' })), 200)
  const { stdout } = await run('tesseract', [page, '-', '-l', 'chi_sim'], { env: { ...process.env, OMP_THREAD_LIMIT: '1' } })
  const text = stdout.replace(/\s+/g, '')
  t.match(text, '广东省专业技术人员继续教育证书')
  t.match(text, '44010625000201')
  t.match(text, '欧阳娜娜')
})
