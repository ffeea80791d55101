// The connection to one registry: every request goes through Session.send, which adds
// authentication, follows redirects for reads, retries what is worth retrying (with backoff,
// within a time budget) and turns failures into RegistryErrors.
import type { Logger } from '../log.js'
import { SecretMask } from '../secrets.js'
import { Authenticator } from './auth.js'
import { RETRYABLE_STATUSES, RegistryError, httpError, networkError } from './errors.js'
import {
  BodySourceError,
  HttpRequest,
  HttpResponse,
  Method,
  ReadLimit,
  RedirectError,
  StreamBody,
  followRedirects,
  headerValue,
  readBody,
  readPrefix,
  roundTrip
} from './http.js'
import { MAX_ERROR_BODY_BYTES, MAX_TOKEN_RESPONSE_BYTES } from './limits.js'
import { RetryPolicy, RetryReason, parseRetryAfter, seconds, withRetries } from './retry.js'
import type { RegistryCredentials } from './types.js'

export interface SendRequest {
  method: Method
  url: URL
  /** Lower-case names. */
  headers?: Record<string, string>
  body?: Buffer | StreamBody
  /** Token scope, e.g. "repository:acme/foo:pull,push"; undefined for registry-wide calls. */
  scope?: string
  /** false for requests that carry their own credentials (the token endpoint). */
  registryAuth?: boolean
  /**
   * false: a single attempt, and every status is returned; the caller retries a larger
   * operation (a blob upload restarts from its POST). Default: retried here.
   */
  retry?: boolean
  /** Reads a 2xx body of at most this size into `data`, inside the retries. */
  read?: ReadLimit
  /** Describes the request in the error thrown for a status that was retried. */
  context?: FailContext
}

export type SessionResponse = HttpResponse & {
  /** The body, when the request asked to `read` it. */
  data?: Buffer
}

export interface SessionOptions {
  registry: string
  baseUrl: URL
  plainHttp: boolean
  credentials?: RegistryCredentials
  logger: Logger
  userAgent: string
  /**
   * A request with no data moving for this long fails (and is retried); so does one that takes
   * longer than this plus a second per 16 KiB it moves (http.ts, roundTrip).
   */
  timeoutMs: number
  retry: RetryPolicy
}

export interface FailContext {
  repository?: string
  /** What was expected instead, e.g. "201 Created". */
  expected?: string
  /** The request was meant to write, even if it is a GET (the token endpoint). */
  writing?: boolean
  /** Replaces the usual advice for the status. */
  hint?: string
}

const MAX_REDIRECTS = 5

// Failures once a connection is up: the network or the server dropped it. Worth retrying.
const AFTER_CONNECT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'ERR_STREAM_PREMATURE_CLOSE'
])
// Failures to connect at all: retried only on a host that answered before (a restart), so that
// a wrong or unreachable host fails fast with a clear message.
const CONNECT = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND'
])
// Temporary by definition.
const ALWAYS = new Set(['EAI_AGAIN'])

export class Session {
  readonly auth: Authenticator
  /** The project's one masking rule (secrets.ts), for the texts this session builds. */
  private readonly mask = new SecretMask()
  /** Origins that answered at least once. */
  private readonly contacted = new Set<string>()

