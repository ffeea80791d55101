// Executes a release plan against OCI targets in the one order that keeps the
// registry consistent for its users at every instant:
//   1. blobs (HEAD first; nothing already there is re-sent; those early.ts started before the
//      plan was complete, a layer still being packed among them, are awaited),
//   2. manifests by digest, then each root (plugin index / rules manifest) by digest (HEAD first,
//      unless it refers to a blob or manifest this run had to write: then it cannot be there),
//   2b. the signatures of each root (when signing), so that no tag ever names an unsigned digest,
//   3. the X.Y.Z version tags (rules first, so the plugin's dependency resolves),
//   4. last, the floating tags the plan allows (every tag is read once, at once, before 3: a
//      tag that already points at its digest is not written again);
//   5. then the floating tags are re-read and repaired if a concurrent release raced us
//      (converge.ts).
// A failure anywhere before step 3 writes no tag; before step 4, X.Y, X and latest are untouched.
import { Readable } from 'node:stream'
import type { Logger } from '../log.js'
import { fileBlob } from '../oci/blob.js'
import type { BlobSource, Descriptor, OciTarget, PushBlobResult } from '../oci/types.js'
import type { EarlyUploads } from './early.js'
import type { AttachedSignatures } from '../sign/attach.js'
import { artifactsOf, type ArtifactPlan, type Blob, type ReleasePlan } from '../plan/plan.js'
import { convergeDevTag, convergeFloatingTags, readTags, type Repair } from './converge.js'

export interface PublishTargets {
  plugin: OciTarget
  rules?: OciTarget
}

export interface TagWrite {
  ref: string
  tag: string
  digest: string
  /** false when the tag already pointed at this digest. */
  written: boolean
}

export interface PublishReport {
  blobsUploaded: number
  blobsSkipped: number
  bytesUploaded: number
  manifestsWritten: number
  manifestsSkipped: number
  tags: TagWrite[]
  /** The signatures attached to each root (when signing), in artifact order. */
  signatures: AttachedSignatures[]
  /** Floating tags moved after the fact because a concurrent release raced this one. */
  repairs: Repair[]
}

/** An empty report, filled in as publish() goes (so a failure still tells what was written). */
export function emptyPublishReport(): PublishReport {
  return {
    blobsUploaded: 0,
    blobsSkipped: 0,
    bytesUploaded: 0,
    manifestsWritten: 0,
    manifestsSkipped: 0,
    tags: [],
    signatures: [],
    repairs: []
  }
}

function blobSource(blob: Blob): BlobSource {
  const { digest, size } = blob.descriptor
  const content = blob.content
  if ('bytes' in content) {
    return { digest, size, open: () => streamOf(content.bytes) }
  }
  return fileBlob(content.path, digest, size)
}

/** A fresh single-chunk stream per call, so an upload can restart. */
function streamOf(bytes: Buffer): NodeJS.ReadableStream {
  return Readable.from([bytes])
}

function targetFor(targets: PublishTargets, a: ArtifactPlan): OciTarget {
  const t = a.kind === 'plugin' ? targets.plugin : targets.rules
  if (!t) throw new Error(`no target for the ${a.kind} artifact`)
  return t
}

export interface PublishOptions {
  /** Blob uploads in flight at once, per artifact. */
  concurrency?: number
  /** Signs a root (pushed by digest) before any tag is written; a failure writes no tag. */
  sign?: (target: OciTarget, root: Descriptor) => Promise<AttachedSignatures>
  /** Filled in as writes happen; default a fresh one. */
  report?: PublishReport
  /** Uploads started before the plan was complete (early.ts): awaited instead of started. */
  early?: EarlyUploads
}

/** An artifact's blobs: the ones uploaded early are awaited, the others pushed (HEAD first). */
async function pushArtifactBlobs(
  target: OciTarget,
  blobs: Blob[],
  early: EarlyUploads | undefined,
  concurrency: number,
  logger: Logger
): Promise<PushBlobResult[]> {
  const started = blobs.map((b) => early?.get(target, b.descriptor.digest))
  const rest = blobs.filter((_, i) => started[i] === undefined)
  const settled = await Promise.allSettled([
    target.pushBlobs(rest.map(blobSource), concurrency),
    ...blobs.flatMap((b, i) => {
      const upload = started[i]
      return upload ? [settleEarly(target, b, upload, logger)] : []
    })
  ])
  throwFirstFailure(settled)
  const [pushed, ...awaited] = settled.map(
    (r) => (r as PromiseFulfilledResult<PushBlobResult | PushBlobResult[]>).value
  )
  let i = 0
  let j = 0
  return started.map((upload) =>
    upload === undefined ? (pushed as PushBlobResult[])[i++] : (awaited[j++] as PushBlobResult)
  )
}

