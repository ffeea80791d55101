import { describe, expect, it } from '@jest/globals'
import { parse } from 'yaml'
import {
  maintainersFromContact,
  registeredEntry,
  registryEntry,
  registryEntryYaml,
  validateRegistryEntry,
  type RegistryEntry
} from '../../src/falco/registry-entry.js'
import { MAX_PUBLIC_ID } from '../../src/falco/conventions.js'
import type { PluginMetadata } from '../../src/inspect/metadata.js'

function meta(overrides: Partial<PluginMetadata> = {}): PluginMetadata {
  return {
    requiredApiVersion: '3.11.0',
    name: 'foo',
    version: '1.2.3',
    description: 'Reads foo events: the <good> kind',
    contact: 'Acme Dev <dev@acme.test>',
    capabilities: ['sourcing', 'extraction'],
    id: 42,
    eventSource: 'foo_events',
    extractEventSources: ['foo_events'],
    symbols: [],
    ...overrides
  }
}

const opts = { url: 'https://github.com/acme/foo', license: 'Apache-2.0' }

function entry(overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return { ...registryEntry(meta(), opts), ...overrides }
}

function sourcing(id: number, source = 'foo_events'): RegistryEntry {
  return entry({ capabilities: { sourcing: { supported: true, id, source } } })
}

/** A registry.yaml shaped like falcosecurity/plugins', with its reserved entries. */
const REGISTRY = `reserved_sources: ["syscall", "internal", "plugins", "k8s_secret"]
plugins:
  - name: plugin-id-zero-value
    reserved: true
    capabilities:
      sourcing:
        supported: true
        id: 0
  - name: k8saudit
    url: https://github.com/falcosecurity/plugins/tree/master/plugins/k8saudit
    capabilities:
      sourcing:
        supported: true
        id: 1
        source: k8s_audit
      extraction:
        supported: true
  - name: json
    url: https://github.com/falcosecurity/plugins/tree/master/plugins/json
    capabilities:
      extraction:
        supported: true
  - name: foo
    url: https://github.com/acme/foo/
    capabilities:
      sourcing:
        supported: true
        id: 42
        source: foo_events
  - name: test
    reserved: true
    capabilities:
      sourcing:
        supported: true
        id: 999
        source: test
`

describe('registryEntry', () => {
  it('fills every field from the .so and the options', () => {
    expect(
      registryEntry(meta(), {
        ...opts,
        rulesUrl: 'https://github.com/acme/foo/tree/main/rules',
        keywords: ['audit', 'foo', 'audit', ' ']
      })
    ).toEqual({
      name: 'foo',
      description: 'Reads foo events: the <good> kind',
      authors: 'Acme Dev',
      contact: 'Acme Dev <dev@acme.test>',
      maintainers: [{ name: 'Acme Dev', email: 'dev@acme.test' }],
      keywords: ['audit', 'foo'],
      url: 'https://github.com/acme/foo',
      rules_url: 'https://github.com/acme/foo/tree/main/rules',
      license: 'Apache-2.0',
      capabilities: {
        sourcing: { supported: true, id: 42, source: 'foo_events' },
        extraction: { supported: true }
      }
    })
  })

  it('lists the sources of a pure extractor, and none for "all sources"', () => {
    const e = registryEntry(
      meta({
        capabilities: ['extraction'],
        id: undefined,
        eventSource: undefined,
        extractEventSources: ['syscall']
      }),
      opts
    )
    expect(e.capabilities).toEqual({ extraction: { supported: true, sources: ['syscall'] } })
    const all = registryEntry(meta({ capabilities: ['extraction'], extractEventSources: [] }), opts)
    expect(all.capabilities).toEqual({ extraction: { supported: true } })
  })

  it('takes maintainers and authors from the options when given', () => {
    const e = registryEntry(meta({ contact: 'https://github.com/acme/foo/issues' }), {
      ...opts,
      maintainers: [{ name: 'Jo', email: 'jo@acme.test' }, {}],
      authors: 'Acme Inc.'
    })
    expect(e.maintainers).toEqual([{ name: 'Jo', email: 'jo@acme.test' }])
    expect(e.authors).toBe('Acme Inc.')
    expect(registryEntry(meta({ contact: 'https://x' }), opts).maintainers).toEqual([])
  })
})

