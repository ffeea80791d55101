// A small typed client for the parts of the GitHub REST API we use (releases, release assets, the
// Git data API), on Node's fetch. Same shape as Octokit's request(): JSON in, JSON out, pagination
// through Link headers, uploads to the URL a release names in `upload_url`.
//
// The token goes only to the API's origin and to GitHub's upload host; a Link or upload URL that
// points anywhere else is refused rather than followed with credentials.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { Logger } from '../log.js'

export interface GitHubApiOptions {
  /** REST root: https://api.github.com, or https://<host>/api/v3 on GitHub Enterprise Server (GITHUB_API_URL). */
  baseUrl: string
  token: string
  /** fetch to use (tests, proxies). Default: the global fetch. */
  fetch?: typeof fetch
  /** Per-request timeout for API calls (default 60 s); uploads get `uploadTimeoutMs`. */
  timeoutMs?: number
  /** Timeout of one asset upload (default 10 min). */
  uploadTimeoutMs?: number
  /** First back-off delay between retries (default 1000 ms; tests use 0). */
  retryDelayMs?: number
  /** How many times a transient failure (5xx, network, rate limit) is retried (default 3). */
  retries?: number
  userAgent?: string
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE'

export interface RequestOptions {
  body?: unknown
  query?: Record<string, string | number | undefined>
  /** Statuses that are answers, not errors (e.g. 404 for "not there yet"). */
  accept?: number[]
}

export interface ApiResponse<T> {
  status: number
  data: T
  headers: Headers
}

const API_VERSION = '2022-11-28'

/** What to add to the job when the token may not write: releases and the index branch. */
export const CONTENTS_WRITE_HINT =
  'give the job `permissions: contents: write` (the workflow token is read-only by default in ' +
  'many repositories and organisations; a fine-grained token needs "Contents: Read and write")'

/** A GitHub API answer that is an error, with the fix spelled out where we know it. */
export class GitHubApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    /** Path of the request, without origin or query. */
    readonly path: string,
    /** GitHub's own message (`message` of the JSON body), or the status text. */
    readonly apiMessage: string,
    /** The `errors` array of a 422, when present. */
    readonly details: Array<{ code?: string; field?: string; resource?: string; message?: string }>,
    hint?: string
  ) {
    super(
      `GitHub API ${method} ${path} answered ${status}: ${apiMessage}` + (hint ? `: ${hint}` : '')
    )
    this.name = 'GitHubApiError'
  }

  /** A 422 whose errors say "already_exists" (a release for this tag, an asset of this name). */
  get alreadyExists(): boolean {
    return (
      this.status === 422 &&
      (this.details.some((d) => d.code === 'already_exists') ||
        /already exists/i.test(this.apiMessage))
    )
  }
}

function hintFor(status: number, headers: Headers, message: string): string | undefined {
  if ((status === 403 || status === 429) && isRateLimited(headers, message)) {
    const reset = Number(headers.get('x-ratelimit-reset'))
    return Number.isFinite(reset) && reset > 0
      ? `rate limited until ${new Date(reset * 1000).toISOString()}`
      : 'rate limited: try again later'
  }
  if (status === 401) {
    return 'the token is missing, expired or invalid: pass the workflow token (`${{ github.token }}`) or a token for this repository'
  }
  if (status === 403) return CONTENTS_WRITE_HINT
  return undefined
}

function isRateLimited(headers: Headers, message: string): boolean {
  return headers.get('x-ratelimit-remaining') === '0' || /rate limit/i.test(message)
}

/** RFC 8288 Link header -> { rel: url }. */
export function parseLinkHeader(value: string | null): Record<string, string> {
  const out: Record<string, string> = {}
  if (!value) return out
  for (const part of value.split(',')) {
    const m = /<([^>]*)>\s*((?:;\s*[^;]+)*)/.exec(part.trim())
    if (!m) continue
    const rel = /;\s*rel="?([^";]+)"?/.exec(m[2])
    if (rel) for (const r of rel[1].trim().split(/\s+/)) out[r] = m[1]
  }
  return out
}

/** The URL of an RFC 6570 template such as `.../assets{?name,label}` with the query filled in. */
export function expandUploadUrl(template: string, query: Record<string, string | undefined>): URL {
  const url = new URL(template.replace(/\{[^}]*\}/g, ''))
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v)
  return url
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

function isTransient(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504
}

