// The OCI media types and annotation keys (image-spec v1.1), written once: the client asks for
// and understands the manifest types; the artifacts built on it (falcoctl's, cosign's) use the rest.

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json'
/** An image's config blob. */
export const OCI_IMAGE_CONFIG = 'application/vnd.oci.image.config.v1+json'
/** The empty descriptor's blob ("{}"), the config of an artifact that has none. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json'

/** The Accept header for manifest reads: every root type we can be asked to resolve. */
export const MANIFEST_ACCEPT = [
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST
].join(', ')

/** A layer's file name. */
export const ANNOTATION_TITLE = 'org.opencontainers.image.title'
/** When the content was made: RFC 3339, e.g. 2026-08-04T10:11:12Z. */
export const ANNOTATION_CREATED = 'org.opencontainers.image.created'
/** The URL of the source the content was built from. */
export const ANNOTATION_SOURCE = 'org.opencontainers.image.source'
