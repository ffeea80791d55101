// Registry failures turned into messages that say what happened and what to do.
// Messages name the method, URL path and status, never credentials, tokens or query strings
// (upload locations and storage redirects can carry signed state there).
import { safeExcerpt } from '../secrets.js'

export interface RegistryErrorDetails {
  method: string
  /** origin + path, no query. */
  url: string
  status?: number
  /** `errors[].code` from the registry's JSON, e.g. ["DENIED"]. */
  codes: string[]
  /** The Retry-After header of the response, as sent. */
  retryAfter?: string
}

export class RegistryError extends Error {
  /** Overrides the usual retry decision (e.g. a lost upload session is worth restarting). */
  retryable?: boolean

  constructor(
    message: string,
    readonly details: RegistryErrorDetails
  ) {
    super(message)
    this.name = 'RegistryError'
  }
}

/** Statuses that say "try again": the request may succeed as is a little later. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504])

/** What the error builder needs to know about the failed request. */
export interface HttpFailure {
  registry: string
  repository?: string
  method: string
  url: URL
  status: number
  statusText: string
  /** The (bounded) response body. */
  body: Buffer
  hasCredentials: boolean
  /** What we expected instead, e.g. "201 Created". */
  expected?: string
  /** Counts as a write even for a GET (a token request for push). */
  writing?: boolean
  /** Replaces the usual advice for the status. */
  hint?: string
  /** The Retry-After header of the response. */
  retryAfter?: string
  redact(text: string): string
}

interface RegistryErrorEntry {
  code?: unknown
  message?: unknown
}

/** Characters of a registry's error text kept in a message. */
const MESSAGE_EXCERPT = 300
const BODY_EXCERPT = 200
const JOINED_EXCERPT = 1000

/** Cuts an already redacted text. */
function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}...` : text
}

/**
 * `code: message` pairs from the distribution error JSON, or a short excerpt of other text.
 * Secrets are redacted before anything is shortened (a cut secret would no longer match).
 */
export function describeBody(
  body: Buffer,
  redact: (text: string) => string = (t) => t
): { codes: string[]; text: string } {
  const raw = body.toString('utf8').trim()
  if (raw === '') return { codes: [], text: '' }
  try {
    const parsed = JSON.parse(raw) as { errors?: RegistryErrorEntry[] }
    if (Array.isArray(parsed.errors)) {
      const codes = parsed.errors.map((e) => safeExcerpt(String(e.code ?? 'UNKNOWN'), redact, 60))
      const parts = parsed.errors.map((e, i) => {
        const message =
          typeof e.message === 'string' ? safeExcerpt(e.message, redact, MESSAGE_EXCERPT) : ''
        return message ? `${codes[i]}: ${message}` : codes[i]
      })
      return { codes, text: shorten(parts.join('; '), JOINED_EXCERPT) }
    }
  } catch {
    // not JSON: fall through to an excerpt
  }
  return { codes: [], text: safeExcerpt(raw, redact, BODY_EXCERPT) }
}

export function httpError(f: HttpFailure): RegistryError {
  const { codes, text } = describeBody(f.body, f.redact)
  const where = `${f.url.origin}${f.url.pathname}`
  const got = `${f.status}${f.statusText ? ` ${f.statusText}` : ''}`
  const expected = f.expected ? ` (expected ${f.expected})` : ''
  const detail = text ? `: ${text}` : ''
  const hint = f.hint ?? hintFor(f, codes, text)
  const message = `${f.method} ${where} answered HTTP ${got}${expected}${detail}.${hint ? ` ${hint}` : ''}`
  const details: RegistryErrorDetails = { method: f.method, url: where, status: f.status, codes }
  if (f.retryAfter !== undefined) details.retryAfter = f.retryAfter
  return new RegistryError(f.redact(message), details)
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** What to do about a status, in one or two sentences. */
export function hintFor(f: HttpFailure, codes: string[] = [], text = ''): string {
  const target = f.repository ? `${f.registry}/${f.repository}` : f.registry
  const writing = f.writing ?? WRITE_METHODS.has(f.method)
  const github = isGhcr(f.registry) || GHCR_TEXT.test(text)
  if (f.status === 401) {
    if (!f.hasCredentials) {
      return `${f.registry} requires authentication and no credentials were given: pass a username and password.`
    }
    const base = `The registry rejected the credentials: check the username and password for ${f.registry}.`
    return github ? `${base} ${GHCR_TOKENS}` : base
  }
  if (f.status === 403) {
    if (!f.hasCredentials) {
      return `${f.registry} refused anonymous access to ${target}: pass a username and password.`
    }
    return forbiddenHint(f.registry, target, writing, github)
  }
  if (codes.includes('MANIFEST_BLOB_UNKNOWN') || codes.includes('BLOB_UNKNOWN')) {
    return 'A blob the manifest refers to is missing: push every blob before the manifest.'
  }
  if (codes.includes('DIGEST_INVALID')) {
    return 'The content sent does not match its digest: the file changed, or the upload was cut.'
  }
  if (codes.includes('MANIFEST_INVALID') || codes.includes('MANIFEST_UNVERIFIED')) {
    return 'The registry rejected the manifest: check its media type and fields.'
  }
  if (f.status === 404) return `Not found: check that the repository ${target} exists.`
  if (f.status === 413 || f.status === 416) {
    return 'The request is too large for this registry (ghcr.io caps each request at 4 MiB).'
  }
  if (f.status === 429) return 'The registry is rate limiting requests: try again later.'
  if (f.status >= 500) return 'The registry failed on its side: try again later.'
  return ''
}

function forbiddenHint(
  registry: string,
  target: string,
  writing: boolean,
  github: boolean
): string {
  const action = writing ? 'push to' : 'read'
  const base = `The credentials are valid but not allowed to ${action} ${target}.`
  if (!github) return `${base} Check the account's permissions on that repository.`
  return (
    `${base} For ghcr.io from GitHub Actions: grant the job \`permissions: packages: write\`, ` +
    "and if the package already exists, give this repository the Write role in the package's " +
    '"Manage Actions access" settings (or link the package to the repository with the ' +
    'org.opencontainers.image.source annotation).'
  )
}

