// Signing settings: what `sign` resolves to, the index.yaml block, and the checks that run
// before anything is written.
import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  indexSignatureFor,
  prepareSigning,
  registerSigningSecrets,
  resolveSignMode,
  type SigningInputs
} from '../../src/sign/signing.js'
import { contextFrom } from '../../test/helpers/context.js'
import { recordingLogger } from '../../test/helpers/fixtures.js'

const base: SigningInputs = {
  sign: 'auto',
  signingKey: '',
  signingKeyPassword: '',
  signingPublicKeyRef: '',
  fulcioUrl: 'https://fulcio.sigstore.dev',
  rekorUrl: 'https://rekor.sigstore.dev',
  provenance: 'auto'
}
const oidc = {
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://token.example/?api-version=2.0',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token'
}
const KEY = readFileSync(new URL('./fixtures/cosign.key', import.meta.url), 'utf8')

function eventFile(repository: Record<string, unknown>): string {
  const path = join(mkdtempSync(join(tmpdir(), 'fpr-event-')), 'event.json')
  writeFileSync(path, JSON.stringify({ repository }))
  return path
}

describe('resolveSignMode', () => {
  it('auto: off without an OIDC token, saying how to turn it on', async () => {
    const r = resolveSignMode(base, contextFrom({}))
    expect(r).toEqual({ mode: 'off', reason: expect.stringContaining('id-token: write') })
  })

  it('auto: keyless with an OIDC token on github.com for a public repository', async () => {
    const env = { ...oidc, GITHUB_EVENT_PATH: eventFile({ private: false, visibility: 'public' }) }
    expect(resolveSignMode(base, contextFrom(env))).toEqual({ mode: 'keyless' })
  })

  it('auto: not keyless for a private repository (public log) unless sign: keyless', async () => {
    const env = { ...oidc, GITHUB_EVENT_PATH: eventFile({ private: true, visibility: 'private' }) }
    expect(resolveSignMode(base, contextFrom(env))).toMatchObject({
      mode: 'off',
      reason: expect.stringContaining('private repository')
    })
    expect(resolveSignMode({ ...base, sign: 'keyless' }, contextFrom(env))).toEqual({
      mode: 'keyless'
    })
    const own = {
      ...base,
      fulcioUrl: 'https://fulcio.internal',
      rekorUrl: 'https://rekor.internal'
    }
    expect(resolveSignMode(own, contextFrom(env))).toEqual({ mode: 'keyless' })
  })

  it('auto: not keyless on GitHub Enterprise Server with the public Sigstore', async () => {
    const env = { ...oidc, GITHUB_SERVER_URL: 'https://ghes.example.com' }
    expect(resolveSignMode(base, contextFrom(env))).toMatchObject({
      mode: 'off',
      reason: expect.stringContaining('fulcio-url')
    })
  })

  it('auto: a signing key wins', async () => {
    expect(resolveSignMode({ ...base, signingKey: KEY }, contextFrom(oidc))).toEqual({
      mode: 'key'
    })
  })

  it('explicit modes fail when they cannot work, naming the fix', async () => {
    expect(() => resolveSignMode({ ...base, sign: 'keyless' }, contextFrom({}))).toThrow(
      /permissions: id-token: write/
    )
    expect(() => resolveSignMode({ ...base, sign: 'key' }, contextFrom(oidc))).toThrow(
      /signing-key/
    )
    expect(
      resolveSignMode({ ...base, sign: 'false', signingKey: KEY }, contextFrom(oidc))
    ).toMatchObject({
      mode: 'off'
    })
  })
})

