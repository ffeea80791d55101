// The GitHub REST API through Octokit from @actions/github (getOctokit's parts), with Octokit's own
// retry and throttling plugins: callers use `octokit.rest` and Octokit's response types. What
// this module adds, as Octokit plugins and hooks:
// - errors that say what to fix (GitHubApiError with hints);
// - a timeout per attempt, and answers bounded to MAX_GITHUB_RESPONSE_BYTES;
// - the token sent only to the API's origin (and GitHub's upload host);
// - the retry rules: 5xx and lost connections are retried (plugin-retry), rate limits wait for
//   the time GitHub names (plugin-throttling), but a POST that may have been applied (a 500, a
//   lost connection) is not repeated.
//
// Without an injected `fetch`, requests go through @actions/github's fetch, which honours the
// runner's https_proxy / no_proxy.
//
// Octokit comes from @actions/github's lib/utils, as its README extends it with plugins, not
// from getOctokit in the package's index: that index is loaded at the start of every run (for
// its `context`), and Octokit, a quarter of the bundle, only when a run talks to the API
// (rollup.config.js).
import type { getOctokit } from '@actions/github'
import { GitHub, getOctokitOptions } from '@actions/github/lib/utils'
import { retry } from '@octokit/plugin-retry'
import { throttling } from '@octokit/plugin-throttling'
import Bottleneck from 'bottleneck/light.js'
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
  /** Per-attempt timeout for API calls (default 60 s); uploads get `uploadTimeoutMs`. */
  timeoutMs?: number
  /** Timeout of one asset upload (default 10 min). */
  uploadTimeoutMs?: number
  /**
   * The unit of the waits between attempts (default 1000 ms; tests use 0): plugin-retry waits
   * 1, 4, 9 units, a rate limit the seconds GitHub names.
   */
  retryDelayMs?: number
  /** How many times a transient failure (5xx, network, rate limit) is retried (default 3). */
  retries?: number
  /** Product name at the start of the User-Agent (Octokit appends its own). */
  userAgent?: string
}

export type Octokit = ReturnType<typeof getOctokit>
type OctokitResponse = Awaited<ReturnType<Octokit['request']>>
/** The options Octokit's request hook gets (endpoint options merged with the defaults). */
type HookOptions = Required<Parameters<Octokit['request']['endpoint']['parse']>[0]>
/** The data of a release asset, as GitHub answers it (Octokit's type). */
export type ReleaseAsset = Awaited<ReturnType<Octokit['rest']['repos']['getReleaseAsset']>>['data']

const API_VERSION = '2022-11-28'
/** The longest Retry-After (or rate-limit reset) worth waiting for, in seconds. */
const MAX_RATE_LIMIT_WAIT_S = 60
/** Statuses plugin-retry may retry: the server failed, or a gateway in front of it. */
const TRANSIENT_STATUSES = [500, 502, 503, 504]
/** Everything else is final for plugin-retry (rate limits, 403 and 429, are plugin-throttling's). */
const DO_NOT_RETRY = Array.from({ length: 200 }, (_, i) => 400 + i).filter(
  (s) => !TRANSIENT_STATUSES.includes(s)
)

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
function boundedFetch(inner: typeof fetch, limit: number): typeof fetch {
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

/** A request that got no answer (a network error or a timeout), after any retries. */
export class GitHubNetworkError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    /** Why, e.g. "socket hang up". */
    readonly reason: string,
    cause: unknown
  ) {
    super(`GitHub API ${method} ${path} failed: ${reason}`, { cause })
    this.name = 'GitHubNetworkError'
  }
}

/** The data of an answer, or undefined when GitHub answers 404 (not there, or not yet). */
export async function unlessNotFound<T>(answer: Promise<{ data: T }>): Promise<T | undefined> {
  try {
    return (await answer).data
  } catch (err) {
    if (err instanceof GitHubApiError && err.status === 404) return undefined
    throw err
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

/** The URL of an RFC 6570 template such as `.../assets{?name,label}` with the query filled in. */
export function expandUploadUrl(template: string, query: Record<string, string | undefined>): URL {
  const url = new URL(template.replace(/\{[^}]*\}/g, ''))
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v)
  return url
}