const GHCR_TOKENS =
  'For ghcr.io, use the workflow token (GITHUB_TOKEN, with `permissions: packages: write`) or a ' +
  'classic personal access token with write:packages (GitHub App installation tokens are not ' +
  'accepted).'

// GitHub's registries (ghcr.io, and containers.<host> on GitHub Enterprise Server) word their
// permission errors like this.
const GHCR_TEXT = /permission_denied|write_package|read_package/i

function isGhcr(registry: string): boolean {
  return (
    registry === 'ghcr.io' || registry.startsWith('ghcr.io:') || registry.startsWith('containers.')
  )
}

interface SystemError {
  code?: string
  message?: string
  errors?: SystemError[]
}

/** A request that got no HTTP answer at all. */
export function networkError(
  method: string,
  url: URL,
  err: unknown,
  plainHttp: boolean
): RegistryError {
  const e = (err ?? {}) as SystemError & { deadline?: unknown }
  // Node 20's connection attempts to several addresses fail with an AggregateError.
  const code = e.code ?? e.errors?.[0]?.code
  const raw = e.message || e.errors?.[0]?.message || code || String(err)
  const reason = raw.replace(/\s+/g, ' ').trim()
  const where = `${url.origin}${url.pathname}`
  const details = { method, url: where, codes: code ? [code] : [] }
  if (e.deadline === true) {
    return new RegistryError(
      `the registry is too slow: ${method} ${where} ${reason}. Check the registry and the ` +
        'network, or raise request-timeout.',
      details
    )
  }
  let hint = 'Check the registry host and port, and that this machine can reach it.'
  if (/wrong version number|packet length too long|EPROTO/i.test(`${code} ${reason}`)) {
    hint = 'The server does not speak TLS here: if it is a plain-HTTP registry, enable plain HTTP.'
  } else if (plainHttp && code === 'ECONNRESET') {
    hint += ' Plain HTTP is enabled: if the registry uses TLS, disable plain HTTP.'
  }
  return new RegistryError(
    `cannot reach the registry: ${method} ${where} failed (${reason}). ${hint}`,
    details
  )
}
