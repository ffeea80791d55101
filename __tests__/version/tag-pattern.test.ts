import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import { mergeIndex, type IndexEntry } from '../../src/falco/index-yaml.js'
import {
  compileTagPattern,
  formatTag,
  matchTagPattern,
  pluginDirectory,
  suggestTagPattern
} from '../../src/version/tag-pattern.js'
import { VersionError } from '../../src/version/version.js'

describe('matchTagPattern', () => {
  it("keeps today's behaviour by default: a version with or without v", () => {
    expect(matchTagPattern('1.4.2')).toMatchObject({ release: { version: '1.4.2' } })
    expect(matchTagPattern('v1.4.2', '{version}')).toMatchObject({
      release: { version: '1.4.2', major: 1, minor: 4, patch: 2, prerelease: false, tag: 'v1.4.2' }
    })
    expect(matchTagPattern('1.4.2').plugin).toBeUndefined()
    expect(matchTagPattern('2.0.0-rc.1').release.prerelease).toBe(true)
  })

  it('reads falcosecurity/plugins tags: plugins/{name}/v{version}', () => {
    expect(matchTagPattern('plugins/k8saudit/v0.7.0', 'plugins/{name}/v{version}')).toEqual({
      plugin: 'k8saudit',
      release: expect.objectContaining({ version: '0.7.0', tag: 'plugins/k8saudit/v0.7.0' })
    })
    expect(
      matchTagPattern('plugins/k8saudit-gke/v0.1.0-rc.2', 'plugins/{name}/v{version}')
    ).toMatchObject({ plugin: 'k8saudit-gke', release: { version: '0.1.0-rc.2' } })
  })

  it('splits {name}-{version} at the version, names with "-" included', () => {
    expect(matchTagPattern('k8saudit-gke-1.2.3', '{name}-{version}')).toMatchObject({
      plugin: 'k8saudit-gke',
      release: { version: '1.2.3' }
    })
    expect(matchTagPattern('foo-v2-1.0.0-beta.1', '{name}-{version}')).toMatchObject({
      plugin: 'foo-v2',
      release: { version: '1.0.0-beta.1' }
    })
    expect(matchTagPattern('foo-v1.0.0', '{name}-{version}')).toMatchObject({
      plugin: 'foo',
      release: { version: '1.0.0' }
    })
  })

  it('matches names exactly, never by prefix', () => {
    expect(() =>
      matchTagPattern('plugins/k8saudit-gke/v1.0.0', 'plugins/{name}/v{version}', 'k8saudit')
    ).toThrow('releases the plugin "k8saudit-gke", not "k8saudit"')
    expect(
      matchTagPattern('plugins/k8saudit/v1.0.0', 'plugins/{name}/v{version}', 'k8saudit').plugin
    ).toBe('k8saudit')
  })

  it('says what was expected when the tag does not match', () => {
    const err = (() => {
      try {
        matchTagPattern('k8saudit-1.0.0', 'plugins/{name}/v{version}', 'k8saudit')
      } catch (e) {
        return e as Error
      }
    })()
    expect(err).toBeInstanceOf(VersionError)
    expect(err?.message).toBe(
      'tag "k8saudit-1.0.0" does not match the tag pattern "plugins/{name}/v{version}": expected a tag like plugins/k8saudit/v1.0.0'.replace(
        'v1.0.0',
        'v1.2.3'
      )
    )
    expect(() => matchTagPattern('plugins/foo/1.0.0', 'plugins/{name}/v{version}')).toThrow(
      'expected a tag like plugins/myplugin/v1.2.3'
    )
    expect(() => matchTagPattern('plugins/Foo/v1.0.0', 'plugins/{name}/v{version}')).toThrow(
      /does not match/
    )
    // The default pattern keeps today's message.
    expect(() => matchTagPattern('release-1.0.0', '{version}')).toThrow(
      'tag "release-1.0.0" is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): tags look like 1.4.2, v1.4.2 or 1.5.0-rc.1'
    )
  })

  it('refuses a v the pattern already has', () => {
    expect(() => matchTagPattern('plugins/foo/vv1.0.0', 'plugins/{name}/v{version}')).toThrow(
      /second "v"/
    )
  })

  it('refuses build metadata and non-strict versions in the version part', () => {
    expect(() =>
      matchTagPattern('plugins/foo/v1.0.0+build.5', 'plugins/{name}/v{version}')
    ).toThrow(
      'tag "plugins/foo/v1.0.0+build.5" has build metadata ("+build.5"), which OCI tags cannot carry and falcoctl rejects: tag the release as plugins/foo/v1.0.0 instead'
    )
    expect(() => matchTagPattern('v1.0.0+build.5')).toThrow(/tag the release as v1\.0\.0 instead/)
    expect(() => matchTagPattern('plugins/foo/v01.0.0', 'plugins/{name}/v{version}')).toThrow(
      'tag "plugins/foo/v01.0.0" (tag pattern "plugins/{name}/v{version}"): the version part "01.0.0" is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]); expected a tag like plugins/myplugin/v1.2.3'
    )
    expect(() => matchTagPattern('foo-1.0', '{name}-{version}')).toThrow(VersionError)
  })
})

