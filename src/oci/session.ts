// The connection to one registry: every request goes through Session.send, which adds
// authentication, follows redirects for reads, and turns failures into RegistryErrors.
import type { Logger } from '../log.js'
import { Authenticator } from './auth.js'
import { RegistryError, httpError, networkError } from './errors.js'
import {
  BodySourceError,
  HttpRequest,
  HttpResponse,
  Method,
  RedirectError,
  StreamBody,
  followRedirects,
  headerValue,
  readBody,
  roundTrip
} from './http.js'
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
}

export interface SessionOptions {
  registry: string
  baseUrl: URL
  plainHttp: boolean
  credentials?: RegistryCredentials
  logger: Logger
  userAgent: string
  timeoutMs: number
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
const ERROR_BODY_LIMIT = 64 << 10

export class Session {
  readonly auth: Authenticator
  private readonly secrets: string[] = []

  constructor(private readonly opts: SessionOptions) {
    if (opts.credentials) {
      opts.logger.secret(opts.credentials.password)
      this.secrets.push(opts.credentials.password)
    }
    const secret = (value: string): void => {
      this.secrets.push(value)
      opts.logger.secret(value)
    }
    this.auth = new Authenticator(
      {
        registry: opts.registry,
        plainHttp: opts.plainHttp,
        getToken: (url, authorization) =>
          this.send({
            method: 'GET',
            url,
            headers: { accept: 'application/json', ...(authorization ? { authorization } : {}) },
            registryAuth: false
          }),
        fail: (res, method, context) => this.fail(res, method, context)
      },
      opts.credentials,
      secret
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

  /**
   * The single entry point for every HTTP request to the registry or its token endpoint.
   *
   * Retry seam: retries with backoff (429, 5xx, network errors, honouring Retry-After) belong
   * here, around `this.attempt(req)`. Every request can be repeated as is: bodies are Buffers or
   * StreamBody sources that re-open a fresh stream. (A blob PUT that fails mid-way may have
   * spent its upload session: RegistryRepository.pushBlob is where to restart from the POST.)
   */
  async send(req: SendRequest): Promise<HttpResponse> {
    return this.attempt(req)
  }

  /** One authenticated attempt, re-authenticating once on 401. */
  private async attempt(req: SendRequest): Promise<HttpResponse> {
    if (req.registryAuth === false) return this.exchange(req, undefined)
    const first = await this.auth.authorization(req.scope)
    const res = await this.exchange(req, first)
    // Only the registry's own 401s are challenges; storage hosts behind redirects are not.
    if (res.status !== 401 || res.url.origin !== this.opts.baseUrl.origin) return res
    const challenge = headerValue(res.headers, 'www-authenticate')
    res.discard()
    const renewed = await this.auth.renew(challenge, req.scope)
    return this.exchange(req, renewed)
  }

  /** One exchange (plus redirects for reads), with network failures made readable. */
  private async exchange(
    req: SendRequest,
    authorization: string | undefined
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers }
    // Registry credentials go to the registry's origin only, never to another host.
    if (authorization && req.url.origin === this.opts.baseUrl.origin) {
      headers.authorization = authorization
    }
    const request: HttpRequest = { method: req.method, url: req.url, headers, body: req.body }
    const once = (r: HttpRequest): Promise<HttpResponse> => roundTrip(r, this.opts.timeoutMs)
    try {
      const res =
        req.method === 'GET' || req.method === 'HEAD'
          ? await followRedirects(request, once, MAX_REDIRECTS)
          : await once(request)
      this.opts.logger.debug(`${req.method} ${res.url.origin}${res.url.pathname} -> ${res.status}`)
      return res
    } catch (err) {
      throw this.localError(req, err)
    }
  }

  private localError(req: SendRequest, err: unknown): Error {
    if (err instanceof RegistryError) return err
    const where = `${req.url.origin}${req.url.pathname}`
    if (err instanceof BodySourceError || err instanceof RedirectError) {
      const message = this.redact(`${req.method} ${where}: ${err.message}`)
      return new RegistryError(message, { method: req.method, url: where, codes: [] })
    }
    const e = networkError(req.method, req.url, err, this.opts.plainHttp)
    e.message = this.redact(e.message)
    return e
  }

  /** Reads the error body of an unexpected response and throws a RegistryError. */
  async fail(res: HttpResponse, method: string, context: FailContext = {}): Promise<never> {
    let body: Buffer = Buffer.alloc(0)
    try {
      body = method === 'HEAD' ? body : await readBody(res, ERROR_BODY_LIMIT)
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
      redact: (t) => this.redact(t)
    })
  }

  /** Removes every known secret from a text (registry-supplied text included). */
  redact(text: string): string {
    let out = text
    for (const s of this.secrets) if (s.length >= 4) out = out.split(s).join('***')
    return out
  }
}
