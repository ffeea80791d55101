// The release plan: every object to push and every tag to write, computed from
// facts gathered beforehand (version, metadata, packed layers, what the
// registry already has). Pure: the publisher executes it, a dry run prints it.
import type { ArtifactConfig, Dependency } from '../falco/config.js'
import {
  REQUIREMENT_ENGINE_VERSION,
  REQUIREMENT_PLUGIN_API_VERSION,
  serializeConfig
} from '../falco/config.js'
import { buildManifest, buildPluginIndex } from '../falco/manifest.js'
import {
  PLUGIN_CONFIG_MEDIA_TYPE,
  PLUGIN_LAYER_MEDIA_TYPE,
  RULESFILE_CONFIG_MEDIA_TYPE,
  RULESFILE_LAYER_MEDIA_TYPE
} from '../falco/media-types.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { Descriptor, Platform } from '../oci/types.js'
import { sha256Digest } from '../oci/blob.js'
import {
  ANNOTATION_CREATED,
  ANNOTATION_SOURCE,
  ANNOTATION_TITLE,
  OCI_MANIFEST
} from '../oci/media-types.js'
import type { ReleaseVersion } from '../version/version.js'
import { describeDifferences, type PlannedArtifact, type PublishedArtifact } from './differences.js'
import { planDevTags, planTags, tagsToWrite, type TagPlan } from './tags.js'

/** A layer already packed on disk. */
export interface PackedLayer {
  path: string
  digest: string
  size: number
  /** The layer title annotation, e.g. "libfoo.tar.gz". */
  title: string
  /** The file name inside the archive, e.g. "libfoo.so". */
  entryName: string
}

export interface PlatformLayer extends PackedLayer {
  platform: Platform
}

/** A platform manifest already in the registry (pushed by digest by a matrix job). */
export interface PushedManifest {
  platform: Platform
  bytes: Buffer
}

export interface PlanFacts {
  release: ReleaseVersion
  metadata: PluginMetadata
  /** Layers to push, one per platform (amd64 first)... */
  pluginLayers: PlatformLayer[]
  /** ...or the platform manifests that matrix jobs already pushed (merge mode). */
  pushedManifests?: PushedManifest[]
  rules?: { layer: PackedLayer; dependencies: Dependency[]; engineVersion?: string; file: string }
  /** Registry host used in refs and index.yaml, e.g. "ghcr.io". */
  registry: string
  /** Repository prefix, e.g. "acme/plugins" (lower case). */
  repository: string
  /** RFC 3339, seconds, Z: from SOURCE_DATE_EPOCH or the tagged commit, never the clock. */
  created: string
  sourceUrl?: string
  /** Tags already in each repository. */
  publishedTags: { plugin: string[]; rules: string[] }
  /** Digest the X.Y.Z tag points at today, per repository. */
  existing: { plugin?: string; rules?: string }
  overwrite: boolean
  majorZeroTag: boolean
  /** The plugin's config depends on `<name>-rules` (the default); false: the plugin alone. */
  pluginDependsOnRules?: boolean
  /** What the version tags point at today, read back to explain a conflict. */
  published?: { plugin?: PublishedArtifact; rules?: PublishedArtifact }
}

export interface Blob {
  descriptor: Descriptor
  /** In-memory content (configs) or a file (layers). */
  content: { bytes: Buffer } | { path: string }
}

export interface ManifestToPush {
  platform?: Platform
  bytes: Buffer
  descriptor: Descriptor
}

export type ArtifactKind = 'plugin' | 'rulesfile'

/** What an artifact will be, without its digests: everything the checks before publishing need. */
export interface ArtifactOutline {
  kind: ArtifactKind
  /** config.name, and the index.yaml entry name. */
  name: string
  /** Repository path inside the registry, e.g. "acme/plugins/plugin/foo". */
  repository: string
  /** registry/repository, e.g. "ghcr.io/acme/plugins/plugin/foo". */
  ref: string
  config: ArtifactConfig
  configJson: string
  /** The plugin's platforms, in publish order (amd64 first); none for a rulesfile. */
  platforms: Platform[]
  /** Tags this release writes, version tag first, floating tags after. */
  tags: string[]
  /** Digest the version tag points at before this run, if any. */
  existingDigest?: string
}

