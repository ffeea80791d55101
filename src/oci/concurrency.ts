// Bounded concurrency for blob uploads.
import type { BlobSource, PushBlobResult } from './types.js'

export const DEFAULT_BLOB_CONCURRENCY = 4

/**
 * Calls `fn` on every item with at most `limit` calls under way; results are in input order.
 * After a failure no new call starts; once the running ones settle, the first error is thrown.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new Error(`invalid concurrency ${limit}: expected a whole number of at least 1`)
  }
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++
      try {
        results[i] = await fn(items[i], i)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure) throw failure.error
  return results
}

/** pushBlobs on top of pushBlob: each digest once, at most `concurrency` at a time. */
export async function pushEach(
  blobs: readonly BlobSource[],
  concurrency: number,
  push: (blob: BlobSource) => Promise<PushBlobResult>
): Promise<PushBlobResult[]> {
  const unique = new Map<string, BlobSource>()
  for (const b of blobs) if (!unique.has(b.digest)) unique.set(b.digest, b)
  const pushed = await mapLimit([...unique.values()], concurrency, push)
  const byDigest = new Map([...unique.keys()].map((d, i) => [d, pushed[i]]))
  const seen = new Set<string>()
  return blobs.map((b) => {
    if (seen.has(b.digest)) return { uploaded: false, bytes: 0 }
    seen.add(b.digest)
    return byDigest.get(b.digest) as PushBlobResult
  })
}
