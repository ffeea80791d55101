// An in-memory OciTarget for unit tests, with a write log and fault injection.
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import type {
  BlobSource,
  Descriptor,
  GrowingBlobSource,
  OciTarget,
  PushBlobResult
} from '../../src/oci/types.js'

export type Write = { kind: 'blob' | 'manifest'; location: string; ref: string }
/** A read that costs a round trip on a real registry (HEAD or tag list). */
export type Read = { kind: 'blob' | 'manifest' | 'tag' | 'tags'; location: string; ref: string }

export class MemoryTarget implements OciTarget {
  readonly blobs = new Map<string, Buffer>()
  readonly manifests = new Map<string, { body: Buffer; mediaType: string }>()
  readonly tags = new Map<string, string>()
  /** Serve the OCI 1.1 referrers API (scanning the stored manifests' subject). */
  referrersApi = false
  /** The reads made, in order, with the number of writes logged before each. */
  readonly reads: Array<Read & { afterWrites: number }> = []

  constructor(
    readonly location: string,
    private readonly log: Write[],
    private readonly failAt: () => boolean = () => false
  ) {}

  private write(kind: Write['kind'], ref: string): void {
    if (this.failAt()) throw new Error(`injected failure writing ${kind} ${ref}`)
    this.log.push({ kind, location: this.location, ref })
  }

  private read(kind: Read['kind'], ref: string): void {
    this.reads.push({ kind, location: this.location, ref, afterWrites: this.log.length })
  }

  async blobExists(digest: string): Promise<boolean> {
    this.read('blob', digest)
    return this.blobs.has(digest)
  }

  async pushBlob(blob: BlobSource): Promise<PushBlobResult> {
    if (await this.blobExists(blob.digest)) return { uploaded: false, bytes: 0 }
    const chunks: Buffer[] = []
    for await (const c of blob.open() as AsyncIterable<Buffer>) chunks.push(Buffer.from(c))
    const body = Buffer.concat(chunks)
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
    if (digest !== blob.digest) throw new Error(`digest mismatch for ${blob.digest}`)
    this.write('blob', digest)
    this.blobs.set(digest, body)
    return { uploaded: true, bytes: body.length }
  }

  /** Streamed uploads (pushGrowingBlob) started, and whether to refuse them. */
  growingUploads = 0
  refuseGrowing = false

  /** Like a registry's streamed upload: the content to its end, then its digest and size. */
  async pushGrowingBlob(blob: GrowingBlobSource): Promise<PushBlobResult & { digest: string }> {
    this.growingUploads++
    const chunks: Buffer[] = []
    for await (const c of blob.chunks()) chunks.push(Buffer.from(c)) // a copy: chunks are reused
    if (this.refuseGrowing) throw new Error('injected: streamed uploads refused')
    const { digest, size } = await blob.complete
    const body = Buffer.concat(chunks)
    const actual = `sha256:${createHash('sha256').update(body).digest('hex')}`
    if (actual !== digest || body.length !== size) throw new Error(`digest mismatch for ${digest}`)
    this.write('blob', digest)
    this.blobs.set(digest, body)
    return { uploaded: true, bytes: body.length, digest }
  }

  async pushBlobs(blobs: BlobSource[]): Promise<PushBlobResult[]> {
    const out: PushBlobResult[] = []
    for (const b of blobs) out.push(await this.pushBlob(b))
    return out
  }

  async pushManifest(body: Buffer, mediaType: string, reference: string): Promise<void> {
    this.write('manifest', reference)
    const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`
    this.manifests.set(digest, { body, mediaType })
    if (!reference.startsWith('sha256:')) this.tags.set(reference, digest)
  }

  async hasManifest(digest: string): Promise<boolean> {
    this.read('manifest', digest)
    return this.manifests.has(digest)
  }

  async resolveTag(tag: string): Promise<string | undefined> {
    this.read('tag', tag)
    return this.tags.get(tag)
  }

  async listTags(): Promise<string[]> {
    this.read('tags', '')
    return [...this.tags.keys()].sort()
  }

  async fetchManifest(reference: string) {
    const digest = reference.startsWith('sha256:') ? reference : this.tags.get(reference)
    return digest ? this.manifests.get(digest) : undefined
  }

  async fetchBlob(digest: string) {
    const b = this.blobs.get(digest)
    return b ? Readable.from([b]) : undefined
  }

  async listReferrers(digest: string): Promise<Descriptor[] | undefined> {
    if (!this.referrersApi) return undefined
    const out: Descriptor[] = []
    for (const [d, m] of this.manifests) {
      const parsed = JSON.parse(m.body.toString('utf8')) as {
        subject?: { digest?: string }
        artifactType?: string
      }
      if (parsed.subject?.digest !== digest) continue
      out.push({
        mediaType: m.mediaType,
        digest: d,
        size: m.body.length,
        artifactType: parsed.artifactType
      })
    }
    return out
  }
}
