// An in-process fake OCI registry on node:http for unit tests: blobs (monolithic and chunked
// uploads, with ghcr.io's 4 MiB PATCH cap), manifests, tags/list with Link paging, optional Basic
// auth or a bearer token endpoint with scope checks (and the OAuth2 refresh-token grant), and a
// log of every request.
import { createHash, randomBytes } from 'node:crypto'
import http, { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { AddressInfo } from 'node:net'

export interface LoggedRequest {
  method: string
  /** Path with query. */
  path: string
  headers: IncomingHttpHeaders
}

export interface Injected {
  status: number
  body?: unknown
  headers?: Record<string, string>
  /** Drop the connection instead of answering (status is then ignored). */
  destroy?: boolean
}

export interface FakeRegistryOptions {
  auth?:
    | { kind: 'basic'; username: string; password: string }
    | {
        kind: 'bearer'
        username?: string
        password?: string
        /** Anonymous callers get pull tokens. */
        anonymousPull?: boolean
        /** Field carrying the token in the token response. */
        tokenField?: 'token' | 'access_token'
        /** POST /token with grant_type=refresh_token and this refresh token gets pull,push. */
        refreshToken?: string
      }
  /** tags/list page size (none: one page). */
  tagsPageSize?: number
  /** Link targets as absolute URLs instead of paths. */
  absoluteLinks?: boolean
  /** Upload Location as an absolute URL instead of a path. */
  absoluteUploadLocation?: boolean
  /** GET blob answers 307 to `${blobRedirect}/<digest>`. */
  blobRedirect?: string
  /** Leave Docker-Content-Digest out of manifest HEAD responses. */
  omitManifestDigestOnHead?: boolean
  /** Claim this digest in manifest PUT responses. */
  fakeManifestDigest?: string
  /** Called for each chunk of an upload body with the bytes received so far. */
  onUploadData?: (received: number) => void
  /** Answer a request before normal handling, e.g. to inject errors. */
  intercept?: (req: LoggedRequest) => Injected | undefined
  /** PATCH bodies above this size get ghcr.io's 416 "exceeds the maximum permissible limit". */
  maxChunk?: number
  /** A PUT carrying more than this many bytes gets 413 (a registry that wants chunks). */
  maxMonolithic?: number
  /** Sent as OCI-Chunk-Min-Length on upload POSTs. */
  chunkMinLength?: number
  /** Each PATCH keeps only its first N bytes (the Range answer says so). */
  acceptAtMost?: number
  /** Wait this long before answering an upload PUT or PATCH. */
  uploadDelayMs?: number
}

interface Upload {
  chunks: Buffer[]
  size: number
}

interface Repo {
  blobs: Map<string, Buffer>
  manifests: Map<string, { body: Buffer; mediaType: string }>
  tags: Map<string, string>
}

const ROUTE = /^\/v2\/(.+?)\/(blobs\/uploads\/[^/]*|blobs\/[^/]+|manifests\/[^/]+|tags\/list)$/

export class FakeRegistry {
  readonly requests: LoggedRequest[] = []
  readonly repos = new Map<string, Repo>()
  tokenRequests = 0
  /** Upload PUT/PATCH requests being handled now, and the most at once. */
  activeUploads = 0
  maxActiveUploads = 0
  private readonly tokens = new Map<string, Set<string>>()
  private readonly uploads = new Map<string, Upload>()
  private server!: http.Server
  host = ''
  url = ''

  private constructor(private readonly opts: FakeRegistryOptions) {}

  static async start(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
    const fake = new FakeRegistry(opts)
    fake.server = http.createServer((req, res) => {
      fake.handle(req, res).catch((err: Error) => {
        if (!res.headersSent)
          send(res, 500, { errors: [{ code: 'UNKNOWN', message: err.message }] })
        else res.destroy()
      })
    })
    await new Promise<void>((r) => fake.server.listen(0, '127.0.0.1', r))
    const { port } = fake.server.address() as AddressInfo
    fake.host = `127.0.0.1:${port}`
    fake.url = `http://${fake.host}`
    return fake
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise((r) => this.server.close(r))
  }

  /** Invalidates every token handed out so far (simulates expiry). */
  revokeTokens(): void {
    this.tokens.clear()
  }

  repo(name: string): Repo {
    let r = this.repos.get(name)
    if (!r) {
      r = { blobs: new Map(), manifests: new Map(), tags: new Map() }
      this.repos.set(name, r)
    }
    return r
  }

  /** Adds a manifest directly (test setup). */
  putManifest(name: string, tag: string, body: Buffer, mediaType: string): string {
    const digest = sha256(body)
    this.repo(name).manifests.set(digest, { body, mediaType })
    this.repo(name).tags.set(tag, digest)
    return digest
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const logged = { method: req.method ?? '', path: req.url ?? '', headers: req.headers }
    this.requests.push(logged)
    const url = new URL(req.url ?? '/', this.url)
    const injected = this.opts.intercept?.(logged)
    if (injected?.destroy) return void req.socket.destroy()
    if (injected)
      return drain(req, () => send(res, injected.status, injected.body, injected.headers))
    if (url.pathname === '/token') return this.token(req, res, url)
    if (url.pathname === '/v2/' || url.pathname === '/v2') {
      if (!this.authorized(req, undefined)) return this.challenge(req, res, undefined)
      return send(res, 200, {})
    }
    const m = ROUTE.exec(url.pathname)
    if (!m) return send(res, 404, { errors: [{ code: 'NOT_FOUND', message: 'no route' }] })
    const [, name, rest] = m
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push'
    if (!this.authorized(req, `${name}:${action}`)) {
      return this.challenge(req, res, `repository:${name}:${action}`)
    }
    if (rest.startsWith('blobs/uploads/')) return this.upload(req, res, name, rest, url)
    if (rest.startsWith('blobs/')) return this.blob(req, res, name, rest.slice(6))
    if (rest.startsWith('manifests/')) return this.manifest(req, res, name, rest.slice(10))
    return this.tagList(req, res, name, url)
  }

  private authorized(req: IncomingMessage, need: string | undefined): boolean {
    const auth = this.opts.auth
    const header = req.headers.authorization ?? ''
    if (!auth) return true
    if (auth.kind === 'basic') return header === basic(auth.username, auth.password)
    const granted = header.startsWith('Bearer ') ? this.tokens.get(header.slice(7)) : undefined
    return granted !== undefined && (need === undefined || granted.has(need))
  }

  private challenge(req: IncomingMessage, res: ServerResponse, scope: string | undefined): void {
    const auth = this.opts.auth
    const header =
      auth?.kind === 'basic'
        ? 'Basic realm="fake"'
        : `Bearer realm="${this.url}/token",service="fake-registry"${scope ? `,scope="${scope}"` : ''}`
    drain(req, () =>
      send(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
        {
          'www-authenticate': header
        }
      )
    )
  }

  private async token(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.tokenRequests++
    const auth = this.opts.auth
    if (auth?.kind !== 'bearer') return send(res, 404, {})
    if (req.method !== 'POST' && url.searchParams.get('service') !== 'fake-registry') {
      return send(res, 400, {})
    }
    const header = req.headers.authorization
    let allowed: string[]
    if (req.method === 'POST') {
      const form = new URLSearchParams((await readAll(req)).toString('utf8'))
      const ok =
        form.get('grant_type') === 'refresh_token' &&
        auth.refreshToken !== undefined &&
        form.get('refresh_token') === auth.refreshToken &&
        form.get('service') === 'fake-registry'
      if (!ok) return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad grant' }] })
      url = new URL(`${url.pathname}?${form.toString()}`, this.url)
      allowed = ['pull', 'push']
    } else if (header === undefined && auth.anonymousPull) allowed = ['pull']
    else if (header !== undefined && header === basic(auth.username ?? '', auth.password ?? '')) {
      allowed = ['pull', 'push']
    } else {
      return send(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] })
    }
    const granted = new Set<string>()
    for (const scope of url.searchParams.getAll('scope')) {
      const m = /^repository:(.+):([a-z,]+)$/.exec(scope)
      if (!m) continue
      for (const a of m[2].split(',')) if (allowed.includes(a)) granted.add(`${m[1]}:${a}`)
    }
    const token = randomBytes(16).toString('hex')
    this.tokens.set(token, granted)
    const field = req.method === 'POST' ? 'access_token' : (auth.tokenField ?? 'token')
    send(res, 200, { [field]: token, expires_in: 300 })
  }

  private upload(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    rest: string,
    url: URL
  ): Promise<void> | void {
    if (req.method === 'POST') {
      const id = randomBytes(8).toString('hex')
      this.uploads.set(id, { chunks: [], size: 0 })
      const headers: Record<string, string> = { location: this.uploadLocation(name, id) }
      headers.range = '0-0'
      if (this.opts.chunkMinLength) {
        headers['oci-chunk-min-length'] = String(this.opts.chunkMinLength)
      }
      return drain(req, () => send(res, 202, undefined, headers))
    }
    const id = rest.slice('blobs/uploads/'.length)
    const upload = this.uploads.get(id)
    if ((req.method !== 'PUT' && req.method !== 'PATCH') || !upload) {
      return drain(req, () => send(res, 404, { errors: [{ code: 'BLOB_UPLOAD_UNKNOWN' }] }))
    }
    return this.track(async () => {
      if (req.method === 'PATCH') return this.receiveChunk(req, res, name, id, upload)
      const digest = url.searchParams.get('digest')
      if (!digest) return drain(req, () => send(res, 400, { errors: [{ code: 'DIGEST_INVALID' }] }))
      return this.receiveBlob(req, res, name, id, upload, digest)
    })
  }

  private uploadLocation(name: string, id: string): string {
    const path = `/v2/${name}/blobs/uploads/${id}?_state=${id}-state`
    return this.opts.absoluteUploadLocation ? `${this.url}${path}` : path
  }

  private async track(work: () => Promise<void> | void): Promise<void> {
    this.activeUploads++
    this.maxActiveUploads = Math.max(this.maxActiveUploads, this.activeUploads)
    try {
      if (this.opts.uploadDelayMs) await new Promise((r) => setTimeout(r, this.opts.uploadDelayMs))
      await work()
    } finally {
      this.activeUploads--
    }
  }

  private async receiveChunk(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    id: string,
    upload: Upload
  ): Promise<void> {
    const body = await readAll(req)
    if (this.opts.maxChunk !== undefined && body.length > this.opts.maxChunk) {
      // ghcr.io's answer, word for word.
      return send(res, 416, {
        errors: [
          {
            code: 'REQUESTED_RANGE_NOT_SATISFIABLE',
            message:
              'request body is too large and exceeds the maximum permissible limit of 4.00MiB'
          }
        ]
      })
    }
    const range = req.headers['content-range']
    if (range !== undefined) {
      const m = /^(\d+)-(\d+)$/.exec(range)
      if (!m || Number(m[1]) !== upload.size || Number(m[2]) - Number(m[1]) + 1 !== body.length) {
        return send(res, 416, { errors: [{ code: 'BLOB_UPLOAD_INVALID', message: range }] })
      }
    }
    const kept = this.opts.acceptAtMost ? body.subarray(0, this.opts.acceptAtMost) : body
    upload.chunks.push(kept)
    upload.size += kept.length
    send(res, 202, undefined, {
      location: this.uploadLocation(name, id),
      range: `0-${Math.max(upload.size - 1, 0)}`
    })
  }

  private async receiveBlob(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    id: string,
    upload: Upload,
    digest: string
  ): Promise<void> {
    const declared = Number(req.headers['content-length'] ?? 0)
    if (this.opts.maxMonolithic !== undefined && declared > this.opts.maxMonolithic) {
      return drain(req, () =>
        send(res, 413, { errors: [{ code: 'SIZE_INVALID', message: 'request too large' }] })
      )
    }
    const hash = createHash('sha256')
    const chunks: Buffer[] = [...upload.chunks]
    for (const c of upload.chunks) hash.update(c)
    let received = 0
    for await (const chunk of req as AsyncIterable<Buffer>) {
      received += chunk.length
      hash.update(chunk)
      chunks.push(chunk)
      this.opts.onUploadData?.(received)
    }
    if (`sha256:${hash.digest('hex')}` !== digest) {
      return send(res, 400, { errors: [{ code: 'DIGEST_INVALID', message: 'digest mismatch' }] })
    }
    this.uploads.delete(id)
    this.repo(name).blobs.set(digest, Buffer.concat(chunks))
    send(res, 201, undefined, {
      location: `/v2/${name}/blobs/${digest}`,
      'docker-content-digest': digest
    })
  }

  private blob(req: IncomingMessage, res: ServerResponse, name: string, digest: string): void {
    const data = this.repos.get(name)?.blobs.get(digest)
    if (!data) return send(res, 404, { errors: [{ code: 'BLOB_UNKNOWN', message: digest }] })
    if (req.method === 'GET' && this.opts.blobRedirect) {
      return send(res, 307, undefined, { location: `${this.opts.blobRedirect}/${digest}` })
    }
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': String(data.length),
      'docker-content-digest': digest
    })
    res.end(req.method === 'HEAD' ? undefined : data)
  }

  private async manifest(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    ref: string
  ): Promise<void> {
    if (req.method === 'PUT') {
      const body = await readAll(req)
      const digest = sha256(body)
      if (ref.startsWith('sha256:') && ref !== digest) {
        return send(res, 400, { errors: [{ code: 'DIGEST_INVALID', message: 'digest mismatch' }] })
      }
      const mediaType = req.headers['content-type'] ?? ''
      this.repo(name).manifests.set(digest, { body, mediaType })
      if (!ref.startsWith('sha256:')) this.repo(name).tags.set(ref, digest)
      return send(res, 201, undefined, {
        location: `/v2/${name}/manifests/${digest}`,
        'docker-content-digest': this.opts.fakeManifestDigest ?? digest
      })
    }
    const repo = this.repos.get(name)
    const digest = ref.startsWith('sha256:') ? ref : repo?.tags.get(ref)
    const m = digest ? repo?.manifests.get(digest) : undefined
    if (!m || !digest)
      return send(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: ref }] })
    const headers: Record<string, string> = {
      'content-type': m.mediaType,
      'content-length': String(m.body.length)
    }
    if (!(req.method === 'HEAD' && this.opts.omitManifestDigestOnHead)) {
      headers['docker-content-digest'] = digest
    }
    res.writeHead(200, headers)
    res.end(req.method === 'HEAD' ? undefined : m.body)
  }

  private tagList(_req: IncomingMessage, res: ServerResponse, name: string, url: URL): void {
    const repo = this.repos.get(name)
    if (!repo) return send(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: name }] })
    const all = [...repo.tags.keys()].sort()
    const last = url.searchParams.get('last')
    const n = Number(url.searchParams.get('n') ?? this.opts.tagsPageSize ?? all.length)
    const rest = last ? all.filter((t) => t > last) : all
    const page = rest.slice(0, n)
    const headers: Record<string, string> = {}
    if (rest.length > page.length) {
      const next = `/v2/${name}/tags/list?n=${n}&last=${encodeURIComponent(page[page.length - 1])}`
      headers.link = `<${this.opts.absoluteLinks ? this.url : ''}${next}>; rel="next"`
    }
    send(res, 200, { name, tags: page }, headers)
  }
}

/** A plain server that records requests, e.g. the storage host behind a blob redirect. */
export async function startRecorder(
  handler: (req: IncomingMessage, res: ServerResponse) => void
): Promise<{ url: string; requests: LoggedRequest[]; stop(): Promise<void> }> {
  const requests: LoggedRequest[] = []
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers })
    handler(req, res)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  }
}

export function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

function send(
  res: ServerResponse,
  status: number,
  body?: unknown,
  headers: Record<string, string> = {}
): void {
  const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body))
  res.writeHead(status, {
    'docker-distribution-api-version': 'registry/2.0',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    'content-length': String(data.length),
    ...headers
  })
  res.end(res.req.method === 'HEAD' ? undefined : data)
}

/** Reads and ignores a request body before answering, so the client sees a clean response. */
function drain(req: IncomingMessage, answer: () => void): void {
  if (req.readableEnded) return answer()
  req.resume()
  req.on('end', answer)
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks)
}
