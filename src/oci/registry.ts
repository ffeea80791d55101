// A small OCI distribution client: blobs (HEAD, then POST + a monolithic streamed PUT, or
// chunked PATCHes), manifests, tags. Knows nothing about what the artifacts mean.
import { pipeline } from 'node:stream'
import { silentLogger, type Logger } from '../log.js'
import { VerifyingStream, digestLike, sha256Digest } from './blob.js'
import { DEFAULT_BLOB_CONCURRENCY, pushEach } from './concurrency.js'
import { NotFoundError, RegistryError, TooLargeError } from './errors.js'
import {
  HttpResponse,
  Method,
  ReadLimit,
  GrowingBody,
  StreamBody,
  baseMediaType,
  headerValue,
  nextLink
} from './http.js'
import {
  MAX_MANIFEST_BYTES,
  MAX_TAGS,
  MAX_TAG_LIST_BYTES,
  MAX_TAG_PAGES,
  MAX_TAG_PAGE_BYTES
} from './limits.js'
import { MANIFEST_ACCEPT, OCI_INDEX, OCI_MANIFEST } from './media-types.js'
import {
  isDigest,
  validateDigest,
  validateReference,
  validateRegistryHost,
  validateRepositoryName,
  validateTag
} from './reference.js'
import {
  Clock,
  DEFAULT_RETRY_BASE_DELAY_MS,
  DEFAULT_RETRY_BUDGET_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  statusReason,
  systemClock,
  transientFailure
} from './retry.js'
import { Session } from './session.js'
import type { ClientResponse as SessionResponse } from './transport.js'
import { parseReferrersIndex } from './referrers.js'
import { formatBytes } from '../util/bytes.js'
import type {
  BlobSource,
  DeleteResult,
  Descriptor,
  GrowingBlobSource,
  OciTarget,
  PushBlobResult,
  RegistryCredentials
} from './types.js'

export interface RegistryClientOptions {
  /** host[:port], e.g. "ghcr.io" or "127.0.0.1:5000". */
  registry: string
  /** Speak HTTP instead of HTTPS (local registries). */
  plainHttp?: boolean
  credentials?: RegistryCredentials
  logger?: Logger
  userAgent?: string
  /** A request with no data moving for this long fails, and is retried. Default 120 s. */
  timeoutMs?: number
  /**
   * The most time one operation (a request, or a whole blob upload) may take, retries
   * included. Default 5 minutes; 0 disables retries.
   */
  retryBudgetMs?: number
  /** The backoff ceiling before the first retry; doubles each retry (full jitter). Default 500 ms. */
  retryBaseDelayMs?: number
  /** The backoff cap. Default 30 s. */
  retryMaxDelayMs?: number
  /** Blobs larger than this many bytes go up in chunks. Default: never (a monolithic PUT). */
  chunkedThreshold?: number
  /** Bytes per PATCH in a chunked upload. Default 4 MiB, ghcr.io's per-request cap. */
  chunkSize?: number
  /** The random source of the jitter, uniform in [0, 1). Default Math.random (tests inject). */
  random?: () => number
  /** Time and waiting. Default the system clock and setTimeout (tests inject). */
  clock?: Clock
}

const DEFAULT_TIMEOUT_MS = 120_000
export const DEFAULT_CHUNK_SIZE = 4 << 20
/** Chunked uploads refused as too large halve their chunk size down to this. */
const MIN_CHUNK_SIZE = 256 << 10

/** How blobs go up; shared by the repositories of one client. */
interface UploadSettings {
  chunkSize: number
  chunkedThreshold: number
  /** The registry refused a monolithic upload once: go chunked from now on. */
  preferChunked: boolean
  /** The registry refused a streamed upload once (pushGrowingBlob): do not try again. */
  streamRefused?: boolean
}

export class RegistryClient {
  readonly registry: string
  private readonly session: Session
  private readonly uploads: UploadSettings

