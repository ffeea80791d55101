import { describe, it, expect } from '@jest/globals'
import { serializeConfig } from '../../src/falco/config.js'
import { parseRulesFile, rulesDependencies, type ParsedRulesFile } from '../../src/falco/rules.js'

const FILE = 'rules/foo_rules.yaml'

describe('parseRulesFile', () => {
  it('reads a string engine version and the plugin versions (§7.2)', () => {
    const parsed = parseRulesFile(
      [
        '- required_engine_version: 0.31.0',
        '- required_plugin_versions:',
        '    - name: foo',
        '      version: 0.1.0',
        '- rule: Something',
        '  desc: d',
        '  condition: evt.type = open and foo.x < 2 & 1',
        '  output: o',
        '  priority: INFO'
      ].join('\n'),
      FILE
    )
    expect(parsed.requiredEngineVersion).toBe('0.31.0')
    expect(parsed.requiredPluginVersions).toEqual([{ name: 'foo', version: '0.1.0' }])
    expect(
      serializeConfig({
        name: 'foo-rules',
        version: '0.1.0',
        dependencies: rulesDependencies(parsed, { name: 'foo', version: '0.1.0' }),
        requirements: [{ name: 'engine_version_semver', version: '0.31.0' }]
      }).toString()
    ).toBe(
      '{"name":"foo-rules","version":"0.1.0","dependencies":[{"name":"foo","version":"0.1.0"}],"requirements":[{"name":"engine_version_semver","version":"0.31.0"}]}'
    )
  })

  it('turns an integer engine version N into 0.N.0', () => {
    expect(parseRulesFile('- required_engine_version: 10\n', FILE).requiredEngineVersion).toBe(
      '0.10.0'
    )
    expect(parseRulesFile('- required_engine_version: 0\n', FILE).requiredEngineVersion).toBe(
      '0.0.0'
    )
  })

  it('keeps the highest engine version when it is given twice', () => {
    const parsed = parseRulesFile(
      '- required_engine_version: 0.40.0\n- required_engine_version: 26\n',
      FILE
    )
    expect(parsed.requiredEngineVersion).toBe('0.40.0')
  })

  it('reads alternatives and concatenates several required_plugin_versions items', () => {
    const parsed = parseRulesFile(
      [
        '- required_plugin_versions:',
        '  - name: k8saudit',
        '    version: 0.7.0',
        '    alternatives:',
        '      - name: k8saudit-eks',
        '        version: 0.4.0',
        '      - {name: k8saudit-gke, version: 0.1.0}',
        '  - name: json',
        '    version: 0.7.0',
        '- macro: m',
        '  condition: x',
        '- required_plugin_versions: [{name: container, version: 0.2.0}]'
      ].join('\n'),
      FILE
    )
    expect(parsed.requiredEngineVersion).toBeUndefined()
    expect(parsed.requiredPluginVersions).toEqual([
      {
        name: 'k8saudit',
        version: '0.7.0',
        alternatives: [
          { name: 'k8saudit-eks', version: '0.4.0' },
          { name: 'k8saudit-gke', version: '0.1.0' }
        ]
      },
      { name: 'json', version: '0.7.0' },
      { name: 'container', version: '0.2.0' }
    ])
  })

  it('returns nothing for a rules file without these sections', () => {
    const parsed = parseRulesFile('- list: l\n  items: [a, b]\n', FILE)
    expect(parsed).toEqual({ path: FILE, requiredPluginVersions: [] })
  })

  it.each([
    ['- rule: [unclosed\n', /^rules\/foo_rules.yaml: invalid YAML: .* at line \d+, column \d+/],
    [
      '- a: 1\n- a: 1\n  a: 2\n',
      /^rules\/foo_rules.yaml: invalid YAML: .*[Mm]ap keys must be unique/
    ],
    ['', /^rules\/foo_rules.yaml: the file is empty/],
    ['rule: x\n', /^rules\/foo_rules.yaml: expected a YAML list/],
    [
      '- just a string\n',
      /^rules\/foo_rules.yaml:1: item 1 of the top-level list is not a mapping/
    ],
    [
      '- rule: a\n- required_engine_version: 0.31\n',
      /^rules\/foo_rules.yaml:2: required_engine_version is the number 0.31/
    ],
    ['- required_engine_version: v0.31.0\n', /required_engine_version is the string "v0.31.0"/],
    ['- required_engine_version: -1\n', /expected an integer N/],
    [
      '- required_plugin_versions: foo\n',
      /required_plugin_versions must be a list, not the string "foo"/
    ],
    [
      '- required_plugin_versions:\n  - version: 1.0.0\n',
      /required_plugin_versions\[0\]: name is missing/
    ],
    [
      '- required_plugin_versions:\n  - name: Foo\n    version: 1.0.0\n',
      /name "Foo" is not a valid plugin name/
    ],
    ['- required_plugin_versions:\n  - name: foo\n', /version of foo is missing/],
    [
      '- required_plugin_versions:\n  - name: foo\n    version: 0.10\n',
      /version of foo is the number 0.1, not X.Y.Z \(quote it/
    ],
    [
      '- required_plugin_versions:\n  - name: foo\n    version: 1.0.0+x\n',
      /version of foo is the string "1.0.0\+x"/
    ],
    [
      '- required_plugin_versions:\n  - name: foo\n    version: 1.0.0\n    alternatives: bar\n',
      /required_plugin_versions\[0\]: alternatives must be a list/
    ],
    [
      '- required_plugin_versions:\n  - name: foo\n    version: 1.0.0\n    alternatives: [{name: bar}]\n',
      /required_plugin_versions\[0\].alternatives\[0\]: version of bar is missing/
    ],
    ['- required_plugin_versions:\n  - foo:1.0.0\n', /must be a mapping with name and version/]
  ])('rejects %j with a clear error', (text, message) => {
    expect(() => parseRulesFile(text, FILE)).toThrow(message)
  })
})

describe('rulesDependencies', () => {
  const parsed = (deps: ParsedRulesFile['requiredPluginVersions']): ParsedRulesFile => ({
    path: FILE,
    requiredPluginVersions: deps
  })

  it('depends on the release itself, even when the file does not name it', () => {
    expect(rulesDependencies(parsed([]), { name: 'foo', version: '1.4.2' })).toEqual([
      { name: 'foo', version: '1.4.2' }
    ])
  })

  it('pins the plugin to the release version, keeps its alternatives and the other plugins', () => {
    const deps = rulesDependencies(
      parsed([
        { name: 'json', version: '0.7.0' },
        {
          name: 'foo',
          version: '1.2.0',
          alternatives: [{ name: 'foo-eks', version: '0.4.0' }]
        },
        {
          name: 'container',
          version: '0.2.0',
          alternatives: [{ name: 'k8smeta', version: '0.1.0' }]
        }
      ]),
      { name: 'foo', version: '1.4.2' }
    )
    expect(deps).toEqual([
      {
        name: 'container',
        version: '0.2.0',
        alternatives: [{ name: 'k8smeta', version: '0.1.0' }]
      },
      { name: 'foo', version: '1.4.2', alternatives: [{ name: 'foo-eks', version: '0.4.0' }] },
      { name: 'json', version: '0.7.0' }
    ])
  })

  it('throws when the file requires a newer version of this plugin', () => {
    expect(() =>
      rulesDependencies(parsed([{ name: 'foo', version: '1.5.0' }]), {
        name: 'foo',
        version: '1.4.2'
      })
    ).toThrow(
      'rules/foo_rules.yaml requires foo >= 1.5.0 but this release is 1.4.2: release a version >= 1.5.0, or lower required_plugin_versions in the rules file'
    )
  })

  it('throws when the file requires another major of this plugin, up or down', () => {
    expect(() =>
      rulesDependencies(parsed([{ name: 'foo', version: '2.0.0' }]), {
        name: 'foo',
        version: '1.4.2'
      })
    ).toThrow(/requires foo 2.0.0 but this release is 1.4.2, another major/)
    expect(() =>
      rulesDependencies(parsed([{ name: 'foo', version: '0.9.0' }]), {
        name: 'foo',
        version: '1.0.0'
      })
    ).toThrow(/requires foo 0.9.0 but this release is 1.0.0, another major/)
  })

  it('checks this plugin where it appears as an alternative too', () => {
    expect(() =>
      rulesDependencies(
        parsed([
          { name: 'k8saudit', version: '0.7.0', alternatives: [{ name: 'foo', version: '3.0.0' }] }
        ]),
        { name: 'foo', version: '1.4.2' }
      )
    ).toThrow(/requires foo 3.0.0/)
  })

  it('adds no dependency on a plugin the file accepts only as an alternative (k8saudit-ovh with k8saudit rules)', () => {
    const k8sauditRules = parsed([
      {
        name: 'k8saudit',
        version: '0.18.0',
        alternatives: [
          { name: 'k8saudit-eks', version: '0.12.0' },
          { name: 'k8saudit-ovh', version: '0.6.0' }
        ]
      },
      { name: 'json', version: '0.7.0' }
    ])
    expect(rulesDependencies(k8sauditRules, { name: 'k8saudit-ovh', version: '0.6.1' })).toEqual([
      { name: 'json', version: '0.7.0' },
      {
        name: 'k8saudit',
        version: '0.18.0',
        alternatives: [
          { name: 'k8saudit-eks', version: '0.12.0' },
          { name: 'k8saudit-ovh', version: '0.6.0' }
        ]
      }
    ])
    // The plugin named at the top level keeps its own (mutual) dependency.
    expect(
      rulesDependencies(k8sauditRules, { name: 'k8saudit', version: '0.18.0' }).map((d) => d.name)
    ).toEqual(['json', 'k8saudit'])
  })

  it('compares without pre-release tags, as Falco does', () => {
    expect(
      rulesDependencies(parsed([{ name: 'foo', version: '1.5.0' }]), {
        name: 'foo',
        version: '1.5.0-rc.1'
      })
    ).toEqual([{ name: 'foo', version: '1.5.0-rc.1' }])
  })

  it('merges a plugin named twice (highest version), and refuses two majors', () => {
    expect(
      rulesDependencies(
        parsed([
          { name: 'json', version: '0.7.0', alternatives: [{ name: 'b', version: '1.0.0' }] },
          { name: 'json', version: '0.8.0', alternatives: [{ name: 'a', version: '1.0.0' }] },
          { name: 'json', version: '0.6.0' }
        ]),
        { name: 'foo', version: '1.0.0' }
      )
    ).toEqual([
      { name: 'foo', version: '1.0.0' },
      {
        name: 'json',
        version: '0.8.0',
        alternatives: [
          { name: 'a', version: '1.0.0' },
          { name: 'b', version: '1.0.0' }
        ]
      }
    ])
    expect(() =>
      rulesDependencies(
        parsed([
          { name: 'json', version: '1.0.0' },
          { name: 'json', version: '2.0.0' }
        ]),
        { name: 'foo', version: '1.0.0' }
      )
    ).toThrow(/requires both json 1.0.0 and json 2.0.0/)
  })

  it('validates the plugin it is given', () => {
    expect(() => rulesDependencies(parsed([]), { name: 'Foo', version: '1.0.0' })).toThrow(
      /plugin name/
    )
    expect(() => rulesDependencies(parsed([]), { name: 'foo', version: 'v1.0.0' })).toThrow(
      /plugin version/
    )
  })
})
