// OCI image manifests and the plugin image index, in the shapes falcoctl's pusher produces
// (oras-go pack.go packManifestV1_1_RC2 + falcoctl storeArtifactsIndex), serialised with Go's
// field order (image-spec specs-go/v1).

import type { Descriptor, Platform } from '../oci/types.js'
import { sha256Digest } from '../oci/blob.js'
import { byReleaseOrder } from '../platform/platform.js'
import {
  ANNOTATION_CREATED,
  ANNOTATION_TITLE,
  OCI_INDEX,
  OCI_MANIFEST
} from '../oci/media-types.js'
import { goJson, sortedRecord, type GoJsonValue } from './json.js'
import { PLUGIN_CONFIG_MEDIA_TYPE } from './media-types.js'

/** A descriptor with the optional image-spec fields that our Descriptor type leaves out. */
export interface FullDescriptor extends Descriptor {
  urls?: string[]
  /** Base64 of embedded content. */
  data?: string
}

export interface BuiltObject {
  /** The exact bytes to PUT. */
  bytes: Buffer
  /** mediaType, sha256 digest and size of `bytes` (plus, for a manifest, its annotations). */
  descriptor: Descriptor
}

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/
const CREATED_FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/
const PLATFORM_OS = /^[a-z]+$/
const PLATFORM_ARCH = /^[a-z0-9_]+$/
const GOARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', aarch64: 'arm64' }
/** Makes oras unpack a layer on pull: never set it on falcoctl artifacts. */
const ORAS_UNPACK_ANNOTATION = 'io.deis.oras.content.unpack'

function nonEmpty(record: Readonly<Record<string, string>> | undefined): boolean {
  return record !== undefined && Object.keys(record).length > 0
}

function assertDescriptor(d: Descriptor, what: string): void {
  if (typeof d.mediaType !== 'string' || d.mediaType === '') {
    throw new Error(`${what} has no mediaType`)
  }
  if (typeof d.digest !== 'string' || !SHA256_DIGEST.test(d.digest)) {
    throw new Error(`${what} has the digest ${JSON.stringify(d.digest)}: expected sha256:<64 hex>`)
  }
  if (!Number.isSafeInteger(d.size) || d.size < 0) {
    throw new Error(`${what} has the invalid size ${d.size}`)
  }
}

/** Checks a platform as falcoctl install will match it: GOOS/GOARCH, e.g. linux/amd64. */
export function assertPlatform(p: Platform): void {
  const alias = GOARCH_ALIASES[p.architecture]
  if (alias !== undefined) {
    throw new Error(
      `platform ${p.os}/${p.architecture}: falcoctl matches Go architecture names; use ${p.os}/${alias}`
    )
  }
  if (!PLATFORM_OS.test(p.os) || !PLATFORM_ARCH.test(p.architecture)) {
    throw new Error(`platform ${JSON.stringify(`${p.os}/${p.architecture}`)} is not OS/ARCH`)
  }
}

/** The descriptor as an ordered object: mediaType, digest, size, urls, annotations, data, platform, artifactType. */
export function descriptorJson(d: FullDescriptor): GoJsonValue {
  return {
    mediaType: d.mediaType,
    digest: d.digest,
    size: d.size,
    urls: d.urls !== undefined && d.urls.length > 0 ? d.urls : undefined,
    annotations: nonEmpty(d.annotations) ? sortedRecord(d.annotations ?? {}) : undefined,
    data: d.data !== undefined && d.data !== '' ? d.data : undefined,
    platform:
      d.platform !== undefined
        ? { architecture: d.platform.architecture, os: d.platform.os }
        : undefined,
    artifactType: d.artifactType !== undefined && d.artifactType !== '' ? d.artifactType : undefined
  }
}

export interface ManifestInput {
  /** The config descriptor: mediaType, digest, size; no annotations (ECR rejects them). */
  config: Descriptor
  /** The single layer, with its org.opencontainers.image.title annotation. */
  layer: Descriptor
  /** org.opencontainers.image.created (required) and optionally .source. */
  annotations: Record<string, string>
}

/**
 * An OCI image manifest with exactly one layer and no artifactType. The returned descriptor
 * carries the manifest's annotations and artifactType = the config media type, as the
 * descriptor oras.Pack returns (ready for buildPluginIndex).
 */