  constructor(opts: RegistryClientOptions) {
    this.registry = validateRegistryHost(opts.registry)
    // An empty password is no login at all (e.g. an unset secret): go anonymous.
    const c = opts.credentials
    const credentials = c?.password || c?.identityToken ? c : undefined
    this.session = new Session({
      registry: this.registry,
      baseUrl: new URL(`${opts.plainHttp ? 'http' : 'https'}://${this.registry}`),
      plainHttp: opts.plainHttp ?? false,
      credentials,
      logger: opts.logger ?? silentLogger,
      userAgent: opts.userAgent ?? 'falco-plugin-release',
      timeoutMs: positive('timeoutMs', opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      retry: {
        budgetMs: atLeastZero('retryBudgetMs', opts.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS),
        baseDelayMs: atLeastZero(
          'retryBaseDelayMs',
          opts.retryBaseDelayMs ?? DEFAULT_RETRY_BASE_DELAY_MS
        ),
        maxDelayMs: atLeastZero(
          'retryMaxDelayMs',
          opts.retryMaxDelayMs ?? DEFAULT_RETRY_MAX_DELAY_MS
        ),
        random: opts.random ?? Math.random,
        clock: opts.clock ?? systemClock
      }
    })
    this.uploads = {
      chunkSize: positive('chunkSize', opts.chunkSize ?? DEFAULT_CHUNK_SIZE),
      chunkedThreshold: atLeastZero('chunkedThreshold', opts.chunkedThreshold ?? Infinity),
      preferChunked: false
    }
  }

  repository(name: string): RegistryRepository {
    return new RegistryRepository(this.session, validateRepositoryName(name), this.uploads)
  }
}

function positive(name: string, value: number): number {
  if (value > 0 && !Number.isNaN(value)) return value
  throw new Error(`invalid ${name} ${value}: expected a number above 0`)
}

function atLeastZero(name: string, value: number): number {
  if (value >= 0 && !Number.isNaN(value)) return value
  throw new Error(`invalid ${name} ${value}: expected a number of at least 0`)
}

interface RepoRequest {
  method: Method
  url: URL
  headers?: Record<string, string>
  body?: Buffer | StreamBody | GrowingBody
  /** Needs push access. */
  write?: boolean
  /** false: one attempt; the caller retries the whole operation. */
  retry?: boolean
  /** Read a 2xx body of at most this size (inside the retries). */
  read?: ReadLimit
  /** For errors: what was expected. */
  expected?: string
  /** Token actions instead of pull or pull,push (a DELETE asks for "delete"). */
  actions?: string
}

export class RegistryRepository implements OciTarget {
  readonly location: string
  private readonly uploads: UploadSettings

  constructor(
    private readonly session: Session,
    readonly name: string,
    uploads?: UploadSettings
  ) {
    this.location = `${session.registry}/${name}`
    this.uploads = uploads ?? {
      chunkSize: DEFAULT_CHUNK_SIZE,
      chunkedThreshold: Infinity,
      preferChunked: false
    }
  }

  async blobExists(digest: string): Promise<boolean> {
    validateDigest(digest)
    const res = await this.send({ method: 'HEAD', url: this.url(`blobs/${digest}`) })
    if (res.status !== 200 && res.status !== 404) return this.fail(res, 'HEAD', '200 or 404')
    res.discard()
    return res.status === 200
  }

  async pushBlob(blob: BlobSource): Promise<PushBlobResult> {
    validateDigest(blob.digest)
    if (await this.blobExists(blob.digest)) return { uploaded: false, bytes: 0 }
    return this.session.retrying(
      `uploading ${blob.digest} to ${this.location}`,
      async (attempt) => {
        // A broken upload restarts from a new upload session (POST), never from the spent one.
        // The last attempt may have stored the blob and lost only the answer: look first.
        if (attempt > 1 && (await this.blobExists(blob.digest))) {
          return { uploaded: true, bytes: blob.size }
        }
        await this.upload(blob)
        return { uploaded: true, bytes: blob.size }
      },
      // The registry forgot the upload session (expired, or another node): a new one may work.
      (err, now) =>
        transientFailure(err, now) ??
        (err instanceof NotFoundError && err.details.codes.includes('BLOB_UPLOAD_UNKNOWN')
          ? statusReason(err, now)
          : undefined)
    )
  }

  pushBlobs(
    blobs: BlobSource[],
    concurrency = DEFAULT_BLOB_CONCURRENCY
  ): Promise<PushBlobResult[]> {
    return pushEach(blobs, concurrency, (b) => this.pushBlob(b))
  }

