// The GitHub Actions OIDC token that keyless signing trades for a Fulcio certificate. The
// runner hands it out when the job has `permissions: id-token: write`: a GET of
// ACTIONS_ID_TOKEN_REQUEST_URL (plus &audience=sigstore) with ACTIONS_ID_TOKEN_REQUEST_TOKEN.
import type { RunContext } from '../context.js'
import type { Logger } from '../log.js'

export const SIGSTORE_AUDIENCE = 'sigstore'
const MAX_RESPONSE = 64 << 10

/** Where and with what the job asks for its token (RunContext.oidc; unset without id-token). */
export type OidcRequest = NonNullable<RunContext['oidc']>

export class OidcError extends Error {}

/** Fetches a fresh token for `audience`; registers it (and the request token) as secrets. */
export async function requestIdToken(
  oidc: OidcRequest | undefined,
  logger: Logger,
  opts: { audience?: string; timeoutMs?: number } = {}
): Promise<string> {
  if (!oidc) {
    throw new OidcError(
      'keyless signing needs the GitHub OIDC token: give the job `permissions: id-token: write` ' +
        '(or sign with a key: signing-key, or turn signing off: sign: false)'
    )
  }
  const { requestUrl, requestToken } = oidc
  logger.secret(requestToken)
  let url: URL
  try {
    url = new URL(requestUrl)
  } catch {
    throw new OidcError('ACTIONS_ID_TOKEN_REQUEST_URL is not a URL')
  }
  url.searchParams.set('audience', opts.audience ?? SIGSTORE_AUDIENCE)
  const where = `${url.origin}${url.pathname}`
  let res: Response
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${requestToken}`, accept: 'application/json' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000)
    })
  } catch (err) {
    throw new OidcError(`requesting the OIDC token from ${where} failed: ${(err as Error).message}`)
  }
  const text = await readLimited(res)
  if (!res.ok) {
    throw new OidcError(`requesting the OIDC token from ${where} failed: HTTP ${res.status}`)
  }
  let value: unknown
  try {
    value = (JSON.parse(text) as { value?: unknown }).value
  } catch {
    throw new OidcError(`the OIDC token service at ${where} answered something that is not JSON`)
  }
  if (typeof value !== 'string' || value.split('.').length !== 3) {
    throw new OidcError(`the OIDC token service at ${where} answered no token`)
  }
  logger.secret(value)
  return value
}

async function readLimited(res: Response): Promise<string> {
  const body = await res.arrayBuffer().catch(() => new ArrayBuffer(0))
  if (body.byteLength > MAX_RESPONSE) throw new OidcError('the OIDC token response is too large')
  return Buffer.from(body).toString('utf8')
}

/** The claims of a JWT, NOT verified (our own token, read for its issuer and subject). */
export function tokenClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? ''
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown
    if (typeof claims === 'object' && claims !== null) return claims as Record<string, unknown>
  } catch {
    // fall through
  }
  throw new OidcError('the OIDC token is not a JWT')
}
