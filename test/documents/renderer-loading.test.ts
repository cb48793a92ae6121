import { createRequire } from 'node:module'
import t from 'tap'
import { build, issueBody } from '../helper.js'

// Both packages are CommonJS: once imported, they sit in the require cache of the thread that imported them.
const pdfPackages = ['pdf-lib', 'qrcode']
const loadedPdfPackages = () => {
  const loaded = Object.keys(createRequire(import.meta.url).cache)
  return pdfPackages.filter(name => loaded.some(file => file.includes(`/node_modules/${name}/`)))
}

t.test('the event loop never loads the PDF renderer nor pdf-lib: every PDF is rendered and read on the pool\'s threads', async t => {
  const { app, createIssuer } = await build(t)
  const { apiKey } = await createIssuer('authority', '440106')
  const issued = await app.inject({ method: 'POST', url: '/v1/certificates', headers: { authorization: `Bearer ${apiKey}` }, payload: issueBody() })
  t.equal(issued.statusCode, 201)
  const { number, jws } = issued.json() as { number: string, jws: string }

  t.equal((await app.inject({ url: `/v1/certificates/${number}` })).statusCode, 200)
  t.equal((await app.inject({ url: `/v/${number}` })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/v1/verify', payload: { jws } })).json().verdict, 'valid')
  // An uploaded PDF is parsed by pdf-lib in a worker thread, not here.
  const junk = await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: Buffer.from('%PDF-1.7\nnot a document') })
  t.equal(junk.json().code, 'PDF_ALTERED', 'an unsigned "PDF" is refused from its bytes alone')
  t.same(loadedPdfPackages(), [], 'neither qrcode (the renderer) nor pdf-lib (the reader) in this thread')

  const pdf = await app.inject({ url: `/v1/certificates/${number}/pdf`, headers: { authorization: `Bearer ${apiKey}` } })
  t.equal(pdf.statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: '/v1/verify', headers: { 'content-type': 'application/pdf' }, payload: pdf.rawPayload })).json().verdict, 'valid')
  t.same(loadedPdfPackages(), [], 'a PDF rendered and one read: still neither in this thread')
})