  /** One upload session: monolithic, or chunked; too-large answers switch or shrink chunks. */
  private async upload(blob: BlobSource): Promise<void> {
    const u = this.uploads
    let chunk = u.preferChunked || blob.size > u.chunkedThreshold ? u.chunkSize : undefined
    for (;;) {
      try {
        if (chunk === undefined) await this.uploadMonolithic(blob)
        else await this.uploadChunked(blob, chunk)
        return
      } catch (err) {
        if (!isTooLarge(err)) throw err
        const status = err.details.status
        if (chunk === undefined) {
          chunk = u.chunkSize
          u.preferChunked = true
          this.session.logger.info(
            `${this.location}: the registry refused a ${blob.size}-byte upload in one request ` +
              `(HTTP ${status}); uploading in chunks of ${chunk} bytes`
          )
        } else if (chunk > MIN_CHUNK_SIZE) {
          chunk = Math.max(MIN_CHUNK_SIZE, Math.floor(chunk / 2))
          u.chunkSize = Math.min(u.chunkSize, chunk)
          this.session.logger.info(
            `${this.location}: the registry refused a chunk as too large (HTTP ${status}); ` +
              `retrying with chunks of ${chunk} bytes`
          )
        } else {
          throw err
        }
      }
    }
  }

  private async uploadMonolithic(blob: BlobSource): Promise<void> {
    const { url } = await this.startUpload()
    withDigest(url, blob.digest)
    const res = await this.send({
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream' },
      body: { size: blob.size, open: () => blob.open() },
      write: true,
      retry: false
    })
    await this.checkStored(res, url, blob.digest)
  }

  /**
   * PATCHes of `chunkSize` bytes (at least the registry's OCI-Chunk-Min-Length) with
   * Content-Range, following the Location and the Range the registry answers, then a PUT with
   * the digest. Holds one chunk in memory at most.
   */
  private async uploadChunked(blob: BlobSource, chunkSize: number): Promise<void> {
    const started = await this.startUpload()
    let url = started.url
    const size = Math.max(chunkSize, started.minChunk)
    const reader = new ChunkReader(blob.open(), blob.size)
    try {
      let offset = 0
      while (offset < blob.size) {
        const chunkStart = offset
        const chunk = await this.readChunk(reader, Math.min(size, blob.size - offset), url)
        while (offset < chunkStart + chunk.length) {
          const part = chunk.subarray(offset - chunkStart)
          const end = offset + part.length
          const res = await this.send({
            method: 'PATCH',
            url,
            headers: {
              'content-type': 'application/octet-stream',
              'content-range': `${offset}-${end - 1}`
            },
            body: part,
            write: true,
            retry: false
          })
          if (res.status !== 202) return this.fail(res, 'PATCH', '202 Accepted')
          res.discard()
          url = this.uploadLocation(res, url, 'PATCH')
          // The registry says how much it holds: continue from there.
          const held = rangeEnd(headerValue(res.headers, 'range'))
          const next = held === undefined ? end : held + 1
          if (next <= offset || next > end) {
            throw this.mismatch(
              'PATCH',
              url,
              `answered Range ${headerValue(res.headers, 'range')} after bytes ${offset}-${end - 1}`
            )
          }
          offset = next
        }
      }
      await this.readChunk(reader, 0, url)
    } finally {
      reader.close()
    }
    await this.closeUpload(url, blob.digest)
  }

  /** The PUT that ends an upload session with what it holds, under `digest` (checked). */
  private async closeUpload(url: URL, digest: string): Promise<void> {
    withDigest(url, digest)
    const res = await this.send({
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(0),
      write: true,
      retry: false
    })
    await this.checkStored(res, url, digest)
  }

