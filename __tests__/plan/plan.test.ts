import { describe, expect, it } from '@jest/globals'
import type { PublishedArtifact } from '../../src/plan/differences.js'
import {
  digestsCanRefuse,
  makePlan,
  outlinePlan,
  PlanError,
  type ArtifactPlan
} from '../../src/plan/plan.js'
import { planFacts } from '../helpers/plan-facts.js'

describe('makePlan', () => {
  it('names repositories and refs after the plugin, under the repository prefix', async () => {
    const plan = makePlan(await planFacts())
    expect(plan.plugin.ref).toBe('ghcr.io/acme/plugins/plugin/foo')
    expect(plan.rules?.ref).toBe('ghcr.io/acme/plugins/ruleset/foo')
    expect(plan.plugin.name).toBe('foo')
    expect(plan.rules?.name).toBe('foo-rules')
  })

  it('makes plugin and rules depend on each other at the release version', async () => {
    const plan = makePlan(await planFacts())
    expect(plan.plugin.configJson).toBe(
      '{"name":"foo","version":"1.4.2","dependencies":[{"name":"foo-rules","version":"1.4.2"}],' +
        '"requirements":[{"name":"plugin_api_version","version":"3.11.0"}]}'
    )
    expect(plan.rules?.configJson).toBe(
      '{"name":"foo-rules","version":"1.4.2","dependencies":[{"name":"foo","version":"1.4.2"}],' +
        '"requirements":[{"name":"engine_version_semver","version":"0.31.0"}]}'
    )
  })

  it('without rules, the plugin depends on nothing', async () => {
    const plan = makePlan(await planFacts({ rules: undefined }))
    expect(plan.rules).toBeUndefined()
    expect(plan.plugin.config.dependencies ?? []).toEqual([])
    expect(plan.plugin.configJson).not.toContain('dependencies')
  })

  it('the plugin root is an index whose entries carry platform and artifactType', async () => {
    const plan = makePlan(await planFacts())
    const index = JSON.parse(plan.plugin.root.bytes.toString())
    expect(index.mediaType).toBe('application/vnd.oci.image.index.v1+json')
    expect(index.manifests[0]).toMatchObject({
      digest: plan.plugin.manifests[0].descriptor.digest,
      platform: { architecture: 'amd64', os: 'linux' },
      artifactType: 'application/vnd.cncf.falco.plugin.config.v1+json',
      annotations: {
        'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
        'org.opencontainers.image.source': 'https://github.com/Acme/plugins'
      }
    })
    expect(index.annotations).toEqual({
      'org.opencontainers.image.source': 'https://github.com/Acme/plugins'
    })
  })

  it('is reproducible: the same facts give the same digests', async () => {
    const a = makePlan(await planFacts())
    const b = makePlan(await planFacts())
    expect(a.plugin.root.descriptor.digest).toBe(b.plugin.root.descriptor.digest)
    expect(a.rules?.root.descriptor.digest).toBe(b.rules?.root.descriptor.digest)
  })

  it('one tag decision for both artifacts, over both repositories', async () => {
    const plan = makePlan(
      await planFacts({ publishedTags: { plugin: ['1.4.1'], rules: ['2.0.0'] } })
    )
    expect(plan.plugin.tags).toEqual(['1.4.2', '1.4', '1'])
    expect(plan.rules?.tags).toEqual(plan.plugin.tags)
  })

  it('knows when the version is already published with these exact digests', async () => {
    const first = makePlan(await planFacts())
    const again = makePlan(
      await planFacts({
        existing: {
          plugin: first.plugin.root.descriptor.digest,
          rules: first.rules?.root.descriptor.digest
        }
      })
    )
    expect(again.plugin.status).toBe('same')
    expect(again.rules?.status).toBe('same')
  })

  it('refuses to replace a published version with other content, unless overwrite', async () => {
    const other = 'sha256:' + 'a'.repeat(64)
    await expect(async () =>
      makePlan(await planFacts({ existing: { plugin: other } }))
    ).rejects.toThrow(PlanError)
    await expect(async () =>
      makePlan(await planFacts({ existing: { plugin: other } }))
    ).rejects.toThrow(/foo:1\.4\.2 already exists with digest sha256:a{64}.*overwrite: true/)
    const plan = makePlan(await planFacts({ existing: { plugin: other }, overwrite: true }))
    expect(plan.plugin.status).toBe('replace')
  })

  it('plugin-depends-on-rules false: the plugin alone, the rules still depend on it', async () => {
    const plan = makePlan(await planFacts({ pluginDependsOnRules: false }))
    expect(plan.plugin.config.dependencies).toEqual([])
    expect(plan.rules?.config.dependencies).toEqual([{ name: 'foo', version: '1.4.2' }])
  })

  /** What the registry holds for an artifact of a plan: root, manifests and config. */
  const publishedOf = (a: ArtifactPlan): PublishedArtifact => ({
    root: a.root.bytes,
    manifests: a.manifests.length > 0 ? a.manifests : [a.root],
    config: Buffer.from(a.configJson)
  })

  it('adding rules to a published version: says only the plugin config differs, and what to do', async () => {
    const alone = makePlan(await planFacts({ rules: undefined }))
    const withRules = planFacts({
      existing: { plugin: alone.plugin.root.descriptor.digest },
      published: { plugin: publishedOf(alone.plugin) }
    })
    const error = await withRules.then(makePlan).catch((e: Error) => e)
    expect(error).toBeInstanceOf(PlanError)
    const message = (error as Error).message
    expect(message).toMatch(/only the plugin config differs \(the \.so is byte-identical\)/)
    expect(message).toContain('now depends on foo-rules:1.4.2')
    expect(message).toMatch(/plugin-depends-on-rules: false/)
    expect(message).not.toMatch(/the \.so differs|release time|source annotation/)
    // Following the advice: the plugin is unchanged, the rules are new.
    const fixed = makePlan(await withRules.then((f) => ({ ...f, pluginDependsOnRules: false })))
    expect(fixed.plugin.status).toBe('same')
    expect(fixed.rules?.status).toBe('new')
  })

  it('names the .so, the release time and the source annotation when they differ', async () => {
    const published = makePlan(await planFacts())
    const facts = {
      existing: { plugin: published.plugin.root.descriptor.digest },
      published: { plugin: publishedOf(published.plugin) }
    }
    const time = await planFacts({ ...facts, created: '2026-02-02T00:00:00Z' })
      .then(makePlan)
      .catch((e: Error) => e.message)
    expect(time).toMatch(
      /the release time differs: published 2026-01-01T00:00:00Z, this run 2026-02-02T00:00:00Z/
    )
    expect(time).not.toMatch(/config differs|\.so differs/)
    const source = await planFacts({ ...facts, sourceUrl: undefined })
      .then(makePlan)
      .catch((e: Error) => e.message)
    expect(source).toMatch(
      /source annotation differs: published https:\/\/github.com\/Acme\/plugins, this run \(none\).*--repository/
    )
    const other = await planFacts({ ...facts }, '1.4.2')
      .then(async (f) => {
        const { writeFile } = await import('node:fs/promises')
        const { packLayer } = await import('../../src/falco/layer.js')
        const so = f.pluginLayers[0]
        await writeFile(so.path + '.so', 'another build')
        const packed = await packLayer({
          source: so.path + '.so',
          entryName: 'libfoo.so',
          mode: 0o755,
          destination: so.path + '.2'
        })
        return makePlan({ ...f, pluginLayers: [{ ...so, ...packed }] })
      })
      .catch((e: Error) => e.message)
    expect(other).toMatch(/the \.so differs from the published one \(linux\/amd64\)/)
  })
})

