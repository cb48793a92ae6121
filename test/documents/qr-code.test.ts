import QRCode from 'qrcode'
import t from 'tap'
import { createQrMatrix } from '../../src/documents/qr-code.js'
import { fakeJws, publicBaseUrl } from '../fixtures/certificate-pdf-input.js'

t.test('the QR code has the modules and the mask that qrcode itself would choose, for every size of token', async (t) => {
  const masks = new Set<number>()
  for (let length = 20; length <= 1200; length += 37) {
    const text = `${publicBaseUrl}/v/44010625000201#${fakeJws(`mask-${length}`, length)}`
    const reference = QRCode.create([{ data: Buffer.from(text, 'utf8'), mode: 'byte' }], { errorCorrectionLevel: 'M' })
    masks.add(reference.maskPattern as number)
    const ours = createQrMatrix(text)
    t.equal(ours.size, reference.modules.size)
    let differing = 0
    for (let row = 0; row < ours.size; row++) {
      for (let column = 0; column < ours.size; column++) {
        if (ours.isDark(row, column) !== (reference.modules.get(row, column) === 1)) differing++
      }
    }
    t.equal(differing, 0, `${length}-character token: no module differs`)
  }
  t.ok(masks.size >= 4, `the tokens exercise several masks (${[...masks].join(', ')})`)
})
