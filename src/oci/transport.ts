// The first layer of the registry client (as in oras-go: transport, retry, auth): one HTTP
// exchange, redirects followed for reads, a 2xx body read when asked, and failures to get an
// answer turned into errors that say what happened.
import type { Logger } from '../log.js'
import { ConnectionError, RegistryError, networkError } from './errors.js'
import {
  BodySourceError,
  HttpRequest,
  HttpResponse,
  Method,
  ReadLimit,
  RedirectError,
  GrowingBody,
  StreamBody,
  followRedirects,
  readBody,
  roundTrip
} from './http.js'

export interface ClientRequest {
  method: Method
  url: URL
  /** Lower-case names. */
  headers?: Record<string, string>
  body?: Buffer | StreamBody | GrowingBody
  /** Reads a 2xx body of at most this size into `data` (so a body cut short is retried). */
  read?: ReadLimit
}

export type ClientResponse = HttpResponse & {
  /** The body, when the request asked to `read` it. */
  data?: Buffer
}

/** What each layer offers the one above it. */
export interface Client<R extends ClientRequest = ClientRequest> {
  send(req: R): Promise<ClientResponse>
}

export interface TransportOptions {
  /** A request with no data moving for this long fails; see roundTrip for the total deadline. */
  timeoutMs: number
  userAgent: string
  /** For the advice on TLS errors. */
  plainHttp: boolean
  logger: Logger
  /** Removes secrets from the messages built here. */
  redact(text: string): string
}

const MAX_REDIRECTS = 5

export class Transport implements Client {
  /** Origins that answered at least once: a later failure to connect there may be a restart. */
  private readonly answered = new Set<string>()

  constructor(private readonly opts: TransportOptions) {}

  async send(req: ClientRequest): Promise<ClientResponse> {
    const headers: Record<string, string> = { 'user-agent': this.opts.userAgent, ...req.headers }
    const request: HttpRequest = { method: req.method, url: req.url, headers, body: req.body }
    const once = async (r: HttpRequest): Promise<HttpResponse> => {
      const res = await roundTrip(r, this.opts.timeoutMs)
      this.answered.add(r.url.origin)
      return res
    }
    let res: ClientResponse
    try {
      res =
        req.method === 'GET' || req.method === 'HEAD'
          ? await followRedirects(request, once, MAX_REDIRECTS)
          : await once(request)
    } catch (err) {
      throw this.noAnswer(req, err)
    }
    this.opts.logger.debug(`${req.method} ${res.url.origin}${res.url.pathname} -> ${res.status}`)
    if (req.read !== undefined && req.method !== 'HEAD' && res.status >= 200 && res.status < 300) {
      try {
        res.data = await readBody(res, req.read)
      } catch (err) {
        res.discard()
        throw this.noAnswer({ ...req, url: res.url }, err)
      }
    }
    return res
  }

  /** A failure without a (whole) answer: the network's (ConnectionError), or a local one. */
  private noAnswer(req: ClientRequest, err: unknown): RegistryError {
    if (err instanceof RegistryError) return err
    const where = `${req.url.origin}${req.url.pathname}`
    const code = (err as { code?: unknown }).code
    if (err instanceof BodySourceError || err instanceof RedirectError || code === undefined) {
      const message = this.opts.redact(`${req.method} ${where}: ${(err as Error).message}`)
      return new RegistryError(message, { method: req.method, url: where, codes: [] })
    }
    const e = networkError(
      req.method,
      req.url,
      err,
      this.opts.plainHttp,
      this.answered.has(req.url.origin)
    )
    return new ConnectionError(
      this.opts.redact(e.message),
      e.details,
      e.code,
      e.connected,
      e.answeredBefore
    )
  }
}
