// Builds realistic PlanFacts for unit tests: real packed layers of small files.
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { layerFileName, packLayer } from '../../src/falco/layer.js'
import type { PluginMetadata } from '../../src/inspect/metadata.js'
import type { PlanFacts } from '../../src/plan/plan.js'
import { parseReleaseTag } from '../../src/version/version.js'

export const metadata = (over: Partial<PluginMetadata> = {}): PluginMetadata => ({
  requiredApiVersion: '3.11.0',
  name: 'foo',
  version: '1.4.2',
  description: 'Foo events',
  contact: 'Foo Team <foo@example.com>',
  capabilities: ['extraction'],
  symbols: [],
  ...over
})

export async function planFacts(
  over: Partial<PlanFacts> = {},
  version = '1.4.2'
): Promise<PlanFacts> {
  const dir = await mkdtemp(join(tmpdir(), 'fpr-plan-'))
  await writeFile(join(dir, 'libfoo.so'), `pretend shared object ${version}`)
  await writeFile(join(dir, 'foo_rules.yaml'), '- required_engine_version: 0.31.0\n')
  const so = await packLayer({
    source: join(dir, 'libfoo.so'),
    entryName: 'libfoo.so',
    mode: 0o755,
    destination: join(dir, 'plugin.tar.gz')
  })
  const rules = await packLayer({
    source: join(dir, 'foo_rules.yaml'),
    entryName: 'foo_rules.yaml',
    mode: 0o644,
    destination: join(dir, 'rules.tar.gz')
  })
  return {
    release: parseReleaseTag(version),
    metadata: metadata({ version }),
    pluginLayers: [
      {
        ...so,
        title: layerFileName('libfoo.so'),
        entryName: 'libfoo.so',
        platform: { os: 'linux', architecture: 'amd64' }
      }
    ],
    rules: {
      layer: { ...rules, title: layerFileName('foo_rules.yaml'), entryName: 'foo_rules.yaml' },
      dependencies: [{ name: 'foo', version }],
      engineVersion: '0.31.0',
      file: join(dir, 'foo_rules.yaml')
    },
    registry: 'ghcr.io',
    repository: 'acme/plugins',
    created: '2026-01-01T00:00:00Z',
    sourceUrl: 'https://github.com/Acme/plugins',
    publishedTags: { plugin: [], rules: [] },
    existing: {},
    overwrite: false,
    majorZeroTag: false,
    ...over
  }
}
