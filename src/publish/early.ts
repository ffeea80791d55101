// Uploads that start before the plan is complete. When neither version exists yet, no digest can
// refuse the release, so preflight runs on the plan's outline while the plugin's layers are still
// being packed; once it has passed, publish starts the blobs whose digests are already known (the
// configs, the rules layer) and streams each layer still being packed as it grows, so that packing
// and uploading overlap. publish() then awaits these instead of starting them, and uploads again,
// the usual way, any that failed. Only blobs go up early: no manifest, no tag.
import { basename } from 'node:path'
import type { Logger } from '../log.js'
import { bufferBlob, fileBlob } from '../oci/blob.js'
import type { BlobSource, OciTarget, PushBlobResult } from '../oci/types.js'
import { configBytes, type PackedLayer, type PlanOutline } from '../plan/plan.js'
import type { GrowingFile } from '../util/growing-file.js'

/** A plugin layer that may still be being packed: its file as it grows, and the result. */
export interface PackingLayer {
  file: GrowingFile
  packed: Promise<{ digest: string; size: number }>
}

const key = (target: OciTarget, digest: string) => `${target.location}@${digest}`

export class EarlyUploads {
  private readonly uploads = new Map<string, Promise<PushBlobResult>>()
  /** Each streamed layer's digest, known once it is packed. */
  private readonly digests: Array<Promise<unknown>> = []

  constructor(private readonly logger: Logger) {}

  /** A blob whose digest is known: pushed now (HEAD first), as publish would. */
  push(target: OciTarget, blob: BlobSource): void {
    if (this.uploads.has(key(target, blob.digest))) return
    this.add(key(target, blob.digest), target.pushBlob(blob))
  }

  /** Streams each layer still being packed as it grows (where the target can). */
  stream(target: OciTarget, layers: PackingLayer[]): void {
    const push = target.pushGrowingBlob?.bind(target)
    if (!push) return
    for (const layer of layers) {
      if (layer.file.settled) continue
      const complete = layer.packed.then(({ digest, size }) => ({ digest, size }))
      complete.catch(() => undefined) // the upload awaits it, unless it fails before
      const upload = push({ chunks: () => layer.file.chunks(), complete })
      upload.catch(() => undefined) // awaited by publish(), or by settle()
      // The registry stored it under the digest packing gave (the PUT names it); a packing that
      // fails leaves no digest, and settle() still waits for the upload to give up.
      const known = complete.then(({ digest }) => this.add(key(target, digest), upload))
      this.digests.push(known.catch(() => upload.catch(() => undefined)))
      const name = basename(layer.file.path)
      this.logger.info(`uploading ${name} to ${target.location} while it is packed`)
    }
  }

  /** Resolves once every streamed layer is packed (or failed): get() then knows its digest. */
  async ready(): Promise<void> {
    await Promise.allSettled(this.digests)
  }

  /** The upload of `digest` to `target`, if one was started (after ready()). */
  get(target: OciTarget, digest: string): Promise<PushBlobResult> | undefined {
    return this.uploads.get(key(target, digest))
  }

  /** Waits for every upload; how many blobs and bytes went up (for a release that stops). */
  async settle(): Promise<{ blobs: number; bytes: number }> {
    await this.ready()
    const done = await Promise.allSettled(this.uploads.values())
    let blobs = 0
    let bytes = 0
    for (const r of done) {
      if (r.status === 'fulfilled' && r.value.uploaded) {
        blobs++
        bytes += r.value.bytes
      }
    }
    return { blobs, bytes }
  }

  private add(k: string, upload: Promise<PushBlobResult>): void {
    upload.catch(() => undefined) // awaited by publish(), or by settle()
    this.uploads.set(k, upload)
  }
}

/**
 * Starts every upload that can go before the plan is complete: the configs the outline gives,
 * the rules layer (packed already), and each plugin layer still being packed, streamed.
 */
export function startEarlyUploads(opts: {
  outline: PlanOutline
  rulesLayer?: PackedLayer
  packing: PackingLayer[]
  targets: { plugin: OciTarget; rules: OciTarget }
  logger: Logger
}): EarlyUploads {
  const { outline, targets } = opts
  const early = new EarlyUploads(opts.logger)
  early.stream(targets.plugin, opts.packing)
  // The plan's config blobs hold exactly these bytes (configBytes).
  early.push(targets.plugin, bufferBlob(configBytes(outline.plugin)))
  if (outline.rules && opts.rulesLayer) {
    const { path, digest, size } = opts.rulesLayer
    early.push(targets.rules, bufferBlob(configBytes(outline.rules)))
    early.push(targets.rules, fileBlob(path, digest, size))
  }
  return early
}
