// An OCI image layout directory as a push target (readable by skopeo, oras, crane...):
// oci-layout, blobs/<alg>/<hex>, and index.json with one descriptor per tag.
import { randomBytes } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { DigestCounter, VerifyingStream, algorithmOf, bufferBlob, digestLike } from './blob.js'
import { DEFAULT_BLOB_CONCURRENCY, pushEach } from './concurrency.js'
import { OCI_INDEX, OCI_MANIFEST } from './media-types.js'
import { isDigest, validateDigest, validateReference, validateTag } from './reference.js'
import type { BlobSource, DeleteResult, Descriptor, OciTarget, PushBlobResult } from './types.js'

export const REF_NAME_ANNOTATION = 'org.opencontainers.image.ref.name'
const LAYOUT_VERSION = '1.0.0'

interface ImageIndex {
  schemaVersion: number
  mediaType?: string
  manifests: Descriptor[]
  [key: string]: unknown
}

export class OciLayoutTarget implements OciTarget {
  readonly location: string
  readonly dir: string
  private ready: Promise<void> | undefined
  // index.json is read-modify-written: serialise the updates made through this object.
  private indexQueue: Promise<unknown> = Promise.resolve()

  constructor(dir: string) {
    this.dir = resolve(dir)
    this.location = `oci:${this.dir}`
  }

  async blobExists(digest: string): Promise<boolean> {
    validateDigest(digest)
    return isFile(this.blobPath(digest))
  }

  async pushBlob(blob: BlobSource): Promise<PushBlobResult> {
    await this.init()
    if (await this.blobExists(blob.digest)) return { uploaded: false, bytes: 0 }
    const target = this.blobPath(blob.digest)
    await mkdir(dirname(target), { recursive: true })
    const tmp = this.tempPath()
    try {
      const counter = new DigestCounter(algorithmOf(blob.digest))
      await pipeline(blob.open(), counter, createWriteStream(tmp))
      const actual = counter.digest()
      if (actual !== blob.digest || counter.bytes !== blob.size) {
        throw new Error(
          `blob ${blob.digest} (${blob.size} bytes) produced ${actual} (${counter.bytes} bytes)`
        )
      }
      await rename(tmp, target)
    } catch (err) {
      await unlink(tmp).catch(() => undefined)
      throw err
    }
    return { uploaded: true, bytes: blob.size }
  }

  pushBlobs(
    blobs: BlobSource[],
    concurrency = DEFAULT_BLOB_CONCURRENCY
  ): Promise<PushBlobResult[]> {
    // Each blob goes to its own temporary file and is renamed into place: safe in parallel.
    return pushEach(blobs, concurrency, (b) => this.pushBlob(b))
  }

  /** A manifest is a blob of the layout: present when its file is. */
  async hasManifest(digest: string): Promise<boolean> {
    validateDigest(digest)
    return isFile(this.blobPath(digest))
  }

  async pushManifest(body: Buffer, mediaType: string, reference: string): Promise<void> {
    validateReference(reference)
    let blob = bufferBlob(body)
    if (isDigest(reference)) {
      if (digestLike(reference, body) !== reference) {
        throw new Error(`manifest content has digest ${blob.digest}, not ${reference}`)
      }
      blob = { ...blob, digest: reference }
    }
    await this.pushBlob(blob)
    if (isDigest(reference)) return
    const descriptor: Descriptor = {
      mediaType,
      digest: blob.digest,
      size: blob.size,
      annotations: { [REF_NAME_ANNOTATION]: reference }
    }
    await this.updateIndex((manifests) => [
      ...manifests.filter((d) => tagOf(d) !== reference),
      descriptor
    ])
  }

  async resolveTag(tag: string): Promise<string | undefined> {
    validateTag(tag)
    return (await this.findTag(tag))?.digest
  }

  async listTags(): Promise<string[]> {
    const index = await this.readIndex()
    const tags = index.manifests.map(tagOf).filter((t): t is string => t !== undefined)
    return [...new Set(tags)].sort()
  }

  async fetchManifest(reference: string): Promise<{ body: Buffer; mediaType: string } | undefined> {
    validateReference(reference)
    const descriptor = isDigest(reference)
      ? (await this.readIndex()).manifests.find((d) => d.digest === reference)
      : await this.findTag(reference)
    const digest = isDigest(reference) ? reference : descriptor?.digest
    if (!digest || !(await isFile(this.blobPath(digest)))) return undefined
    const body = await readFile(this.blobPath(digest))
    return { body, mediaType: descriptor?.mediaType ?? ownMediaType(body) }
  }

