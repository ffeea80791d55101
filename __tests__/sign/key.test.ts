// Signing keys: cosign's encrypted key files (a fixture made by cosign v3.1.3 generate-key-pair,
// password "fixture-password") and plain PEM keys.
import { describe, expect, it } from '@jest/globals'
import { generateKeyPairSync, verify } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { loadSigningKey } from '../../src/sign/key.js'
import { sign } from 'node:crypto'

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')

describe('loadSigningKey', () => {
  it('decrypts a cosign key file and derives the public key cosign wrote beside it', async () => {
    const key = await loadSigningKey(fixture('cosign.key'), 'fixture-password')
    expect(key.publicKeyPem.trim()).toBe(fixture('cosign.pub').trim())
    const sig = sign('sha256', Buffer.from('hello'), key.privateKey)
    expect(verify('sha256', Buffer.from('hello'), key.publicKeyPem, sig)).toBe(true)
    expect(key.keyId).toMatch(/^[A-Za-z0-9+/]{43}=$/)
  }, 30_000)

  it('names the password when it is wrong', async () => {
    await expect(loadSigningKey(fixture('cosign.key'), 'wrong')).rejects.toThrow(
      /signing-key-password is wrong/
    )
  }, 30_000)

  it('reads plain and encrypted PKCS#8 P-256 keys', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const plain = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    expect((await loadSigningKey(plain, '')).publicKeyPem).toMatch(/BEGIN PUBLIC KEY/)
    const enc = privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString()
    expect((await loadSigningKey(enc, 'pw')).publicKeyPem).toMatch(/BEGIN PUBLIC KEY/)
    await expect(loadSigningKey(enc, 'nope')).rejects.toThrow(/password is wrong/)
  })

  it('names the password for an encrypted PKCS#8 key whatever the wrong password decrypts to', async () => {
    // A wrong password passes the CBC padding check about 1 time in 256, and the garbage then
    // fails as DER: 300 wrong passwords meet such a case about 70% of the time, and every one
    // must name the password.
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const enc = privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'pw' })
      .toString()
    for (let i = 0; i < 300; i++) {
      await expect(loadSigningKey(enc, `wrong-${i}`)).rejects.toThrow(/password is wrong/)
    }
  }, 60_000)

  it('refuses keys falcoctl cannot verify, and text without a key', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' })
    const p384 = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()
    await expect(loadSigningKey(p384, '')).rejects.toThrow(/use an ECDSA P-256 key/)
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ format: 'pem', type: 'pkcs8' })
      .toString()
    await expect(loadSigningKey(rsa, '')).rejects.toThrow(/rsa key is not supported/)
    await expect(loadSigningKey('not a key', '')).rejects.toThrow(/holds no PEM block/)
  })
})
