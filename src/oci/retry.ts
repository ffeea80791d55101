// The second layer of the registry client (as in oras-go: transport, retry, auth): which failures
// are worth another attempt, and retries with capped exponential backoff and full jitter,
// honouring Retry-After, within a time budget. The clock and the random source are injectable so
// tests are deterministic and fast.
import { AsyncLocalStorage } from 'node:async_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '../log.js'
import {
  ConnectionError,
  ErrorSource,
  FailContext,
  RegistryError,
  responseError
} from './errors.js'
import type { Client, ClientRequest, ClientResponse } from './transport.js'

export interface Clock {
  now(): number
  sleep(ms: number): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms)
}

export interface RetryPolicy {
  /** Total time an operation may take, retries included; 0 disables retries. */
  budgetMs: number
  /** The backoff ceiling before the first retry; it doubles on each retry... */
  baseDelayMs: number
  /** ...up to this cap. */
  maxDelayMs: number
  /** Uniform in [0, 1), like Math.random. */
  random: () => number
  clock: Clock
}

export const DEFAULT_RETRY_BUDGET_MS = 5 * 60_000
export const DEFAULT_RETRY_BASE_DELAY_MS = 500
export const DEFAULT_RETRY_MAX_DELAY_MS = 30_000
/** A guard against loops that make no progress in time (a fake clock, zero delays). */
const MAX_ATTEMPTS = 100

/** Why a failure is worth another attempt. */
export interface RetryReason {
  /** Short, secret-free text for the log, e.g. "HTTP 503 Service Unavailable". */
  reason: string
  /** The server's Retry-After, in ms from now. */
  retryAfterMs?: number
}

/**
 * Full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"): a uniform wait in
 * [0, min(cap, base * 2^(retry-1))]. `retry` counts from 1 for the first retry.
 */
export function backoffDelay(
  retry: number,
  baseMs: number,
  capMs: number,
  random: () => number
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(retry - 1, 0), 40))
  const r = Math.min(Math.max(random(), 0), 1)
  return Math.floor(r * ceiling)
}

/**
 * A Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP date. Returns the wait in
 * ms from `now` (0 for a date in the past), or undefined when absent or malformed.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  const v = value?.trim()
  if (!v) return undefined
  if (/^\d+$/.test(v)) return Number(v) * 1000
  // A date has letters ("Wed, 21 Oct 2015 07:28:00 GMT"); "-1" or "1.5" are not valid.
  if (!/[a-z]/i.test(v)) return undefined
  const at = Date.parse(v)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** The wait before a retry: the backoff, but never less than the server asked for. */
export function retryDelay(retry: number, policy: RetryPolicy, retryAfterMs?: number): number {
  const backoff = backoffDelay(retry, policy.baseDelayMs, policy.maxDelayMs, policy.random)
  return retryAfterMs === undefined ? backoff : Math.max(backoff, retryAfterMs)
}

/** Marks an error that already went through a retry loop, so enclosing loops rethrow it as is. */
const EXHAUSTED = Symbol('retries exhausted')

export function retriesExhausted(err: unknown): boolean {
  return typeof err === 'object' && err !== null && EXHAUSTED in err
}

// The deadline of the operation being retried, shared by nested retry loops (a token request
// inside a blob upload), so that nesting never stretches the budget.
const deadlines = new AsyncLocalStorage<number>()

export interface RetryHooks {
  /** undefined: the failure is final. */
  classify(err: unknown): RetryReason | undefined
  /** Called before each wait, e.g. to log it. */
  onRetry(what: string, reason: RetryReason, delayMs: number, attempt: number, leftMs: number): void
}

/**
 * Runs `op` until it succeeds, fails for good, or the budget would be exceeded by the next
 * wait. The last error is rethrown with a note on how many attempts were made.
 */
export async function withRetries<T>(
  what: string,
  policy: RetryPolicy,
  hooks: RetryHooks,
  op: (attempt: number) => Promise<T>
): Promise<T> {
  const { clock } = policy
  const start = clock.now()
  const outer = deadlines.getStore()
  const deadline = Math.min(outer ?? Infinity, start + Math.max(0, policy.budgetMs))
  for (let attempt = 1; ; attempt++) {
    try {
      return await deadlines.run(deadline, () => op(attempt))
    } catch (err) {
      if (retriesExhausted(err)) throw err
      const why = hooks.classify(err)
      if (why === undefined) throw err
      const left = deadline - clock.now()
      const delay = retryDelay(attempt, policy, why.retryAfterMs)
      if (policy.budgetMs <= 0) throw err
      if (attempt >= MAX_ATTEMPTS || delay >= left) {
        throw exhausted(err, attempt, clock.now() - start, policy.budgetMs, why, left)
      }
      hooks.onRetry(what, why, delay, attempt, left)
      await clock.sleep(delay)
    }
  }
}

