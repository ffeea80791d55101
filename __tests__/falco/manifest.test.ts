import { describe, it, expect } from '@jest/globals'
import { createHash } from 'node:crypto'
import { serializeConfig } from '../../src/falco/config.js'
import { sha256Digest } from '../../src/oci/blob.js'
import { buildManifest, buildPluginIndex, descriptorJson } from '../../src/falco/manifest.js'
import { goJson } from '../../src/falco/json.js'
import {
  PLUGIN_CONFIG_MEDIA_TYPE,
  PLUGIN_LAYER_MEDIA_TYPE,
  RULESFILE_CONFIG_MEDIA_TYPE,
  RULESFILE_LAYER_MEDIA_TYPE
} from '../../src/falco/media-types.js'
import {
  ANNOTATION_CREATED,
  ANNOTATION_SOURCE,
  ANNOTATION_TITLE
} from '../../src/oci/media-types.js'
import type { Descriptor } from '../../src/oci/types.js'

const T = '2026-08-04T10:11:12Z'
const L = 'sha256:' + createHash('sha256').update('layer').digest('hex')
const LSIZE = 4242
const sha = (s: string): string => 'sha256:' + createHash('sha256').update(s).digest('hex')

const config = serializeConfig({
  name: 'foo',
  version: '0.1.0',
  dependencies: [{ name: 'foo-rules', version: '0.1.0' }],
  requirements: [{ name: 'plugin_api_version', version: '3.0.0' }]
})
const configDesc: Descriptor = {
  mediaType: PLUGIN_CONFIG_MEDIA_TYPE,
  digest: sha256Digest(config),
  size: config.length
}
const layerDesc: Descriptor = {
  mediaType: PLUGIN_LAYER_MEDIA_TYPE,
  digest: L,
  size: LSIZE,
  annotations: { [ANNOTATION_TITLE]: 'libfoo.tar.gz' }
}

// The spec's §7.1 strings, with <L>, <Lsize>, T, <M>, <Msize> filled in.
const EXPECTED_MANIFEST = `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.cncf.falco.plugin.config.v1+json","digest":"sha256:a109da659dc5384ed702691b3b7e014489b393a113dacd20c0703a38b06b4027","size":153},"layers":[{"mediaType":"application/vnd.cncf.falco.plugin.layer.v1+tar.gz","digest":"${L}","size":${LSIZE},"annotations":{"org.opencontainers.image.title":"libfoo.tar.gz"}}],"annotations":{"org.opencontainers.image.created":"${T}"}}`
const expectedIndex = (m: string, msize: number): string =>
  `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"${m}","size":${msize},"annotations":{"org.opencontainers.image.created":"${T}"},"platform":{"architecture":"amd64","os":"linux"},"artifactType":"application/vnd.cncf.falco.plugin.config.v1+json"}]}`

describe('buildManifest', () => {
  it('produces the §7.1 manifest exactly', () => {
    const m = buildManifest({
      config: configDesc,
      layer: layerDesc,
      annotations: { [ANNOTATION_CREATED]: T }
    })
    expect(m.bytes.toString('utf8')).toBe(EXPECTED_MANIFEST)
    expect(m.descriptor).toEqual({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha(EXPECTED_MANIFEST),
      size: Buffer.byteLength(EXPECTED_MANIFEST),
      annotations: { [ANNOTATION_CREATED]: T },
      artifactType: PLUGIN_CONFIG_MEDIA_TYPE
    })
  })

  it('sorts annotations and escapes & in the source URL', () => {
    const m = buildManifest({
      config: configDesc,
      layer: layerDesc,
      annotations: { [ANNOTATION_SOURCE]: 'https://git.test/a?b=1&c=2', [ANNOTATION_CREATED]: T }
    })
    expect(m.bytes.toString()).toContain(
      `"annotations":{"org.opencontainers.image.created":"${T}","org.opencontainers.image.source":"https://git.test/a?b=1\\u0026c=2"}}`
    )
    expect(m.descriptor.digest).toBe(sha256Digest(m.bytes))
  })

  it('makes a rulesfile manifest with rulesfile media types and no platform', () => {
    const m = buildManifest({
      config: { mediaType: RULESFILE_CONFIG_MEDIA_TYPE, digest: L, size: 1 },
      layer: { ...layerDesc, mediaType: RULESFILE_LAYER_MEDIA_TYPE },
      annotations: { [ANNOTATION_CREATED]: T }
    })
    const parsed = JSON.parse(m.bytes.toString())
    expect(Object.keys(parsed)).toEqual([
      'schemaVersion',
      'mediaType',
      'config',
      'layers',
      'annotations'
    ])
    expect(parsed.config.mediaType).toBe(RULESFILE_CONFIG_MEDIA_TYPE)
    expect(parsed.layers).toHaveLength(1)
    expect(parsed.artifactType).toBeUndefined()
    expect(m.descriptor.artifactType).toBe(RULESFILE_CONFIG_MEDIA_TYPE)
  })

  it('refuses shapes that break falcoctl or registries', () => {
    const base = { config: configDesc, layer: layerDesc, annotations: { [ANNOTATION_CREATED]: T } }
    expect(() =>
      buildManifest({
        ...base,
        config: { ...configDesc, annotations: { [ANNOTATION_TITLE]: 'c' } }
      })
    ).toThrow(/config descriptor must not carry annotations/)
    expect(() => buildManifest({ ...base, layer: { ...layerDesc, annotations: {} } })).toThrow(
      /org.opencontainers.image.title/
    )
    expect(() =>
      buildManifest({
        ...base,
        layer: {
          ...layerDesc,
          annotations: { [ANNOTATION_TITLE]: 'x', 'io.deis.oras.content.unpack': 'true' }
        }
      })
    ).toThrow(/io.deis.oras.content.unpack/)
    expect(() => buildManifest({ ...base, annotations: {} })).toThrow(/created must be RFC 3339/)
    expect(() =>
      buildManifest({ ...base, annotations: { [ANNOTATION_CREATED]: '2026-08-04T10:11:12.123Z' } })
    ).toThrow(/created must be RFC 3339/)
    expect(() => buildManifest({ ...base, layer: { ...layerDesc, digest: 'sha256:abc' } })).toThrow(
      /expected sha256/
    )
    expect(() => buildManifest({ ...base, layer: { ...layerDesc, size: -1 } })).toThrow(/size/)
  })
})

