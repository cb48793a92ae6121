// The compact QR token's own layers (docs/QR-FORMAT.md): bytes as digits, the claims' encoding, a deterministic signature.
import { randomBytes } from 'node:crypto'
import * as cbor from 'cborg'
import t from 'tap'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose'
import { readCompactClaims, shortKidOf, signCompactToken, verifyCompactToken, type CompactClaims } from '../../src/signing/certificate-cose.js'
import { bytesToDigits, digitsToBytes } from '../../src/signing/decimal-bytes.js'

t.test('bytes written as digits come back exactly, leading zero bytes included; other digit strings are no bytes', async t => {
  for (let length = 0; length <= 30; length++) {
    const bytes = new Uint8Array(randomBytes(length))
    if (length > 0) bytes[0] = 0
    const digits = bytesToDigits(bytes)
    t.match(digits, /^[0-9]*$/)
    t.equal(digits.length, Math.floor(length / 7) * 17 + [0, 3, 5, 8, 10, 13, 15][length % 7]!, `${length} bytes`)
    t.same(digitsToBytes(digits), bytes, `${length} bytes round trip`)
  }
  t.equal(bytesToDigits(new Uint8Array([0x84, 0x49, 0xa2, 0x01, 0x26, 0x04, 0x44])), '37235657078604868', 'the first group of the format\'s example')
  for (const digits of ['1', '1234', '99999999999999999', '256', '65536', '12a']) t.equal(digitsToBytes(digits), undefined, digits)
})

async function testKey (alg: 'ES256' | 'EdDSA') {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, crv: alg === 'EdDSA' ? 'Ed25519' : undefined })
  const privateJwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint(privateJwk as JWK)
  return { signer: { kid, alg, privateJwk }, lookup: { kids: async () => [kid], findKey: async () => ({ alg, publicKey: publicKey as CryptoKey, created: new Date(0) }) } }
}

const claims: CompactClaims = { holderName: '欧阳娜娜', hours: { pub: 20, pro: 44.5, ele: 12, tot: 76.5 }, iat: 1772416800 }
const partsOf = (digits: string) => cbor.decode(digitsToBytes(digits)!, { useMaps: true }) as [Uint8Array, Map<never, never>, Uint8Array, Uint8Array]

for (const alg of ['ES256', 'EdDSA'] as const) {
  t.test(`${alg}: the same certificate and key always give the same token, which verifies with its number only`, async t => {
    const { signer, lookup } = await testKey(alg)
    const token = signCompactToken(signer, '44010625000002', claims)
    t.equal(signCompactToken(signer, '44010625000002', claims), token)
    const [protectedHeader, unprotected, , signature] = partsOf(token)
    t.same(cbor.decode(protectedHeader, { useMaps: true }), new Map<number, unknown>([[1, alg === 'ES256' ? -7 : -8], [4, shortKidOf(signer.kid)]]))
    t.equal(unprotected.size, 0)
    t.equal(signature.length, 64)
    const verified = await verifyCompactToken(token, '44010625000002', lookup)
    t.ok(verified.ok)
    t.same(verified.ok && readCompactClaims(verified.claims), { ok: true, claims })
    t.match(await verifyCompactToken(token, '44010625000003', lookup), { ok: false, failure: 'bad-signature' }, 'the number is signed')
  })
}

t.test('a name takes the shorter encoding: UTF-16BE for Han characters (also beyond the BMP), UTF-8 for Latin letters', async t => {
  const { signer, lookup } = await testKey('ES256')
  for (const [name, key] of [['欧阳娜娜', 2], ['𠮷野家', 2], ['Anne-Marie Dupont', 1], ['买买提·艾力', 2]] as const) {
    const token = signCompactToken(signer, '44010625000002', { ...claims, holderName: name })
    t.ok((cbor.decode(partsOf(token)[2], { useMaps: true }) as Map<number, unknown>).has(key), `${name}: key ${key}`)
    const verified = await verifyCompactToken(token, '44010625000002', lookup)
    t.equal(verified.ok && readCompactClaims(verified.claims).ok && (readCompactClaims(verified.claims) as { claims: CompactClaims }).claims.holderName, name)
  }
})

t.test('claims outside the format are refused once the signature holds', async t => {
  const bad: Array<[string, Map<unknown, unknown>]> = [
    ['an unknown claim', new Map<unknown, unknown>([[1, '张三'], [3, [20, 44, 12, 76]], [4, 1772416800], [9, 'x']])],
    ['the name twice', new Map<unknown, unknown>([[1, '张三'], [2, new Uint8Array([0x5f, 0x20])], [3, [20, 44, 12, 76]], [4, 1772416800]])],
    ['a lone surrogate', new Map<unknown, unknown>([[2, new Uint8Array([0xd8, 0x42])], [3, [20, 44, 12, 76]], [4, 1772416800]])],
    ['three hours', new Map<unknown, unknown>([[1, '张三'], [3, [20, 44, 12]], [4, 1772416800]])],
    ['negative hours', new Map<unknown, unknown>([[1, '张三'], [3, [20, -44, 12, 76]], [4, 1772416800]])],
    ['an issue time in 1999', new Map<unknown, unknown>([[1, '张三'], [3, [20, 44, 12, 76]], [4, 915148800]])],
    ['31 characters', new Map<unknown, unknown>([[1, '张'.repeat(31)], [3, [20, 44, 12, 76]], [4, 1772416800]])],
  ]
  for (const [what, map] of bad) t.notOk(readCompactClaims(map).ok, what)
})
