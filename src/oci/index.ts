// Public API of the OCI distribution client.
export type {
  BlobSource,
  Descriptor,
  OciTarget,
  Platform,
  PushBlobResult,
  RegistryCredentials
} from './types.js'
export { RegistryClient, RegistryRepository, type RegistryClientOptions } from './registry.js'
export { OciLayoutTarget, REF_NAME_ANNOTATION } from './layout.js'
export { RegistryError, type RegistryErrorDetails } from './errors.js'
export { bufferBlob, fileBlob, sha256Digest } from './blob.js'
export {
  isDigest,
  validateDigest,
  validateReference,
  validateRegistryHost,
  validateRepositoryName,
  validateTag
} from './reference.js'
export {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  MANIFEST_ACCEPT,
  OCI_INDEX,
  OCI_MANIFEST
} from './media-types.js'
