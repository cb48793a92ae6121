import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import t, { type Test } from 'tap'
import { renderCertificatePdf } from '../../src/documents/index.js'
import { certificateInput, fakeJws, publicBaseUrl } from '../fixtures/certificate-pdf-input.js'

const run = promisify(execFile)

/** Renders the certificate to a PNG at `dpi`, as a scanner or a phone camera would see a print of it. */
async function scanned (t: Test, pdf: Uint8Array, dpi: number): Promise<string> {
  const directory = t.testdir()
  await writeFile(join(directory, 'certificate.pdf'), pdf)
  await run('pdftoppm', ['-r', String(dpi), '-png', '-singlefile', join(directory, 'certificate.pdf'), join(directory, 'page')])
  return join(directory, 'page.png')
}

for (const length of [470, 700, 820]) {
  t.test(`the QR code of a certificate with a ${length}-character JWS decodes from 150 dpi to the exact verification URL`, async (t) => {
    const number = '44010625000201'
    const jws = fakeJws(`qr-${length}`, length)
    const verifyUrl = `${publicBaseUrl}/v/${number}#${jws}`
    const page = await scanned(t, await renderCertificatePdf(certificateInput({ number, jws, verifyUrl })), 150)
    const { stdout } = await run('zbarimg', ['--raw', '-q', page])
    t.equal(stdout.replace(/\n$/, ''), verifyUrl)
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
