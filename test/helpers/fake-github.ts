// A loopback fake of the parts of the GitHub REST API the release code uses, laid out like
// GitHub Enterprise Server (API under /api/v3, uploads under /api/uploads) so that path prefixes
// are exercised too. It answers like GitHub: status codes and error bodies, Link pagination,
// upload_url templates, the Git data API (refs, commits, trees, blobs with base64 content, real
// fast-forward checks), plus switches to inject a concurrent branch update, a 409/422 on the next
// ref update, a failed upload, and a token without write permission.
import { createHash } from 'node:crypto'
import http, { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { AddressInfo } from 'node:net'

export interface LoggedRequest {
  method: string
  /** Path without the /api/v3 prefix and without the query, e.g. /repos/o/r/releases. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  /** Parsed JSON body (not for uploads). */
  body?: unknown
}

export interface FakeAsset {
  id: number
  name: string
  label: string | null
  size: number
  state: 'uploaded' | 'open'
  content_type: string
  digest: string | null
  data: Buffer
}

export interface FakeRelease {
  id: number
  tag_name: string
  target_commitish: string
  name: string | null
  body: string
  draft: boolean
  prerelease: boolean
  assets: FakeAsset[]
}

interface Tree {
  entries: Array<{ path: string; mode: string; type: 'blob' | 'tree'; sha: string }>
}
interface Commit {
  tree: string
  parents: string[]
  message: string
}

interface Repo {
  releases: FakeRelease[]
  latest?: number
  refs: Map<string, string>
  blobs: Map<string, Buffer>
  trees: Map<string, Tree>
  commits: Map<string, Commit>
  pages?: Record<string, unknown>
  /** Bundles stored through POST /repos/{owner}/{repo}/attestations. */
  attestations: Array<Record<string, unknown>>
}

export interface FakeGitHubOptions {
  token?: string
  /** Largest page the fake serves, whatever per_page asks (to force pagination). */
  maxPageSize?: number
  /** Leave `digest` out of assets, as older servers do. */
  noDigests?: boolean
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {}
  ) {
    super(message)
  }
}

const sha1 = (data: Buffer | string) => createHash('sha1').update(data).digest('hex')
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

export class FakeGitHub {
  readonly requests: LoggedRequest[] = []
  /** The API root to give the client, e.g. http://127.0.0.1:PORT/api/v3. */
  apiUrl = ''
  origin = ''
  /** Every write answers 403 like a read-only workflow token. */
  readOnly = false
  private readonly repos = new Map<string, Repo>()
  private readonly server: http.Server
  private nextId = 1
  private refFailures: number[] = []
  private beforeRefUpdate: Array<() => void> = []
  private uploadFailures: Array<{ status: number; leaveAsset: boolean }> = []
  private beforeCreateRelease: Array<() => void> = []
  private injected: Array<{ method: string; path: RegExp; status: number; message: string }> = []

