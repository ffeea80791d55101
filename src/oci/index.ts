// Public API of the OCI distribution client.
export type {
  BlobSource,
  Descriptor,
  OciTarget,
  Platform,
  PushBlobResult,
  RegistryCredentials
} from './types.js'
export {
  DEFAULT_CHUNK_SIZE,
  RegistryClient,
  RegistryRepository,
  type RegistryClientOptions
} from './registry.js'
export { DEFAULT_BLOB_CONCURRENCY } from './concurrency.js'
export { credentialsFromDockerConfig, dockerConfigPath } from './docker-config.js'
export {
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_BUDGET_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  systemClock,
  type Clock
} from './retry.js'
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
export {
  attachReferrer,
  parseReferrersIndex,
  referrersTag,
  type AttachedReferrer,
  type Referrer
} from './referrers.js'
