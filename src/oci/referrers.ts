// OCI 1.1 referrers: manifests that point at another one through `subject` (signatures,
// attestations). A registry with the referrers API indexes them itself; on one without it
// (e.g. distribution 2.8, ghcr.io) the client keeps the list in an image index tagged
// `<alg>-<hex>` (the "referrers tag schema" of the distribution spec). Nothing Falco-specific.
import { sha256Digest } from './blob.js'
import { OCI_INDEX, OCI_MANIFEST } from './media-types.js'
import { validateDigest } from './reference.js'
import type { Descriptor, OciTarget } from './types.js'

/** The fallback tag that lists the referrers of `digest`: sha256:abc... -> sha256-abc... */
export function referrersTag(digest: string): string {
  validateDigest(digest)
  return digest.replace(':', '-').slice(0, 128)
}

function isDescriptor(d: unknown): d is Descriptor {
  if (typeof d !== 'object' || d === null) return false
  const o = d as Record<string, unknown>
  return (
    typeof o.mediaType === 'string' && typeof o.digest === 'string' && typeof o.size === 'number'
  )
}

/** The descriptors of a referrers list (an image index), as the API or the fallback tag serves it. */
export function parseReferrersIndex(body: Buffer): Descriptor[] {
  let index: { manifests?: unknown }
  try {
    index = JSON.parse(body.toString('utf8')) as typeof index
  } catch {
    throw new Error('is not JSON')
  }
  if (typeof index !== 'object' || index === null) throw new Error('is not an image index')
  if (index.manifests === undefined || index.manifests === null) return []
  if (!Array.isArray(index.manifests)) throw new Error('has no list of manifests')
  return index.manifests.filter(isDescriptor)
}

export interface Referrer {
  /** The manifest bytes; it must carry `subject`. */
  body: Buffer
  /** The manifest's artifactType (listed in the referrers index for filtering). */
  artifactType: string
  annotations?: Record<string, string>
}

export interface AttachedReferrer {
  digest: string
  /** 'api': the registry indexes it; 'tag': listed in the fallback index under this tag. */
  via: 'api' | 'tag'
  tag?: string
}

/**
 * Pushes a referrer manifest by digest, then makes it discoverable: nothing more on a target
 * with the referrers API, else it is added to the fallback index at referrersTag(subject)
 * (kept as it was when it already lists the manifest).
 */
export async function attachReferrer(
  target: OciTarget,
  subject: string,
  referrer: Referrer
): Promise<AttachedReferrer> {
  const digest = sha256Digest(referrer.body)
  await target.pushManifest(referrer.body, OCI_MANIFEST, digest)
  const listed = await target.listReferrers(subject)
  if (listed !== undefined) return { digest, via: 'api' }

  const tag = referrersTag(subject)
  const existing = await target.fetchManifest(tag)
  let manifests: Descriptor[] = []
  let index: Record<string, unknown> = { schemaVersion: 2, mediaType: OCI_INDEX }
  if (existing !== undefined) {
    try {
      index = JSON.parse(existing.body.toString('utf8')) as Record<string, unknown>
      manifests = parseReferrersIndex(existing.body)
    } catch (err) {
      throw new Error(
        `${target.location}:${tag} should list the referrers of ${subject}, but it ${(err as Error).message}: ` +
          'delete that tag (it is rebuilt from the referrers pushed next)'
      )
    }
    if (manifests.some((d) => d.digest === digest)) return { digest, via: 'tag', tag }
  }
  const descriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest,
    size: referrer.body.length,
    ...(referrer.annotations && Object.keys(referrer.annotations).length > 0
      ? { annotations: referrer.annotations }
      : {}),
    artifactType: referrer.artifactType
  }
  const updated = {
    ...index,
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [...manifests, descriptor]
  }
  await target.pushManifest(Buffer.from(JSON.stringify(updated)), OCI_INDEX, tag)
  return { digest, via: 'tag', tag }
}