/** An early upload's result, or the blob uploaded again the usual way when it failed. */
async function settleEarly(
  target: OciTarget,
  blob: Blob,
  upload: Promise<PushBlobResult>,
  logger: Logger
): Promise<PushBlobResult> {
  try {
    return await upload
  } catch (err) {
    logger.info(
      `uploading ${blob.descriptor.digest} to ${target.location} early failed ` +
        `(${(err as Error).message}): uploading it again`
    )
    return target.pushBlob(blobSource(blob))
  }
}

/** Steps 1 and 2 for `artifacts`: their blobs, then their manifests by digest (and roots). */
async function pushContent(
  artifacts: ArtifactPlan[],
  targets: PublishTargets,
  logger: Logger,
  report: PublishReport,
  opts: { concurrency?: number; roots: boolean; early?: EarlyUploads }
): Promise<void> {
  // Each step runs for every artifact at once (their repositories are independent); the order
  // between steps is what keeps the registry consistent. Round trips are most of a small
  // release's time, so nothing waits on another without a reason.

  // Digests this run wrote: a manifest that refers to one of them cannot be in the registry yet
  // (registries refuse a manifest whose blobs they lack), so it is pushed without a HEAD first.
  // That HEAD only spares a re-run its writes, and a re-run writes no blob.
  const written = new Set<string>()

  // 1. Blobs, a few at a time per artifact; the target HEADs each first and skips what it has
  //    (a layer uploaded while it was packed is only awaited).
  const blobs = await Promise.allSettled(
    artifacts.map((a) =>
      pushArtifactBlobs(targetFor(targets, a), a.blobs, opts.early, opts.concurrency ?? 4, logger)
    )
  )
  blobs.forEach((settled, n) => {
    if (settled.status === 'rejected') return
    const a = artifacts[n]
    settled.value.forEach((r, i) => {
      const d = a.blobs[i].descriptor
      if (r.uploaded) {
        written.add(d.digest)
        report.blobsUploaded++
        report.bytesUploaded += r.bytes
        logger.info(`uploaded ${d.digest} (${d.size} bytes) to ${a.ref}`)
      } else {
        report.blobsSkipped++
        logger.debug(`${a.ref} already has ${d.digest}`)
      }
    })
  })
  throwFirstFailure(blobs)

  // 2. Manifests (the platform ones at once), then each root (plugin index / rules manifest),
  //    by digest.
  const pushManifest = async (a: ArtifactPlan, m: ArtifactPlan['root']): Promise<void> => {
    const target = targetFor(targets, a)
    const digest = m.descriptor.digest
    const refersToNew = referencedDigests(m.bytes).some((d) => written.has(d))
    if (!refersToNew && (await target.hasManifest(digest))) {
      report.manifestsSkipped++
      return
    }
    await target.pushManifest(m.bytes, m.descriptor.mediaType, digest)
    written.add(digest)
    report.manifestsWritten++
    logger.info(`pushed ${m.descriptor.mediaType} ${a.ref}@${digest}`)
  }
  throwFirstFailure(
    await Promise.allSettled(
      artifacts.map(async (a) => {
        throwFirstFailure(await Promise.allSettled(a.manifests.map((m) => pushManifest(a, m))))
        if (opts.roots) await pushManifest(a, a.root)
      })
    )
  )
}

/**
 * A matrix job's share (push-by-digest): the plugin's blobs and platform manifests, by digest,
 * and nothing else (no index, no rules, no tags); the merge job does the rest.
 */
export async function pushPlatformManifests(
  plan: ReleasePlan,
  target: OciTarget,
  logger: Logger,
  options: Pick<PublishOptions, 'concurrency' | 'report'> = {}
): Promise<PublishReport> {
  const report = options.report ?? emptyPublishReport()
  await pushContent([plan.plugin], { plugin: target }, logger, report, {
    concurrency: options.concurrency,
    roots: false
  })
  return report
}