  constructor(private readonly opts: SessionOptions) {
    const secret = (value: string, what?: string): void => {
      this.mask.add(value)
      opts.logger.secret(value, what)
    }
    if (opts.credentials) {
      const { username, password } = opts.credentials
      // With the username: base64 of "user:password" is what an HTTP Basic header carries.
      this.mask.add(password, username)
      secret(password, `the password for ${opts.registry}`)
    }
    this.auth = new Authenticator(
      {
        registry: opts.registry,
        plainHttp: opts.plainHttp,
        tokenRequest: (url, { authorization, form }) =>
          this.send({
            method: form === undefined ? 'GET' : 'POST',
            url,
            headers: {
              accept: 'application/json',
              ...(authorization ? { authorization } : {}),
              ...(form === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' })
            },
            body: form === undefined ? undefined : Buffer.from(form),
            registryAuth: false,
            read: {
              bytes: MAX_TOKEN_RESPONSE_BYTES,
              what: `the answer of the token service ${url.origin}${url.pathname}`,
              fix: 'a token service answers a small JSON object; check the realm the registry names.'
            }
          }),
        fail: (res, method, context) => this.fail(res, method, context)
      },
      opts.credentials,
      secret,
      () => opts.retry.clock.now()
    )
  }

  get registry(): string {
    return this.opts.registry
  }

  get baseUrl(): URL {
    return this.opts.baseUrl
  }

  get hasCredentials(): boolean {
    return this.auth.hasCredentials
  }

  get logger(): Logger {
    return this.opts.logger
  }

  /**
   * The single entry point for every HTTP request to the registry or its token endpoint.
   *
   * Retries 408, 429, 500, 502, 503, 504 and dropped connections with capped exponential
   * backoff and full jitter, honouring Retry-After, within the retry budget. Every request can
   * be repeated as is: bodies are Buffers or StreamBody sources that re-open a fresh stream.
   * A retried status that still fails is thrown as a RegistryError (with the registry's text);
   * other statuses are returned for the caller to judge.
   */
  async send(req: SendRequest): Promise<SessionResponse> {
    if (req.retry === false) return this.attempt(req)
    return this.retrying(`${req.method} ${req.url.origin}${req.url.pathname}`, async () => {
      const res = await this.attempt(req)
      if (RETRYABLE_STATUSES.has(res.status)) return this.fail(res, req.method, req.context)
      return res
    })
  }

  /**
   * Runs a multi-request operation (a blob upload) with the retry policy: `op` is run again
   * when it throws a retryable RegistryError. Loops nest safely: they share one deadline.
   */
  retrying<T>(what: string, op: (attempt: number) => Promise<T>): Promise<T> {
    return withRetries(
      this.redact(what),
      this.opts.retry,
      {
        classify: (err) => this.classify(err),
        onRetry: (label, why, delay, attempt, left) =>
          this.opts.logger.info(
            this.redact(
              `${label}: ${why.reason}; retrying in ${seconds(delay)} ` +
                `(attempt ${attempt + 1}, ${seconds(left)} of the retry budget left)`
            )
          )
      },
      op
    )
  }

  /** Whether a failure is worth another attempt, and why. */
  classify(err: unknown): RetryReason | undefined {
    if (!(err instanceof RegistryError) || err.retryable === false) return undefined
    const { status, codes, retryAfter } = err.details
    const code = codes.length > 0 ? ` ${codes.join(', ')}` : ''
    if (status !== undefined) {
      if (!RETRYABLE_STATUSES.has(status) && err.retryable !== true) return undefined
      const retryAfterMs = parseRetryAfter(retryAfter, this.opts.retry.clock.now())
      const asked = retryAfterMs === undefined ? '' : `, Retry-After ${seconds(retryAfterMs)}`
      return { reason: `HTTP ${status}${code}${asked}`, retryAfterMs }
    }
    return err.retryable === true
      ? { reason: `connection failed (${codes[0] ?? 'unknown'})` }
      : undefined
  }

  /** One authenticated attempt, re-authenticating once on 401. */
  private async attempt(req: SendRequest): Promise<SessionResponse> {
    if (req.registryAuth === false) return this.exchange(req, undefined)
    const first = await this.auth.authorization(req.scope)
    const res = await this.exchange(req, first)
    // Only the registry's own 401s are challenges; storage hosts behind redirects are not.
    if (res.status !== 401 || res.url.origin !== this.opts.baseUrl.origin) return res
    const challenge = headerValue(res.headers, 'www-authenticate')
    res.discard()
    const renewed = await this.auth.renew(challenge, req.scope, first)
    return this.exchange(req, renewed)
  }

  /** One exchange (plus redirects for reads), with network failures made readable. */
  private async exchange(
    req: SendRequest,
    authorization: string | undefined
  ): Promise<SessionResponse> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers }
    // Registry credentials go to the registry's origin only, never to another host.
    if (authorization && req.url.origin === this.opts.baseUrl.origin) {
      headers.authorization = authorization
    }
    const request: HttpRequest = { method: req.method, url: req.url, headers, body: req.body }
    const once = async (r: HttpRequest): Promise<HttpResponse> => {
      const res = await roundTrip(r, this.opts.timeoutMs)
      this.contacted.add(r.url.origin)
      return res
    }
    let res: SessionResponse
    try {
      res =
        req.method === 'GET' || req.method === 'HEAD'
          ? await followRedirects(request, once, MAX_REDIRECTS)
          : await once(request)
    } catch (err) {
      throw this.localError(req, err)
    }
    this.opts.logger.debug(`${req.method} ${res.url.origin}${res.url.pathname} -> ${res.status}`)
    if (req.read !== undefined && req.method !== 'HEAD' && res.status >= 200 && res.status < 300) {
      try {
        res.data = await readBody(res, req.read)
      } catch (err) {
        res.discard()
        throw this.localError({ ...req, url: res.url }, err)
      }
    }
    return res
  }

  private localError(req: SendRequest, err: unknown): Error {
    if (err instanceof RegistryError) return err
    const where = `${req.url.origin}${req.url.pathname}`
    const code = (err as { code?: unknown }).code
    if (err instanceof BodySourceError || err instanceof RedirectError || code === undefined) {
      const message = this.redact(`${req.method} ${where}: ${(err as Error).message}`)
      return new RegistryError(message, { method: req.method, url: where, codes: [] })
    }
    const e = networkError(req.method, req.url, err, this.opts.plainHttp)
    e.message = this.redact(e.message)
    const first = e.details.codes[0] ?? ''
    const connected = (err as { connected?: unknown }).connected === true
    e.retryable =
      ALWAYS.has(first) ||
      (connected && AFTER_CONNECT.has(first)) ||
      (this.contacted.has(req.url.origin) && CONNECT.has(first))
    return e
  }

  /** Reads the error body of an unexpected response and throws a RegistryError. */
  async fail(res: HttpResponse, method: string, context: FailContext = {}): Promise<never> {
    let body: Buffer = Buffer.alloc(0)
    try {
      body = method === 'HEAD' ? body : await readPrefix(res, MAX_ERROR_BODY_BYTES)
    } catch {
      // an unreadable error body still leaves the status to report
    } finally {
      res.discard()
    }
    throw httpError({
      registry: this.opts.registry,
      repository: context.repository,
      method,
      url: res.url,
      status: res.status,
      statusText: res.statusText,
      body,
      hasCredentials: this.hasCredentials,
      expected: context.expected,
      writing: context.writing,
      hint: context.hint,
      retryAfter: headerValue(res.headers, 'retry-after'),
      redact: (t) => this.redact(t)
    })
  }

  /** Removes every known secret from a text (registry-supplied text included). */
  redact(text: string): string {
    return this.mask.redact(text)
  }
}
