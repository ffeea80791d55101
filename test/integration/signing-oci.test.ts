// Signatures the way falcoctl and cosign read them, verified by the real cosign v3.1.3:
// key-based signatures in both formats (cosign v2 `.sig` tag, cosign v3 bundle referrer), on a
// registry with the OCI 1.1 referrers API and on Debian's docker-registry 2.8 without it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { referrersTag } from '../../src/oci/referrers.js'
import { RegistryClient } from '../../src/oci/registry.js'
import type { OciTarget } from '../../src/oci/types.js'
import { signAndAttach } from '../../src/sign/attach.js'
import { signatureTag } from '../../src/sign/cosign.js'
import { loadSigningKey } from '../../src/sign/key.js'
import { SigstoreSigner } from '../../src/sign/signer.js'
import { cosign } from '../helpers/cosign.js'
import { startSigstoreStandIns } from '../helpers/sigstore.js'
import { contextFrom } from '../helpers/context.js'
import { requestIdToken } from '../../src/sign/oidc.js'
import { silentLogger } from '../../src/log.js'
import { startReferrersRegistry } from '../helpers/referrers-registry.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const FIXTURES = join(process.cwd(), '__tests__', 'sign', 'fixtures')
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

async function pushSubject(target: OciTarget, text: string) {
  const layer = bufferBlob(Buffer.from(text))
  const config = bufferBlob(Buffer.from('{"name":"demo","version":"1.0.0"}'))
  await target.pushBlobs([layer, config])
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: 'application/vnd.cncf.falco.rulesfile.config.v1+json',
        digest: config.digest,
        size: config.size
      },
      layers: [
        {
          mediaType: 'application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz',
          digest: layer.digest,
          size: layer.size,
          annotations: { 'org.opencontainers.image.title': 'demo.tar.gz' }
        }
      ]
    })
  )
  const digest = sha256Digest(manifest)
  await target.pushManifest(manifest, OCI_MANIFEST, digest)
  return { mediaType: OCI_MANIFEST, digest, size: manifest.length }
}

describe.each([
  ['docker-registry 2.8 (no referrers API)', startRegistry, 'tag'],
  ['a registry with the referrers API', startReferrersRegistry, 'api']
] as const)('key signatures on %s', (_name, start, via) => {
  let reg: RunningRegistry
  beforeAll(async () => {
    reg = await start()
  }, 60_000)
  afterAll(async () => reg?.stop())

  it('cosign verifies both formats with the public key; another key is refused', async () => {
    const target = new RegistryClient({ registry: reg.host, plainHttp: true }).repository(
      'acme/ruleset/demo'
    )
    const subject = await pushSubject(target, `rules for ${via}`)
    const key = await loadSigningKey(
      readFileSync(join(FIXTURES, 'cosign.key'), 'utf8'),
      'fixture-password'
    )
    const signer = SigstoreSigner.withKey(key)
    const attached = await signAndAttach(target, subject, signer, '2026-01-01T00:00:00Z')
    expect(attached.bundle.via).toBe(via)
    expect(await target.resolveTag(signatureTag(subject.digest))).toBe(attached.legacy.digest)
    const fallback = await target.resolveTag(referrersTag(subject.digest))
    expect(fallback === undefined).toBe(via === 'api')

    const ref = `${reg.host}/acme/ruleset/demo@${subject.digest}`
    const pub = join(FIXTURES, 'cosign.pub')
    const base = ['verify', '--key', pub, '--insecure-ignore-tlog', '--allow-http-registry']
    const v3 = await cosign([...base, ref])
    expect(v3.output).toContain('"type":"https://sigstore.dev/cosign/sign/v1"')
    expect(v3.ok).toBe(true)
    const v2 = await cosign([...base, '--new-bundle-format=false', ref])
    expect(v2.output).toContain('cosign container image signature')
    expect(v2.ok).toBe(true)

    const dir = mkdtempSync(join(tmpdir(), 'fpr-otherkey-'))
    const other = await cosign(['generate-key-pair', '--output-key-prefix', join(dir, 'other')], {
      COSIGN_PASSWORD: 'x'
    })
    expect(other.ok).toBe(true)
    const wrong = await cosign([
      'verify',
      '--key',
      join(dir, 'other.pub'),
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      ref
    ])
    expect(wrong.ok).toBe(false)
  }, 180_000)

  it('keyless: cosign verifies both formats against the stand-ins trusted root and identity', async () => {
    const standIns = await startSigstoreStandIns({
      repository: 'acme/falco-plugins',
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/1.0.0'
    })
    try {
      const target = new RegistryClient({ registry: reg.host, plainHttp: true }).repository(
        'acme/plugin/demo'
      )
      const subject = await pushSubject(target, `keyless plugin for ${via}`)
      const signer = SigstoreSigner.keyless({
        fulcioUrl: standIns.url,
        rekorUrl: standIns.url,
        issuer: standIns.issuer,
        token: () => requestIdToken(contextFrom(standIns.runnerEnv).oidc, silentLogger)
      })
      await signAndAttach(target, subject, signer, '2026-01-01T00:00:00Z')
      const identity = await signer.identity()
      expect(identity).toMatchObject({
        kind: 'keyless',
        subject: standIns.identity,
        issuer: standIns.issuer
      })

      const dir = mkdtempSync(join(tmpdir(), 'fpr-trust-'))
      const trustedRoot = join(dir, 'trusted_root.json')
      writeFileSync(trustedRoot, JSON.stringify(standIns.trustedRoot()))
      const ref = `${reg.host}/acme/plugin/demo@${subject.digest}`
      const base = [
        'verify',
        '--trusted-root',
        trustedRoot,
        '--certificate-oidc-issuer',
        standIns.issuer,
        '--allow-http-registry'
      ]
      const v3 = await cosign([...base, '--certificate-identity', standIns.identity, ref])
      expect(v3.output).toContain('https://sigstore.dev/cosign/sign/v1')
      expect(v3.output).toContain('The cosign claims were validated')
      expect(v3.output).toContain('transparency log was verified offline')
      expect(v3.output).toContain('verified using trusted certificate authority certificates')
      expect(v3.ok).toBe(true)
      const v2 = await cosign([
        ...base,
        '--certificate-identity',
        standIns.identity,
        '--new-bundle-format=false',
        ref
      ])
      expect(v2.output).toContain('cosign container image signature')
      expect(v2.ok).toBe(true)
      const regexp = await cosign([
        ...base,
        '--certificate-identity-regexp',
        '^https://github\\.com/acme/falco-plugins/\\.github/workflows/release\\.yml@',
        ref
      ])
      expect(regexp.ok).toBe(true)
      const otherRepo = await cosign([
        ...base,
        '--certificate-identity-regexp',
        '^https://github\\.com/evil/',
        ref
      ])
      expect(otherRepo.ok).toBe(false)
    } finally {
      await standIns.stop()
    }
  }, 180_000)
})
