// Types of the OCI distribution client. Nothing here knows about Falco.

export interface Platform {
  architecture: string
  os: string
}

/** An OCI content descriptor. Field order matters for serialisation: see src/falco/json.ts. */
export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
  platform?: Platform
  artifactType?: string
}

/** Content to upload as a blob. open() returns a fresh stream each call, so uploads can restart. */
export interface BlobSource {
  digest: string
  size: number
  open(): NodeJS.ReadableStream
}

/** A blob still being written: its bytes so far, and its digest and size once it is complete. */
export interface GrowingBlobSource {
  /**
   * The whole content from its start, following it as it grows, ending with it. A chunk may be
   * overwritten by the next: a consumer is done with each before it asks for the next.
   */
  chunks(): AsyncIterable<Uint8Array>
  /** The digest and size, once the content is complete (rejects if it never is). */
  complete: Promise<{ digest: string; size: number }>
}

export interface PushBlobResult {
  /** false when the target already had the blob and nothing was sent. */
  uploaded: boolean
  bytes: number
}

/** One repository in a registry, or one OCI image layout directory. */
export interface OciTarget {
  /** Human-readable location, e.g. "ghcr.io/acme/plugins/plugin/foo". Never contains credentials. */
  readonly location: string
  blobExists(digest: string): Promise<boolean>
  /** HEADs first and skips the upload when the blob exists. Streams; never buffers the whole blob. */
  pushBlob(blob: BlobSource): Promise<PushBlobResult>
  /**
   * pushBlob for several blobs, at most `concurrency` at a time (default 4). Results are in the
   * order of `blobs`; a digest listed twice is sent once. On a failure no further upload starts,
   * the ones under way finish, and the first error is thrown.
   */
  pushBlobs(blobs: BlobSource[], concurrency?: number): Promise<PushBlobResult[]>
  /**
   * Uploads a blob while it is still being written, as `docker push` streams a layer: one upload
   * session, the content sent in one PATCH as it grows, then the PUT with its digest. No HEAD
   * (the digest is not known yet). Optional: a target without it gets the finished blob through
   * pushBlob. Throws when the registry refuses; the caller then sends the finished blob with
   * pushBlob.
   */
  pushGrowingBlob?(blob: GrowingBlobSource): Promise<PushBlobResult & { digest: string }>
  /** True when a manifest with this digest exists (a HEAD: nothing is downloaded). */
  hasManifest(digest: string): Promise<boolean>
  /** PUTs a manifest or index under a digest ("sha256:...") or a tag. */
  pushManifest(body: Buffer, mediaType: string, reference: string): Promise<void>
  /** Digest of the manifest a tag points at, or undefined when the tag does not exist. */
  resolveTag(tag: string): Promise<string | undefined>
  /** All tags, following pagination; [] when the repository does not exist yet. */
  listTags(): Promise<string[]>
  /** The raw manifest/index bytes at a tag or digest, or undefined when absent. */
  fetchManifest(reference: string): Promise<{ body: Buffer; mediaType: string } | undefined>
  /**
   * Streams a blob's content, or undefined when absent. With `size` (the descriptor's), a blob
   * that turns out longer fails the stream as soon as it passes that size.
   */
  fetchBlob(digest: string, size?: number): Promise<NodeJS.ReadableStream | undefined>
  /**
   * The manifests whose `subject` is `digest`, from the OCI 1.1 referrers API; undefined when
   * the target has no referrers API (then referrers live in the tag-schema fallback index,
   * see src/oci/referrers.ts).
   */
  listReferrers(digest: string): Promise<Descriptor[] | undefined>
  /**
   * Deletes the manifest with this digest (every tag on it goes with it). Registries may not
   * allow it (distribution without storage.delete.enabled, ghcr.io, Docker Hub): then
   * "unsupported", with the registry's answer. Other failures throw.
   */
  deleteManifest?(digest: string): Promise<DeleteResult>
}

export type DeleteResult =
  | { status: 'deleted' }
  /** Nothing with that digest (deleted already). */
  | { status: 'absent' }
  | { status: 'unsupported'; reason: string }

/** Registry login. The password is usually a token (e.g. GITHUB_TOKEN for ghcr.io). */
export interface RegistryCredentials {
  username: string
  password: string
  /**
   * An OAuth2 refresh token (docker config.json `identitytoken`), exchanged at the token
   * endpoint with grant_type=refresh_token instead of sending the username and password.
   */
  identityToken?: string
}
