// Low-level HTTP for the OCI client, on node:http(s) rather than fetch so that request bodies
// stream with an explicit Content-Length (never held whole in memory). Only a body whose length
// is not known yet (a layer still being packed, GrowingBody) goes with chunked transfer encoding.
import http from 'node:http'
import https from 'node:https'
import type { Socket } from 'node:net'
import { Transform, TransformCallback, pipeline } from 'node:stream'
import { formatBytes } from '../util/bytes.js'
import { MAX_DISCARDED_BYTES, MIN_BYTES_PER_SECOND } from './limits.js'

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A body that can be sent more than once: each open() gives a fresh stream. */
export interface StreamBody {
  size: number
  open(): NodeJS.ReadableStream
}

/**
 * A body whose length is not known yet (a layer still being packed), sent with chunked transfer
 * encoding; each chunks() starts it again. Each chunk is written out before the next is asked
 * for, so a source may read every chunk into the same buffer.
 */
export interface GrowingBody {
  chunks(): AsyncIterable<Uint8Array>
}

export interface HttpRequest {
  method: Method
  url: URL
  /** Lower-case names. */
  headers: Record<string, string>
  body?: Buffer | StreamBody | GrowingBody
}

export interface HttpResponse {
  status: number
  statusText: string
  headers: http.IncomingHttpHeaders
  /** The URL that answered (after redirects). */
  url: URL
  body: http.IncomingMessage
  /** Drops the rest of the exchange so the connection is freed. */
  discard(): void
}

/** Reading the request body failed: a local problem, not the network's. */
export class BodySourceError extends Error {
  constructor(readonly cause: Error) {
    super(`reading the content to upload failed: ${cause.message}`)
    this.name = 'BodySourceError'
  }
}

/** More redirects than allowed. */
export class RedirectError extends Error {
  constructor(readonly url: URL) {
    super(`too many redirects, the last to ${url.origin}${url.pathname}`)
    this.name = 'RedirectError'
  }
}

/** A response larger than what we read of it: not retried, the registry sends it each time. */
export class TooLargeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TooLargeError'
  }
}

/** How much of a response body to read, and what to say when there is more. */
export interface ReadLimit {
  bytes: number
  /** What the body is, e.g. "the manifest". */
  what: string
  /** What to do about it. */
  fix: string
}

/**
 * One HTTP exchange. Resolves as soon as the response headers arrive. A network error is
 * rejected with `connected: true` when the connection was up before it failed (a reset or a
 * timeout mid-exchange), as opposed to a failure to connect at all.
 *
 * Two clocks bound it: no data for `timeoutMs` (the socket's idle timeout), and a total deadline
 * of `timeoutMs` plus one second per `minBytesPerSecond` bytes moved, which a server trickling
 * a byte now and then cannot stretch. The deadline covers the response body too, until it ends.
 */
export function roundTrip(
  req: HttpRequest,
  timeoutMs: number,
  minBytesPerSecond = MIN_BYTES_PER_SECOND
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    let settled = false
    let connected = false
    let sourceError: Error | undefined
    let response: http.IncomingMessage | undefined
    const fail = (err: Error): void => {
      // After the response arrived, its body is still under the deadline.
      if (settled) return
      deadline.stop()
      settled = true
      if (sourceError) return reject(new BodySourceError(sourceError))
      reject(Object.assign(err, { connected }))
    }
    const deadline = new TransferDeadline(timeoutMs, minBytesPerSecond, (err) => {
      Object.assign(err, { connected })
      if (response) response.destroy(err)
      cr.destroy(err)
    })
    const transport = req.url.protocol === 'https:' ? https : http
    const headers = { ...req.headers }
    const body = req.body
    if (body !== undefined && !isGrowing(body)) {
      headers['content-length'] = String(Buffer.isBuffer(body) ? body.length : body.size)
    }
    const options = { method: req.method, headers, timeout: timeoutMs }
    const cr = transport.request(req.url, options, (res) => {
      settled = true
      response = res
      res.once('end', () => deadline.stop())
      res.once('close', () => deadline.stop())
      resolve({
        status: res.statusCode ?? 0,
        statusText: res.statusMessage ?? '',
        headers: res.headers,
        url: req.url,
        body: res,
        discard: () => {
          // An unfinished upload cannot share its connection any more: close it.
          if (!cr.writableFinished) return void cr.destroy()
          // A short body is drained so the connection can be reused; a long one (or one that
          // never ends) closes it.
          let drained = 0
          res.on('data', (chunk: Buffer) => {
            drained += chunk.length
            if (drained > MAX_DISCARDED_BYTES) res.destroy()
          })
          res.resume()
        }
      })
    })
    cr.on('socket', (socket) => {
      deadline.attach(socket)
      // A kept-alive socket is already connected.
      if (!socket.connecting) connected = true
      else socket.once('connect', () => (connected = true))
    })
    cr.on('error', fail)
    cr.on('timeout', () => cr.destroy(timeoutError(timeoutMs)))
    if (body === undefined) cr.end()
    else if (Buffer.isBuffer(body)) cr.end(body)
    else if (isGrowing(body)) {
      writeChunks(body, cr).catch((err: Error) => {
        sourceError ??= err
        cr.destroy(err)
        fail(err)
      })
    } else {
      const source = body.open()
      const guard = new LengthGuard(body.size)
      source.on('error', (err: Error) => (sourceError ??= err))
      guard.on('error', (err: Error) => (sourceError ??= err))
      pipeline(source, guard, cr, (err) => {
        if (err) fail(err)
      })
    }
  })
}

