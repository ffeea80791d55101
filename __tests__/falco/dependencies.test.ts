import { describe, expect, it } from '@jest/globals'
import type { ArtifactConfig } from '../../src/falco/config.js'
import { resolveClosure, type Lookup } from '../../src/falco/dependencies.js'

/** A registry of published artifacts keyed name:tag, with the platforms of plugin indexes. */
function registry(published: Record<string, ArtifactConfig & { platforms?: string[] }>): {
  lookup: Lookup
  asked: string[]
} {
  const asked: string[] = []
  return {
    asked,
    lookup: async (name, tag) => {
      asked.push(`${name}:${tag}`)
      const a = published[`${name}:${tag}`]
      if (!a) return { status: 'missing', reason: `no tag ${tag}` }
      const { platforms, ...config } = a
      return { status: 'found', config, platforms }
    }
  }
}

const k8sauditRules: ArtifactConfig = {
  name: 'k8saudit-rules',
  version: '0.18.0',
  dependencies: [
    { name: 'json', version: '0.7.0' },
    {
      name: 'k8saudit',
      version: '0.18.0',
      alternatives: [{ name: 'k8saudit-ovh', version: '0.6.0' }]
    }
  ]
}
const k8saudit: ArtifactConfig = {
  name: 'k8saudit',
  version: '0.18.0',
  dependencies: [{ name: 'k8saudit-rules', version: '0.18.0' }]
}
const json = (version: string): ArtifactConfig => ({ name: 'json', version })

describe('resolveClosure (what falcoctl artifact install fetches)', () => {
  it('fetches each dependency by its exact tag: json 0.7.0 when only 0.7.4 is published', async () => {
    const r = registry({ 'k8saudit:0.18.0': k8saudit, 'json:0.7.4': json('0.7.4') })
    const result = await resolveClosure([k8sauditRules], r.lookup)
    expect(result.missing).toEqual([
      {
        name: 'json',
        version: '0.7.0',
        requiredBy: 'k8saudit-rules:0.18.0',
        reason: 'no tag 0.7.0'
      }
    ])
    // The mutual dependency ends: k8saudit-rules is on the command line already.
    expect(r.asked.sort()).toEqual(['json:0.7.0', 'k8saudit:0.18.0'])
  })

  it('installs the plugin with its rules and their dependencies once json 0.7.0 exists', async () => {
    const r = registry({
      'k8saudit-rules:0.18.0': k8sauditRules,
      'json:0.7.0': { ...json('0.7.0'), platforms: ['linux/amd64'] }
    })
    const result = await resolveClosure([k8saudit], r.lookup, ['linux/amd64'])
    expect(result.missing).toEqual([])
    expect(result.artifacts.sort()).toEqual([
      'json:0.7.0',
      'k8saudit-rules:0.18.0',
      'k8saudit:0.18.0'
    ])
  })

  it('needs a build of each released platform in a plugin it fetches', async () => {
    const r = registry({
      'k8saudit:0.18.0': k8saudit,
      'json:0.7.0': { ...json('0.7.0'), platforms: ['linux/amd64'] }
    })
    const result = await resolveClosure([k8sauditRules], r.lookup, ['linux/amd64', 'linux/arm64'])
    expect(result.missing).toEqual([
      expect.objectContaining({
        name: 'json',
        reason: expect.stringContaining('no linux/arm64 build')
      })
    ])
  })

  it('an alternative on the command line satisfies the dependency (k8saudit-ovh with k8saudit rules)', async () => {
    const ovh: ArtifactConfig = {
      name: 'k8saudit-ovh',
      version: '0.6.1',
      dependencies: [{ name: 'k8saudit-ovh-rules', version: '0.6.1' }]
    }
    const ovhRules: ArtifactConfig = {
      ...k8sauditRules,
      name: 'k8saudit-ovh-rules',
      version: '0.6.1'
    }
    const r = registry({ 'k8saudit-ovh-rules:0.6.1': ovhRules, 'json:0.7.0': json('0.7.0') })
    const result = await resolveClosure([ovh], r.lookup)
    expect(result.missing).toEqual([])
    expect(r.asked).not.toContain('k8saudit:0.18.0')
    // An older alternative given on the command line is upgraded to the required version.
    const old = await resolveClosure(
      [ovhRules, { name: 'k8saudit-ovh', version: '0.5.0' }],
      registry({ 'json:0.7.0': json('0.7.0') }).lookup
    )
    expect(old.missing.map((m) => `${m.name}:${m.version}`)).toEqual(['k8saudit-ovh:0.6.0'])
  })

  it('a version given on the command line satisfies same-major, not-lower requirements only', async () => {
    const result = await resolveClosure(
      [k8sauditRules, k8saudit, json('0.7.4')],
      registry({}).lookup
    )
    expect(result.missing).toEqual([])
    const major = await resolveClosure(
      [k8sauditRules, k8saudit, json('1.0.0')],
      registry({}).lookup
    )
    expect(major.conflicts).toEqual([expect.stringContaining('another major')])
  })

  it('reports lookups that could not be made apart from missing tags', async () => {
    const result = await resolveClosure([k8sauditRules], async (name) =>
      name === 'json'
        ? { status: 'unknown', reason: 'index unreachable' }
        : { status: 'found', config: k8saudit }
    )
    expect(result.missing).toEqual([])
    expect(result.unknown).toEqual([
      expect.objectContaining({ name: 'json', reason: 'index unreachable' })
    ])
  })
})
