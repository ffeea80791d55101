// A small OCI distribution client: blobs (HEAD, then POST + monolithic streamed PUT),
// manifests, tags. Knows nothing about what the artifacts mean.
import { pipeline } from 'node:stream'
import { silentLogger, type Logger } from '../log.js'
import { VerifyingStream, digestLike, sha256Digest } from './blob.js'
import { RegistryError } from './errors.js'
import {
  HttpResponse,
  Method,
  StreamBody,
  baseMediaType,
  headerValue,
  nextLink,
  readBody
} from './http.js'
import { MANIFEST_ACCEPT, OCI_MANIFEST } from './media-types.js'
import {
  isDigest,
  validateDigest,
  validateReference,
  validateRegistryHost,
  validateRepositoryName,
  validateTag
} from './reference.js'
import { Session } from './session.js'
import type { BlobSource, OciTarget, PushBlobResult, RegistryCredentials } from './types.js'

export interface RegistryClientOptions {
  /** host[:port], e.g. "ghcr.io" or "127.0.0.1:5000". */
  registry: string
  /** Speak HTTP instead of HTTPS (local registries). */
  plainHttp?: boolean
  credentials?: RegistryCredentials
  logger?: Logger
  userAgent?: string
  /** A request with no data moving for this long fails. Default 120 s. */
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 120_000
const MANIFEST_LIMIT = 8 << 20
const TAG_PAGE_LIMIT = 8 << 20
const MAX_TAG_PAGES = 10_000

export class RegistryClient {
  readonly registry: string
  private readonly session: Session

  constructor(opts: RegistryClientOptions) {
    this.registry = validateRegistryHost(opts.registry)
    // An empty password is no login at all (e.g. an unset secret): go anonymous.
    const credentials = opts.credentials?.password ? opts.credentials : undefined
    this.session = new Session({
      registry: this.registry,
      baseUrl: new URL(`${opts.plainHttp ? 'http' : 'https'}://${this.registry}`),
      plainHttp: opts.plainHttp ?? false,
      credentials,
      logger: opts.logger ?? silentLogger,
      userAgent: opts.userAgent ?? 'falco-plugin-release',
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    })
  }

  /** Checks that the registry answers the distribution API and accepts the credentials. */
  async ping(): Promise<void> {
    const res = await this.session.send({
      method: 'GET',
      url: new URL('/v2/', this.session.baseUrl)
    })
    if (res.status === 200) return res.discard()
    if (res.status === 401 || res.status === 403) return this.session.fail(res, 'GET')
    return this.session.fail(res, 'GET', {
      expected: '200 or 401',
      hint: `${this.registry} does not look like an OCI registry (the distribution API lives under /v2/).`
    })
  }

  repository(name: string): RegistryRepository {
    return new RegistryRepository(this.session, validateRepositoryName(name))
  }
}

interface RepoRequest {
  method: Method
  url: URL
  headers?: Record<string, string>
  body?: Buffer | StreamBody
  /** Needs push access. */
  write?: boolean
}

export class RegistryRepository implements OciTarget {
  readonly location: string

  constructor(
    private readonly session: Session,
    readonly name: string
  ) {
    this.location = `${session.registry}/${name}`
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
    const url = await this.startUpload()
    // The upload URL may already carry state in its query: append the digest to it.
    const query = url.search.slice(1)
    url.search = `${query ? `${query}&` : ''}digest=${encodeURIComponent(blob.digest)}`
    const res = await this.send({
      method: 'PUT',
      url,
      headers: { 'content-type': 'application/octet-stream' },
      body: { size: blob.size, open: () => blob.open() },
      write: true
    })
    if (res.status !== 201) return this.fail(res, 'PUT', '201 Created')
    res.discard()
    const stored = headerValue(res.headers, 'docker-content-digest')
    if (stored !== undefined && stored !== blob.digest) {
      throw this.mismatch('PUT', url, `stored the blob as ${stored}, expected ${blob.digest}`)
    }
    return { uploaded: true, bytes: blob.size }
  }

  /** POST /blobs/uploads/ -> the upload URL from Location (relative or absolute). */
  private async startUpload(): Promise<URL> {
    const url = this.url('blobs/uploads/')
    const res = await this.send({ method: 'POST', url, body: Buffer.alloc(0), write: true })
    if (res.status !== 202) return this.fail(res, 'POST', '202 Accepted')
    res.discard()
    const location = headerValue(res.headers, 'location')
    if (!location) throw this.mismatch('POST', url, 'answered 202 without a Location header')
    return new URL(location, res.url)
  }

  async pushManifest(body: Buffer, mediaType: string, reference: string): Promise<void> {
    validateReference(reference)
    if (isDigest(reference) && !matchesDigest(reference, body)) {
      throw new Error(`manifest content has digest ${sha256Digest(body)}, not ${reference}`)
    }
    const url = this.url(`manifests/${reference}`)
    const headers = { 'content-type': mediaType }
    const res = await this.send({ method: 'PUT', url, headers, body, write: true })
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

  async listTags(): Promise<string[]> {
    const tags = new Set<string>()
    const visited = new Set<string>()
    let url: URL | undefined = this.url('tags/list')
    while (url && !visited.has(url.href)) {
      if (visited.size >= MAX_TAG_PAGES) throw this.mismatch('GET', url, 'sent too many tag pages')
      visited.add(url.href)
      const res = await this.send({ method: 'GET', url, headers: { accept: 'application/json' } })
      // A repository that was never pushed has no tags yet.
      if (res.status === 404 && visited.size === 1) return absent(res) ?? []
      if (res.status !== 200) return this.fail(res, 'GET', '200 OK')
      const page = await readBody(res, TAG_PAGE_LIMIT)
      for (const tag of this.parseTagPage(page, url)) tags.add(tag)
      url = nextLink(headerValue(res.headers, 'link'), res.url)
    }
    return [...tags]
  }

  async fetchManifest(reference: string): Promise<{ body: Buffer; mediaType: string } | undefined> {
    validateReference(reference)
    const url = this.url(`manifests/${reference}`)
    const res = await this.send({ method: 'GET', url, headers: { accept: MANIFEST_ACCEPT } })
    if (res.status === 404) return absent(res)
    if (res.status !== 200) return this.fail(res, 'GET', '200 or 404')
    const body = await readBody(res, MANIFEST_LIMIT)
    if (isDigest(reference) && !matchesDigest(reference, body)) {
      throw this.mismatch('GET', url, `served content with digest ${sha256Digest(body)}`)
    }
    return { body, mediaType: manifestMediaType(res, body) }
  }

  async fetchBlob(digest: string): Promise<NodeJS.ReadableStream | undefined> {
    validateDigest(digest)
    const res = await this.send({ method: 'GET', url: this.url(`blobs/${digest}`) })
    if (res.status === 404) return absent(res)
    if (res.status !== 200) return this.fail(res, 'GET', '200 or 404')
    if (!canVerify(digest)) return res.body
    const length = Number(headerValue(res.headers, 'content-length') ?? NaN)
    const verifier = new VerifyingStream(digest, Number.isFinite(length) ? length : undefined)
    // Errors on either side end up on the stream the caller reads.
    return pipeline(res.body, verifier, () => undefined)
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

  private send({ write, ...req }: RepoRequest): Promise<HttpResponse> {
    // With credentials, one pull,push token serves every request to the repository.
    const actions = write || this.session.hasCredentials ? 'pull,push' : 'pull'
    return this.session.send({ ...req, scope: `repository:${this.name}:${actions}` })
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
