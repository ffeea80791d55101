// Media types of falcoctl artifacts (falcoctl pkg/oci/constants.go). The OCI types and
// annotations they also use are in oci/media-types.ts; there are no Falco-specific annotations.
// falcoctl's use of them: a layer's title is the archive's file name (falcoctl install needs it);
// manifests and their index descriptors carry created (second precision, UTC) and source; the
// plugin index carries source only.

export type ArtifactType = 'plugin' | 'rulesfile' | 'asset'

export const ARTIFACT_TYPES: readonly ArtifactType[] = ['plugin', 'rulesfile', 'asset']

export const PLUGIN_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.falco.plugin.config.v1+json'
export const PLUGIN_LAYER_MEDIA_TYPE = 'application/vnd.cncf.falco.plugin.layer.v1+tar.gz'
export const RULESFILE_CONFIG_MEDIA_TYPE = 'application/vnd.cncf.falco.rulesfile.config.v1+json'
export const RULESFILE_LAYER_MEDIA_TYPE = 'application/vnd.cncf.falco.rulesfile.layer.v1+tar.gz'