  async pushGrowingBlob(blob: GrowingBlobSource): Promise<PushBlobResult & { digest: string }> {
    if (this.uploads.streamRefused) {
      throw new Error(`${this.session.registry} refused a streamed upload before`)
    }
    const started = await this.startUpload()
    let url = started.url
    // Once the content is complete its digest is known: if the registry has that blob already
    // (the same .so released before), the rest of the stream is not sent and nothing is stored.
    let present = false
    const looked = blob.complete.then(async ({ digest }) => {
      present = await this.blobExists(digest)
    })
    looked.catch(() => undefined) // a failed look only means the upload goes on
    try {
      // No Content-Range and no length: the registry takes the body as the blob's content from
      // its start (distribution's stream upload, what docker push sends).
      const res = await this.send({
        method: 'PATCH',
        url,
        headers: { 'content-type': 'application/octet-stream' },
        body: { chunks: () => until(() => present, blob.chunks()) },
        write: true,
        retry: false
      })
      if (res.status !== 202) return await this.fail(res, 'PATCH', '202 Accepted')
      res.discard()
      url = this.uploadLocation(res, url, 'PATCH')
      const { digest, size } = await blob.complete
      validateDigest(digest)
      if (present) {
        await this.cancelUpload(url)
        return { uploaded: false, bytes: 0, digest }
      }
      const held = rangeEnd(headerValue(res.headers, 'range'))
      if (held !== undefined && held + 1 !== size) {
        throw this.mismatch('PATCH', url, `holds ${held + 1} bytes of the ${size}-byte ${digest}`)
      }
      await this.closeUpload(url, digest)
      return { uploaded: true, bytes: size, digest }
    } catch (err) {
      // A registry that refuses the stream itself will refuse the next one too.
      if (err instanceof RegistryError && err.details.status !== undefined) {
        const status = err.details.status
        if (status >= 400 && status < 500 && status !== 401 && status !== 403) {
          this.uploads.streamRefused = true
        }
      }
      await this.cancelUpload(url)
      throw err
    }
  }

  /** Best effort: frees an upload session the registry would otherwise keep until it expires. */
  private async cancelUpload(url: URL): Promise<void> {
    try {
      const res = await this.send({ method: 'DELETE', url, write: true, retry: false })
      res.discard()
    } catch {
      // The session expires on its own.
    }
  }

  private async readChunk(reader: ChunkReader, n: number, url: URL): Promise<Buffer> {
    try {
      return await reader.read(n)
    } catch (err) {
      const where = `${url.origin}${url.pathname}`
      throw new RegistryError(
        this.session.redact(
          `PATCH ${where}: reading the content to upload failed: ${(err as Error).message}`
        ),
        { method: 'PATCH', url: where, codes: [] }
      )
    }
  }

  private async checkStored(res: SessionResponse, url: URL, digest: string): Promise<void> {
    if (res.status !== 201) return this.fail(res, 'PUT', '201 Created')
    res.discard()
    const stored = headerValue(res.headers, 'docker-content-digest')
    if (stored !== undefined && stored !== digest) {
      throw this.mismatch('PUT', url, `stored the blob as ${stored}, expected ${digest}`)
    }
  }

  /** POST /blobs/uploads/ -> the upload URL from Location, and the minimum chunk length. */
  private async startUpload(): Promise<{ url: URL; minChunk: number }> {
    const url = this.url('blobs/uploads/')
    const res = await this.send({
      method: 'POST',
      url,
      body: Buffer.alloc(0),
      write: true,
      retry: false
    })
    if (res.status !== 202) return this.fail(res, 'POST', '202 Accepted')
    res.discard()
    const min = Number(headerValue(res.headers, 'oci-chunk-min-length') ?? 0)
    return {
      url: this.uploadLocation(res, url, 'POST'),
      minChunk: Number.isFinite(min) && min > 0 ? min : 0
    }
  }

  /** The Location of an upload response (relative or absolute); required. */
  private uploadLocation(res: SessionResponse, url: URL, method: Method): URL {
    const location = headerValue(res.headers, 'location')
    if (!location)
      throw this.mismatch(method, url, `answered ${res.status} without a Location header`)
    return new URL(location, res.url)
  }

  async pushManifest(body: Buffer, mediaType: string, reference: string): Promise<void> {
    validateReference(reference)
    if (isDigest(reference) && !matchesDigest(reference, body)) {
      throw new Error(`manifest content has digest ${sha256Digest(body)}, not ${reference}`)
    }
    const url = this.url(`manifests/${reference}`)
    const headers = { 'content-type': mediaType }
    // A PUT of the same bytes is idempotent: retried as is.
    const res = await this.send({
      method: 'PUT',
      url,
      headers,
      body,
      write: true,
      expected: '201 Created'
    })
    if (res.status !== 201) return this.fail(res, 'PUT', '201 Created')
    res.discard()
    const stored = headerValue(res.headers, 'docker-content-digest')
    if (stored !== undefined && !matchesDigest(stored, body)) {
      const ours = sha256Digest(body)
      throw this.mismatch(
        'PUT',
        url,
        `stored the manifest as ${stored}, but its content is ${ours}`
      )
    }
  }

