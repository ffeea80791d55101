// A small typed client for the parts of the GitHub REST API we use (releases, release assets, the
// Git data API), on Octokit from @actions/github (`getOctokit`): requests through
// `octokit.request`, list endpoints through `octokit.paginate` (Link headers), uploads to the URL
// a release names in `upload_url`. What this layer adds to Octokit: errors that say what to fix
// (GitHubApiError), retries of transient failures, per-request timeouts, and a check that the
// token only ever goes to the API's origin (and GitHub's upload host).
//
// Octokit answers with its RequestError for any status >= 400; `request` can take some statuses
// as answers (`accept: [404]`). Without an injected `fetch`, requests go through @actions/github's
// fetch, which honours the runner's https_proxy / no_proxy.
import { getOctokit } from '@actions/github'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { STATUS_CODES } from 'node:http'
import { Readable } from 'node:stream'
import type { Logger } from '../log.js'
import { SecretMask, safeExcerpt } from '../secrets.js'
import { formatBytes } from '../util/bytes.js'

export interface GitHubApiOptions {
  /** REST root: https://api.github.com, or https://<host>/api/v3 on GitHub Enterprise Server (GITHUB_API_URL). */
  baseUrl: string
  token: string
  /** fetch to use (tests, proxies). Default: @actions/github's, which honours https_proxy. */
  fetch?: typeof fetch
  /** Per-request timeout for API calls (default 60 s); uploads get `uploadTimeoutMs`. */
  timeoutMs?: number
  /** Timeout of one asset upload (default 10 min). */
  uploadTimeoutMs?: number
  /** First back-off delay between retries (default 1000 ms; tests use 0). */
  retryDelayMs?: number
  /** How many times a transient failure (5xx, network, rate limit) is retried (default 3). */
  retries?: number
  /** Product name at the start of the User-Agent (Octokit appends its own). */
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

export type Octokit = ReturnType<typeof getOctokit>
type OctokitResponse = Awaited<ReturnType<Octokit['request']>>
/** The options Octokit's request hook gets (endpoint options merged with the defaults). */
type HookOptions = Required<Parameters<Octokit['request']['endpoint']['parse']>[0]>

const API_VERSION = '2022-11-28'

/**
 * The most we read of one GitHub API answer. The largest we ask for are a Git blob of index.yaml
 * (at most 8 MiB, base64 in JSON) and pages of 100 releases or assets.
 */
export const MAX_GITHUB_RESPONSE_BYTES = 16 << 20

/** An answer larger than MAX_GITHUB_RESPONSE_BYTES: never retried. */
export class GitHubResponseTooLargeError extends Error {
  constructor(method: string, path: string, limit: number) {
    super(
      `GitHub API ${method} ${path} answered more than ${formatBytes(limit)}, the most this ` +
        'action reads of one answer: check that GITHUB_API_URL is a GitHub API'
    )
    this.name = 'GitHubResponseTooLargeError'
  }
}

/**
 * A fetch that reads the whole answer itself, refusing more than `limit` bytes, and hands Octokit
 * a Response over the bytes read. The error thrown is the cause of the one Octokit throws.
 */
export function boundedFetch(inner: typeof fetch, limit: number): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init)
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
    const refuse = (): never => {
      void res.body?.cancel().catch(() => undefined)
      throw new GitHubResponseTooLargeError(
        (init?.method ?? 'GET').toUpperCase(),
        pathOf(url),
        limit
      )
    }
    if (Number(res.headers.get('content-length') ?? 0) > limit) refuse()
    const chunks: Uint8Array[] = []
    let total = 0
    if (res.body) {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        total += chunk.length
        if (total > limit) refuse()
        chunks.push(chunk)
      }
    }
    const nullBody = res.status === 204 || res.status === 205 || res.status === 304
    const bounded = new Response(nullBody ? null : Buffer.concat(chunks), {
      status: res.status,
      statusText: res.statusText,
      headers: res.headers
    })
    Object.defineProperty(bounded, 'url', { value: res.url })
    return bounded
  }
}