describe('compileTagPattern', () => {
  it.each([
    ['plugins/{name}', /must contain \{version\} exactly once/],
    ['{version}-{version}', /exactly once/],
    ['{name}/{name}/{version}', /\{name\} more than once/],
    ['{name}{version}', /side by side/],
    ['{plugin}-{version}', /unknown placeholder \{plugin\}/],
    ['{version}}', /unbalanced/]
  ])('refuses %s', (pattern, message) => {
    expect(() => compileTagPattern(pattern)).toThrow(message)
  })

  it('escapes regex characters in the literal parts', () => {
    expect(matchTagPattern('rel.1.0.0', 'rel.{version}').release.version).toBe('1.0.0')
    expect(() => matchTagPattern('relx1.0.0', 'rel.{version}')).toThrow(/does not match/)
  })
})

describe('formatTag', () => {
  it('formats a tag', () => {
    expect(formatTag('plugins/{name}/v{version}', 'foo', '1.2.3')).toBe('plugins/foo/v1.2.3')
    expect(formatTag('{version}', 'foo', '1.2.3')).toBe('1.2.3')
  })
})

describe('pluginDirectory', () => {
  it('defaults to plugins/<name> for monorepo patterns and "." otherwise', () => {
    expect(pluginDirectory('plugins/{name}/v{version}', 'foo')).toBe('plugins/foo')
    expect(pluginDirectory('{name}-{version}', 'foo')).toBe('plugins/foo')
    expect(pluginDirectory('{version}', 'foo')).toBe('.')
  })

  it('fills a template', () => {
    expect(pluginDirectory('{name}-{version}', 'foo', 'src/{name}/')).toBe('src/foo')
    expect(pluginDirectory('{version}', 'foo', 'go/{name}-plugin')).toBe('go/foo-plugin')
  })

  it('refuses names and templates that leave the repository', () => {
    expect(() => pluginDirectory('{name}-{version}', '../x')).toThrow(/invalid plugin name/)
    expect(() => pluginDirectory('{name}-{version}', 'foo', '../{name}')).toThrow(/relative path/)
    expect(() => pluginDirectory('{name}-{version}', 'foo', '/abs/{name}')).toThrow(/relative path/)
  })
})

describe("monorepo: releasing one plugin leaves the other plugin's index entries alone", () => {
  const entriesFor = (tag: string): IndexEntry[] => {
    const { plugin } = matchTagPattern(tag, 'plugins/{name}/v{version}')
    const name = plugin as string
    return [
      { name, type: 'plugin', registry: 'ghcr.io', repository: `acme/plugins/plugin/${name}` },
      {
        name: `${name}-rules`,
        type: 'rulesfile',
        registry: 'ghcr.io',
        repository: `acme/plugins/ruleset/${name}`
      }
    ]
  }

  it("keeps alpha's entries when beta is released, and beta's when alpha is released again", () => {
    let index = mergeIndex(undefined, entriesFor('plugins/alpha/v1.0.0'))
    index = mergeIndex(index, entriesFor('plugins/beta/v0.3.0'))
    // Someone edited alpha's entry by hand (a signature block): a beta release must not touch it.
    index = index.replace(
      'repository: acme/plugins/plugin/alpha\n',
      'repository: acme/plugins/plugin/alpha\n  signature:\n    cosign:\n      key: alpha-key\n'
    )
    const afterBeta = mergeIndex(index, entriesFor('plugins/beta/v0.4.0'))
    const alphaBlock = (text: string) =>
      text.slice(text.indexOf('- name: alpha\n'), text.indexOf('- name: alpha-rules'))
    expect(alphaBlock(afterBeta)).toBe(alphaBlock(index))
    expect((parse(afterBeta) as Array<{ name: string }>).map((e) => e.name)).toEqual([
      'alpha',
      'alpha-rules',
      'beta',
      'beta-rules'
    ])

    const afterAlpha = mergeIndex(afterBeta, entriesFor('plugins/alpha/v1.1.0'))
    const names = (parse(afterAlpha) as Array<{ name: string; repository: string }>).map(
      (e) => `${e.name} ${e.repository}`
    )
    expect(names).toEqual([
      'alpha acme/plugins/plugin/alpha',
      'alpha-rules acme/plugins/ruleset/alpha',
      'beta acme/plugins/plugin/beta',
      'beta-rules acme/plugins/ruleset/beta'
    ])
    const betaBlock = (text: string) => text.slice(text.indexOf('- name: beta\n'))
    expect(betaBlock(afterAlpha)).toBe(betaBlock(afterBeta))
  })
})

describe('a monorepo tag with the default tag-pattern', () => {
  it('suggests the pattern the tag follows', () => {
    expect(suggestTagPattern('plugins/k8saudit/v0.18.0')).toBe('plugins/{name}/v{version}')
    expect(suggestTagPattern('plugins/k8saudit-ovh/v0.6.0-rc.1')).toBe('plugins/{name}/v{version}')
    expect(suggestTagPattern('k8saudit-0.18.0')).toBeUndefined()
    expect(suggestTagPattern('k8saudit/v1.0.0')).toBe('{name}/v{version}')
    expect(suggestTagPattern('v1.0.0')).toBeUndefined()
    expect(suggestTagPattern('1.0.0')).toBeUndefined()
    expect(suggestTagPattern('main')).toBeUndefined()
  })

  it('says to set tag-pattern instead of only "not a semantic version"', () => {
    expect(() => matchTagPattern('plugins/k8saudit/v0.18.0')).toThrow(
      /tag "plugins\/k8saudit\/v0.18.0" is not a semantic version.*set tag-pattern: plugins\/\{name\}\/v\{version\}/
    )
    expect(() => matchTagPattern('not-a-version')).toThrow(/tags look like 1.4.2/)
  })
})
