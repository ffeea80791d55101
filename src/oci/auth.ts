// Registry authentication: the WWW-Authenticate challenge, HTTP Basic, and the distribution
// token flow (GET realm?service=&scope= -> {token | access_token}), with a token cache per scope.
import { RegistryError } from './errors.js'
import { HttpResponse, readBody } from './http.js'
import { MAX_TOKEN_RESPONSE_BYTES } from './limits.js'
import type { RegistryCredentials } from './types.js'

export interface Challenge {
  /** Lower-case: "bearer", "basic", ... */
  scheme: string
  /** Parameter names are lower-case. */
  params: Record<string, string>
}

/** Parses a WWW-Authenticate header into its challenges (RFC 9110 §11.6.1). */
export function parseChallenges(header: string): Challenge[] {
  const out: Challenge[] = []
  const s = header
  let i = 0
  const skip = (chars: RegExp): void => {
    while (i < s.length && chars.test(s[i])) i++
  }
  const token = (): string => {
    const start = i
    while (i < s.length && !/[\s,="]/.test(s[i])) i++
    return s.slice(start, i)
  }
  while (i < s.length) {
    skip(/[\s,]/)
    const name = token()
    if (name === '') {
      i++ // stray character: move on
      continue
    }
    skip(/\s/)
    const current = out[out.length - 1]
    if (s[i] === '=' && current) {
      i++
      skip(/\s/)
      current.params[name.toLowerCase()] = s[i] === '"' ? quoted() : token()
    } else {
      out.push({ scheme: name.toLowerCase(), params: {} })
    }
  }
  return out

  function quoted(): string {
    let value = ''
    for (i++; i < s.length && s[i] !== '"'; i++) value += s[i] === '\\' ? s[++i] : s[i]
    i++
    return value
  }
}

/** A token endpoint request: a GET (distribution token), or a form POST (OAuth2). */
export interface TokenRequest {
  /** Sent as is. */
  authorization?: string
  /** application/x-www-form-urlencoded body: makes the request a POST. */
  form?: string
}

/** How Authenticator reaches the token endpoint and reports failures. */
export interface AuthTransport {
  /** Without registry auth. `data` is the body already read, when the transport reads it. */
  tokenRequest(url: URL, req: TokenRequest): Promise<HttpResponse & { data?: Buffer }>
  /** Throws a RegistryError for an unexpected response (reads its body). */
  fail(
    res: HttpResponse,
    method: string,
    context: { repository?: string; writing?: boolean }
  ): Promise<never>
  registry: string
  /** The registry itself is plain HTTP, so a plain-HTTP token endpoint is expected. */
  plainHttp: boolean
}

interface CachedToken {
  header: string
  expiresAt: number
}

// Tokens without expires_in live 60 s (distribution token spec); renew a little early.
const DEFAULT_TOKEN_SECONDS = 60
const EARLY_RENEW_MS = 5_000
const OAUTH_CLIENT_ID = 'falco-plugin-release'

export class Authenticator {
  private scheme: 'basic' | 'bearer' | undefined
  private bearer: { realm: string; service?: string } | undefined
  private readonly tokens = new Map<string, CachedToken>()
  private readonly pending = new Map<string, Promise<string>>()
  private readonly basicHeader: string | undefined

  constructor(
    private readonly transport: AuthTransport,
    private readonly credentials: RegistryCredentials | undefined,
    /** Registers a value that must never be printed; `what` names it in warnings. */
    private readonly secret: (value: string, what?: string) => void,
    private readonly now: () => number = Date.now
  ) {
    if (credentials?.password) {
      const encoded = Buffer.from(`${credentials.username}:${credentials.password}`).toString(
        'base64'
      )
      this.basicHeader = `Basic ${encoded}`
      secret(encoded, `the HTTP Basic credentials for ${transport.registry}`)
    }
    if (credentials?.identityToken) {
      secret(credentials.identityToken, `the identity token for ${transport.registry}`)
    }
  }

  get hasCredentials(): boolean {
    return this.credentials !== undefined
  }

  private get identityToken(): string | undefined {
    return this.credentials?.identityToken || undefined
  }

  /** Authorization to send up front, from what earlier challenges taught us. */
  async authorization(scope: string | undefined): Promise<string | undefined> {
    if (this.scheme === 'basic') return this.basicHeader
    if (this.scheme !== 'bearer') return undefined
    const cached = this.tokens.get(this.key(scope))
    if (cached && cached.expiresAt > this.now()) return cached.header
    return this.fetchToken(scope)
  }

  /**
   * After a 401: learns the scheme, gets fresh authorization, returns it for one retry.
   * `rejected` is what the refused request sent: a token that a concurrent request has renewed
   * since is reused rather than fetched again.
   */
  async renew(
    wwwAuthenticate: string | undefined,
    scope: string | undefined,
    rejected?: string
  ): Promise<string> {
    const challenges = parseChallenges(wwwAuthenticate ?? '')
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm)
    if (bearer) {
      this.scheme = 'bearer'
      this.bearer = { realm: bearer.params.realm, service: bearer.params.service }
      const effective = scope ?? bearer.params.scope
      const key = this.key(effective)
      const pending = this.pending.get(key)
      if (pending) return pending
      const cached = this.tokens.get(key)
      if (cached && cached.header !== rejected && cached.expiresAt > this.now()) {
        return cached.header
      }
      this.tokens.delete(key)
      return this.fetchToken(effective)
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (!this.basicHeader) {
        if (this.identityToken) {
          throw new RegistryError(
            `${this.transport.registry} asks for HTTP Basic authentication, which an identity ` +
              'token cannot do: give a username and password instead.',
            { method: 'GET', url: this.transport.registry, status: 401, codes: [] }
          )
        }
        throw this.missingCredentials('HTTP Basic')
      }
      this.scheme = 'basic'
      return this.basicHeader
    }
    const seen = challenges.map((c) => c.scheme).join(', ') || 'none'
    throw new RegistryError(
      `${this.transport.registry} answered 401 without a supported authentication challenge ` +
        `(WWW-Authenticate schemes: ${seen}): is this an OCI registry?`,
      { method: 'GET', url: this.transport.registry, status: 401, codes: [] }
    )
  }

  private key(scope: string | undefined): string {
    return `${this.bearer?.realm} ${this.bearer?.service ?? ''} ${scope ?? ''}`
  }

  /** One token request per scope at a time: concurrent requests share it. */
  private fetchToken(scope: string | undefined): Promise<string> {
    const key = this.key(scope)
    let p = this.pending.get(key)
    if (!p) {
      p = this.requestToken(scope).finally(() => this.pending.delete(key))
      this.pending.set(key, p)
    }
    return p
  }

  private async requestToken(scope: string | undefined): Promise<string> {
    const { realm, service } = this.bearer ?? { realm: '' }
    const url = new URL(realm)
    if (service) url.searchParams.set('service', service)
    if (scope) url.searchParams.set('scope', scope)
    const sendsSecret = this.basicHeader !== undefined || this.identityToken !== undefined
    const refusal = sendsSecret ? this.refuseRealm(url) : undefined
    if (refusal !== undefined) {
      throw new RegistryError(
        `refusing to send credentials for ${this.transport.registry} to the token service ` +
          `${url.origin}${url.pathname}, which ${refusal}. Credentials go to a token service only ` +
          "over HTTPS, or over plain HTTP on the registry's own host: the registry must name " +
          'such a realm in its WWW-Authenticate challenge.',
        { method: 'GET', url: `${url.origin}${url.pathname}`, codes: [] }
      )
    }
    const oauth = this.identityToken !== undefined
    const res = await this.transport.tokenRequest(
      oauth ? new URL(realm) : url,
      oauth ? { form: this.refreshForm(service, scope) } : { authorization: this.basicHeader }
    )
    const method = oauth ? 'POST' : 'GET'
    if (res.status === 401 && !sendsSecret) {
      res.discard()
      throw this.missingCredentials('a token')
    }
    if (res.status !== 200) return this.transport.fail(res, method, scopeContext(scope))
    const body =
      res.data ??
      (await readBody(res, {
        bytes: MAX_TOKEN_RESPONSE_BYTES,
        what: 'the token response',
        fix: 'check the realm the registry names.'
      }))
    const { token, expiresIn } = parseTokenResponse(body, url)
    this.secret(token, `the token issued by ${url.origin}`)
    const header = `Bearer ${token}`
    const seconds = expiresIn ?? DEFAULT_TOKEN_SECONDS
    this.tokens.set(this.key(scope), {
      header,
      expiresAt: this.now() + Math.max(0, seconds * 1000 - EARLY_RENEW_MS)
    })
    return header
  }

  /**
   * Why credentials must not go to this token service, or undefined when they may. Like docker,
   * we follow the realm the registry names, even to another host (Docker Hub's is
   * auth.docker.io); unlike docker, never over plain HTTP to another host, where anyone on the
   * path could read them. A plain-HTTP realm on the registry's own host is a local setup the
   * user opted into with plain HTTP.
   */
  private refuseRealm(url: URL): string | undefined {
    if (url.protocol === 'https:') return undefined
    if (!this.transport.plainHttp) return 'is not HTTPS (the registry is)'
    const registryHost = new URL(`http://${this.transport.registry}`).hostname
    if (url.hostname === registryHost) return undefined
    return `is plain HTTP on another host than ${registryHost}`
  }

  /** OAuth2 refresh-token grant (the distribution "oauth" token spec). */
  private refreshForm(service: string | undefined, scope: string | undefined): string {
    const form = new URLSearchParams({ grant_type: 'refresh_token' })
    if (service) form.set('service', service)
    if (scope) form.set('scope', scope)
    form.set('client_id', OAUTH_CLIENT_ID)
    form.set('refresh_token', this.identityToken ?? '')
    return form.toString()
  }

  private missingCredentials(what: string): RegistryError {
    return new RegistryError(
      `${this.transport.registry} requires credentials (${what}) and none were given: ` +
        'pass a username and password.',
      { method: 'GET', url: this.transport.registry, status: 401, codes: [] }
    )
  }
}

function parseTokenResponse(body: Buffer, url: URL): { token: string; expiresIn?: number } {
  let parsed: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {}
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed
  } catch {
    // reported below
  }
  const token =
    typeof parsed.token === 'string' && parsed.token ? parsed.token : parsed.access_token
  if (typeof token !== 'string' || token === '') {
    throw new RegistryError(
      `the token endpoint ${url.origin}${url.pathname} answered without a token`,
      { method: 'GET', url: `${url.origin}${url.pathname}`, status: 200, codes: [] }
    )
  }
  const expiresIn = typeof parsed.expires_in === 'number' ? parsed.expires_in : undefined
  return { token, expiresIn }
}

/** "repository:acme/foo:pull,push" -> the repository and whether it asks to push. */
function scopeContext(scope: string | undefined): { repository?: string; writing?: boolean } {
  const m = /^repository:(.+):([a-z,*]+)$/.exec(scope ?? '')
  return m ? { repository: m[1], writing: m[2].split(',').includes('push') } : {}
}
