import { describe, it, expect } from '@jest/globals'
import { createHash } from 'node:crypto'
import { isStrictSemver, normalizeConfig, serializeConfig } from '../../src/falco/config.js'
import { sha256Digest } from '../../src/oci/blob.js'

const WORKED_EXAMPLE =
  '{"name":"foo","version":"0.1.0","dependencies":[{"name":"foo-rules","version":"0.1.0"}],"requirements":[{"name":"plugin_api_version","version":"3.0.0"}]}'

describe('serializeConfig', () => {
  it('reproduces the worked example byte for byte (153 bytes, known digest)', () => {
    const bytes = serializeConfig({
      name: 'foo',
      version: '0.1.0',
      requirements: [{ name: 'plugin_api_version', version: '3.0.0' }],
      dependencies: [{ name: 'foo-rules', version: '0.1.0' }]
    })
    expect(bytes.toString('utf8')).toBe(WORKED_EXAMPLE)
    expect(bytes.length).toBe(153)
    expect(sha256Digest(bytes)).toBe(
      'sha256:a109da659dc5384ed702691b3b7e014489b393a113dacd20c0703a38b06b4027'
    )
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(
      'a109da659dc5384ed702691b3b7e014489b393a113dacd20c0703a38b06b4027'
    )
  })

  it('reproduces the rulesfile example (§7.2)', () => {
    const bytes = serializeConfig({
      name: 'foo-rules',
      version: '0.1.0',
      dependencies: [{ name: 'foo', version: '0.1.0' }],
      requirements: [{ name: 'engine_version_semver', version: '0.31.0' }]
    })
    expect(bytes.toString()).toBe(
      '{"name":"foo-rules","version":"0.1.0","dependencies":[{"name":"foo","version":"0.1.0"}],"requirements":[{"name":"engine_version_semver","version":"0.31.0"}]}'
    )
  })

  it('sorts dependencies and alternatives by name, keeps alternatives after version', () => {
    const bytes = serializeConfig({
      name: 'k8saudit-rules',
      version: '1.0.0-rc.1',
      dependencies: [
        { name: 'json', version: '0.7.0' },
        {
          name: 'k8saudit',
          version: '0.7.0',
          alternatives: [
            { name: 'k8saudit-gke', version: '0.1.0' },
            { name: 'k8saudit-eks', version: '0.4.0' }
          ]
        }
      ]
    })
    expect(bytes.toString()).toBe(
      '{"name":"k8saudit-rules","version":"1.0.0-rc.1","dependencies":[{"name":"json","version":"0.7.0"},{"name":"k8saudit","version":"0.7.0","alternatives":[{"name":"k8saudit-eks","version":"0.4.0"},{"name":"k8saudit-gke","version":"0.1.0"}]}]}'
    )
  })

  it('sorts requirements and de-duplicates them by name (the last one wins)', () => {
    const n = normalizeConfig({
      name: 'foo',
      version: '1.0.0',
      requirements: [
        { name: 'plugin_api_version', version: '3.0.0' },
        { name: 'engine_version_semver', version: '0.31.0' },
        { name: 'plugin_api_version', version: '3.2.0' }
      ]
    })
    expect(n.requirements).toEqual([
      { name: 'engine_version_semver', version: '0.31.0' },
      { name: 'plugin_api_version', version: '3.2.0' }
    ])
  })

  it('omits empty arrays and empty alternatives', () => {
    const bytes = serializeConfig({
      name: 'foo',
      version: '1.0.0',
      dependencies: [{ name: 'bar', version: '1.0.0', alternatives: [] }],
      requirements: []
    })
    expect(bytes.toString()).toBe(
      '{"name":"foo","version":"1.0.0","dependencies":[{"name":"bar","version":"1.0.0"}]}'
    )
    expect(serializeConfig({ name: 'foo', version: '1.0.0', dependencies: [] }).toString()).toBe(
      '{"name":"foo","version":"1.0.0"}'
    )
  })

  it('validates names and versions as falcoctl does', () => {
    const ok = { name: 'foo', version: '1.0.0' }
    expect(() => serializeConfig({ ...ok, name: 'Foo' })).toThrow(/not a valid artifact name/)
    expect(() => serializeConfig({ ...ok, name: '1foo' })).toThrow(/not a valid artifact name/)
    expect(() => serializeConfig({ ...ok, version: 'v1.0.0' })).toThrow(/strict semantic version/)
    expect(() => serializeConfig({ ...ok, version: '1.0.0+abc' })).toThrow(/\+build/)
    expect(() => serializeConfig({ ...ok, version: '1.0' })).toThrow(/strict semantic version/)
    expect(() =>
      serializeConfig({ ...ok, dependencies: [{ name: 'bar:1', version: '1.0.0' }] })
    ).toThrow(/dependency of foo "bar:1"/)
    expect(() =>
      serializeConfig({ ...ok, dependencies: [{ name: 'bar', version: '01.0.0' }] })
    ).toThrow(/version of dependency bar/)
    expect(() =>
      serializeConfig({
        ...ok,
        dependencies: [
          { name: 'bar', version: '1.0.0', alternatives: [{ name: 'b', version: 'x' }] }
        ]
      })
    ).toThrow(/alternative b of dependency bar/)
    expect(() =>
      serializeConfig({
        ...ok,
        dependencies: [
          { name: 'bar', version: '1.0.0' },
          { name: 'bar', version: '2.0.0' }
        ]
      })
    ).toThrow(/listed twice/)
    expect(() =>
      serializeConfig({ ...ok, requirements: [{ name: 'plugin_api_version', version: 'v3' }] })
    ).toThrow(/expected an integer or X.Y.Z/)
    expect(() =>
      serializeConfig({ ...ok, requirements: [{ name: 'api:version', version: '3.0.0' }] })
    ).toThrow(/requirement name/)
  })

  it('accepts the names and versions falcoctl accepts', () => {
    expect(
      serializeConfig({
        name: 'k8saudit_x-y',
        version: '0.0.0-alpha.1',
        requirements: [{ name: 'engine_version', version: '26' }]
      }).toString()
    ).toBe(
      '{"name":"k8saudit_x-y","version":"0.0.0-alpha.1","requirements":[{"name":"engine_version","version":"26"}]}'
    )
  })
})

describe('isStrictSemver', () => {
  it.each([
    ['1.2.3', true],
    ['0.0.0', true],
    ['1.2.3-rc.1', true],
    ['1.2.3-0.18.0-12', true],
    ['v1.2.3', false],
    ['1.2.3+abc', false],
    [' 1.2.3', false],
    ['1.2', false],
    ['01.2.3', false],
    ['1.2.3-01', false]
  ])('%s -> %s', (version, expected) => {
    expect(isStrictSemver(version)).toBe(expected)
  })
})
