// Media types and annotation keys of falcoctl artifacts (falcoctl pkg/oci/constants.go, OCI
// image-spec v1.1). There are no Falco-specific annotations: only the OCI ones below.

export type ArtifactType = 'plugin' | 'rulesfile' | 'asset'

export const ARTIFACT_TYPES: readonly ArtifactType[] = ['plugin', 'rulesfile', 'asset']

export const PLUGIN_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.falco.plugin.config.v1+json'
export const PLUGIN_LAYER_MEDIA_TYPE = 'application/vnd.cncf.falco.plugin.layer.v1+tar.gz'
export const RULESFILE_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.falco.rulesfile.config.v1+json'
export const RULESFILE_LAYER_MEDIA_TYPE = 'application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz'

export const OCI_MANIFEST_MEDIA_TYPE = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX_MEDIA_TYPE = 'application/vnd.oci.image.index.v1+json'

/** Layer descriptors only: the archive's file name. falcoctl install needs it. */
export const ANNOTATION_TITLE = 'org.opencontainers.image.title'
/** Manifests (and their index descriptors): RFC 3339 UTC, second precision, e.g. 2026-08-04T10:11:12Z. */
export const ANNOTATION_CREATED = 'org.opencontainers.image.created'
/** Manifests, their index descriptors and the plugin index: the source repository URL. */
export const ANNOTATION_SOURCE = 'org.opencontainers.image.source'
