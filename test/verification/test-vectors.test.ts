// docs/test-vectors: what the code makes is what is committed, and the service's pipeline and the offline verifier reach exactly the verdicts the vectors state.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'
import { readPdfHere } from '../../src/documents/index.js'
import { importJwks } from '../../src/signing/jwks-keys.js'
import type { CertificateRegistry, RegistryRecord } from '../../src/verification/certificate-registry.js'
import { createOfflineVerifier } from '../../src/verification/offline-verifier.js'
import type { Presentation } from '../../src/verification/presented-token.js'
import { verifyPresentation } from '../../src/verification/verification-pipeline.js'
import type { VerificationReport } from '../../src/verification/verification-report.js'
import { buildTestVectors, type ExpectedOutcome, type VectorCase } from '../fixtures/test-vectors.js'

const folder = fileURLToPath(new URL('../../docs/test-vectors/', import.meta.url))
const read = (name: string) => readFile(path.join(folder, name))
const text = async (name: string) => (await read(name)).toString('utf8')
const manifest = JSON.parse(await text('manifest.json')) as { verifiedAt: string, cases: VectorCase[], revocationLists: Record<'current' | 'stale', string> }
const jwks = JSON.parse(await text('jwks.json')) as { keys: Array<Record<string, unknown>>, origins: string[] }
const clock = () => new Date(manifest.verifiedAt)

async function listsOf (which: 'current' | 'stale'): Promise<string[]> {
  const dir = manifest.revocationLists[which]
  return Promise.all((await readdir(path.join(folder, dir))).sort().map(file => text(path.join(dir, file))))
}

async function presentationOf (present: VectorCase['present']): Promise<Presentation> {
  if ('pdf' in present) return { pdf: new Uint8Array(await read(present.pdf)) }
  if ('jws' in present) return { jws: (await text(present.jws)).trim() }
  return { qr: (await text(present.qr)).trim() }
}

/** The register of the vectors, as the service's database registry answers. */
const records = new Map((JSON.parse(await text('register.json')) as Array<Omit<RegistryRecord, 'issuedAt' | 'revokedAt'> & { issuedAt: string, revokedAt: string | null }>)
  .map(r => [r.number, { ...r, issuedAt: new Date(r.issuedAt), revokedAt: r.revokedAt === null ? null : new Date(r.revokedAt) } as RegistryRecord]))
const register: CertificateRegistry = {
  async lookup (number) {
    const record = records.get(number)
    return record === undefined ? { kind: 'absent' } : { kind: 'record', record }
  },
}
const keys = await importJwks(jwks)
const online = {
  findKey: async (kid: string) => keys.get(kid),
  kids: async () => [...keys.keys()],
  registry: register,
  clock,
  readPdf: (pdf: Uint8Array) => readPdfHere(pdf, [...keys.keys()]),
  trustedBaseUrls: jwks.origins,
}

const outcomeOf = (report: VerificationReport): ExpectedOutcome => {
  const failed = report.checks.find(check => !check.ok)
  return { verdict: report.verdict, ...(failed === undefined ? {} : { failedCheck: failed.name }), ...(failed?.code === undefined ? {} : { code: failed.code }) }
}

t.test('the committed vectors are exactly what the code makes from the published seeds and the fixed clock (npm run test-vectors)', async t => {
  const made = await buildTestVectors()
  const committed = new Set<string>()
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) committed.add(path.relative(folder, path.join(entry.parentPath, entry.name)))
  }
  committed.delete('README.md')
  t.same([...committed].sort(), [...made.keys()].sort(), 'the same files')
  for (const [name, content] of made) t.ok(Buffer.from(content).equals(await read(name)), name)
})

t.test('the vectors hold no private key, and no key the service trusts', async t => {
  t.ok(jwks.keys.every(key => !('d' in key)), 'public keys only')
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue
    t.notMatch(entry.name, /\.(pem|jwk|key)$/, entry.name)
    if (!entry.name.endsWith('.pdf')) t.notMatch(await readFile(path.join(entry.parentPath, entry.name), 'utf8'), /PRIVATE KEY|"d":/, entry.name)
  }
})

for (const vector of manifest.cases) {
  t.test(`${vector.id}: ${vector.description}`, async t => {
    const presentation = await presentationOf(vector.present)
    t.same(outcomeOf(await verifyPresentation(presentation, online)), vector.expected.online, 'the service\'s pipeline, online')
    const offline = await createOfflineVerifier({ jwks, revocationLists: await listsOf(vector.revocationLists), clock })
    t.same(outcomeOf(await offline.verify(presentation)), vector.expected.offline, 'the offline verifier')
  })
}