function isGrowing(body: Buffer | StreamBody | GrowingBody): body is GrowingBody {
  return !Buffer.isBuffer(body) && 'chunks' in body
}

/**
 * Writes each chunk and waits until it is out (handed to the socket) before asking for the
 * next, so the source may reuse its buffer; then ends the request. A failure to write is the
 * request's own (its 'error' reports it); a failure to read is thrown.
 */
async function writeChunks(body: GrowingBody, cr: http.ClientRequest): Promise<void> {
  for await (const chunk of body.chunks()) {
    if (cr.destroyed) return
    const written = await new Promise<boolean>((resolve) => {
      // A request destroyed meanwhile may never call back: its 'close' ends the wait.
      const closed = () => resolve(false)
      cr.once('close', closed)
      cr.write(chunk, (err) => {
        cr.off('close', closed)
        resolve(!err)
      })
    })
    if (!written) return
  }
  cr.end()
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no data for ${Math.round(ms / 1000)}s`), { code: 'ETIMEDOUT' })
}

/**
 * The total deadline of one exchange: `timeoutMs`, plus a second per `bytesPerSecond` bytes that
 * went through the socket (both ways) since the exchange started. Checked by a timer that
 * re-arms itself; it never keeps the process alive.
 */
class TransferDeadline {
  private readonly start = Date.now()
  private socket: Socket | undefined
  private base = 0
  private timer: NodeJS.Timeout | undefined
  private stopped = false

  constructor(
    private readonly timeoutMs: number,
    private readonly bytesPerSecond: number,
    private readonly expire: (err: Error) => void
  ) {
    this.arm(timeoutMs)
  }

  attach(socket: Socket): void {
    this.socket = socket
    this.base = socket.bytesRead + socket.bytesWritten
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
  }

  private moved(): number {
    const s = this.socket
    return s ? s.bytesRead + s.bytesWritten - this.base : 0
  }

  private arm(ms: number): void {
    if (this.stopped) return
    this.timer = setTimeout(() => this.check(), ms)
    this.timer.unref()
  }

  private check(): void {
    const elapsed = Date.now() - this.start
    const moved = this.moved()
    const allowed = this.timeoutMs + (moved / this.bytesPerSecond) * 1000
    if (elapsed < allowed) return this.arm(Math.max(allowed - elapsed, 100))
    this.stop()
    const err = new Error(
      `took longer than ${Math.round(elapsed / 100) / 10} s in total for ${formatBytes(moved)} ` +
        `(the deadline is request-timeout, ${Math.round(this.timeoutMs / 100) / 10} s, plus 1 s ` +
        `for every ${formatBytes(this.bytesPerSecond)} moved)`
    )
    this.expire(Object.assign(err, { code: 'ETIMEDOUT', deadline: true }))
  }
}

/** Fails the upload when the source yields more or fewer bytes than the declared length. */
class LengthGuard extends Transform {
  private seen = 0

  constructor(private readonly expected: number) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.expected) done(new Error(`content is longer than ${this.expected} bytes`))
    else done(null, chunk)
  }

  override _flush(done: TransformCallback): void {
    if (this.seen === this.expected) done()
    else done(new Error(`content ended after ${this.seen} of ${this.expected} bytes`))
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/**
 * Sends a GET or HEAD, following up to `max` redirects. Authorization is dropped for good once
 * a redirect leaves the original origin (blob downloads go to storage hosts that must not see it).
 */
export async function followRedirects(
  req: HttpRequest,
  send: (req: HttpRequest) => Promise<HttpResponse>,
  max: number
): Promise<HttpResponse> {
  let current = req
  for (let hop = 0; ; hop++) {
    const res = await send(current)
    const location = headerValue(res.headers, 'location')
    if (!REDIRECTS.has(res.status) || location === undefined) return res
    res.discard()
    const next = new URL(location, current.url)
    if (hop >= max) throw new RedirectError(next)
    const headers = { ...current.headers }
    if (next.origin !== req.url.origin) delete headers.authorization
    current = { ...current, url: next, headers }
  }
}

/**
 * Reads a whole (small) response body, refusing more than `limit.bytes` (a Content-Length that
 * says so up front is refused before reading).
 */
export async function readBody(res: HttpResponse, limit: ReadLimit): Promise<Buffer> {
  const tooLarge = (): TooLargeError => {
    res.body.destroy()
    return new TooLargeError(
      `${limit.what} is larger than ${formatBytes(limit.bytes)}, the most this action reads: ` +
        limit.fix
    )
  }
  const declared = Number(headerValue(res.headers, 'content-length') ?? NaN)
  if (declared > limit.bytes) throw tooLarge()
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > limit.bytes) throw tooLarge()
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** The first `bytes` of a response body (an error text); the rest is dropped. */
export async function readPrefix(res: HttpResponse, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    chunks.push(chunk.subarray(0, bytes - total))
    total += Math.min(chunk.length, bytes - total)
    if (total >= bytes) break
  }
  return Buffer.concat(chunks)
}

/** First value of a response header. */
export function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** The rel="next" target of a Link header (RFC 8288), resolved against `base`. */
export function nextLink(link: string | undefined, base: URL): URL | undefined {
  if (!link) return undefined
  for (const m of link.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rels = /;\s*rel\s*=\s*"?([^";,]*)"?/i.exec(m[2])?.[1] ?? ''
    if (rels.split(/\s+/).includes('next')) return new URL(m[1], base)
  }
  return undefined
}

/** The media type without parameters ("application/json; charset=utf-8" -> "application/json"). */
export function baseMediaType(contentType: string | undefined): string | undefined {
  const t = contentType?.split(';')[0].trim().toLowerCase()
  return t ? t : undefined
}
