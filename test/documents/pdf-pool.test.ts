// One worker pool for every PDF: rendering and reading off the event loop, a bounded queue, two PDFs a client, nothing for a client who left.
import { createCipheriv, randomUUID } from 'node:crypto'
import t from 'tap'
import { createPdfPool, renderCertificatePdf } from '../../src/documents/index.js'
import { signCertificatePdf } from '../../src/documents/pdf-signature.js'
import { kidOfPublicKey } from '../../src/signing/certificate-jws.js'
import { certificateInput, fixtureSigner } from '../fixtures/certificate-pdf-input.js'

const pool = createPdfPool({ threads: 2, readTimeoutMs: 2_000 })
t.teardown(() => pool.close())
const fixtureKid = await kidOfPublicKey(fixtureSigner.privateJwk as JsonWebKey)
const client = () => ({ client: randomUUID() })

/**
 * Junk that pdf-lib would parse for half a minute, properly signed as a PDF by `signer`: only a trusted signer's file is parsed at all.
 * The same bytes every run (an AES-CTR key stream, without '/'): random bytes now and then hold something pdf-lib gives up on at once.
 */
async function signedJunk (): Promise<Uint8Array> {
  const noise = createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16)).update(Buffer.alloc(3 * 1024 * 1024)).map(b => (b === 0x2f ? 0x20 : b))
  const placeholder = '/**********'
  const dictionary = `\n1 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 ${placeholder} ${placeholder} ${placeholder}] /Contents <${'0'.repeat(16384)}> /M (D:20260101000000Z) >>\nendobj\n%%EOF\n`
  return signCertificatePdf(Buffer.concat([Buffer.from('%PDF-1.7\n'), noise, Buffer.from(dictionary, 'latin1')]), fixtureSigner)
}

t.test('a certificate is rendered and read back on the pool: its signature, then its token', async t => {
  const input = certificateInput({ number: '44010625000301' })
  const pdf = await pool.render(input, client())
  const reading = await pool.read(pdf, [fixtureKid], client())
  t.match(reading, { signature: { kind: 'signed' }, extraction: { outcome: 'found', jws: input.jws } })
  t.same(await pool.read(pdf, [], client()), { signature: reading.signature }, 'a signer not trusted: its file is not parsed')
  const several = await Promise.all(['44010625000302', '44010625000303', '44010625000304'].map(async number => {
    const other = certificateInput({ number })
    return (await pool.read(await pool.render(other, client()), [fixtureKid], client())).extraction
  }))
  t.same(several.map(e => e?.outcome), ['found', 'found', 'found'], 'several at once each get their own')
})

t.test('a file with no signature dictionary is answered at once, without a thread', async t => {
  const before = pool.load()
  t.same(await pool.read(Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2 * 1024 * 1024, 'a')]), [fixtureKid], client()), { signature: { kind: 'absent' } })
  t.equal(pool.load().queued, before.queued)
})

t.test('a signed file that pdf-lib would parse for many seconds is given up on, and reading goes on', async t => {
  const junk = await signedJunk()
  const untrusted = await pool.read(junk, [], client())
  t.match(untrusted, { signature: { kind: 'signed' } }, 'signed, by a key of its own')
  t.notOk('extraction' in untrusted, 'and so never parsed')
  const input = certificateInput({ number: '44010625000305' })
  const [stopped, next] = await Promise.allSettled([pool.read(junk, [fixtureKid], client()), pool.render(input, client()).then(pdf => pool.read(pdf, [fixtureKid], client()))])
  t.match(stopped, { status: 'rejected', reason: { code: 'INVALID_PDF', message: /could not be read within 2 s/ } })
  t.match(next, { status: 'fulfilled', value: { extraction: { jws: input.jws } } }, 'the next PDF is read by a fresh thread')
})

t.test('a client who leaves while its PDF is on a thread does not stop the thread: a new one would load everything again', async t => {
  const single = createPdfPool({ threads: 1, readTimeoutMs: 3_000 })
  t.teardown(() => single.close())
  // A render starts the thread (a cold start under load can take longer than the read limit, which counts from submission).
  t.ok((await single.render(certificateInput({ number: '44010625000501' }), client())).byteLength > 0, 'the thread is up')
  const gone = new AbortController()
  const reading = single.read(await signedJunk(), [fixtureKid], { client: 'leaves', signal: gone.signal }).catch((error: unknown) => error)
  // On the thread (queued no more), and its word that it started has had a second to arrive; the read limit is 3 s.
  while (single.load().queued > 0) await new Promise(resolve => setTimeout(resolve, 20))
  await new Promise(resolve => setTimeout(resolve, 1_000))
  gone.abort()
  t.match(await reading, { code: 'INVALID_PDF', message: /could not be read within 3 s/ }, 'the read went on to its limit, not stopped when the client left')
})

t.test('a certificate rendered on the pool is the same PDF as rendered here, and its refusals keep their code', async (t) => {
  const input = certificateInput({ number: '44010625000401' })
  t.same(Buffer.from(await pool.render(input, { client: randomUUID() })), Buffer.from(await renderCertificatePdf(input)), 'byte for byte')
  await t.rejects(pool.render(certificateInput({ holderName: '张\u{323AF}' }), { client: randomUUID() }), { code: 'UNRENDERABLE_CHARACTER' })
})

t.test('one client has at most two PDFs in flight; the queue is bounded; work for a client who left is dropped', async (t) => {
  const small = createPdfPool({ threads: 1, maxQueue: 2, perClient: 2, readTimeoutMs: 10_000 })
  t.teardown(() => small.close())
  const junk = await signedJunk()
  const slow = () => junk
  const one = { client: 'one' }
  const first = small.read(slow(), [fixtureKid], one)
  const second = small.read(slow(), [fixtureKid], one)
  await t.rejects(small.read(slow(), [fixtureKid], one), { code: 'RATE_LIMITED', status: 429 }, 'a third from the same client waits its turn')
  const others = [small.read(slow(), [fixtureKid], { client: 'two' }), small.read(slow(), [fixtureKid], { client: 'three' })]
  await t.rejects(small.read(slow(), [fixtureKid], { client: 'four' }), { code: 'OVERLOADED', status: 503 }, 'a full queue refuses at once')
  await Promise.allSettled([first, second, ...others])

  const busy = small.read(slow(), [fixtureKid], { client: 'six' })
  const gone = new AbortController()
  const abandoned = small.read(slow(), [fixtureKid], { client: 'five', signal: gone.signal }).catch((error: unknown) => error)
  t.equal(small.load().queued, 1, 'queued behind the busy thread')
  gone.abort()
  t.match(await abandoned, { name: 'AbortError' }, 'the client left: its PDF is dropped')
  t.equal(small.load().queued, 0, 'and no longer waits for a thread')
  await busy.catch(() => {})
})

