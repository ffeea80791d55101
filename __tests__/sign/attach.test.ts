// Attaching signatures (in memory): both cosign formats, the referrers API or the tag-schema
// fallback, signatures already there kept; and publish() signing every root before any tag.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { silentLogger } from '../../src/log.js'
import { sha256Digest } from '../../src/oci/blob.js'
import { attachReferrer, referrersTag } from '../../src/oci/referrers.js'
import { makePlan } from '../../src/plan/plan.js'
import { publish } from '../../src/publish/publish.js'
import { signAndAttach } from '../../src/sign/attach.js'
import {
  ANNOTATION_SIGNATURE,
  BUNDLE_V03_MEDIA_TYPE,
  SIMPLE_SIGNING_MEDIA_TYPE,
  cosignSignStatement,
  signatureTag,
  simpleSigningPayload
} from '../../src/sign/cosign.js'
import { loadSigningKey } from '../../src/sign/key.js'
import { SigstoreSigner } from '../../src/sign/signer.js'
import { MemoryTarget, type Write } from '../helpers/memory-target.js'
import { planFacts } from '../helpers/plan-facts.js'

const KEY = readFileSync(new URL('./fixtures/cosign.key', import.meta.url), 'utf8')
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'

async function keySigner(): Promise<SigstoreSigner> {
  return SigstoreSigner.withKey(await loadSigningKey(KEY, 'fixture-password'))
}

async function subjectIn(target: MemoryTarget) {
  const body = Buffer.from(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}'
  )
  const digest = sha256Digest(body)
  await target.pushManifest(body, OCI_INDEX, digest)
  return { mediaType: OCI_INDEX, digest, size: body.length }
}