export interface ArtifactPlan extends ArtifactOutline {
  blobs: Blob[]
  /** Per-platform manifests (the plugin), pushed by digest before the root. */
  manifests: ManifestToPush[]
  /** What tags point at: the index for plugins, the manifest for rulesfiles. */
  root: ManifestToPush
  /** "new": not published yet; "same": already published with these exact digests; "replace": overwrite. */
  status: 'new' | 'same' | 'replace'
}

/**
 * The release without its digests: the tag decision and each artifact's config and tags. It is
 * all the checks before the first write need, so that they can run while the plugin's layers are
 * still being packed (see outlinePlan).
 */
export interface PlanOutline {
  version: string
  created: string
  tagPlan: TagPlan
  plugin: ArtifactOutline
  rules?: ArtifactOutline
}

export interface ReleasePlan extends PlanOutline {
  plugin: ArtifactPlan
  rules?: ArtifactPlan
}

/** What outlinePlan needs: the plan's facts, with the plugin's platforms instead of its layers. */
export type OutlineFacts = Omit<PlanFacts, 'pluginLayers' | 'pushedManifests'> & {
  platforms: Platform[]
}

export class PlanError extends Error {}

function manifestAnnotations(facts: PlanFacts): Record<string, string> {
  const a: Record<string, string> = { [ANNOTATION_CREATED]: facts.created }
  if (facts.sourceUrl) a[ANNOTATION_SOURCE] = facts.sourceUrl
  return a
}

function layerDescriptor(layer: PackedLayer, mediaType: string): Descriptor {
  return {
    mediaType,
    digest: layer.digest,
    size: layer.size,
    annotations: { [ANNOTATION_TITLE]: layer.title }
  }
}

/** The bytes of an artifact's config blob: its JSON as the outline holds it. */
export function configBytes(a: Pick<ArtifactOutline, 'configJson'>): Buffer {
  return Buffer.from(a.configJson, 'utf8')
}

function configBlob(a: ArtifactOutline, mediaType: string): Blob {
  const bytes = configBytes(a)
  return {
    descriptor: { mediaType, digest: sha256Digest(bytes), size: bytes.length },
    content: { bytes }
  }
}

function status(
  ref: string,
  existing: string | undefined,
  digest: string,
  overwrite: boolean,
  planned: PlannedArtifact,
  published: PublishedArtifact | undefined
): ArtifactPlan['status'] {
  if (existing === undefined) return 'new'
  if (existing === digest) return 'same'
  if (overwrite) return 'replace'
  const why = published ? describeDifferences(published, planned) : []
  throw new PlanError(
    `${ref}:${planned.version} already exists with digest ${existing}, but this release of the ` +
      `${planned.kind} gives ${digest}` +
      (why.length > 0 ? `: ${why.join('; ')}. ` : '. ') +
      'Published versions are immutable: release a new version, ' +
      'or set `overwrite: true` to replace it on purpose.'
  )
}

function manifestAnnotationsOf(bytes: Buffer): Record<string, string> {
  return (
    (JSON.parse(bytes.toString('utf8')) as { annotations?: Record<string, string> }).annotations ??
    {}
  )
}

/** Checks a manifest pushed by a matrix job against the config this job computes. */
function pushedManifest(
  m: PushedManifest,
  configDigest: string,
  configJson: string
): ManifestToPush {
  const parsed = JSON.parse(m.bytes.toString('utf8')) as { config?: { digest?: string } }
  if (parsed.config?.digest !== configDigest) {
    throw new PlanError(
      `the ${m.platform.os}/${m.platform.architecture} manifest was pushed with config ` +
        `${parsed.config?.digest ?? '(none)'}, but this job computes ${configDigest} (${configJson}): ` +
        'the push-by-digest jobs and the merge job must build the same commit, with the same rules file'
    )
  }
  return {
    platform: m.platform,
    bytes: m.bytes,
    descriptor: {
      mediaType: OCI_MANIFEST,
      digest: sha256Digest(m.bytes),
      size: m.bytes.length
    }
  }
}