describe('buildPluginIndex', () => {
  it('produces the §7.1 index exactly', () => {
    const m = buildManifest({
      config: configDesc,
      layer: layerDesc,
      annotations: { [ANNOTATION_CREATED]: T }
    })
    const idx = buildPluginIndex([
      { manifest: m.descriptor, platform: { os: 'linux', architecture: 'amd64' } }
    ])
    const expected = expectedIndex(sha(EXPECTED_MANIFEST), Buffer.byteLength(EXPECTED_MANIFEST))
    expect(idx.bytes.toString()).toBe(expected)
    expect(idx.descriptor).toEqual({
      mediaType: 'application/vnd.oci.image.index.v1+json',
      digest: sha(expected),
      size: Buffer.byteLength(expected)
    })
  })

  it('with a source: entry annotations are the manifest ones, the index has only source', () => {
    const S = 'https://github.com/acme/foo'
    const m = buildManifest({
      config: configDesc,
      layer: layerDesc,
      annotations: { [ANNOTATION_CREATED]: T, [ANNOTATION_SOURCE]: S }
    })
    const idx = buildPluginIndex(
      [{ manifest: m.descriptor, platform: { os: 'linux', architecture: 'amd64' } }],
      { [ANNOTATION_SOURCE]: S }
    )
    const text = idx.bytes.toString()
    expect(text).toContain(
      `"annotations":{"org.opencontainers.image.created":"${T}","org.opencontainers.image.source":"${S}"},"platform"`
    )
    expect(text.endsWith(`}],"annotations":{"org.opencontainers.image.source":"${S}"}}`)).toBe(true)
  })

  it('puts amd64 first, then the others as given', () => {
    const m = (n: string): Descriptor => ({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha(n),
      size: 10,
      annotations: { [ANNOTATION_CREATED]: T }
    })
    const idx = buildPluginIndex([
      { manifest: m('arm'), platform: { os: 'linux', architecture: 'arm64' } },
      { manifest: m('s390'), platform: { os: 'linux', architecture: 's390x' } },
      { manifest: m('amd'), platform: { os: 'linux', architecture: 'amd64' } }
    ])
    const parsed = JSON.parse(idx.bytes.toString())
    expect(
      parsed.manifests.map((d: { platform: { architecture: string } }) => d.platform.architecture)
    ).toEqual(['amd64', 'arm64', 's390x'])
    expect(parsed.manifests[0].digest).toBe(sha('amd'))
    expect(parsed.annotations).toBeUndefined()
  })

  it('rejects empty, duplicate and non-Go platforms', () => {
    const m = buildManifest({
      config: configDesc,
      layer: layerDesc,
      annotations: { [ANNOTATION_CREATED]: T }
    })
    const e = (architecture: string) => ({
      manifest: m.descriptor,
      platform: { os: 'linux', architecture }
    })
    expect(() => buildPluginIndex([])).toThrow(/at least one platform/)
    expect(() => buildPluginIndex([e('amd64'), e('amd64')])).toThrow(/appears twice/)
    expect(() => buildPluginIndex([e('x86_64')])).toThrow(/use linux\/amd64/)
    expect(() => buildPluginIndex([e('aarch64')])).toThrow(/use linux\/arm64/)
    expect(() => buildPluginIndex([e('ARM64')])).toThrow(/not OS\/ARCH/)
    expect(() =>
      buildPluginIndex([
        {
          manifest: { ...m.descriptor, artifactType: RULESFILE_CONFIG_MEDIA_TYPE },
          platform: { os: 'linux', architecture: 'amd64' }
        }
      ])
    ).toThrow(/not a plugin manifest/)
  })
})

describe('descriptorJson', () => {
  it('writes every field in image-spec order and omits empty ones', () => {
    expect(
      goJson(
        descriptorJson({
          artifactType: 'a/t',
          platform: { os: 'linux', architecture: 'arm64' },
          data: 'aGk=',
          annotations: { z: '1', a: '2' },
          urls: ['https://u.test/'],
          size: 2,
          digest: L,
          mediaType: 'm/t'
        })
      )
    ).toBe(
      `{"mediaType":"m/t","digest":"${L}","size":2,"urls":["https://u.test/"],"annotations":{"a":"2","z":"1"},"data":"aGk=","platform":{"architecture":"arm64","os":"linux"},"artifactType":"a/t"}`
    )
    expect(
      goJson(
        descriptorJson({
          mediaType: 'm/t',
          digest: L,
          size: 0,
          annotations: {},
          urls: [],
          artifactType: ''
        })
      )
    ).toBe(`{"mediaType":"m/t","digest":"${L}","size":0}`)
  })
})