  async fetchBlob(digest: string, size?: number): Promise<NodeJS.ReadableStream | undefined> {
    if (!(await this.blobExists(digest))) return undefined
    const verifier = new VerifyingStream(digest, size)
    createReadStream(this.blobPath(digest))
      .on('error', (err) => verifier.destroy(err))
      .pipe(verifier)
    return verifier
  }

  /** An image layout has no referrers API: referrers go to the tag-schema fallback index. */
  async listReferrers(digest: string): Promise<Descriptor[] | undefined> {
    validateDigest(digest)
    return undefined
  }

  /**
   * Removes every tag on this digest from index.json. The blobs stay: other manifests of the
   * layout may share them, and a layout has no garbage collector of its own.
   */
  async deleteManifest(digest: string): Promise<DeleteResult> {
    validateDigest(digest)
    let removed = 0
    await this.updateIndex((manifests) => {
      const kept = manifests.filter((d) => d.digest !== digest)
      removed = manifests.length - kept.length
      return kept
    })
    return { status: removed > 0 ? 'deleted' : 'absent' }
  }

  private blobPath(digest: string): string {
    const colon = digest.indexOf(':')
    return join(this.dir, 'blobs', digest.slice(0, colon), digest.slice(colon + 1))
  }

  // Temporary files live at the top of the layout, out of blobs/, so a crash never leaves
  // something that looks like a blob.
  private tempPath(): string {
    return join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`)
  }

  private init(): Promise<void> {
    this.ready ??= this.createLayout()
    return this.ready
  }

  private async createLayout(): Promise<void> {
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true })
    const layoutFile = join(this.dir, 'oci-layout')
    if (await isFile(layoutFile)) {
      const { imageLayoutVersion } = JSON.parse(await readFile(layoutFile, 'utf8')) as {
        imageLayoutVersion?: string
      }
      if (imageLayoutVersion !== LAYOUT_VERSION) {
        throw new Error(`${layoutFile}: unsupported imageLayoutVersion ${imageLayoutVersion}`)
      }
    } else {
      await this.writeAtomic('oci-layout', { imageLayoutVersion: LAYOUT_VERSION })
    }
    if (!(await isFile(join(this.dir, 'index.json')))) {
      await this.writeAtomic('index.json', emptyIndex())
    }
  }

  private async readIndex(): Promise<ImageIndex> {
    const path = join(this.dir, 'index.json')
    let text: string
    try {
      text = await readFile(path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyIndex()
      throw err
    }
    const index = JSON.parse(text) as ImageIndex
    if (!Array.isArray(index.manifests)) throw new Error(`${path}: "manifests" is not a list`)
    return index
  }

  private async findTag(tag: string): Promise<Descriptor | undefined> {
    return (await this.readIndex()).manifests.find((d) => tagOf(d) === tag)
  }

  private updateIndex(change: (manifests: Descriptor[]) => Descriptor[]): Promise<void> {
    const run = async (): Promise<void> => {
      await this.init()
      const index = await this.readIndex()
      const manifests = change(index.manifests).sort(byTagThenDigest)
      await this.writeAtomic('index.json', { ...index, manifests })
    }
    const next = this.indexQueue.then(run, run)
    this.indexQueue = next.catch(() => undefined)
    return next
  }

  /** Writes JSON to a temporary file and renames it, so readers never see half a file. */
  private async writeAtomic(name: string, value: unknown): Promise<void> {
    const tmp = this.tempPath()
    await writeFile(tmp, JSON.stringify(value))
    await rename(tmp, join(this.dir, name))
  }
}

function emptyIndex(): ImageIndex {
  return { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] }
}

function tagOf(d: Descriptor): string | undefined {
  return d.annotations?.[REF_NAME_ANNOTATION]
}

/** Tagged entries by tag, then untagged ones by digest: the same content gives the same file. */
function byTagThenDigest(a: Descriptor, b: Descriptor): number {
  const ta = tagOf(a)
  const tb = tagOf(b)
  if (ta !== undefined && tb !== undefined) return ta < tb ? -1 : ta > tb ? 1 : 0
  if (ta !== undefined || tb !== undefined) return ta !== undefined ? -1 : 1
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0
}

function ownMediaType(body: Buffer): string {
  try {
    const own = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType
    if (typeof own === 'string' && own) return own
  } catch {
    // not JSON
  }
  return OCI_MANIFEST
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}