/** Where an artifact goes, and its config serialized once (configBytes gives the blob's bytes). */
function artifactOutline(
  facts: OutlineFacts,
  a: Pick<ArtifactOutline, 'kind' | 'config' | 'platforms' | 'tags' | 'existingDigest'>
): ArtifactOutline {
  const folder = a.kind === 'plugin' ? 'plugin' : 'ruleset'
  const repository = `${facts.repository ? facts.repository + '/' : ''}${folder}/${facts.metadata.name}`
  return {
    ...a,
    name: a.config.name,
    repository,
    ref: `${facts.registry}/${repository}`,
    configJson: serializeConfig(a.config).toString('utf8')
  }
}

function pluginOutline(facts: OutlineFacts, tags: string[]): ArtifactOutline {
  const { metadata, release } = facts
  const config: ArtifactConfig = {
    name: metadata.name,
    version: release.version,
    dependencies:
      facts.rules && facts.pluginDependsOnRules !== false
        ? [{ name: `${metadata.name}-rules`, version: release.version }]
        : [],
    requirements: [{ name: REQUIREMENT_PLUGIN_API_VERSION, version: metadata.requiredApiVersion }]
  }
  if (facts.platforms.length === 0) throw new PlanError('no plugin build to publish')
  return artifactOutline(facts, {
    kind: 'plugin',
    config,
    platforms: facts.platforms,
    tags,
    existingDigest: facts.existing.plugin
  })
}

function pluginPlan(facts: PlanFacts, outline: ArtifactOutline): ArtifactPlan {
  const { release } = facts
  const { ref, configJson: json } = outline
  const cfg = configBlob(outline, PLUGIN_CONFIG_MEDIA_TYPE)
  const annotations = manifestAnnotations(facts)
  const blobs: Blob[] = [cfg]
  const manifests: ManifestToPush[] = facts.pushedManifests
    ? facts.pushedManifests.map((m) => pushedManifest(m, cfg.descriptor.digest, json))
    : facts.pluginLayers.map((layer) => {
        const layerDesc = layerDescriptor(layer, PLUGIN_LAYER_MEDIA_TYPE)
        blobs.push({ descriptor: layerDesc, content: { path: layer.path } })
        const m = buildManifest({ config: cfg.descriptor, layer: layerDesc, annotations })
        return { platform: layer.platform, bytes: m.bytes, descriptor: m.descriptor }
      })
  const index = buildPluginIndex(
    manifests.map((m) => ({
      // Index entries repeat each manifest's own annotations, as oras does.
      manifest: { ...m.descriptor, annotations: manifestAnnotationsOf(m.bytes) },
      platform: m.platform as Platform
    })),
    facts.sourceUrl ? { [ANNOTATION_SOURCE]: facts.sourceUrl } : undefined
  )
  const root = { bytes: index.bytes, descriptor: index.descriptor }
  return {
    ...outline,
    platforms: manifests.map((m) => m.platform as Platform),
    blobs,
    manifests,
    root,
    status: status(
      ref,
      facts.existing.plugin,
      root.descriptor.digest,
      facts.overwrite,
      {
        kind: 'plugin',
        name: outline.name,
        version: release.version,
        manifests,
        configJson: json
      },
      facts.published?.plugin
    )
  }
}

