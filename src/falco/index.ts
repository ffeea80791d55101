// The falcoctl artifact format: pure building blocks (plus streaming layer packing).

export * from './media-types.js'
export { goJson, sortedRecord, compareGoStrings, type GoJsonValue } from './json.js'
export {
  serializeConfig,
  normalizeConfig,
  sha256Digest,
  isArtifactName,
  isStrictSemver,
  assertArtifactName,
  assertStrictSemver,
  ARTIFACT_NAME_PATTERN,
  REQUIREMENT_PLUGIN_API_VERSION,
  REQUIREMENT_ENGINE_VERSION,
  type Alternative,
  type Dependency,
  type Requirement,
  type ArtifactConfig
} from './config.js'
export {
  buildManifest,
  buildPluginIndex,
  serializeDescriptor,
  descriptorJson,
  formatCreated,
  manifestAnnotations,
  assertPlatform,
  type FullDescriptor,
  type BuiltObject,
  type ManifestInput,
  type PluginIndexEntry
} from './manifest.js'
export {
  layerFileName,
  packLayer,
  tarHeader,
  assertEntryName,
  LAYER_CHUNK_SIZE,
  LAYER_GZIP_LEVEL,
  LAYER_MODES,
  MAX_ENTRY_SIZE,
  type PackLayerOptions,
  type PackedLayer
} from './layer.js'
export {
  parseRulesFile,
  rulesDependencies,
  rulesRequirements,
  type ParsedRulesFile
} from './rules.js'
export {
  mergeIndex,
  indexEntryObject,
  type IndexEntry,
  type IndexMaintainer,
  type IndexSignature
} from './index-yaml.js'
