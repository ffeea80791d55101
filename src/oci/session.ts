// The connection to one registry, layered as oras-go's client is: the transport (one exchange,
// transport.ts), the retry policy around it (retry.ts), and authentication on top (auth.ts),
// which sends its token requests through the retry layer. The session holds the secrets mask
// every layer redacts with.
import type { Logger } from '../log.js'
import { SecretMask } from '../secrets.js'
import { AuthClient, type AuthRequest } from './auth.js'
import { ErrorSource, FailContext, responseError } from './errors.js'
import type { HttpResponse } from './http.js'
import { RetryPolicy, RetryReason, RetryingClient, transientFailure } from './retry.js'
import { Transport, type ClientResponse } from './transport.js'
import type { RegistryCredentials } from './types.js'

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

export class Session {
  /** The top layer: every registry request goes through it. */
  private readonly client: AuthClient
  private readonly retry: RetryingClient
  /** The project's one masking rule (secrets.ts), for the texts the layers build. */
  private readonly mask = new SecretMask()
  private readonly source: ErrorSource

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
    const redact = (text: string): string => this.mask.redact(text)
    this.source = {
      registry: opts.registry,
      hasCredentials: opts.credentials !== undefined,
      redact
    }
    const transport = new Transport({
      timeoutMs: opts.timeoutMs,
      userAgent: opts.userAgent,
      plainHttp: opts.plainHttp,
      logger: opts.logger,
      redact
    })
    this.retry = new RetryingClient(transport, opts.retry, opts.logger, this.source)
    this.client = new AuthClient(this.retry, {
      registry: opts.registry,
      origin: opts.baseUrl.origin,
      plainHttp: opts.plainHttp,
      credentials: opts.credentials,
      source: this.source,
      secret,
      now: () => opts.retry.clock.now()
    })
  }

  get registry(): string {
    return this.opts.registry
  }

  get baseUrl(): URL {
    return this.opts.baseUrl
  }

  get hasCredentials(): boolean {
    return this.source.hasCredentials
  }

  get logger(): Logger {
    return this.opts.logger
  }

  /** One request, authenticated and retried as the request asks. */
  send(req: AuthRequest): Promise<ClientResponse> {
    return this.client.send(req)
  }

  /** Runs a multi-request operation (a blob upload) under the retry policy. */
  retrying<T>(
    what: string,
    op: (attempt: number) => Promise<T>,
    classify: (err: unknown, now: number) => RetryReason | undefined = transientFailure
  ): Promise<T> {
    return this.retry.run(what, op, classify)
  }

  /** Reads the error body of an unexpected response and throws a RegistryError. */
  async fail(res: HttpResponse, method: string, context: FailContext = {}): Promise<never> {
    throw await responseError(res, method, this.source, context)
  }

  /** Removes every known secret from a text (registry-supplied text included). */
  redact(text: string): string {
    return this.mask.redact(text)
  }
}