function rulesOutline(facts: OutlineFacts, tags: string[]): ArtifactOutline | undefined {
  if (!facts.rules) return undefined
  const { metadata, release, rules } = facts
  const config: ArtifactConfig = {
    name: `${metadata.name}-rules`,
    version: release.version,
    dependencies: rules.dependencies,
    requirements: rules.engineVersion
      ? [{ name: REQUIREMENT_ENGINE_VERSION, version: rules.engineVersion }]
      : []
  }
  return artifactOutline(facts, {
    kind: 'rulesfile',
    config,
    platforms: [],
    tags,
    existingDigest: facts.existing.rules
  })
}

function rulesPlan(
  facts: PlanFacts,
  outline: ArtifactOutline | undefined
): ArtifactPlan | undefined {
  if (!facts.rules || !outline) return undefined
  const { release, rules } = facts
  const cfg = configBlob(outline, RULESFILE_CONFIG_MEDIA_TYPE)
  const layerDesc = layerDescriptor(rules.layer, RULESFILE_LAYER_MEDIA_TYPE)
  const m = buildManifest({
    config: cfg.descriptor,
    layer: layerDesc,
    annotations: manifestAnnotations(facts)
  })
  const root = { bytes: m.bytes, descriptor: m.descriptor }
  return {
    ...outline,
    blobs: [cfg, { descriptor: layerDesc, content: { path: rules.layer.path } }],
    manifests: [],
    root,
    status: status(
      outline.ref,
      facts.existing.rules,
      root.descriptor.digest,
      facts.overwrite,
      {
        kind: 'rulesfile',
        name: outline.name,
        version: release.version,
        manifests: [root],
        configJson: outline.configJson
      },
      facts.published?.rules
    )
  }
}

/**
 * The plan without its digests (no layer needs to be packed): the tag decision over both
 * repositories' tags, and each artifact's config and tags. makePlan gives the same outline with
 * the blobs, manifests and statuses filled in.
 */
export function outlinePlan(facts: OutlineFacts): PlanOutline {
  // Both artifacts share one tag decision, taken over both repositories' tags,
  // so that foo:latest and foo-rules:latest always name the same release.
  const published = [...facts.publishedTags.plugin, ...facts.publishedTags.rules]
  const tagPlan = facts.release.dev
    ? planDevTags(facts.release, facts.release.dev.devTag, published)
    : planTags(facts.release, published, { majorZeroTag: facts.majorZeroTag })
  const tags = tagsToWrite(tagPlan)
  return {
    version: facts.release.version,
    created: facts.created,
    tagPlan,
    plugin: pluginOutline(facts, tags),
    rules: rulesOutline(facts, tags)
  }
}

export function makePlan(facts: PlanFacts): ReleasePlan {
  const platforms = facts.pushedManifests
    ? facts.pushedManifests.map((m) => m.platform)
    : facts.pluginLayers.map((l) => l.platform)
  const outline = outlinePlan({ ...facts, platforms })
  return {
    ...outline,
    plugin: pluginPlan(facts, outline.plugin),
    rules: rulesPlan(facts, outline.rules)
  }
}

/**
 * Whether makePlan can refuse these facts for a reason outlinePlan does not see: only when a
 * version tag already exists (its digest must match, or `overwrite` be set). Otherwise both
 * artifacts are new, and the digests, once the layers are packed, only fill the plan in.
 */
export function digestsCanRefuse(facts: Pick<PlanFacts, 'existing'>): boolean {
  return facts.existing.plugin !== undefined || facts.existing.rules !== undefined
}

/**
 * The tag users install this release by: latest when it moved there, a dev build's dev tag when
 * it moved, else the exact version.
 */
export function installTag(plan: PlanOutline): string {
  if (plan.plugin.tags.includes('latest')) return 'latest'
  const dev = plan.tagPlan.devTag
  if (dev !== undefined && plan.plugin.tags.includes(dev)) return dev
  return plan.version
}

/** Artifacts in publish order: the rules first, so the plugin's dependency exists when it appears. */
export function artifactsOf(plan: ReleasePlan): ArtifactPlan[] {
  return plan.rules ? [plan.rules, plan.plugin] : [plan.plugin]
}