function tooLarge(err: unknown): GitHubResponseTooLargeError | undefined {
  const cause = (err as { cause?: unknown } | undefined)?.cause
  if (err instanceof GitHubResponseTooLargeError) return err
  return cause instanceof GitHubResponseTooLargeError ? cause : undefined
}

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

/** What we read of Octokit's RequestError (its `name` is "HttpError"). */
interface OctokitRequestError extends Error {
  status: number
  request: { method: string; url: string }
  response?: OctokitResponseLike
}

interface OctokitResponseLike {
  status: number
  headers: Record<string, string | number | undefined>
  data: unknown
}

function isOctokitError(err: unknown): err is OctokitRequestError {
  return (
    err instanceof Error &&
    err.name === 'HttpError' &&
    typeof (err as Partial<OctokitRequestError>).status === 'number' &&
    typeof (err as Partial<OctokitRequestError>).request?.url === 'string'
  )
}

function toHeaders(headers: OctokitResponseLike['headers']): Headers {
  const out = new Headers()
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out.set(k, String(v))
  return out
}

/**
 * Why a request got no answer. Octokit takes the message of what fetch threw, but says
 * "Unknown Error" for a thrown value it does not see as an Error (e.g. a DOMException from
 * another realm): then the cause says it.
 */
function noAnswerMessage(err: OctokitRequestError): string {
  const cause = err.cause as { message?: unknown } | undefined
  if (err.message === 'Unknown Error' && typeof cause?.message === 'string') return cause.message
  return err.message
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

/** The body as text when Octokit did not parse it as JSON (a string, or bytes). */
function rawText(data: unknown): string | undefined {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8')
  return undefined
}

/** A GitHubApiError from an error answer: GitHub's message, the 422 details, and a hint. */
function apiError(method: string, path: string, res: OctokitResponseLike): GitHubApiError {
  const headers = toHeaders(res.headers)
  let message = STATUS_CODES[res.status] ?? `HTTP ${res.status}`
  let details: GitHubApiError['details'] = []
  const text = rawText(res.data)
  if (text === undefined && typeof res.data === 'object' && res.data !== null) {
    const json = res.data as { message?: unknown; errors?: unknown }
    if (typeof json.message === 'string' && json.message !== '') message = json.message
    if (Array.isArray(json.errors)) {
      details = json.errors.map((e) =>
        typeof e === 'string' ? { message: e } : (e as GitHubApiError['details'][number])
      )
    }
  } else if (text !== undefined && text.trim() !== '' && text.length < 200) {
    message = text.trim()
  }
  const extra = details
    .map((d) => d.message ?? [d.resource, d.field, d.code].filter(Boolean).join(' '))
    .filter((s) => s !== '')
  const full = extra.length > 0 ? `${message} (${extra.join('; ')})` : message
  return new GitHubApiError(
    res.status,
    method,
    path,
    full,
    details,
    hintFor(res.status, headers, full)
  )
}

/** Per-request settings carried in Octokit's `request` options, read by our request hook. */
interface RequestControl {
  /** Retries for this request (default: the client's); uploads use 0. */
  retries?: number
  timeoutMs?: number
}

export class GitHubClient {
  readonly baseUrl: URL
  /** The Octokit instance (from @actions/github's getOctokit) every request goes through. */
  readonly octokit: Octokit
  private readonly timeoutMs: number
  private readonly uploadTimeoutMs: number
  private readonly retryDelayMs: number
  private readonly retries: number
  /** Redacts the token from texts this client shortens (secrets.ts). */
  private readonly mask = new SecretMask()

  constructor(
    api: GitHubApiOptions,
    private readonly logger?: Logger
  ) {
    if (api.token === '') {
      throw new Error('no GitHub token: pass the workflow token (`${{ github.token }}`)')
    }
    this.baseUrl = new URL(api.baseUrl.replace(/\/+$/, '') + '/')
    this.timeoutMs = api.timeoutMs ?? 60_000
    this.uploadTimeoutMs = api.uploadTimeoutMs ?? 600_000
    this.retryDelayMs = api.retryDelayMs ?? 1000
    this.retries = api.retries ?? 3
    this.mask.add(api.token)
    logger?.secret(api.token, 'the GitHub token')
    this.octokit = getOctokit(api.token, {
      baseUrl: this.baseUrl.href.replace(/\/+$/, ''),
      userAgent: api.userAgent ?? 'falco-plugin-release',
      // Replaces @actions/github's proxy-aware fetch only when one is given.
      ...(api.fetch ? { request: { fetch: api.fetch } } : {}),
      ...(logger
        ? {
            log: {
              debug: (m: string) => logger.debug(m),
              info: (m: string) => logger.debug(m),
              warn: (m: string) => logger.warning(m),
              error: (m: string) => logger.warning(m)
            }
          }
        : {})
    })
    this.octokit.hook.wrap('request', (request, options) => this.send(request, options))
  }

  /** An absolute URL for an API path such as `/repos/o/r/releases`. */
  url(path: string, query?: RequestOptions['query']): URL {
    const url = new URL(path.replace(/^\/+/, ''), this.baseUrl)
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v !== undefined) url.searchParams.set(k, String(v))
    }
    return url
  }

  /**
   * The `url` to give Octokit: a path relative to the base URL when the URL is under it (Octokit
   * prepends its baseUrl), else the absolute URL (an upload host).
   */
  private route(url: URL): string {
    return url.href.startsWith(this.baseUrl.href)
      ? '/' + url.href.slice(this.baseUrl.href.length)
      : url.href
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

  /**
   * Octokit's request hook, around every request (pagination's next pages included): checks where
   * the request goes, sets the API version, gives each attempt a timeout, and retries on 5xx,
   * network errors and rate limits with a short Retry-After. POSTs are retried only on answers
   * that prove nothing was done (rate limits, 502-504 from the front end); a lost connection
   * after a POST may have created the object.
   */
  private async send(
    request: (options: HookOptions) => OctokitResponse | Promise<OctokitResponse>,
    options: HookOptions
  ): Promise<OctokitResponse> {
    // The inner hooks are bound to this `options` object (what `request(x)` is given is not
    // merged in), so settings for the attempt are made on it.
    const target = new URL(this.octokit.request.endpoint.parse(options).url)
    this.assertTrusted(target)
    const method = options.method.toUpperCase()
    const control = options.request as RequestControl
    const retries = control.retries ?? this.retries
    const timeoutMs = control.timeoutMs ?? this.timeoutMs
    options.headers = {
      ...options.headers,
      accept: 'application/vnd.github+json',
      'x-github-api-version': API_VERSION
    }
    const base = options.request
    const fetcher = boundedFetch(base.fetch ?? globalThis.fetch, MAX_GITHUB_RESPONSE_BYTES)
    for (let attempt = 0; ; attempt++) {
      // A fresh object: `options.request` may be the instance's shared defaults.
      options.request = { ...base, fetch: fetcher, signal: AbortSignal.timeout(timeoutMs) }
      let res: OctokitResponse
      try {
        res = await request(options)
      } catch (err) {
        const large = tooLarge(err)
        if (large) throw large
        if (!isOctokitError(err) || attempt >= retries) throw err
        if (err.response === undefined) {
          // No answer: a network error or a timeout.
          if (method === 'POST') throw err
          await this.backoff(attempt, `${method} ${target.pathname}: ${noAnswerMessage(err)}`)
          continue
        }
        const error = apiError(method, target.pathname, err.response)
        const retryAfter = this.retryAfterMs(err.response, error.apiMessage)
        const transient =
          retryAfter !== undefined ||
          (isTransient(err.status) && (method !== 'POST' || err.status !== 500))
        if (!transient) throw err
        await this.backoff(attempt, error.message, retryAfter)
        continue
      }
      return { ...res, data: this.json(method, target, res) }
    }
  }

  /** The parsed body; an answer that is not JSON means the base URL is not a GitHub API. */
  private json(method: string, url: URL, res: OctokitResponseLike): unknown {
    const text = rawText(res.data)
    if (text === undefined) return res.data
    if (text === '') return undefined
    // Redacted before it is cut: a cut token would no longer match.
    const excerpt = safeExcerpt(text, (t) => this.mask.redact(t), 80)
    throw new Error(
      `GitHub API ${method} ${url.pathname} answered ${res.status} with something that is not JSON` +
        ` (${JSON.stringify(excerpt)}): is ${this.baseUrl.origin} a GitHub API (GITHUB_API_URL)?`
    )
  }

  /** Octokit's errors as ours: GitHubApiError for an answer, a plain Error for no answer. */
  private failure(err: unknown): Error {
    if (!isOctokitError(err)) return err as Error
    const method = err.request.method.toUpperCase()
    const path = pathOf(err.request.url)
    if (err.response !== undefined) return apiError(method, path, err.response)
    return new Error(`GitHub API ${method} ${path} failed: ${noAnswerMessage(err)}`, {
      cause: err.cause ?? err
    })
  }

  /** One JSON request, retried on 5xx, network errors and rate limits with a short Retry-After. */
  async request<T>(
    method: Method,
    pathOrUrl: string | URL,
    opts: RequestOptions = {}
  ): Promise<ApiResponse<T>> {
    const url = typeof pathOrUrl === 'string' ? this.url(pathOrUrl, opts.query) : pathOrUrl
    this.assertTrusted(url)
    try {
      const res = await this.octokit.request({
        method,
        url: this.route(url),
        ...(opts.body === undefined ? {} : { data: opts.body })
      })
      return { status: res.status, data: res.data as T, headers: toHeaders(res.headers) }
    } catch (err) {
      if (isOctokitError(err) && err.response && opts.accept?.includes(err.status)) {
        return {
          status: err.status,
          data: this.json(method, url, err.response) as T,
          headers: toHeaders(err.response.headers)
        }
      }
      throw this.failure(err)
    }
  }

  /** Every item of a list endpoint, following `Link: <...>; rel="next"` (octokit.paginate). */
  async paginate<T>(path: string, query: RequestOptions['query'] = {}): Promise<T[]> {
    const url = this.url(path, { per_page: 100, ...query })
    this.assertTrusted(url)
    let pages = 0
    try {
      return await this.octokit.paginate<T, T>({ method: 'GET', url: this.route(url) }, (res) => {
        if (++pages > 1000) throw new Error(`GitHub API ${path}: more than 1000 pages`)
        if (!Array.isArray(res.data)) {
          const where = res.url ? pathOf(res.url) : url.pathname
          throw new Error(`GitHub API GET ${where}: expected a list`)
        }
        return res.data
      })
    } catch (err) {
      throw this.failure(err)
    }
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
    const stream = createReadStream(file.path)
    try {
      const control: RequestControl = { retries: 0, timeoutMs: this.uploadTimeoutMs }
      const res = await this.octokit.request({
        method: 'POST',
        url: this.route(url),
        headers: { 'content-type': file.contentType, 'content-length': String(size) },
        data: Readable.toWeb(stream),
        request: control
      })
      return res.data as T
    } catch (err) {
      if (!isOctokitError(err)) throw err
      if (err.response !== undefined) throw this.failure(err)
      throw new Error(`uploading ${file.name} failed: ${noAnswerMessage(err)}`, {
        cause: err.cause ?? err
      })
    } finally {
      stream.destroy()
    }
  }

  /** How long GitHub asks us to wait before retrying, when it is a rate limit worth waiting for. */
  private retryAfterMs(res: OctokitResponseLike, message: string): number | undefined {
    const headers = toHeaders(res.headers)
    if (res.status !== 429 && !(res.status === 403 && isRateLimited(headers, message))) {
      return undefined
    }
    const header = headers.get('retry-after')
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