  async hasManifest(digest: string): Promise<boolean> {
    validateDigest(digest)
    const url = this.url(`manifests/${digest}`)
    const res = await this.send({ method: 'HEAD', url, headers: { accept: MANIFEST_ACCEPT } })
    if (res.status !== 200 && res.status !== 404) return this.fail(res, 'HEAD', '200 or 404')
    res.discard()
    return res.status === 200
  }

  async resolveTag(tag: string): Promise<string | undefined> {
    validateTag(tag)
    const url = this.url(`manifests/${tag}`)
    const res = await this.send({ method: 'HEAD', url, headers: { accept: MANIFEST_ACCEPT } })
    if (res.status === 404) return absent(res)
    if (res.status !== 200) return this.fail(res, 'HEAD', '200 or 404')
    res.discard()
    const digest = headerValue(res.headers, 'docker-content-digest')
    if (digest !== undefined && isDigest(digest)) return digest
    // No digest header on HEAD: hash the manifest itself.
    const manifest = await this.fetchManifest(tag)
    return manifest ? sha256Digest(manifest.body) : undefined
  }

  /**
   * Every tag, following the Link header's next pages. A tag list that goes on past
   * MAX_TAG_PAGES pages, MAX_TAGS tags or MAX_TAG_LIST_BYTES in all fails (a registry whose
   * pagination never ends would otherwise exhaust memory).
   */
  async listTags(): Promise<string[]> {
    const tags = new Set<string>()
    const visited = new Set<string>()
    let bytes = 0
    let url: URL | undefined = this.url('tags/list')
    while (url && !visited.has(url.href)) {
      if (visited.size >= MAX_TAG_PAGES) throw this.tooManyTags(url, `${MAX_TAG_PAGES} pages`)
      visited.add(url.href)
      const res: SessionResponse = await this.send({
        method: 'GET',
        url,
        headers: { accept: 'application/json' },
        read: {
          bytes: MAX_TAG_PAGE_BYTES,
          what: 'a page of the tag list',
          fix: 'the registry should paginate it (n= and Link); check the registry.'
        }
      })
      // A repository that was never pushed has no tags yet.
      if (res.status === 404 && visited.size === 1) return absent(res) ?? []
      if (res.status !== 200) return this.fail(res, 'GET', '200 OK')
      const body = res.data ?? Buffer.alloc(0)
      bytes += body.length
      if (bytes > MAX_TAG_LIST_BYTES) {
        throw this.tooManyTags(url, formatBytes(MAX_TAG_LIST_BYTES))
      }
      for (const tag of this.parseTagPage(body, url)) tags.add(tag)
      if (tags.size > MAX_TAGS) throw this.tooManyTags(url, `${MAX_TAGS} tags`)
      url = nextLink(headerValue(res.headers, 'link'), res.url)
    }
    return [...tags]
  }

  private tooManyTags(url: URL, limit: string): RegistryError {
    return this.mismatch(
      'GET',
      url,
      `sent a tag list of more than ${limit} for ${this.location}, the most this action reads: ` +
        'its pagination (the Link header) may never end; check the registry, or delete tags ' +
        'the repository no longer needs'
    )
  }

  async fetchManifest(reference: string): Promise<{ body: Buffer; mediaType: string } | undefined> {
    validateReference(reference)
    const url = this.url(`manifests/${reference}`)
    const res = await this.send({
      method: 'GET',
      url,
      headers: { accept: MANIFEST_ACCEPT },
      read: {
        bytes: MAX_MANIFEST_BYTES,
        what: `the manifest ${reference}`,
        fix: 'registries refuse to store larger ones (distribution: 4 MiB); check the registry and the reference.'
      }
    })
    if (res.status === 404) return absent(res)
    if (res.status !== 200) return this.fail(res, 'GET', '200 or 404')
    const body = res.data ?? Buffer.alloc(0)
    if (isDigest(reference) && !matchesDigest(reference, body)) {
      throw this.mismatch('GET', url, `served content with digest ${sha256Digest(body)}`)
    }
    return { body, mediaType: manifestMediaType(res, body) }
  }