export async function publish(
  plan: ReleasePlan,
  targets: PublishTargets,
  logger: Logger,
  options: PublishOptions = {}
): Promise<PublishReport> {
  const report = options.report ?? emptyPublishReport()
  const artifacts = artifactsOf(plan)
  await pushContent(artifacts, targets, logger, report, {
    concurrency: options.concurrency,
    roots: true,
    early: options.early
  })

  // 2b. Signatures of every root, before any tag.
  if (options.sign) {
    for (const a of artifacts) {
      report.signatures.push(await options.sign(targetFor(targets, a), a.root.descriptor))
      logger.info(`signed ${a.ref}@${a.root.descriptor.digest}`)
    }
  }

  // 3. The version tag of every artifact, in order (rules first, so the plugin's dependency
  //    resolves); 4. then every floating tag the plan moves, of every artifact, at once.
  //    What each tag points at now is read for every tag at once, first: reading a tag just
  //    before writing it would add a round trip per step and protect nothing more (the write
  //    happens either way unless the tag is already where it should be). A version the
  //    registry did not have when planned has a new root, which no tag can name yet: its tags
  //    are written without a look (a re-run plans the version as "same" and looks).
  const { versionTag, devTag } = plan.tagPlan
  const floating = plan.tagPlan.floating.filter((d) => d.move).map((d) => d.tag)
  const current = await Promise.all(
    artifacts.map((a) =>
      a.status === 'new'
        ? new Map<string, string | undefined>()
        : readTags(targetFor(targets, a), [versionTag, ...floating])
    )
  )
  for (const [n, a] of artifacts.entries()) {
    report.tags.push(
      await writeTag(targetFor(targets, a), a, versionTag, current[n].get(versionTag), logger)
    )
  }
  const floatingWrites = artifacts.flatMap((a, n) =>
    floating.map((tag) => writeTag(targetFor(targets, a), a, tag, current[n].get(tag), logger))
  )
  const tagged = await Promise.allSettled(floatingWrites)
  for (const w of tagged) if (w.status === 'fulfilled') report.tags.push(w.value)
  throwFirstFailure(tagged)

  // 5. Converge: a release that ran at the same time may have moved them in between.
  const converged = await Promise.allSettled(
    artifacts.map((a) => {
      const target = targetFor(targets, a)
      if (devTag === undefined) {
        return convergeFloatingTags(target, a.ref, floating, logger, versionTag)
      }
      return floating.includes(devTag)
        ? convergeDevTag(target, a.ref, devTag, logger)
        : Promise.resolve([])
    })
  )
  for (const c of converged) if (c.status === 'fulfilled') report.repairs.push(...c.value)
  throwFirstFailure(converged)
  return report
}

/** Throws the first failure of settled operations (the others were let finish first). */
function throwFirstFailure(settled: Array<PromiseSettledResult<unknown>>): void {
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
}

/**
 * The digests a manifest or index needs the registry to hold: its config, layers or manifests
 * (not a subject, which may come later).
 */
function referencedDigests(manifest: Buffer): string[] {
  type Ref = { digest?: unknown }
  const m = JSON.parse(manifest.toString('utf8')) as {
    config?: Ref
    layers?: Ref[]
    manifests?: Ref[]
  }
  const refs = [m.config, ...(m.layers ?? []), ...(m.manifests ?? [])]
  return refs.flatMap((r) => (typeof r?.digest === 'string' ? [r.digest] : []))
}

async function writeTag(
  target: OciTarget,
  a: ArtifactPlan,
  tag: string,
  current: string | undefined,
  logger: Logger
): Promise<TagWrite> {
  const digest = a.root.descriptor.digest
  if (current === digest) {
    logger.info(`${a.ref}:${tag} already points at ${digest}`)
    return { ref: a.ref, tag, digest, written: false }
  }
  await target.pushManifest(a.root.bytes, a.root.descriptor.mediaType, tag)
  logger.info(`tagged ${a.ref}:${tag} -> ${digest}`)
  return { ref: a.ref, tag, digest, written: true }
}