export class GitHubClient {
  readonly baseUrl: URL
  private readonly fetchFn: typeof fetch
  private readonly timeoutMs: number
  private readonly uploadTimeoutMs: number
  private readonly retryDelayMs: number
  private readonly retries: number
  private readonly userAgent: string

  constructor(
    private readonly api: GitHubApiOptions,
    private readonly logger?: Logger
  ) {
    if (api.token === '') {
      throw new Error('no GitHub token: pass the workflow token (`${{ github.token }}`)')
    }
    this.baseUrl = new URL(api.baseUrl.replace(/\/+$/, '') + '/')
    this.fetchFn = api.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.timeoutMs = api.timeoutMs ?? 60_000
    this.uploadTimeoutMs = api.uploadTimeoutMs ?? 600_000
    this.retryDelayMs = api.retryDelayMs ?? 1000
    this.retries = api.retries ?? 3
    this.userAgent = api.userAgent ?? 'falco-plugin-release'
    logger?.secret(api.token)
  }

  /** An absolute URL for an API path such as `/repos/o/r/releases`. */
  url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl)
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v))
    }
    return url
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return {
      accept: 'application/vnd.github+json',
      authorization: `Bearer ${this.api.token}`,
      'x-github-api-version': API_VERSION,
      'user-agent': this.userAgent,
      ...extra
    }
  }

  /** Refuses to send the token to an origin that is not GitHub's API or upload host. */
  private assertTrusted(url: URL): void {
    const api = this.baseUrl
    const trusted =
      url.origin === api.origin ||
      (api.hostname === 'api.github.com' &&
        url.protocol === 'https:' &&
        url.hostname === 'uploads.github.com')
    if (!trusted) {
      throw new Error(
        `refusing to send the GitHub token to ${url.origin}: it is neither ${api.origin} nor GitHub's upload host`
      )
    }
  }

  /** One JSON request, retried on 5xx, network errors and rate limits with a short Retry-After. */
  async request<T>(
    method: Method,
    pathOrUrl: string | URL,
    opts: RequestOptions = {}
  ): Promise<ApiResponse<T>> {
    const url = typeof pathOrUrl === 'string' ? this.url(pathOrUrl, opts.query) : pathOrUrl
    this.assertTrusted(url)
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body)
    const headers = this.headers(body === undefined ? {} : { 'content-type': 'application/json' })
    // POSTs are retried only on answers that prove nothing was done (rate limits, 502-504 from the
    // front end); a lost connection after a POST may have created the object.
    for (let attempt = 0; ; attempt++) {
      let res: Response
      try {
        const fetchFn = this.fetchFn
        res = await fetchFn(url, {
          method,
          headers,
          body,
          signal: AbortSignal.timeout(this.timeoutMs)
        })
      } catch (err) {
        if (attempt < this.retries && method !== 'POST') {
          await this.backoff(attempt, `${method} ${url.pathname}: ${(err as Error).message}`)
          continue
        }
        throw new Error(`GitHub API ${method} ${url.pathname} failed: ${(err as Error).message}`, {
          cause: err
        })
      }
      if (res.ok || opts.accept?.includes(res.status)) {
        const text = await res.text()
        let data: T
        try {
          data = (text === '' ? undefined : JSON.parse(text)) as T
        } catch {
          throw new Error(
            `GitHub API ${method} ${url.pathname} answered ${res.status} with something that is not JSON` +
              ` (${JSON.stringify(text.slice(0, 80))}): is ${this.baseUrl.origin} a GitHub API (GITHUB_API_URL)?`
          )
        }
        return { status: res.status, data, headers: res.headers }
      }
      const error = await this.errorFrom(method, url, res)
      const retryAfter = this.retryAfterMs(res, error.apiMessage)
      const transient =
        retryAfter !== undefined ||
        (isTransient(res.status) && (method !== 'POST' || res.status !== 500))
      if (transient && attempt < this.retries) {
        await this.backoff(attempt, error.message, retryAfter)
        continue
      }
      throw error
    }
  }

  /** Every item of a list endpoint, following `Link: <...>; rel="next"`. */
  async paginate<T>(path: string, query: RequestOptions['query'] = {}): Promise<T[]> {
    const items: T[] = []
    let url: URL | undefined = this.url(path, { per_page: 100, ...query })
    for (let page = 0; url !== undefined; page++) {
      if (page > 1000) throw new Error(`GitHub API ${path}: more than 1000 pages`)
      const res: ApiResponse<T[]> = await this.request<T[]>('GET', url)
      if (!Array.isArray(res.data)) {
        throw new Error(`GitHub API GET ${url.pathname}: expected a list`)
      }
      items.push(...res.data)
      const next: string | undefined = parseLinkHeader(res.headers.get('link')).next
      url = next === undefined ? undefined : new URL(next, url)
    }
    return items
  }

  /**
   * Streams a file to an upload URL (a release's `upload_url` template) with Content-Length.
   * Not retried here: a failed upload can leave a half-created asset that must be deleted first.
   */
  async upload<T>(
    uploadUrlTemplate: string,
    file: { name: string; label?: string; path: string; contentType: string }
  ): Promise<T> {
    const url = expandUploadUrl(uploadUrlTemplate, { name: file.name, label: file.label })
    this.assertTrusted(url)
    const { size } = await stat(file.path)
    let res: Response
    try {
      const fetchFn = this.fetchFn
      res = await fetchFn(url, {
        method: 'POST',
        headers: this.headers({
          'content-type': file.contentType,
          'content-length': String(size)
        }),
        body: Readable.toWeb(createReadStream(file.path)) as ReadableStream<Uint8Array>,
        duplex: 'half',
        signal: AbortSignal.timeout(this.uploadTimeoutMs)
      } as RequestInit & { duplex: 'half' })
    } catch (err) {
      throw new Error(`uploading ${file.name} failed: ${(err as Error).message}`, { cause: err })
    }
    if (!res.ok) throw await this.errorFrom('POST', url, res)
    return (await res.json()) as T
  }

  private async errorFrom(method: string, url: URL, res: Response): Promise<GitHubApiError> {
    let message = res.statusText || `HTTP ${res.status}`
    let details: GitHubApiError['details'] = []
    const text = await res.text().catch(() => '')
    try {
      const json = JSON.parse(text) as { message?: string; errors?: unknown }
      if (typeof json.message === 'string' && json.message !== '') message = json.message
      if (Array.isArray(json.errors)) {
        details = json.errors.map((e) =>
          typeof e === 'string' ? { message: e } : (e as GitHubApiError['details'][number])
        )
      }
    } catch {
      if (text.trim() !== '' && text.length < 200) message = text.trim()
    }
    const extra = details
      .map((d) => d.message ?? [d.resource, d.field, d.code].filter(Boolean).join(' '))
      .filter((s) => s !== '')
    const full = extra.length > 0 ? `${message} (${extra.join('; ')})` : message
    return new GitHubApiError(
      res.status,
      method,
      url.pathname,
      full,
      details,
      hintFor(res.status, res.headers, full)
    )
  }

  /** How long GitHub asks us to wait before retrying, when it is a rate limit worth waiting for. */
  private retryAfterMs(res: Response, message: string): number | undefined {
    if (res.status !== 429 && !(res.status === 403 && isRateLimited(res.headers, message))) {
      return undefined
    }
    const header = res.headers.get('retry-after')
    if (header === null || header.trim() === '') return undefined
    const after = Number(header)
    if (Number.isFinite(after) && after >= 0 && after <= 60) return after * 1000
    return undefined
  }

  private async backoff(attempt: number, why: string, waitMs?: number): Promise<void> {
    const ms = waitMs ?? this.retryDelayMs * 2 ** attempt
    this.logger?.debug(`${why}; retrying in ${Math.round(ms / 100) / 10}s`)
    await sleep(ms)
  }
}

/** `/repos/<owner>/<repo>` with both parts escaped. */
export function repoPath(owner: string, repo: string): string {
  for (const [what, v] of [
    ['owner', owner],
    ['repo', repo]
  ]) {
    if (!/^[A-Za-z0-9_.-]+$/.test(v) || v === '.' || v === '..') {
      throw new Error(`invalid GitHub repository ${what} ${JSON.stringify(v)}`)
    }
  }
  return `/repos/${owner}/${repo}`
}

/** The API root from the runner's environment (GITHUB_API_URL), github.com's by default. */
export function apiBaseUrlFromEnv(env: NodeJS.ProcessEnv): string {
  return env.GITHUB_API_URL?.trim() || 'https://api.github.com'
}

/** `owner/repo` from GITHUB_REPOSITORY (or a given `owner/repo`). */
export function parseRepository(value: string | undefined): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec((value ?? '').trim())
  if (!m) {
    throw new Error(
      `expected a GitHub repository as owner/name, got ${JSON.stringify(value ?? '')} (GITHUB_REPOSITORY is not set?)`
    )
  }
  repoPath(m[1], m[2])
  return { owner: m[1], repo: m[2] }
}