  async fetchBlob(digest: string, size?: number): Promise<NodeJS.ReadableStream | undefined> {
    validateDigest(digest)
    // Retried until the response starts; a download cut later fails the stream.
    const url = this.url(`blobs/${digest}`)
    const res = await this.send({ method: 'GET', url })
    if (res.status === 404) return absent(res)
    if (res.status !== 200) return this.fail(res, 'GET', '200 or 404')
    const header = Number(headerValue(res.headers, 'content-length') ?? NaN)
    const length = Number.isFinite(header) ? header : undefined
    if (size !== undefined && length !== undefined && length !== size) {
      res.discard()
      throw this.mismatch('GET', url, `sent ${length} bytes for a blob of ${size}`)
    }
    if (!canVerify(digest)) return res.body
    const verifier = new VerifyingStream(digest, size ?? length)
    // Errors on either side end up on the stream the caller reads.
    return pipeline(res.body, verifier, () => undefined)
  }

  async listReferrers(digest: string): Promise<Descriptor[] | undefined> {
    validateDigest(digest)
    const url = this.url(`referrers/${digest}`)
    const res = await this.send({
      method: 'GET',
      url,
      headers: { accept: OCI_INDEX },
      read: {
        bytes: MAX_MANIFEST_BYTES,
        what: `the referrers of ${digest}`,
        fix: 'check the registry (a referrers list is an image index, bounded like a manifest).'
      }
    })
    // A registry with the API never answers 404 (an unknown subject has an empty list), so a
    // 404 (or a refusal of the route) means no referrers API: use the tag-schema fallback.
    if ([400, 404, 405, 406].includes(res.status)) return absent(res)
    if (res.status !== 200) return this.fail(res, 'GET', '200 or 404')
    if (baseMediaType(headerValue(res.headers, 'content-type')) !== OCI_INDEX) return undefined
    try {
      return parseReferrersIndex(res.data ?? Buffer.alloc(0))
    } catch (err) {
      throw this.mismatch('GET', url, `answered a referrers list that ${(err as Error).message}`)
    }
  }

  async deleteManifest(digest: string): Promise<DeleteResult> {
    validateDigest(digest)
    const url = this.url(`manifests/${digest}`)
    // The distribution spec deletes by digest only (distribution 2.8 answers a tag with 400).
    const res = await this.send({
      method: 'DELETE',
      url,
      write: true,
      actions: 'delete',
      expected: '202 Accepted'
    })
    if (res.status === 202 || res.status === 200 || res.status === 204) {
      res.discard()
      return { status: 'deleted' }
    }
    if (res.status === 404) {
      res.discard()
      return { status: 'absent' }
    }
    try {
      return await this.fail(res, 'DELETE', '202 Accepted')
    } catch (err) {
      // 405 UNSUPPORTED: distribution without storage.delete.enabled, ghcr.io, Docker Hub.
      if (
        err instanceof RegistryError &&
        (err.details.status === 405 || err.details.codes.includes('UNSUPPORTED'))
      ) {
        return { status: 'unsupported', reason: err.message }
      }
      throw err
    }
  }

  private parseTagPage(body: Buffer, url: URL): string[] {
    let page: { tags?: unknown }
    try {
      page = JSON.parse(body.toString('utf8')) as typeof page
    } catch {
      throw this.mismatch('GET', url, 'answered a tag list that is not JSON')
    }
    // distribution answers "tags": null for a repository without tags.
    if (!Array.isArray(page.tags)) return []
    return page.tags.filter((t): t is string => typeof t === 'string')
  }

  private url(path: string): URL {
    return new URL(`/v2/${this.name}/${path}`, this.session.baseUrl)
  }

  private send({ write, expected, actions: asked, ...req }: RepoRequest): Promise<SessionResponse> {
    // With credentials, one pull,push token serves every request to the repository.
    const actions = asked ?? (write || this.session.hasCredentials ? 'pull,push' : 'pull')
    return this.session.send({
      ...req,
      scope: `repository:${this.name}:${actions}`,
      context: { repository: this.name, expected }
    })
  }