describe('maintainersFromContact', () => {
  it('reads "Name <email>" and bare addresses only', () => {
    expect(maintainersFromContact('Jo Doe <jo@x.test>')).toEqual([
      { name: 'Jo Doe', email: 'jo@x.test' }
    ])
    expect(maintainersFromContact('<jo@x.test>')).toEqual([{ email: 'jo@x.test' }])
    expect(maintainersFromContact('jo@x.test')).toEqual([{ email: 'jo@x.test' }])
    expect(maintainersFromContact('github.com/acme/foo')).toEqual([])
  })
})

describe('validateRegistryEntry', () => {
  it('passes a complete entry', () => {
    expect(validateRegistryEntry(entry())).toEqual({ errors: [], conflicts: [], warnings: [] })
  })

  describe('name ^[a-z]+[a-z0-9-_]*$', () => {
    it.each(['foo', 'foo-bar', 'k8saudit', 'a1_b2'])('accepts %s', (name) => {
      expect(validateRegistryEntry(entry({ name })).errors).toEqual([])
    })
    it.each(['Foo', '1foo', '-foo', '_foo', 'foo.bar', 'foo/bar', '../x', '', 'foo bar'])(
      'refuses %j',
      (name) => {
        expect(validateRegistryEntry(entry({ name })).errors).toEqual([
          expect.stringContaining('does not follow the naming convention')
        ])
      }
    )
    it('warns about "_" and about long names with falco or plugin in them', () => {
      expect(validateRegistryEntry(entry({ name: 'my_thing' })).warnings).toEqual([
        expect.stringContaining('prefer "-"')
      ])
      expect(validateRegistryEntry(entry({ name: 'falco-journald-plugin' })).warnings).toEqual([
        expect.stringContaining('short names')
      ])
    })
  })

  describe('source ID', () => {
    it(`accepts 1 and ${MAX_PUBLIC_ID}`, () => {
      expect(validateRegistryEntry(sourcing(1))).toEqual({
        errors: [],
        conflicts: [],
        warnings: []
      })
      expect(validateRegistryEntry(sourcing(MAX_PUBLIC_ID)).errors).toEqual([])
    })

    it('warns for the private block, refuses the internal block', () => {
      const priv = validateRegistryEntry(sourcing(MAX_PUBLIC_ID + 1))
      expect(priv.errors).toEqual([])
      expect(priv.warnings).toEqual([
        expect.stringMatching(/private block .*1073741824-2147483647/)
      ])
      expect(validateRegistryEntry(sourcing(2 ** 31 - 1)).errors).toEqual([])
      expect(validateRegistryEntry(sourcing(2 ** 31)).errors).toEqual([
        expect.stringContaining('reserved for internal use')
      ])
      expect(validateRegistryEntry(sourcing(-1)).errors).toEqual([
        expect.stringContaining('not a non-negative integer')
      ])
    })

    it('warns for the development ID 999', () => {
      const v = validateRegistryEntry(sourcing(999))
      expect(v.errors).toEqual([])
      expect(v.warnings).toEqual([expect.stringContaining('reserved for development')])
    })

    it('refuses ID 0 and skips the source checks for it', () => {
      const v = validateRegistryEntry(sourcing(0, 'syscall'))
      expect(v.errors).toEqual([expect.stringContaining('ID 0 is reserved')])
    })

    it('ignores the ID of a plugin that does not source events', () => {
      const e = entry({
        capabilities: {
          sourcing: { supported: false, id: 2 ** 40, source: 'Bad-Source' },
          extraction: { supported: true }
        }
      })
      expect(validateRegistryEntry(e).errors).toEqual([])
    })
  })

  describe('source ^[a-z]+[a-z0-9_]*$ when the ID is not 0', () => {
    it.each(['foo-events', 'Foo', '9foo', '', 'foo.events'])('refuses %j', (source) => {
      expect(validateRegistryEntry(sourcing(42, source)).errors).toEqual([
        expect.stringContaining('does not follow the naming convention ^[a-z]+[a-z0-9_]*$')
      ])
    })

    it.each(['syscall', 'internal', 'plugins'])('refuses the reserved source %s', (source) => {
      expect(validateRegistryEntry(sourcing(42, source)).errors).toEqual([
        expect.stringContaining(`source "${source}" is reserved`)
      ])
    })
  })

  it('warns about extraction sources off the documented convention (not enforced upstream)', () => {
    const e = entry({
      capabilities: { extraction: { supported: true, sources: ['syscall', 'k8s-audit'] } }
    })
    const v = validateRegistryEntry(e)
    expect(v.errors).toEqual([])
    expect(v.warnings).toEqual([expect.stringContaining('extraction source "k8s-audit"')])
  })

  it('warns about missing fields reviewers ask for', () => {
    const v = validateRegistryEntry(
      entry({
        description: '',
        contact: '',
        license: '',
        url: 'http://example.test',
        maintainers: [],
        capabilities: {}
      })
    )
    expect(v.errors).toEqual([])
    expect(v.warnings.join('\n')).toMatch(/neither event sourcing nor field extraction/)
    expect(v.warnings.join('\n')).toMatch(/description is empty/)
    expect(v.warnings.join('\n')).toMatch(/contact is empty/)
    expect(v.warnings.join('\n')).toMatch(/license is empty/)
    expect(v.warnings.join('\n')).toMatch(/not an https URL/)
    expect(v.warnings.join('\n')).toMatch(/no maintainers/)
    expect(validateRegistryEntry(entry({ license: 'Apache 2' })).warnings).toEqual([
      expect.stringContaining('SPDX')
    ])
    expect(validateRegistryEntry(entry({ license: '(MIT OR Apache-2.0)' })).warnings).toEqual([])
  })

  describe('against the current registry.yaml', () => {
    it('accepts our own entry (same name, same url, same ID)', () => {
      expect(validateRegistryEntry(sourcing(42), { registry: REGISTRY }).errors).toEqual([])
    })

    it('refuses a name taken by another plugin or a reserved entry', () => {
      expect(
        validateRegistryEntry(
          entry({ name: 'json', capabilities: { extraction: { supported: true } } }),
          {
            registry: REGISTRY
          }
        ).errors
      ).toEqual([
        expect.stringContaining('"json" is already registered for https://github.com/falcosecurity')
      ])
      expect(
        validateRegistryEntry(
          entry({ name: 'test', capabilities: { extraction: { supported: true } } }),
          {
            registry: REGISTRY
          }
        ).errors
      ).toEqual([expect.stringContaining('already registered as a reserved entry')])
    })

    it('refuses an ID taken by another plugin, and an ID that differs from our registration', () => {
      expect(
        validateRegistryEntry({ ...sourcing(1, 'bar'), name: 'bar' }, { registry: REGISTRY }).errors
      ).toEqual([expect.stringContaining('source ID 1 is already taken by "k8saudit"')])
      expect(validateRegistryEntry(sourcing(43), { registry: REGISTRY }).errors).toEqual([
        expect.stringContaining('registered with source ID 42, but the plugin reports 43')
      ])
    })

    it('uses the reserved_sources of the file, and warns about a shared source', () => {
      expect(
        validateRegistryEntry({ ...sourcing(7, 'k8s_secret'), name: 'bar' }, { registry: REGISTRY })
          .errors
      ).toEqual([expect.stringContaining('source "k8s_secret" is reserved')])
      const shared = validateRegistryEntry(
        { ...sourcing(77, 'k8s_audit'), name: 'k8saudit-x' },
        {
          registry: REGISTRY
        }
      )
      expect(shared.errors).toEqual([])
      expect(shared.warnings).toEqual([expect.stringContaining('also produced by "k8saudit"')])
    })

    it('reports 999 once, as a warning', () => {
      const v = validateRegistryEntry(
        { ...sourcing(999, 'bar'), name: 'bar' },
        { registry: REGISTRY }
      )
      expect(v.errors).toEqual([])
      expect(v.warnings).toHaveLength(1)
    })

    it("in the repository's own registry.yaml, the same name is this plugin whatever its url", () => {
      const own = { registry: REGISTRY, own: true }
      expect(
        validateRegistryEntry({ ...sourcing(42), url: 'https://x.test/tree/v1' }, own)
      ).toEqual(expect.objectContaining({ errors: [], conflicts: [] }))
      // Another plugin with k8saudit's ID: upstream's registry check fails, so do we.
      const taken = validateRegistryEntry(
        { ...sourcing(1, 'k8s_audit'), name: 'k8saudit-copy' },
        own
      )
      expect(taken.conflicts).toEqual([
        expect.stringContaining('source id is not unique: 1 is already used by "k8saudit"')
      ])
      // 999 collides with the reserved test entry there, as registry check says.
      expect(
        validateRegistryEntry({ ...sourcing(999, 'bar'), name: 'bar' }, own).conflicts
      ).toEqual([expect.stringContaining('already used by "test"')])
      // The registered ID differs from the .so's.
      expect(validateRegistryEntry(sourcing(43), own).conflicts).toEqual([
        expect.stringContaining('registered with source ID 42, but the plugin reports 43')
      ])
    })

    it('reads the fields of an existing entry', () => {
      const text = `plugins:
  - name: foo
    authors: The Foo Authors
    url: https://github.com/acme/plugins/tree/main/plugins/foo
    rules_url: https://github.com/acme/plugins/tree/main/plugins/foo/rules
    keywords: [audit, foo]
    license: Apache-2.0
    maintainers:
      - name: Ann
        email: ann@acme.test
`
      expect(registeredEntry(text, 'foo')).toEqual({
        authors: 'The Foo Authors',
        url: 'https://github.com/acme/plugins/tree/main/plugins/foo',
        rules_url: 'https://github.com/acme/plugins/tree/main/plugins/foo/rules',
        keywords: ['audit', 'foo'],
        license: 'Apache-2.0',
        maintainers: [{ name: 'Ann', email: 'ann@acme.test' }]
      })
      expect(registeredEntry(text, 'bar')).toBeUndefined()
    })

    it('refuses a file that is not a registry', () => {
      expect(() => validateRegistryEntry(entry(), { registry: '- a\n- b\n' })).toThrow(
        /plugins list/
      )
      expect(() => validateRegistryEntry(entry(), { registry: 'plugins: [' })).toThrow(
        /invalid YAML/
      )
    })
  })
})