function exhausted(
  err: unknown,
  attempts: number,
  elapsedMs: number,
  budgetMs: number,
  why: RetryReason,
  left: number
): unknown {
  if (!(err instanceof Error)) return err
  const asked =
    why.retryAfterMs !== undefined && why.retryAfterMs >= left
      ? `; the registry asked to wait ${seconds(why.retryAfterMs)}, beyond the budget`
      : ''
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`
  err.message +=
    ` (gave up after ${tries} in ${seconds(elapsedMs)}; ` +
    `retry budget ${seconds(budgetMs)}${asked})`
  Object.defineProperty(err, EXHAUSTED, { value: true })
  return err
}

/** "1.5 s", "300 ms" */
export function seconds(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`
}

/** Statuses that say "try again": the request may succeed as is a little later. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

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

/** Why a failed request is worth another attempt, or undefined when it is final. */
export function transientFailure(err: unknown, now: number): RetryReason | undefined {
  if (err instanceof ConnectionError) {
    const code = err.code ?? ''
    const transient =
      ALWAYS.has(code) ||
      (err.connected && AFTER_CONNECT.has(code)) ||
      (err.answeredBefore && CONNECT.has(code))
    return transient ? { reason: `connection failed (${err.code ?? 'unknown'})` } : undefined
  }
  if (!(err instanceof RegistryError)) return undefined
  const { status } = err.details
  return status !== undefined && RETRYABLE_STATUSES.has(status) ? statusReason(err, now) : undefined
}

/** "HTTP 503 CODE, Retry-After 2 s", with the wait the registry asked for. */
export function statusReason(err: RegistryError, now: number): RetryReason {
  const { status, codes, retryAfter } = err.details
  const code = codes.length > 0 ? ` ${codes.join(', ')}` : ''
  const retryAfterMs = parseRetryAfter(retryAfter, now)
  const asked = retryAfterMs === undefined ? '' : `, Retry-After ${seconds(retryAfterMs)}`
  return { reason: `HTTP ${status}${code}${asked}`, retryAfterMs }
}

export interface RetryRequest extends ClientRequest {
  /**
   * false: a single attempt, and every status is returned; the caller retries a larger
   * operation (a blob upload restarts from its POST). Default: retried here.
   */
  retry?: boolean
  /** Describes the request in the error thrown for a status that was retried. */
  context?: FailContext
}

/**
 * Retries requests to the layer below: 408, 429, 500, 502, 503, 504 and dropped connections,
 * within the retry budget. Every request can be repeated as is: bodies are Buffers, or StreamBody
 * and GrowingBody sources that start again from their first byte. A retried status that still fails is thrown as a
 * RegistryError (with the registry's text); other statuses are returned for the caller to judge.
 */
export class RetryingClient implements Client<RetryRequest> {
  constructor(
    private readonly inner: Client,
    private readonly policy: RetryPolicy,
    private readonly logger: Logger,
    private readonly source: ErrorSource
  ) {}

  send(req: RetryRequest): Promise<ClientResponse> {
    const { retry, context, ...request } = req
    if (retry === false) return this.inner.send(request)
    return this.run(`${req.method} ${req.url.origin}${req.url.pathname}`, async () => {
      const res = await this.inner.send(request)
      if (RETRYABLE_STATUSES.has(res.status)) {
        throw await responseError(res, req.method, this.source, context)
      }
      return res
    })
  }

  /**
   * Runs an operation of several requests (a blob upload) under the policy: `op` runs again when
   * it throws a failure that `classify` (default: transientFailure) finds worth retrying. Loops
   * nest safely: they share one deadline.
   */
  run<T>(
    what: string,
    op: (attempt: number) => Promise<T>,
    classify: (err: unknown, now: number) => RetryReason | undefined = transientFailure
  ): Promise<T> {
    return withRetries(
      this.source.redact(what),
      this.policy,
      {
        classify: (err) => classify(err, this.policy.clock.now()),
        onRetry: (label, why, delay, attempt, left) =>
          this.logger.info(
            this.source.redact(
              `${label}: ${why.reason}; retrying in ${seconds(delay)} ` +
                `(attempt ${attempt + 1}, ${seconds(left)} of the retry budget left)`
            )
          )
      },
      op
    )
  }
}