/** A stored manifest, parsed loosely (the tests read nested fields). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = Record<string, any>
const json = (t: MemoryTarget, ref: string) =>
  JSON.parse(
    t.manifests.get(ref.startsWith('sha256:') ? ref : (t.tags.get(ref) as string))!.body.toString()
  ) as Loose

describe('cosign payloads', () => {
  it('the simple-signing payload and the in-toto statement name the digest', () => {
    const d = `sha256:${'ab'.repeat(32)}`
    expect(JSON.parse(simpleSigningPayload('ghcr.io/a/b', d).toString())).toEqual({
      critical: {
        identity: { 'docker-reference': 'ghcr.io/a/b' },
        image: { 'docker-manifest-digest': d },
        type: 'cosign container image signature'
      },
      optional: null
    })
    expect(JSON.parse(cosignSignStatement(d).toString())).toEqual({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ digest: { sha256: 'ab'.repeat(32) } }],
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      predicate: {}
    })
    expect(signatureTag(d)).toBe(`sha256-${'ab'.repeat(32)}.sig`)
  })
})

describe('signAndAttach', () => {
  it.each([
    ['without the referrers API', false],
    ['with the referrers API', true]
  ])(
    '%s: a .sig manifest and a bundle referrer; a second signature is added, not replaced',
    async (_n, api) => {
      const log: Write[] = []
      const target = new MemoryTarget('reg/acme/plugin/foo', log)
      target.referrersApi = api
      const subject = await subjectIn(target)
      const signer = await keySigner()
      const first = await signAndAttach(target, subject, signer, '2026-01-01T00:00:00Z')

      const sig = json(target, signatureTag(subject.digest))
      expect(sig.layers).toHaveLength(1)
      expect(sig.layers[0].mediaType).toBe(SIMPLE_SIGNING_MEDIA_TYPE)
      expect(sig.layers[0].annotations[ANNOTATION_SIGNATURE]).toMatch(/^[A-Za-z0-9+/]+=*$/)
      const payload = target.blobs.get(sig.layers[0].digest)!
      expect(JSON.parse(payload.toString()).critical.image['docker-manifest-digest']).toBe(
        subject.digest
      )
      expect(JSON.parse(target.blobs.get(sig.config.digest)!.toString()).rootfs.diff_ids).toEqual([
        sig.layers[0].digest
      ])

      const referrer = json(target, first.bundle.digest)
      expect(referrer).toMatchObject({
        artifactType: BUNDLE_V03_MEDIA_TYPE,
        subject,
        layers: [{ mediaType: BUNDLE_V03_MEDIA_TYPE }],
        config: { mediaType: 'application/vnd.oci.empty.v1+json', size: 2 }
      })
      const bundle = JSON.parse(target.blobs.get(referrer.layers[0].digest)!.toString())
      expect(bundle.mediaType).toBe('application/vnd.dev.sigstore.bundle.v0.3+json')
      expect(bundle.dsseEnvelope.payloadType).toBe('application/vnd.in-toto+json')
      expect(first.bundle.via).toBe(api ? 'api' : 'tag')
      expect(target.tags.has(referrersTag(subject.digest))).toBe(!api)

      const second = await signAndAttach(target, subject, signer, '2026-01-02T00:00:00Z')
      expect(json(target, signatureTag(subject.digest)).layers).toHaveLength(2)
      if (!api) {
        const listed = json(target, referrersTag(subject.digest)).manifests.map(
          (d: { digest: string }) => d.digest
        )
        expect(listed).toEqual([first.bundle.digest, second.bundle.digest])
      }
    },
    30_000
  )
})

describe('attachReferrer (tag-schema fallback)', () => {
  const referrer = (n: number, subject: string) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'x/y',
        n,
        subject: { digest: subject }
      })
    )

  it('keeps what the fallback index lists, adds ours once, and refuses a tag that is not an index', async () => {
    const target = new MemoryTarget('t', [])
    const subject = await subjectIn(target)
    const other = {
      mediaType: OCI_MANIFEST,
      digest: `sha256:${'0'.repeat(64)}`,
      size: 1,
      artifactType: 'a/b'
    }
    const existing = Buffer.from(
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [other] })
    )
    await target.pushManifest(existing, OCI_INDEX, referrersTag(subject.digest))
    const a = await attachReferrer(target, subject.digest, {
      body: referrer(1, subject.digest),
      artifactType: 'x/y'
    })
    await attachReferrer(target, subject.digest, {
      body: referrer(1, subject.digest),
      artifactType: 'x/y'
    })
    expect(json(target, referrersTag(subject.digest)).manifests).toEqual([
      other,
      {
        mediaType: OCI_MANIFEST,
        digest: a.digest,
        size: referrer(1, subject.digest).length,
        artifactType: 'x/y'
      }
    ])
    await target.pushManifest(Buffer.from('not json'), OCI_INDEX, referrersTag(subject.digest))
    await expect(
      attachReferrer(target, subject.digest, {
        body: referrer(2, subject.digest),
        artifactType: 'x/y'
      })
    ).rejects.toThrow(/delete that tag/)
  })
})

describe('publish with signing', () => {
  it('signs every root after the manifests and before the first tag', async () => {
    const log: Write[] = []
    const plugin = new MemoryTarget('plugin', log)
    const rules = new MemoryTarget('rules', log)
    const plan = makePlan(await planFacts())
    const signer = await keySigner()
    const report = await publish(plan, { plugin, rules }, silentLogger, {
      sign: (t, root) => signAndAttach(t, root, signer, '2026-01-01T00:00:00Z')
    })
    expect(report.signatures.map((s) => s.digest).sort()).toEqual(
      [plan.plugin.root.descriptor.digest, plan.rules!.root.descriptor.digest].sort()
    )
    const firstVersionTag = log.findIndex((w) => w.ref === '1.4.2')
    const lastSignature = log.map((w) => w.ref.endsWith('.sig')).lastIndexOf(true)
    const lastRoot = log.map((w) => w.ref === plan.plugin.root.descriptor.digest).lastIndexOf(true)
    expect(lastRoot).toBeLessThan(lastSignature)
    expect(lastSignature).toBeLessThan(firstVersionTag)
  }, 30_000)

  it('a signing failure writes no tag', async () => {
    const log: Write[] = []
    const plugin = new MemoryTarget('plugin', log)
    const rules = new MemoryTarget('rules', log)
    const plan = makePlan(await planFacts())
    await expect(
      publish(plan, { plugin, rules }, silentLogger, {
        sign: async () => {
          throw new Error('Fulcio is down')
        }
      })
    ).rejects.toThrow(/Fulcio is down/)
    expect([...plugin.tags.keys(), ...rules.tags.keys()]).toEqual([])
    expect(log.some((w) => w.kind === 'manifest')).toBe(true)
  })
})
