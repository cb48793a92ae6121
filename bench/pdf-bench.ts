// Certificate PDFs per second on one core and bytes per PDF, against Chromium printing the same certificate as HTML.
import { readFile } from 'node:fs/promises'
import { chromium } from 'playwright-core'
import { loadCertificateFonts, renderCertificatePdf, type CertificatePdfInput } from '../src/documents/index.js'
import { certificateInput, fakeJws, sealPng } from '../test/fixtures/certificate-pdf-input.js'
import { emit, median, pairedRounds, progress, round1 } from './bench-result.js'
import { certificateHtml } from './certificate-html.js'

const rounds = 3
const seconds = 3
const chromiumPath = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium'

// Several holders, so that every PDF subsets its fonts for a different set of characters.
const holders = ['张伟', '欧阳娜娜', '买买提·艾力', '李秀英', '司马建华', '陈晓东']
const inputs: CertificatePdfInput[] = holders.map((holderName, i) => {
  const number = `440106250${String(1201 + i).padStart(5, '0')}`
  // 533 characters: an ES256 token with a thumbprint kid, as the service signs them.
  return certificateInput({ number, holderName, jws: fakeJws(number, 533), seal: sealPng() })
})

/** Renders documents one after another for `seconds`; documents per second and their sizes. */
async function renderFor (render: (input: CertificatePdfInput) => Promise<Uint8Array>): Promise<{ perSecond: number, bytes: number[] }> {
  const bytes: number[] = []
  const started = performance.now()
  let elapsed = 0
  for (let i = 0; elapsed < seconds * 1000; i++) {
    bytes.push((await render(inputs[i % inputs.length]!)).byteLength)
    elapsed = performance.now() - started
  }
  return { perSecond: bytes.length / (elapsed / 1000), bytes }
}

async function cpusAllowed (): Promise<string> {
  const match = /Cpus_allowed_list:\s*(\S+)/.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''))
  return match?.[1] ?? '?'
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
})
try {
  const page = await browser.newPage()
  const htmlOf = new Map<CertificatePdfInput, string>()
  for (const input of inputs) htmlOf.set(input, await certificateHtml(input))
  const printWithChromium = async (input: CertificatePdfInput) => {
    await page.setContent(htmlOf.get(input)!, { waitUntil: 'load' })
    return await page.pdf({ format: 'A4', printBackground: true, preferCSSPageSize: true })
  }

  progress('pdf: warming up (fonts parsed once, browser started, page loaded)')
  await loadCertificateFonts()
  for (const input of inputs) {
    await renderCertificatePdf(input)
    await printWithChromium(input)
  }
  const pairs = await pairedRounds(rounds, () => renderFor(printWithChromium), () => renderFor(renderCertificatePdf))
  const ratio = median(pairs.map(p => p.subject.perSecond / p.baseline.perSecond))
  const ours = median(pairs.flatMap(p => p.subject.bytes))
  const theirs = median(pairs.flatMap(p => p.baseline.bytes))
  const cpus = await cpusAllowed()
  progress(`pdf: ${round1(median(pairs.map(p => p.subject.perSecond)))} PDFs/s, ${ratio.toFixed(1)}× Chromium, ${Math.round(ours / 1024)} KB`)
  await emit({
    rows: [{
      path: 'PDF rendering `renderCertificatePdf`',
      database: '—',
      measuredAs: `PDFs/s, one after another in one thread, process pinned to CPU ${cpus}; A4 with seal and QR code, ${holders.length} holders in turn`,
      subject: { value: median(pairs.map(p => p.subject.perSecond)), unit: 'PDF/s', detail: `${round1(1000 / median(pairs.map(p => p.subject.perSecond)))} ms each, ${round1(ours / 1024)} KB each` },
      baselineName: `Chromium ${browser.version()} (playwright-core, Debian chromium, warm browser, reused page) printing the same certificate as HTML`,
      baseline: { value: median(pairs.map(p => p.baseline.perSecond)), unit: 'PDF/s', detail: `${Math.round(1000 / median(pairs.map(p => p.baseline.perSecond)))} ms each, ${round1(theirs / 1024)} KB each` },
      ratio,
      target: '≥ 20× Chromium; ≤ 100 KB per PDF',
      met: ratio >= 20 && ours <= 100 * 1024,
      rounds,
    }],
    notes: [],
  })
} finally {
  await browser.close()
}