/** What we read of Octokit's RequestError (its `name` is "HttpError"). */
interface OctokitRequestError extends Error {
  status: number
  request: { method: string; url: string; request?: { retries?: number } }
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

/** Octokit's errors as ours: GitHubApiError for an answer, GitHubNetworkError for none. */
function failure(err: unknown): unknown {
  if (!isOctokitError(err)) return err
  const method = err.request.method.toUpperCase()
  const path = pathOf(err.request.url)
  if (err.response !== undefined) return apiError(method, path, err.response)
  return new GitHubNetworkError(method, path, noAnswerMessage(err), err.cause ?? err)
}

/** Per-request settings carried in Octokit's `request` options, read by the attempt hook. */
interface RequestControl {
  /** plugin-retry's retries for this request; uploads use 0. */
  retries?: number
  timeoutMs?: number
}

/** What getOctokit does: GitHub's Octokit with `plugins`, for `token`. */
function octokitWith(
  token: string,
  options: Parameters<typeof getOctokitOptions>[1],
  ...plugins: Parameters<typeof GitHub.plugin>
): Octokit {
  return new (GitHub.plugin(...plugins))(getOctokitOptions(token, options))
}

export class GitHubClient {
  readonly baseUrl: URL
  /** The Octokit instance (from @actions/github's getOctokit) every request goes through. */
  readonly octokit: Octokit
  private readonly timeoutMs: number
  private readonly uploadTimeoutMs: number
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
    const unitMs = api.retryDelayMs ?? 1000
    const retries = api.retries ?? 3
    this.mask.add(api.token)
    logger?.secret(api.token, 'the GitHub token')
    const rateLimited =
      (what: string) => (after: number, options: HookOptions, _o: unknown, n: number) => {
        const wait = after <= MAX_RATE_LIMIT_WAIT_S && n < retries
        this.logger?.debug(
          `GitHub API ${options.method} ${pathOf(options.url)}: ${what}` +
            (wait ? `; retrying in ${after}s` : `; GitHub asks to wait ${after}s`)
        )
        return wait
      }
    this.octokit = octokitWith(
      api.token,
      {
        baseUrl: this.baseUrl.href.replace(/\/+$/, ''),
        userAgent: api.userAgent ?? 'falco-plugin-release',
        // Replaces @actions/github's proxy-aware fetch only when one is given.
        ...(api.fetch ? { request: { fetch: api.fetch } } : {}),
        retry: { retries, doNotRetry: DO_NOT_RETRY, retryAfterBaseValue: unitMs },
        throttle: {
          onRateLimit: rateLimited('rate limited'),
          onSecondaryRateLimit: rateLimited('secondary rate limit'),
          retryAfterBaseValue: unitMs,
          // Writes one at a time, as GitHub asks, but without the plugin's pause of 1 s (3 s
          // before creating a release) between them: a release makes a handful of writes, and
          // the pauses would add seconds to each release.
          write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
          notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 })
        },
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
      },
      // Plugins wrap each other in this order: this first one is innermost (around each
      // attempt plugin-retry makes), plugin-throttling outermost.
      (octokit) => {
        octokit.hook.wrap('request', (request, options) =>
          this.attempt(
            octokit.request.endpoint.parse(options as HookOptions).url,
            request,
            options as HookOptions
          )
        )
      },
      retry,
      throttling
    )
    // Around everything, retries included: Octokit's errors as ours.
    this.octokit.hook.wrap('request', async (request, options) => {
      try {
        return await request(options)
      } catch (err) {
        throw failure(err)
      }
    })
  }

  /** Octokit's REST methods (typed), through this client's hooks. */
  get rest(): Octokit['rest'] {
    return this.octokit.rest
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
   * One attempt (each retry of plugin-retry and plugin-throttling comes through here again, and
   * so does each page of a listing): checks where it goes, sets the API version, gives it a
   * timeout and a bounded read, and marks a POST that may have been applied as not retryable.
   */
  private async attempt(
    url: string,
    request: (options: HookOptions) => OctokitResponse | Promise<OctokitResponse>,
    options: HookOptions
  ): Promise<OctokitResponse> {
    const target = new URL(url)
    this.assertTrusted(target)
    const method = options.method.toUpperCase()
    options.headers = {
      ...options.headers,
      accept: 'application/vnd.github+json',
      'x-github-api-version': API_VERSION
    }
    const control = options.request as RequestControl & HookOptions['request']
    const timeoutMs = control.timeoutMs ?? this.timeoutMs
    // A fresh object per attempt: `options.request` may be the instance's shared defaults. The
    // retry plugins read it (retries, retryCount) from `options`, which every hook shares.
    const fetcher = boundedFetch(control.fetch ?? globalThis.fetch, MAX_GITHUB_RESPONSE_BYTES)
    options.request = { ...control, fetch: fetcher, signal: AbortSignal.timeout(timeoutMs) }
    let res: OctokitResponse
    try {
      res = await request(options)
    } catch (err) {
      const large = tooLarge(err)
      if (large) throw large
      if (!isOctokitError(err)) throw err
      this.logger?.debug(`GitHub API ${method} ${target.pathname}: ${noAnswerMessage(err)}`)
      // A lost connection or a 500 after a POST may have created the object: never repeat it.
      // 502-504 come from the front end, and rate limits say that nothing was done.
      if (method === 'POST' && (err.response === undefined || err.status === 500)) {
        ;(options.request as RequestControl).retries = 0
      }
      throw err
    }
    return { ...res, data: this.json(method, target, res) }
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

  /**
   * Every item of a list endpoint (an `octokit.rest` method), 100 a page, following
   * `Link: <...>; rel="next"` (octokit.paginate); at most 1000 pages.
   */
  async paginate<P extends object, T>(
    method: (params: P) => Promise<{ data: T[] }>,
    params: P
  ): Promise<T[]> {
    const items: T[] = []
    let pages = 0
    // Octokit's overloads type known routes; the method's own type already says what comes back.
    const iterate = this.octokit.paginate.iterator as unknown as (
      method: unknown,
      params: object
    ) => AsyncIterable<{ data: unknown; url: string }>
    const first = { per_page: 100, ...params }
    const firstUrl = (method as { endpoint?: (p: object) => { url: string } }).endpoint?.(first).url
    for await (const page of iterate(method, first)) {
      const where = pathOf(page.url || firstUrl || '')
      if (++pages > 1000) throw new Error(`GitHub API GET ${where}: more than 1000 pages`)
      if (!Array.isArray(page.data)) throw new Error(`GitHub API GET ${where}: expected a list`)
      items.push(...(page.data as T[]))
    }
    return items
  }

  /**
   * Streams a file to an upload URL (a release's `upload_url` template) with Content-Length.
   * Not retried here: a failed upload can leave a half-created asset that must be deleted first.
   */
  async upload(
    uploadUrlTemplate: string,
    file: { name: string; label?: string; path: string; contentType: string }
  ): Promise<ReleaseAsset> {
    const url = expandUploadUrl(uploadUrlTemplate, { name: file.name, label: file.label })
    this.assertTrusted(url)
    const { size } = await stat(file.path)
    const stream = createReadStream(file.path)
    try {
      const control: RequestControl = { retries: 0, timeoutMs: this.uploadTimeoutMs }
      const res = await this.octokit.request({
        method: 'POST',
        url: url.href,
        headers: { 'content-type': file.contentType, 'content-length': String(size) },
        data: Readable.toWeb(stream),
        request: control
      })
      return res.data as ReleaseAsset
    } catch (err) {
      if (!(err instanceof GitHubNetworkError)) throw err
      throw new Error(`uploading ${file.name} failed: ${err.reason}`, { cause: err.cause })
    } finally {
      stream.destroy()
    }
  }
}

/**
 * A ref for a `/git/ref/...` or `/git/refs/...` path: `heads/<branch>` or `tags/<tag>`, each
 * segment escaped but the slashes kept (Octokit's {ref} would send them as %2F, which some
 * GitHub Enterprise Server versions answer with 404).
 */
export function refPath(kind: 'heads' | 'tags', name: string): string {
  return `${kind}/${name.split('/').map(encodeURIComponent).join('/')}`
}