describe('outlinePlan', () => {
  it('is the plan without its digests: the same tags, configs and platforms', async () => {
    const facts = await planFacts({ publishedTags: { plugin: ['1.5.0'], rules: [] } })
    const plan = makePlan(facts)
    const { pluginLayers, ...rest } = facts
    const outline = outlinePlan({ ...rest, platforms: pluginLayers.map((l) => l.platform) })
    expect(outline.tagPlan).toEqual(plan.tagPlan)
    for (const kind of ['plugin', 'rules'] as const) {
      const a = plan[kind] as ArtifactPlan
      expect(outline[kind]).toEqual({
        kind: a.kind,
        name: a.name,
        repository: a.repository,
        ref: a.ref,
        config: a.config,
        configJson: a.configJson,
        platforms: a.platforms,
        tags: a.tags,
        existingDigest: a.existingDigest
      })
    }
    // The configs it knows are the blobs the plan pushes (early uploads rely on it).
    expect(Buffer.from(outline.plugin.configJson).equals(configBytes(plan.plugin))).toBe(true)
    expect(plan.plugin.platforms).toEqual([{ os: 'linux', architecture: 'amd64' }])
    expect(plan.rules?.platforms).toEqual([])
  })

  it('refuses a plugin without a build, as makePlan does', async () => {
    const facts = await planFacts()
    expect(() => outlinePlan({ ...facts, platforms: [] })).toThrow('no plugin build to publish')
  })

  it('digests can refuse only a release whose version tag exists already', () => {
    expect(digestsCanRefuse({ existing: {} })).toBe(false)
    expect(digestsCanRefuse({ existing: { plugin: 'sha256:1' } })).toBe(true)
    expect(digestsCanRefuse({ existing: { rules: 'sha256:2' } })).toBe(true)
  })
})

function configBytes(a: ArtifactPlan): Buffer {
  const blob = a.blobs[0]
  if (!('bytes' in blob.content)) throw new Error('the config is not in memory')
  return blob.content.bytes
}
