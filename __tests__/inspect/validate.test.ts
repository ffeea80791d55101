import { describe, expect, it } from '@jest/globals'
import type { PluginMetadata } from '../../src/inspect/metadata.js'
import { validatePluginAgainstRelease } from '../../src/inspect/validate.js'

function meta(overrides: Partial<PluginMetadata> = {}): PluginMetadata {
  return {
    requiredApiVersion: '3.11.0',
    name: 'demo',
    version: '1.4.2',
    description: 'A demo plugin',
    contact: 'https://example.com',
    capabilities: ['extraction'],
    symbols: [],
    ...overrides
  }
}

const sourcing = (id: number, eventSource: string): PluginMetadata =>
  meta({ capabilities: ['sourcing'], id, eventSource })

describe('validatePluginAgainstRelease', () => {
  it('accepts a matching plugin without warnings', () => {
    expect(validatePluginAgainstRelease(meta(), { version: '1.4.2' })).toEqual([])
    expect(
      validatePluginAgainstRelease(meta(), { version: '1.4.2', expectedName: 'demo' })
    ).toEqual([])
    expect(
      validatePluginAgainstRelease(sourcing(1234, 'demo_events'), { version: '1.4.2' })
    ).toEqual([])
  })

  it('refuses a version that differs from the tag, naming both', () => {
    expect(() =>
      validatePluginAgainstRelease(meta({ version: '1.4.1' }), { version: '1.4.2' })
    ).toThrow(
      "the plugin reports version 1.4.1 (plugin_get_version) but the tag says 1.4.2: bump the version in your plugin's Info or tag the right commit"
    )
    expect(() =>
      validatePluginAgainstRelease(meta({ version: '1.4.2-rc1' }), { version: '1.4.2' })
    ).toThrow(/1\.4\.2-rc1.*1\.4\.2/)
    expect(() => validatePluginAgainstRelease(meta({ version: '' }), { version: '1.4.2' })).toThrow(
      /reports version \(empty\)/
    )
  })

  it('refuses names the registry refuses', () => {
    for (const name of ['', 'Demo', '1demo', '-demo', 'de mo', 'demo.x', 'démo']) {
      expect(() => validatePluginAgainstRelease(meta({ name }), { version: '1.4.2' })).toThrow(
        /is not a valid plugin name/
      )
    }
    for (const name of ['a', 'k8saudit', 'my-plugin', 'my_plugin2']) {
      expect(() => validatePluginAgainstRelease(meta({ name }), { version: '1.4.2' })).not.toThrow()
    }
  })

  it('refuses a name other than the expected one, naming both', () => {
    expect(() =>
      validatePluginAgainstRelease(meta(), { version: '1.4.2', expectedName: 'other' })
    ).toThrow("the plugin reports the name 'demo' (plugin_get_name) but 'other' was expected")
  })

  it('reports every error together', () => {
    expect(() =>
      validatePluginAgainstRelease(meta({ name: 'Bad', version: '0.0.1' }), {
        version: '1.4.2',
        expectedName: 'good'
      })
    ).toThrow(/version 0\.0\.1[^]*not a valid plugin name[^]*'good' was expected/)
  })

  it('warns about the development ID and IDs outside the public range', () => {
    expect(validatePluginAgainstRelease(sourcing(999, 'demo'), { version: '1.4.2' })).toEqual([
      expect.stringMatching(/ID 999, which is reserved for development/)
    ])
    expect(validatePluginAgainstRelease(sourcing(2 ** 30, 'demo'), { version: '1.4.2' })).toEqual([
      expect.stringMatching(/private range/)
    ])
    expect(validatePluginAgainstRelease(sourcing(2 ** 31, 'demo'), { version: '1.4.2' })).toEqual([
      expect.stringMatching(/reserved range/)
    ])
  })

  it('does not look at the id of a plugin that does not source events', () => {
    expect(validatePluginAgainstRelease(meta({ id: 999 }), { version: '1.4.2' })).toEqual([])
  })

  it('warns about event sources the registry refuses', () => {
    expect(validatePluginAgainstRelease(sourcing(12, 'syscall'), { version: '1.4.2' })).toEqual([
      expect.stringMatching(/'syscall' is reserved/)
    ])
    expect(validatePluginAgainstRelease(sourcing(12, 'my-source'), { version: '1.4.2' })).toEqual([
      expect.stringMatching(/does not match/)
    ])
  })

  it('warns about underscores, empty description and contact, and a foreign API major', () => {
    const warnings = validatePluginAgainstRelease(
      meta({ name: 'my_plugin', description: ' ', contact: '', requiredApiVersion: '2.0.0' }),
      { version: '1.4.2' }
    )
    expect(warnings).toEqual([
      expect.stringMatching(/contains "_"/),
      'the plugin reports an empty description',
      'the plugin reports an empty contact',
      expect.stringMatching(/requires plugin API 2\.0\.0, but current Falco releases offer 3\.x/)
    ])
  })
})