  constructor(private readonly options: FakeGitHubOptions = {}) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' })
        res.end(JSON.stringify({ message: `fake-github: ${(err as Error).stack}` }))
      })
    })
  }

  get token(): string {
    return this.options.token ?? 'ghs_faketoken'
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    this.origin = `http://127.0.0.1:${port}`
    this.apiUrl = `${this.origin}/api/v3`
    return this
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  /** The next PATCH of a ref answers this status (409 or 422 "not a fast forward") once. */
  failNextRefUpdate(status: 409 | 422): void {
    this.refFailures.push(status)
  }

  /** Runs `fn` (e.g. a commitFile by "another job") right before the next ref update is handled. */
  beforeNextRefUpdate(fn: () => void): void {
    this.beforeRefUpdate.push(fn)
  }

  /** The next request with this method and a path matching `path` answers `status` once. */
  failNext(method: string, path: RegExp, status: number, message: string): void {
    this.injected.push({ method, path, status, message })
  }

  /** Runs `fn` (e.g. a seedRelease by a sibling job) right before the next release is created. */
  beforeNextReleaseCreate(fn: () => void): void {
    this.beforeCreateRelease.push(fn)
  }

  /** The next upload fails with `status`; with leaveAsset, a half-uploaded asset keeps its name. */
  failNextUpload(status: number, leaveAsset = false): void {
    this.uploadFailures.push({ status, leaveAsset })
  }

  repo(owner: string, name: string): Repo {
    const key = `${owner}/${name}`.toLowerCase()
    let r = this.repos.get(key)
    if (!r) {
      r = {
        releases: [],
        refs: new Map(),
        blobs: new Map(),
        trees: new Map(),
        commits: new Map(),
        attestations: []
      }
      this.repos.set(key, r)
      // Every repository has a default branch with one commit, and the tag v0.0.0 on it.
      const tree = this.putTree(r, { entries: [] })
      const c = this.putCommit(r, { tree, parents: [], message: 'initial commit' })
      r.refs.set('refs/heads/main', c)
    }
    return r
  }

  /** Creates a tag on the default branch head. */
  createTag(owner: string, name: string, tag: string): void {
    const r = this.repo(owner, name)
    r.refs.set(`refs/tags/${tag}`, r.refs.get('refs/heads/main') as string)
  }

  setPages(owner: string, name: string, site: Record<string, unknown> | undefined): void {
    this.repo(owner, name).pages = site
  }

  /** Adds a release directly (e.g. a draft someone prepared by hand). */
  seedRelease(
    owner: string,
    name: string,
    release: Partial<FakeRelease> & { tag_name: string }
  ): FakeRelease {
    const r = this.repo(owner, name)
    const rel: FakeRelease = {
      id: this.nextId++,
      target_commitish: 'main',
      name: release.tag_name,
      body: '',
      draft: false,
      prerelease: false,
      assets: [],
      ...release
    }
    r.releases.push(rel)
    return rel
  }

  releases(owner: string, name: string): FakeRelease[] {
    return this.repo(owner, name).releases
  }

  latestReleaseId(owner: string, name: string): number | undefined {
    return this.repo(owner, name).latest
  }

  branchHead(owner: string, name: string, branch: string): string | undefined {
    return this.repo(owner, name).refs.get(`refs/heads/${branch}`)
  }

  commit(owner: string, name: string, sha: string): Commit | undefined {
    return this.repo(owner, name).commits.get(sha)
  }

  /** A file's content at the head of a branch. */
  readFile(owner: string, name: string, branch: string, path: string): string | undefined {
    const r = this.repo(owner, name)
    const head = r.refs.get(`refs/heads/${branch}`)
    if (!head) return undefined
    let sha = (r.commits.get(head) as Commit).tree
    const parts = path.split('/')
    for (let i = 0; i < parts.length; i++) {
      const e = (r.trees.get(sha) as Tree).entries.find((x) => x.path === parts[i])
      if (!e) return undefined
      sha = e.sha
    }
    return (r.blobs.get(sha) as Buffer).toString('utf8')
  }

  /** Lists the paths of the files at the head of a branch. */
  listFiles(owner: string, name: string, branch: string): string[] {
    const r = this.repo(owner, name)
    const head = r.refs.get(`refs/heads/${branch}`)
    if (!head) return []
    const out: string[] = []
    const walk = (treeSha: string, prefix: string) => {
      for (const e of (r.trees.get(treeSha) as Tree).entries) {
        if (e.type === 'tree') walk(e.sha, `${prefix}${e.path}/`)
        else out.push(prefix + e.path)
      }
    }
    walk((r.commits.get(head) as Commit).tree, '')
    return out.sort()
  }

  /** Commits one file to a branch directly (another writer), creating the branch if needed. */
  commitFile(owner: string, name: string, branch: string, path: string, content: string): string {
    const r = this.repo(owner, name)
    const head = r.refs.get(`refs/heads/${branch}`)
    const baseTree = head ? (r.commits.get(head) as Commit).tree : undefined
    const blob = this.putBlob(r, Buffer.from(content))
    const tree = this.writeTree(r, baseTree, [{ path, mode: '100644', type: 'blob', sha: blob }])
    const c = this.putCommit(r, { tree, parents: head ? [head] : [], message: `update ${path}` })
    r.refs.set(`refs/heads/${branch}`, c)
    return c
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin)
    const method = req.method ?? 'GET'
    const raw = await readBody(req)
    let path = url.pathname
    const upload = path.startsWith('/api/uploads/')
    const download = path.startsWith('/download/')
    if (upload) path = path.slice('/api/uploads'.length)
    else if (path.startsWith('/api/v3/')) path = path.slice('/api/v3'.length)
    let body: unknown
    if (!upload && raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'))
      } catch {
        return this.send(res, 400, { message: 'Problems parsing JSON' })
      }
    }
    this.requests.push({ method, path, query: url.searchParams, headers: req.headers, body })

    try {
      if (download) return this.serveDownload(res, path)
      if (!req.headers['user-agent']) {
        throw new HttpError(
          403,
          'Request forbidden by administrative rules. Please make sure your request has a User-Agent header'
        )
      }
      // GitHub takes the token as `Bearer <token>` or `token <token>` (Octokit's form).
      const auth = /^(?:bearer|token) +(.*)$/i.exec(req.headers.authorization ?? '')
      if (auth?.[1] !== this.token) throw new HttpError(401, 'Bad credentials')
      const i = this.injected.findIndex((x) => x.method === method && x.path.test(path))
      if (i >= 0) {
        const [hit] = this.injected.splice(i, 1)
        throw new HttpError(hit.status, hit.message)
      }
      if (this.readOnly && method !== 'GET') {
        throw new HttpError(403, 'Resource not accessible by integration')
      }
      const seg = path.split('/').slice(1).map(decodeURIComponent)
      if (seg[0] !== 'repos' || seg.length < 4) throw new HttpError(404, 'Not Found')
      const repo = this.repo(seg[1], seg[2])
      const rest = seg.slice(3)
      const base = { owner: seg[1], name: seg[2], repo }
      if (upload) return this.send(res, 201, this.upload(base, rest, url, req.headers, raw))
      const [status, out, headers] = this.route(base, method, rest, url, body)
      return this.send(res, status, out, headers)
    } catch (err) {
      if (err instanceof HttpError) {
        return this.send(res, err.status, {
          message: err.message,
          ...err.extra,
          documentation_url: 'https://docs.github.com/rest'
        })
      }
      throw err
    }
  }

  private send(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {}
  ): void {
    const text = body === undefined ? '' : JSON.stringify(body)
    res.writeHead(status, {
      ...(text !== '' ? { 'content-type': 'application/json; charset=utf-8' } : {}),
      'x-ratelimit-remaining': '4999',
      ...headers
    })
    res.end(text)
  }

  private route(
    b: { owner: string; name: string; repo: Repo },
    method: string,
    rest: string[],
    url: URL,
    body: unknown
  ): [number, unknown, Record<string, string>?] {
    const r = b.repo
    const key = `${method} ${rest[0]}/${rest[1] ?? ''}`
    const input = (body ?? {}) as Record<string, unknown>

    // Releases.
    if (rest[0] === 'releases') {
      if (method === 'GET' && rest.length === 1) {
        const list = [...r.releases].reverse().map((x) => this.releaseJson(b, x))
        return this.page(list, url)
      }
      if (method === 'GET' && rest[1] === 'tags' && rest.length >= 3) {
        const tag = rest.slice(2).join('/')
        const rel = r.releases.find((x) => x.tag_name === tag && !x.draft)
        if (!rel) throw new HttpError(404, 'Not Found')
        return [200, this.releaseJson(b, rel)]
      }
      if (method === 'GET' && rest[1] === 'latest') {
        const rel = r.releases.find((x) => x.id === r.latest)
        if (!rel) throw new HttpError(404, 'Not Found')
        return [200, this.releaseJson(b, rel)]
      }
      if (method === 'POST' && rest.length === 1) return [201, this.createRelease(b, input)]
      if (method === 'DELETE' && rest[1] === 'assets' && rest.length === 3) {
        for (const rel of r.releases) {
          const i = rel.assets.findIndex((a) => a.id === Number(rest[2]))
          if (i >= 0) {
            rel.assets.splice(i, 1)
            return [204, undefined]
          }
        }
        throw new HttpError(404, 'Not Found')
      }
      const rel = r.releases.find((x) => x.id === Number(rest[1]))
      if (!rel) throw new HttpError(404, 'Not Found')
      if (method === 'PATCH' && rest.length === 2) {
        if (typeof input.prerelease === 'boolean') rel.prerelease = input.prerelease
        if (typeof input.name === 'string') rel.name = input.name
        if (typeof input.body === 'string') rel.body = input.body
        if (typeof input.draft === 'boolean') rel.draft = input.draft
        if (input.make_latest === 'true') {
          if (rel.draft || rel.prerelease) {
            throw new HttpError(422, 'Validation Failed', {
              errors: [{ resource: 'Release', code: 'invalid', field: 'make_latest' }]
            })
          }
          r.latest = rel.id
        }
        if (rel.prerelease && r.latest === rel.id) r.latest = undefined
        return [200, this.releaseJson(b, rel)]
      }
      if (method === 'GET' && rest[2] === 'assets') {
        return this.page(
          rel.assets.map((a) => this.assetJson(b, rel, a)),
          url
        )
      }
      throw new HttpError(404, 'Not Found')
    }

    // Artifact attestations (what @actions/attest stores): POST { bundle } -> { id }.
    if (method === 'POST' && rest[0] === 'attestations' && rest.length === 1) {
      if (typeof input.bundle !== 'object' || input.bundle === null) {
        throw new HttpError(422, 'Validation Failed', {
          errors: [{ field: 'bundle', code: 'missing' }]
        })
      }
      r.attestations.push(input.bundle as Record<string, unknown>)
      return [201, { id: r.attestations.length }]
    }

    // Git data.
    if (rest[0] === 'git') {
      if (method === 'GET' && rest[1] === 'ref') {
        const ref = `refs/${rest.slice(2).join('/')}`
        const sha = r.refs.get(ref)
        if (!sha) throw new HttpError(404, 'Not Found')
        return [200, { ref, object: { sha, type: 'commit' } }]
      }
      if (method === 'POST' && rest[1] === 'refs' && rest.length === 2) {
        const ref = String(input.ref)
        if (!/^refs\/[^/]+\/.+/.test(ref)) throw new HttpError(422, 'Reference name is invalid')
        if (r.refs.has(ref)) throw new HttpError(422, 'Reference already exists')
        if (!r.commits.has(String(input.sha))) throw new HttpError(422, 'Object does not exist')
        r.refs.set(ref, String(input.sha))
        return [201, { ref, object: { sha: input.sha, type: 'commit' } }]
      }
      if (method === 'PATCH' && rest[1] === 'refs') {
        for (const fn of this.beforeRefUpdate.splice(0)) fn()
        const injected = this.refFailures.shift()
        if (injected === 409) throw new HttpError(409, 'Reference update conflict')
        if (injected === 422) throw new HttpError(422, 'Update is not a fast forward')
        const ref = `refs/${rest.slice(2).join('/')}`
        const current = r.refs.get(ref)
        if (!current) throw new HttpError(422, 'Reference does not exist')
        const sha = String(input.sha)
        if (!r.commits.has(sha)) throw new HttpError(422, 'Object does not exist')
        if (input.force !== true && !this.isAncestor(r, current, sha)) {
          throw new HttpError(422, 'Update is not a fast forward')
        }
        r.refs.set(ref, sha)
        return [200, { ref, object: { sha, type: 'commit' } }]
      }
      if (method === 'GET' && rest[1] === 'commits') {
        const c = r.commits.get(rest[2])
        if (!c) throw new HttpError(404, 'Not Found')
        return [
          200,
          {
            sha: rest[2],
            tree: { sha: c.tree },
            parents: c.parents.map((sha) => ({ sha })),
            message: c.message
          }
        ]
      }
      if (method === 'POST' && rest[1] === 'commits') {
        const tree = String(input.tree)
        const parents = (input.parents ?? []) as string[]
        if (!r.trees.has(tree) || parents.some((p) => !r.commits.has(p))) {
          throw new HttpError(422, 'Tree SHA does not exist')
        }
        const sha = this.putCommit(r, { tree, parents, message: String(input.message) })
        return [201, { sha, tree: { sha: tree }, parents: parents.map((p) => ({ sha: p })) }]
      }
      if (method === 'GET' && rest[1] === 'trees') {
        const t = r.trees.get(rest[2])
        if (!t) throw new HttpError(404, 'Not Found')
        return [200, { sha: rest[2], tree: t.entries, truncated: false }]
      }
      if (method === 'POST' && rest[1] === 'trees') {
        const baseTree = input.base_tree === undefined ? undefined : String(input.base_tree)
        if (baseTree !== undefined && !r.trees.has(baseTree)) {
          throw new HttpError(422, 'base_tree is not a valid tree oid')
        }
        const changes = ((input.tree ?? []) as Array<Record<string, unknown>>).map((e) => {
          const sha =
            typeof e.content === 'string' ? this.putBlob(r, Buffer.from(e.content)) : String(e.sha)
          if (!r.blobs.has(sha)) throw new HttpError(422, `GitRPC::BadObjectState: ${sha}`)
          return { path: String(e.path), mode: String(e.mode), type: 'blob' as const, sha }
        })
        const sha = this.writeTree(r, baseTree, changes)
        return [201, { sha, tree: (r.trees.get(sha) as Tree).entries, truncated: false }]
      }
      if (method === 'GET' && rest[1] === 'blobs') {
        const data = r.blobs.get(rest[2])
        if (!data) throw new HttpError(404, 'Not Found')
        // GitHub wraps base64 at 60 columns.
        const content = (data.toString('base64').match(/.{1,60}/g) ?? []).join('\n') + '\n'
        return [200, { sha: rest[2], size: data.length, content, encoding: 'base64' }]
      }
      if (method === 'POST' && rest[1] === 'blobs') {
        const data =
          input.encoding === 'base64'
            ? Buffer.from(String(input.content), 'base64')
            : Buffer.from(String(input.content), 'utf8')
        return [201, { sha: this.putBlob(r, data) }]
      }
    }

    if (key === 'GET pages/') {
      if (!r.pages) throw new HttpError(404, 'Not Found')
      return [200, r.pages]
    }
    throw new HttpError(404, 'Not Found')
  }

  private createRelease(
    b: { owner: string; name: string; repo: Repo },
    input: Record<string, unknown>
  ): unknown {
    for (const fn of this.beforeCreateRelease.splice(0)) fn()
    const r = b.repo
    const tag = String(input.tag_name ?? '')
    if (tag === '') {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Release', code: 'missing_field', field: 'tag_name' }]
      })
    }
    if (r.releases.some((x) => x.tag_name === tag && !x.draft)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]
      })
    }
    if (!r.refs.has(`refs/tags/${tag}`)) {
      const target = String(input.target_commitish ?? 'main')
      r.refs.set(`refs/tags/${tag}`, r.refs.get(`refs/heads/${target}`) ?? target)
    }
    const rel = this.seedRelease(b.owner, b.name, {
      tag_name: tag,
      target_commitish: String(input.target_commitish ?? 'main'),
      name: typeof input.name === 'string' ? input.name : tag,
      body:
        input.generate_release_notes === true
          ? [input.body, `## What's Changed\n\n**Full Changelog**: ${tag}`]
              .filter((x) => typeof x === 'string' && x !== '')
              .join('\n\n')
          : String(input.body ?? ''),
      draft: input.draft === true,
      prerelease: input.prerelease === true
    })
    const latest = input.make_latest ?? 'true'
    if (latest === 'true' && !rel.draft && !rel.prerelease) r.latest = rel.id
    return this.releaseJson(b, rel)
  }

  private upload(
    b: { owner: string; name: string; repo: Repo },
    rest: string[],
    url: URL,
    headers: IncomingHttpHeaders,
    data: Buffer
  ): unknown {
    const rel = b.repo.releases.find((x) => x.id === Number(rest[1]))
    if (rest[0] !== 'releases' || rest[2] !== 'assets' || !rel)
      throw new HttpError(404, 'Not Found')
    const name = url.searchParams.get('name')
    if (!name)
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ field: 'name', code: 'missing' }]
      })
    if (headers['content-length'] === undefined) throw new HttpError(411, 'Length Required')
    if (Number(headers['content-length']) !== data.length)
      throw new HttpError(400, 'Bad Content-Length')
    if (!headers['content-type']) throw new HttpError(422, 'Content-Type is required')
    if (rel.assets.some((a) => a.name === name)) {
      throw new HttpError(422, 'Validation Failed', {
        errors: [{ resource: 'ReleaseAsset', code: 'already_exists', field: 'name' }]
      })
    }
    const failure = this.uploadFailures.shift()
    const asset: FakeAsset = {
      id: this.nextId++,
      name,
      label: url.searchParams.get('label'),
      size: data.length,
      state: failure ? 'open' : 'uploaded',
      content_type: String(headers['content-type']),
      digest: this.options.noDigests ? null : `sha256:${sha256(data)}`,
      data
    }
    if (failure) {
      if (failure.leaveAsset) rel.assets.push(asset)
      throw new HttpError(failure.status, 'upload failed')
    }
    rel.assets.push(asset)
    return this.assetJson(b, rel, asset)
  }

  private serveDownload(res: ServerResponse, path: string): void {
    const [, , owner, name, ...rest] = path.split('/').map(decodeURIComponent)
    const file = rest.pop()
    const tag = rest.join('/')
    const rel = this.repo(owner, name).releases.find((x) => x.tag_name === tag)
    const asset = rel?.assets.find((a) => a.name === file)
    if (!asset) {
      res.writeHead(404)
      res.end('Not Found')
      return
    }
    res.writeHead(200, { 'content-type': asset.content_type, 'content-length': asset.size })
    res.end(asset.data)
  }

  private page(items: unknown[], url: URL): [number, unknown, Record<string, string>] {
    const asked = Number(url.searchParams.get('per_page') ?? 30)
    const size = Math.max(1, Math.min(asked, 100, this.options.maxPageSize ?? 100))
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1))
    const last = Math.max(1, Math.ceil(items.length / size))
    const link = (p: number, rel: string) => {
      const u = new URL(url)
      u.searchParams.set('page', String(p))
      return `<${u.toString()}>; rel="${rel}"`
    }
    const links: string[] = []
    if (page > 1) links.push(link(page - 1, 'prev'))
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'))
    if (page > 1) links.push(link(1, 'first'))
    return [
      200,
      items.slice((page - 1) * size, page * size),
      links.length > 0 ? { link: links.join(', ') } : {}
    ]
  }

  private releaseJson(b: { owner: string; name: string }, rel: FakeRelease): unknown {
    const api = `${this.apiUrl}/repos/${b.owner}/${b.name}`
    return {
      id: rel.id,
      tag_name: rel.tag_name,
      target_commitish: rel.target_commitish,
      name: rel.name,
      body: rel.body,
      draft: rel.draft,
      prerelease: rel.prerelease,
      html_url: `${this.origin}/${b.owner}/${b.name}/releases/tag/${rel.tag_name}`,
      url: `${api}/releases/${rel.id}`,
      assets_url: `${api}/releases/${rel.id}/assets`,
      upload_url: `${this.origin}/api/uploads/repos/${b.owner}/${b.name}/releases/${rel.id}/assets{?name,label}`,
      assets: rel.assets.map((a) => this.assetJson(b, rel, a))
    }
  }

  private assetJson(b: { owner: string; name: string }, rel: FakeRelease, a: FakeAsset): unknown {
    return {
      id: a.id,
      name: a.name,
      label: a.label,
      size: a.size,
      state: a.state,
      content_type: a.content_type,
      ...(this.options.noDigests ? {} : { digest: a.digest }),
      url: `${this.apiUrl}/repos/${b.owner}/${b.name}/releases/assets/${a.id}`,
      browser_download_url: `${this.origin}/download/${b.owner}/${b.name}/${rel.tag_name
        .split('/')
        .map(encodeURIComponent)
        .join('/')}/${encodeURIComponent(a.name)}`
    }
  }

  // ---- Git objects ----

  private putBlob(r: Repo, data: Buffer): string {
    const sha = sha1(Buffer.concat([Buffer.from(`blob ${data.length}\0`), data]))
    r.blobs.set(sha, data)
    return sha
  }

  private putTree(r: Repo, tree: Tree): string {
    const entries = [...tree.entries].sort((a, b) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0
    )
    const sha = sha1('tree ' + JSON.stringify(entries))
    r.trees.set(sha, { entries })
    return sha
  }

  private putCommit(r: Repo, c: Commit): string {
    const sha = sha1(`commit ${JSON.stringify(c)} ${this.nextId++}`)
    r.commits.set(sha, c)
    return sha
  }

  /** A new tree: `base` with each change applied (nested paths create sub-trees). */
  private writeTree(
    r: Repo,
    base: string | undefined,
    changes: Array<{ path: string; mode: string; type: 'blob'; sha: string }>
  ): string {
    const entries = new Map(
      (base ? (r.trees.get(base) as Tree).entries : []).map((e) => [e.path, e])
    )
    const nested = new Map<string, typeof changes>()
    for (const c of changes) {
      const slash = c.path.indexOf('/')
      if (slash < 0) {
        entries.set(c.path, { path: c.path, mode: c.mode, type: 'blob', sha: c.sha })
      } else {
        const dir = c.path.slice(0, slash)
        const list = nested.get(dir) ?? []
        list.push({ ...c, path: c.path.slice(slash + 1) })
        nested.set(dir, list)
      }
    }
    for (const [dir, list] of nested) {
      const existing = entries.get(dir)
      if (existing && existing.type !== 'tree') throw new HttpError(422, `${dir} is not a tree`)
      const sha = this.writeTree(r, existing?.sha, list)
      entries.set(dir, { path: dir, mode: '040000', type: 'tree', sha })
    }
    return this.putTree(r, { entries: [...entries.values()] })
  }

  private isAncestor(r: Repo, ancestor: string, sha: string): boolean {
    const seen = new Set<string>()
    const queue = [sha]
    while (queue.length > 0) {
      const s = queue.shift() as string
      if (s === ancestor) return true
      if (seen.has(s)) continue
      seen.add(s)
      queue.push(...(r.commits.get(s)?.parents ?? []))
    }
    return false
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

/** Starts a fake GitHub on 127.0.0.1 with a random port. */
export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  return new FakeGitHub(options).start()
}