describe('prepareSigning', () => {
  it('a wrong key password fails before anything is written', async () => {
    const inputs = { ...base, signingKey: KEY, signingKeyPassword: 'nope' }
    await expect(prepareSigning(inputs, contextFrom({}), recordingLogger())).rejects.toThrow(
      /signing-key-password is wrong/
    )
  }, 30_000)

  it('key without signing-public-key-ref signs, and warns that index.yaml cannot say so', async () => {
    const log = recordingLogger()
    const inputs = { ...base, signingKey: KEY, signingKeyPassword: 'fixture-password' }
    const signing = await prepareSigning(inputs, contextFrom({}), log)
    expect(signing.signer?.kind).toBe('key')
    expect(log.warnings.join('\n')).toMatch(/signing-public-key-ref/)
  }, 30_000)

  it('provenance: true needs keyless signing', async () => {
    await expect(
      prepareSigning({ ...base, provenance: true }, contextFrom({}), recordingLogger())
    ).rejects.toThrow(/provenance: true needs keyless/)
  })

  it('the OIDC service refusing the request token fails with its status, not the token', async () => {
    const env = {
      ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:9/',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'xyz-secret'
    }
    const err = await prepareSigning(
      { ...base, sign: 'keyless' },
      contextFrom(env),
      recordingLogger()
    ).catch((e: Error) => e)
    expect(String(err)).toMatch(/requesting the OIDC token from http:\/\/127\.0\.0\.1:9\/ failed/)
    expect(String(err)).not.toContain('xyz-secret')
  })
})

describe('registerSigningSecrets', () => {
  it('masks the key, each of its lines and the password', () => {
    const secrets: string[] = []
    const log = { ...recordingLogger(), secret: (s: string) => void secrets.push(s) }
    registerSigningSecrets({ ...base, signingKey: KEY, signingKeyPassword: 'pw-secret' }, log)
    expect(secrets).toContain(KEY)
    expect(secrets).toContain('pw-secret')
    const body = KEY.split('\n').filter((l) => l && !l.startsWith('-----'))
    for (const line of body) expect(secrets).toContain(line)
    // The PEM armour lines are not secret (and would mask every PEM in the log).
    expect(secrets.filter((s) => s !== KEY && s.startsWith('-----'))).toEqual([])
  })
})

describe('indexSignatureFor', () => {
  it('keyless: the issuer and any ref of the same workflow file, as a Go regexp', () => {
    const block = indexSignatureFor({
      kind: 'keyless',
      subject:
        'https://github.com/Acme/falco.plugins/.github/workflows/release.yml@refs/tags/v1.2.3',
      issuer: 'https://token.actions.githubusercontent.com',
      certificate: ''
    })
    expect(block).toEqual({
      cosign: {
        'certificate-oidc-issuer': 'https://token.actions.githubusercontent.com',
        'certificate-identity-regexp':
          '^https://github\\.com/Acme/falco\\.plugins/\\.github/workflows/release\\.yml@'
      }
    })
    const re = new RegExp(block!.cosign['certificate-identity-regexp'] as string)
    expect(
      re.test(
        'https://github.com/Acme/falco.plugins/.github/workflows/release.yml@refs/tags/v2.0.0'
      )
    ).toBe(true)
    expect(
      re.test('https://github.com/Acme/falcoXplugins/.github/workflows/release.yml@refs/tags/v2')
    ).toBe(false)
    expect(
      re.test('https://github.com/Acme/falco.plugins/.github/workflows/other.yml@refs/tags/v2')
    ).toBe(false)
  })

  it('keyless with an e-mail identity: the exact identity', () => {
    expect(
      indexSignatureFor({
        kind: 'keyless',
        subject: 'me@example.com',
        issuer: 'https://x',
        certificate: ''
      })
    ).toEqual({
      cosign: { 'certificate-oidc-issuer': 'https://x', 'certificate-identity': 'me@example.com' }
    })
  })

  it('key: the public key reference without transparency log, or nothing without a reference', () => {
    const id = { kind: 'key' as const, publicKeyPem: 'PEM' }
    expect(indexSignatureFor(id, 'https://example.com/cosign.pub')).toEqual({
      cosign: { key: 'https://example.com/cosign.pub', 'ignore-tlog': true }
    })
    expect(indexSignatureFor(id)).toBeUndefined()
  })
})