describe('registryEntryYaml', () => {
  it('writes one list item in registry.yaml order, indented to paste under plugins:', () => {
    const text = registryEntryYaml(
      registryEntry(meta(), {
        ...opts,
        rulesUrl: 'https://github.com/acme/foo/tree/main/rules',
        keywords: ['audit']
      })
    )
    expect(text).toBe(
      [
        '  - name: foo',
        '    description: "Reads foo events: the <good> kind"',
        '    authors: Acme Dev',
        '    contact: Acme Dev <dev@acme.test>',
        '    maintainers:',
        '      - name: Acme Dev',
        '        email: dev@acme.test',
        '    keywords:',
        '      - audit',
        '    url: https://github.com/acme/foo',
        '    rules_url: https://github.com/acme/foo/tree/main/rules',
        '    license: Apache-2.0',
        '    capabilities:',
        '      sourcing:',
        '        supported: true',
        '        id: 42',
        '        source: foo_events',
        '      extraction:',
        '        supported: true',
        ''
      ].join('\n')
    )
  })

  it('parses back, under plugins:, to the same entry', () => {
    const e = registryEntry(
      meta({ capabilities: ['extraction'], extractEventSources: ['syscall', 'k8s_audit'] }),
      opts
    )
    const doc = parse(`plugins:\n${registryEntryYaml(e)}`) as { plugins: unknown[] }
    expect(doc.plugins).toEqual([
      {
        name: 'foo',
        description: 'Reads foo events: the <good> kind',
        authors: 'Acme Dev',
        contact: 'Acme Dev <dev@acme.test>',
        maintainers: [{ name: 'Acme Dev', email: 'dev@acme.test' }],
        url: 'https://github.com/acme/foo',
        license: 'Apache-2.0',
        capabilities: { extraction: { supported: true, sources: ['syscall', 'k8s_audit'] } }
      }
    ])
    // And the generated text passes the registry's own checks when appended to it.
    expect(
      validateRegistryEntry(e, { registry: `plugins:\n${registryEntryYaml(e)}` }).errors
    ).toEqual([])
  })
})
