// A loopback HTTP proxy of our own in front of the real test registry (startRegistry()) that
// (a) behaves like ghcr.io's token service: 401 challenges naming a pull scope, tokens per
//     repository scope for configured users (and anonymous pull tokens), 403 DENIED with a
//     ghcr-like body when a token lacks the scope, tokens that can be expired; and
// (b) injects faults at a set rate, decided by a seeded PRNG: 500/502/503, 429 with
//     Retry-After, connections reset part-way through the request or the response body, slow
//     answers, and stalls. It counts requests, faults and bytes for assertions.
//
// Fault decisions depend on the seed, the request (method, path without upload ids, digest,
// Content-Range) and how many times that request was seen before, not on the order in which
// concurrent requests arrive, so a seed replays the same faults.
import { randomBytes } from 'node:crypto'
import http, { IncomingMessage, ServerResponse } from 'node:http'
import { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

export type FaultKind =
  | 'status-500'
  | 'status-502'
  | 'status-503'
  | 'throttle-429'
  | 'reset-request'
  | 'reset-response'
  | 'slow'
  | 'stall'

export const DEFAULT_FAULTS: FaultKind[] = [
  'status-500',
  'status-502',
  'status-503',
  'throttle-429',
  'reset-request',
  'reset-response',
  'slow'
]

export interface ProxyUser {
  username: string
  password: string
  /** What the user may do; default both. */
  actions?: Array<'pull' | 'push'>
}

export interface FaultProxyOptions {
  /** The real registry's base URL, e.g. "http://127.0.0.1:5000". */
  upstream: string
  /** Token authentication like ghcr.io's. Without it requests pass unauthenticated. */
  auth?: {
    users: ProxyUser[]
    /** Tokens without credentials, for pulls only. */
    anonymousPull?: boolean
    /** Server-side token lifetime; also sent as expires_in. Default: none sent, 1 hour. */
    tokenTtlSeconds?: number
    /** The token to hand out (every time). Default: 24 random bytes, base64url. */
    tokenValue?: string
  }
  /**
   * Refuse every PATCH without a length (a streamed upload) with the 416 ghcr.io gives a chunk
   * over its cap, as a registry that takes only chunks of a known size would.
   */
  refuseStreamedPatch?: boolean
  faults?: {
    /** Probability that a request is faulted, 0..1. */
    rate: number
    seed: number
    kinds?: FaultKind[]
    /** Retry-After of injected 429s. Default 1. */
    retryAfterSeconds?: number
    /** Delay of a slow answer. Default 150 ms. */
    slowMs?: number
    /** How long a stalled request hangs before its connection is dropped. Default 3 s. */
    stallMs?: number
  }
}

export interface ProxyLogEntry {
  method: string
  /** Path without the query (upload state). */
  path: string
  fault?: FaultKind | 'down'
  status?: number
}

export interface ProxyStats {
  requests: number
  tokenRequests: number
  /** 401 challenges sent. */
  challenges: number
  /** 403s for a missing scope. */
  denials: number
  faults: Record<string, number>
  /** Request body bytes received from clients / response body bytes sent to them. */
  bytesIn: number
  bytesOut: number
}

export interface FaultProxy {
  host: string
  url: string
  stats: ProxyStats
  log: ProxyLogEntry[]
  /** Every token handed out (for leak checks). */
  issuedTokens: string[]
  /** Every scope asked for at the token endpoint, in order. */
  requestedScopes: string[]
  setFaultRate(rate: number): void
  /** Down: every request gets 503 at once. */
  setDown(down: boolean): void
  /** Makes every token issued so far invalid. */
  expireTokens(): void
  stop(): Promise<void>
}

interface Token {
  granted: Set<string>
  expiresAt: number
}

const SERVICE = 'fault-proxy'
const ROUTE = /^\/v2\/(.+?)\/(?:blobs|manifests|tags)\//

export async function startFaultProxy(opts: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(opts.upstream)
  const agent = new http.Agent({ keepAlive: true })
  const tokens = new Map<string, Token>()
  const seen = new Map<string, number>()
  const stats: ProxyStats = {
    requests: 0,
    tokenRequests: 0,
    challenges: 0,
    denials: 0,
    faults: {},
    bytesIn: 0,
    bytesOut: 0
  }
  const log: ProxyLogEntry[] = []
  const issuedTokens: string[] = []
  const requestedScopes: string[] = []
  let rate = opts.faults?.rate ?? 0
  let down = false
  let self = ''

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 502, { errors: [{ code: 'UNKNOWN', message: 'proxy' }] })
      else res.destroy()
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  const host = `127.0.0.1:${port}`
  self = `http://${host}`

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests++
    const url = new URL(req.url ?? '/', self)
    const entry: ProxyLogEntry = { method: req.method ?? '', path: url.pathname }
    log.push(entry)
    countBytesOut(res)
    if (down) {
      entry.fault = 'down'
      return drainThen(req, () =>
        reply(res, 503, { errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] })
      )
    }
    const fault = decide(req, url)
    if (fault) {
      entry.fault = fault
      stats.faults[fault] = (stats.faults[fault] ?? 0) + 1
    }
    if (fault === 'stall') {
      req.resume()
      await sleep(opts.faults?.stallMs ?? 3000)
      return void req.socket.destroy()
    }
    if (fault === 'slow') await sleep(opts.faults?.slowMs ?? 150)
    if (fault?.startsWith('status-')) {
      const status = Number(fault.slice(7))
      return drainThen(req, () =>
        reply(res, status, { errors: [{ code: 'UNKNOWN', message: `injected ${status}` }] })
      )
    }
    if (fault === 'throttle-429') {
      return drainThen(req, () =>
        reply(
          res,
          429,
          { errors: [{ code: 'TOOMANYREQUESTS', message: 'rate limit exceeded' }] },
          { 'retry-after': String(opts.faults?.retryAfterSeconds ?? 1) }
        )
      )
    }
    if (url.pathname === '/token') return token(req, res, url)
    if (opts.auth && !authorize(req, res, url)) return
    if (opts.refuseStreamedPatch && req.method === 'PATCH' && !req.headers['content-length']) {
      entry.status = 416
      return drainThen(req, () =>
        reply(res, 416, {
          errors: [
            {
              code: 'REQUESTED_RANGE_NOT_SATISFIABLE',
              message:
                'request body is too large and exceeds the maximum permissible limit of 4.00MiB'
            }
          ]
        })
      )
    }
    const cut = fault === 'reset-request' || fault === 'reset-response' ? fault : undefined
    entry.status = await forward(req, res, url, cut, fraction(req, url))
  }

  /** The fault for this request, or undefined. */
  function decide(req: IncomingMessage, url: URL): FaultKind | undefined {
    const f = opts.faults
    if (!f || rate <= 0) return undefined
    const key = [
      req.method,
      url.pathname.replace(/\/blobs\/uploads\/[^/]+$/, '/blobs/uploads/*'),
      url.searchParams.get('digest') ?? '',
      url.searchParams.get('scope') ?? '',
      req.headers['content-range'] ?? ''
    ].join(' ')
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    const rng = mulberry32(fnv1a(`${f.seed}|${key}|${n}`))
    if (rng() >= rate) return undefined
    const kinds = f.kinds ?? DEFAULT_FAULTS
    return kinds[Math.floor(rng() * kinds.length)]
  }

  /** Where in the body a reset happens, 10%..90%, from the same seeded stream. */
  function fraction(req: IncomingMessage, url: URL): number {
    const seed = fnv1a(`${opts.faults?.seed ?? 0}|cut|${req.method} ${url.pathname}`)
    return 0.1 + 0.8 * mulberry32(seed)()
  }

  function token(req: IncomingMessage, res: ServerResponse, url: URL): void {
    stats.tokenRequests++
    const auth = opts.auth
    if (!auth) return reply(res, 404, {})
    const scopes = url.searchParams.getAll('scope')
    requestedScopes.push(...scopes)
    let allowed: string[]
    const header = req.headers.authorization
    if (header?.startsWith('Basic ')) {
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
      const colon = decoded.indexOf(':')
      const user = auth.users.find(
        (u) => u.username === decoded.slice(0, colon) && u.password === decoded.slice(colon + 1)
      )
      if (!user) {
        return drainThen(req, () =>
          reply(res, 401, {
            errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }]
          })
        )
      }
      allowed = user.actions ?? ['pull', 'push']
    } else if (auth.anonymousPull) {
      allowed = ['pull']
    } else {
      return drainThen(req, () =>
        reply(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] })
      )
    }
    const granted = new Set<string>()
    for (const scope of scopes) {
      const m = /^repository:(.+):([a-z,*]+)$/.exec(scope)
      if (!m) continue
      for (const a of m[2].split(',')) if (allowed.includes(a)) granted.add(`${m[1]}:${a}`)
    }
    const value = auth.tokenValue ?? randomBytes(24).toString('base64url')
    const ttl = auth.tokenTtlSeconds
    // A fixed token value is shared by every scope: it grants all of them.
    for (const g of tokens.get(value)?.granted ?? []) granted.add(g)
    tokens.set(value, { granted, expiresAt: Date.now() + (ttl ?? 3600) * 1000 })
    issuedTokens.push(value)
    // ghcr.io answers {"token": ...} without expires_in.
    drainThen(req, () =>
      reply(res, 200, ttl === undefined ? { token: value } : { token: value, expires_in: ttl })
    )
  }

  /** Checks the bearer token and its scope; answers 401/403 itself when it fails. */
  function authorize(req: IncomingMessage, res: ServerResponse, url: URL): boolean {
    const name = ROUTE.exec(url.pathname)?.[1]
    const header = req.headers.authorization ?? ''
    const t = header.startsWith('Bearer ') ? tokens.get(header.slice(7)) : undefined
    const expired = t !== undefined && t.expiresAt <= Date.now()
    if (!t || expired) {
      stats.challenges++
      // Like ghcr.io, the challenge always names a pull scope: pushers must ask for more.
      const scope = name ? `,scope="repository:${name}:pull"` : ''
      const error = expired || header.startsWith('Bearer ') ? ',error="invalid_token"' : ''
      drainThen(req, () =>
        reply(
          res,
          401,
          { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] },
          {
            'www-authenticate': `Bearer realm="${self}/token",service="${SERVICE}"${scope}${error}`
          }
        )
      )
      return false
    }
    if (!name) return true // GET /v2/: any valid token
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push'
    if (t.granted.has(`${name}:${action}`)) return true
    stats.denials++
    drainThen(req, () =>
      reply(res, 403, {
        errors: [
          {
            code: 'DENIED',
            message: `permission_denied: ${action === 'push' ? 'write' : 'read'}_package`
          }
        ]
      })
    )
    return false
  }

  /** Forwards to the registry; a `cut` drops both connections part-way. Returns the status. */
  function forward(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    cut: 'reset-request' | 'reset-response' | undefined,
    at: number
  ): Promise<number | undefined> {
    return new Promise((resolve) => {
      const headers = { ...req.headers }
      delete headers.authorization
      const up = http.request({
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers,
        agent
      })
      let killed = false
      const kill = (): void => {
        killed = true
        up.destroy()
        req.socket.destroy()
        resolve(undefined)
      }
      up.on('error', () => {
        if (killed) return
        if (!res.headersSent) {
          reply(res, 502, { errors: [{ code: 'UNKNOWN', message: 'bad gateway' }] })
        } else res.destroy()
        resolve(502)
      })
      const length = Number(req.headers['content-length'] ?? 0)
      if (cut === 'reset-request' && length === 0) return kill()
      const cutIn = cut === 'reset-request' ? Math.max(1, Math.floor(length * at)) : Infinity
      pump(req, up, cutIn, (n) => (stats.bytesIn += n), kill)
      up.on('response', (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers)
        const bodyLength = Number(upRes.headers['content-length'] ?? 0)
        if (cut === 'reset-response') {
          if (req.method === 'HEAD' || bodyLength === 0) {
            // Nothing to cut: the request took effect, and its answer is lost.
            upRes.resume()
            return kill()
          }
          pump(upRes, res, Math.max(1, Math.floor(bodyLength * at)), () => undefined, kill)
        } else {
          pump(
            upRes,
            res,
            Infinity,
            () => undefined,
            () => undefined
          )
        }
        upRes.on('end', () => resolve(upRes.statusCode))
      })
    })
  }

  function countBytesOut(res: ServerResponse): void {
    const write = res.write.bind(res)
    const end = res.end.bind(res)
    const count = (chunk: unknown): void => {
      if (typeof chunk === 'string' || Buffer.isBuffer(chunk)) stats.bytesOut += chunk.length
    }
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      count(chunk)
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest)
    }) as typeof res.write
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (typeof chunk !== 'function') count(chunk)
      return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest)
    }) as typeof res.end
  }

  return {
    host,
    url: self,
    stats,
    log,
    issuedTokens,
    requestedScopes,
    setFaultRate: (r) => (rate = r),
    setDown: (d) => (down = d),
    expireTokens: () => {
      for (const t of tokens.values()) t.expiresAt = 0
    },
    stop: async () => {
      server.closeAllConnections()
      agent.destroy()
      await new Promise((r) => server.close(r))
    }
  }
}