export function buildManifest(input: ManifestInput): BuiltObject {
  const { config, layer, annotations } = input
  assertDescriptor(config, 'config descriptor')
  assertDescriptor(layer, 'layer descriptor')
  if (nonEmpty(config.annotations)) {
    throw new Error(
      'the config descriptor must not carry annotations (registries such as ECR reject them)'
    )
  }
  if (config.platform !== undefined || config.artifactType !== undefined) {
    throw new Error('the config descriptor must have only mediaType, digest and size')
  }
  const title = layer.annotations?.[ANNOTATION_TITLE]
  if (title === undefined || title === '') {
    throw new Error(
      `the layer descriptor needs a ${ANNOTATION_TITLE} annotation: falcoctl install uses it`
    )
  }
  if (layer.annotations?.[ORAS_UNPACK_ANNOTATION] !== undefined) {
    throw new Error(`the layer descriptor must not carry ${ORAS_UNPACK_ANNOTATION}`)
  }
  const created = annotations[ANNOTATION_CREATED]
  if (created === undefined || !CREATED_FORMAT.test(created)) {
    throw new Error(
      `manifest annotation ${ANNOTATION_CREATED} must be RFC 3339 UTC with seconds, e.g. 2026-08-04T10:11:12Z; got ${JSON.stringify(created)}`
    )
  }

  const bytes = Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: descriptorJson({
        mediaType: config.mediaType,
        digest: config.digest,
        size: config.size
      }),
      layers: [
        descriptorJson({
          mediaType: layer.mediaType,
          digest: layer.digest,
          size: layer.size,
          annotations: layer.annotations
        })
      ],
      annotations: sortedRecord(annotations)
    }),
    'utf8'
  )
  return {
    bytes,
    descriptor: {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(bytes),
      size: bytes.length,
      annotations: { ...annotations },
      artifactType: config.mediaType
    }
  }
}

export interface PluginIndexEntry {
  /** The manifest descriptor, with annotations = the manifest's own annotations. */
  manifest: Descriptor
  platform: Platform
}

/**
 * The plugin image index (the root falcoctl tags and signs). Entries are
 * {mediaType, digest, size, annotations, platform, artifactType: plugin config media type},
 * in release order (amd64 first: byReleaseOrder). `annotations` is the index-level map:
 * falcoctl puts only org.opencontainers.image.source there.
 */
export function buildPluginIndex(
  entries: PluginIndexEntry[],
  annotations?: Record<string, string>
): BuiltObject {
  if (entries.length === 0) throw new Error('a plugin index needs at least one platform')
  const seen = new Set<string>()
  for (const { manifest, platform } of entries) {
    const key = `${platform.os}/${platform.architecture}`
    assertPlatform(platform)
    assertDescriptor(manifest, `manifest descriptor for ${key}`)
    if (manifest.mediaType !== OCI_MANIFEST) {
      throw new Error(`manifest descriptor for ${key} has mediaType ${manifest.mediaType}`)
    }
    if (manifest.artifactType !== undefined && manifest.artifactType !== PLUGIN_CONFIG_MEDIA_TYPE) {
      throw new Error(
        `manifest for ${key} is not a plugin manifest (artifactType ${manifest.artifactType})`
      )
    }
    if (seen.has(key)) throw new Error(`platform ${key} appears twice in the plugin index`)
    seen.add(key)
  }
  const ordered = [...entries].sort((a, b) => byReleaseOrder(a.platform, b.platform))
  const bytes = Buffer.from(
    goJson({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: ordered.map(({ manifest, platform }) =>
        descriptorJson({
          mediaType: manifest.mediaType,
          digest: manifest.digest,
          size: manifest.size,
          annotations: manifest.annotations,
          platform,
          artifactType: PLUGIN_CONFIG_MEDIA_TYPE
        })
      ),
      annotations: nonEmpty(annotations) ? sortedRecord(annotations ?? {}) : undefined
    }),
    'utf8'
  )
  return {
    bytes,
    descriptor: { mediaType: OCI_INDEX, digest: sha256Digest(bytes), size: bytes.length }
  }
}