  private fail(res: HttpResponse, method: Method, expected: string): Promise<never> {
    return this.session.fail(res, method, { repository: this.name, expected })
  }

  private mismatch(method: Method, url: URL, what: string): RegistryError {
    const where = `${url.origin}${url.pathname}`
    return new RegistryError(`${method} ${where}: the registry ${what}`, {
      method,
      url: where,
      codes: []
    })
  }
}

/** A 413 or 416 to an upload request: the registry wants smaller requests. */
function isTooLarge(err: unknown): err is TooLargeError {
  return err instanceof TooLargeError && ['PUT', 'PATCH'].includes(err.details.method)
}

/** The chunks of `source` until `stop()` holds (checked before each). */
async function* until<T>(stop: () => boolean, source: AsyncIterable<T>): AsyncGenerator<T> {
  for await (const chunk of source) {
    if (stop()) return
    yield chunk
  }
}

/** Appends digest= to an upload URL, keeping the state the registry put in its query. */
function withDigest(url: URL, digest: string): void {
  const query = url.search.slice(1)
  url.search = `${query ? `${query}&` : ''}digest=${encodeURIComponent(digest)}`
}

/** The last byte offset of a Range header, "0-1234" or "bytes=0-1234". */
function rangeEnd(range: string | undefined): number | undefined {
  const m = /^\s*(?:bytes=)?(\d+)-(\d+)\s*$/.exec(range ?? '')
  return m ? Number(m[2]) : undefined
}

/** Reads a stream in pieces of exactly n bytes (one piece in memory at a time). */
class ChunkReader {
  private readonly it: AsyncIterator<Buffer | string>
  private pending: Buffer = Buffer.alloc(0)
  private produced = 0

  constructor(
    stream: NodeJS.ReadableStream,
    private readonly size: number
  ) {
    this.it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]()
  }

  /** The next n bytes; read(0) checks that the content has ended. */
  async read(n: number): Promise<Buffer> {
    const parts: Buffer[] = []
    let have = 0
    while (have < n || (n === 0 && this.pending.length === 0)) {
      if (this.pending.length === 0) {
        const r = await this.it.next()
        if (r.done) {
          if (n === 0) return Buffer.alloc(0)
          throw new Error(`content ended after ${this.produced} of ${this.size} bytes`)
        }
        this.pending = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value)
        this.produced += this.pending.length
        if (this.produced > this.size) {
          throw new Error(`content is longer than ${this.size} bytes`)
        }
        continue
      }
      if (n === 0) break
      const take = Math.min(n - have, this.pending.length)
      parts.push(this.pending.subarray(0, take))
      this.pending = this.pending.subarray(take)
      have += take
    }
    if (n === 0 && this.pending.length > 0) {
      throw new Error(`content is longer than ${this.size} bytes`)
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts)
  }

  close(): void {
    void this.it.return?.()
  }
}

/** Frees a 404 response; the content is simply not there. */
function absent(res: HttpResponse): undefined {
  res.discard()
  return undefined
}

const VERIFIABLE = new Set(['sha256', 'sha512'])

function canVerify(digest: string): boolean {
  return VERIFIABLE.has(digest.slice(0, digest.indexOf(':')))
}

/** True when `body` hashes to `digest`; digests with unknown algorithms are not checked. */
function matchesDigest(digest: string, body: Buffer): boolean {
  return !canVerify(digest) || digestLike(digest, body) === digest
}

const GENERIC_TYPES = new Set(['application/json', 'application/octet-stream', 'text/plain'])

/** Content-Type, or the manifest's own mediaType when the server sent a generic type. */
function manifestMediaType(res: HttpResponse, body: Buffer): string {
  const header = baseMediaType(headerValue(res.headers, 'content-type'))
  if (header && !GENERIC_TYPES.has(header)) return header
  try {
    const own = (JSON.parse(body.toString('utf8')) as { mediaType?: unknown }).mediaType
    if (typeof own === 'string' && own) return own
  } catch {
    // not JSON: keep what the header said
  }
  return header ?? OCI_MANIFEST
}