/** Pipes `from` to `to` with backpressure; after `limit` bytes it writes no more and calls `cut`. */
function pump(
  from: IncomingMessage,
  to: http.ClientRequest | ServerResponse,
  limit: number,
  counted: (n: number) => void,
  cut: () => void
): void {
  let sent = 0
  let stopped = false
  from.on('data', (chunk: Buffer) => {
    if (stopped) return
    const room = limit - sent
    const piece = chunk.length > room ? chunk.subarray(0, room) : chunk
    sent += piece.length
    counted(piece.length)
    const ok = to.write(piece)
    if (sent >= limit) {
      stopped = true
      from.pause()
      // Let the partial data reach the other side, then drop both connections.
      setTimeout(cut, 10)
      return
    }
    if (!ok) {
      from.pause()
      to.once('drain', () => from.resume())
    }
  })
  from.on('end', () => {
    if (!stopped) to.end()
  })
  from.on('error', () => {
    if (!stopped) cut()
  })
}

function reply(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const data = Buffer.from(JSON.stringify(body))
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(data.length),
    'docker-distribution-api-version': 'registry/2.0',
    ...headers
  })
  res.end(res.req.method === 'HEAD' ? undefined : data)
}

function drainThen(req: IncomingMessage, answer: () => void): void {
  if (req.readableEnded) return answer()
  req.on('end', answer)
  req.resume()
}

/** 32-bit FNV-1a of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** A small seeded PRNG (mulberry32): uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
