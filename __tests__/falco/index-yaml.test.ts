import { describe, it, expect } from '@jest/globals'
import { parse } from 'yaml'
import { indexEntryObject, mergeIndex, type IndexEntry } from '../../src/falco/index-yaml.js'

const EXISTING = `# Index of acme's Falco artifacts
- name: zeta
  type: plugin
  registry: ghcr.io
  repository: acme/plugins/plugin/zeta
  description: "Zeta: keeps <this> & that"
  keywords: [zeta, network]
  custom-field: kept
  signature:
    cosign:
      certificate-oidc-issuer: https://token.actions.githubusercontent.com
      certificate-identity-regexp: https://github.com/acme/zeta/
- name: foo
  type: plugin
  registry: ghcr.io
  repository: old/foo
  signature:
    cosign:
      key: old-key
- name: alpha-rules
  type: rulesfile
  registry: quay.io
  repository: acme/alpha-rules
`

const foo: IndexEntry = {
  name: 'foo',
  type: 'plugin',
  registry: 'ghcr.io',
  repository: 'acme/plugins/plugin/foo',
  description: 'The foo plugin',
  home: 'https://github.com/acme/foo',
  keywords: ['foo', 'audit'],
  license: 'Apache-2.0',
  maintainers: [{ name: 'Acme', email: 'dev@acme.test' }],
  sources: ['https://github.com/acme/foo']
}
const fooRules: IndexEntry = {
  name: 'foo-rules',
  type: 'rulesfile',
  registry: 'ghcr.io',
  repository: 'acme/plugins/ruleset/foo'
}

describe('indexEntryObject', () => {
  it('writes fields in falcoctl order and leaves empty ones out', () => {
    const o = indexEntryObject({
      sources: [],
      maintainers: [{ name: 'A' }, {}],
      keywords: [],
      license: '',
      home: 'h',
      repository: 'r',
      registry: 'g',
      type: 'asset',
      name: 'n'
    } as IndexEntry)
    expect(Object.keys(o)).toEqual([
      'name',
      'type',
      'registry',
      'repository',
      'home',
      'maintainers'
    ])
    expect(o.maintainers).toEqual([{ name: 'A' }])
    expect(Object.keys(indexEntryObject(foo))).toEqual([
      'name',
      'type',
      'registry',
      'repository',
      'description',
      'home',
      'keywords',
      'license',
      'maintainers',
      'sources'
    ])
    expect(Object.keys((indexEntryObject(foo).maintainers as object[])[0])).toEqual([
      'email',
      'name'
    ])
  })
})

describe('mergeIndex', () => {
  it('creates a sorted index from nothing', () => {
    const text = mergeIndex(undefined, [fooRules, foo])
    expect(text).toBe(`- name: foo
  type: plugin
  registry: ghcr.io
  repository: acme/plugins/plugin/foo
  description: The foo plugin
  home: https://github.com/acme/foo
  keywords:
    - foo
    - audit
  license: Apache-2.0
  maintainers:
    - email: dev@acme.test
      name: Acme
  sources:
    - https://github.com/acme/foo
- name: foo-rules
  type: rulesfile
  registry: ghcr.io
  repository: acme/plugins/ruleset/foo
`)
    expect(mergeIndex('', [fooRules])).toBe(mergeIndex(undefined, [fooRules]))
    expect(mergeIndex('[]\n', [fooRules])).toBe(mergeIndex(undefined, [fooRules]))
  })

  it('updates same-named entries field by field, keeps the others untouched, sorts by name', () => {
    const text = mergeIndex(EXISTING, [foo, fooRules])
    const entries = parse(text) as Record<string, unknown>[]
    expect(entries.map((e) => e.name)).toEqual(['alpha-rules', 'foo', 'foo-rules', 'zeta'])

    const before = parse(EXISTING) as Record<string, unknown>[]
    // Other entries: every field, including signature blocks and unknown fields, as they were.
    expect(entries[0]).toEqual(before.find((e) => e.name === 'alpha-rules'))
    expect(entries[3]).toEqual(before.find((e) => e.name === 'zeta'))
    expect(entries[3].signature).toEqual({
      cosign: {
        'certificate-oidc-issuer': 'https://token.actions.githubusercontent.com',
        'certificate-identity-regexp': 'https://github.com/acme/zeta/'
      }
    })
    // Our entry: every field we set, plus the fields a maintainer added (its signature block).
    expect(entries[1]).toEqual({
      ...indexEntryObject(foo),
      signature: { cosign: { key: 'old-key' } }
    })
    expect(entries[2]).toEqual(indexEntryObject(fooRules))
    // Comments and the formatting of untouched entries survive.
    expect(text.startsWith("# Index of acme's Falco artifacts\n")).toBe(true)
    expect(text).toContain('  keywords: [ zeta, network ]\n')
  })

  it('is stable: merging the same entries again changes nothing', () => {
    const once = mergeIndex(EXISTING, [foo, fooRules])
    expect(mergeIndex(once, [foo, fooRules])).toBe(once)
  })

  it('writes a signature block when given one', () => {
    const text = mergeIndex(undefined, [
      {
        ...fooRules,
        signature: {
          cosign: {
            'certificate-oidc-issuer': 'https://token.actions.githubusercontent.com',
            'certificate-identity-regexp': 'https://github.com/acme/foo/'
          }
        }
      }
    ])
    expect(text).toContain(
      '  signature:\n    cosign:\n      certificate-oidc-issuer: https://token.actions.githubusercontent.com\n'
    )
  })

  it('does not fold long descriptions', () => {
    const description = 'word '.repeat(40).trim()
    const text = mergeIndex(undefined, [{ ...foo, description }])
    expect(text).toContain(`  description: ${description}\n`)
  })

  it.each([
    ['- name: a\n  type: plugin\n- name: a\n  type: asset\n', /the name a appears twice/],
    ['name: a\n', /expected a YAML list/],
    ['- type: plugin\n', /entry 1 has no name/],
    ['- just text\n', /entry 1 has no name/],
    ['- name: [a\n', /invalid YAML/]
  ])('rejects the existing index %j', (existing, message) => {
    expect(() => mergeIndex(existing, [foo])).toThrow(message)
  })

  it('rejects invalid or duplicate new entries', () => {
    expect(() => mergeIndex(undefined, [foo, foo])).toThrow(/given twice/)
    expect(() => mergeIndex(undefined, [{ ...foo, name: 'Foo' }])).toThrow(/name must match/)
    expect(() => mergeIndex(undefined, [{ ...foo, type: 'image' as never }])).toThrow(
      /type must be/
    )
    expect(() => mergeIndex(undefined, [{ ...foo, registry: '' }])).toThrow(/registry is empty/)
    expect(() => mergeIndex(undefined, [{ ...foo, repository: '' }])).toThrow(/repository is empty/)
  })
})
