// Validation of the names a registry accepts, with errors that say how to fix the input.
// Grammars from the distribution reference spec (distribution/reference, OCI distribution-spec).

const COMPONENT = '[a-z0-9]+(?:(?:\\.|_|__|-+)[a-z0-9]+)*'
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`)
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST_RE = /^([a-z0-9]+(?:[+._-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha512: 128 }
// A DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::([0-9]{1,5}))?$/

/** Throws unless `name` is a valid repository path such as "acme/plugins/plugin/foo". */
export function validateRepositoryName(name: string): string {
  if (NAME_RE.test(name) && name.length <= 255) return name
  const problems: string[] = []
  if (name === '') problems.push('it is empty')
  if (/[A-Z]/.test(name)) problems.push(`it has capitals (use "${name.toLowerCase()}")`)
  if (name.length > 255) problems.push('it is longer than 255 characters')
  if (/^\/|\/$|\/\//.test(name)) problems.push('it has an empty path component')
  if (/^[a-z]+:\/\//i.test(name) || name.includes(':')) {
    problems.push('it must not contain a scheme, a registry port or a tag')
  }
  const why = problems.length > 0 ? ` (${problems.join('; ')})` : ''
  throw new Error(
    `invalid repository name "${name}"${why}: a repository name is lowercase letters and digits, ` +
      'with ".", "_", "__" or "-" only between them, and "/" between path components, ' +
      'e.g. "acme/plugins/plugin/foo"'
  )
}

/** Throws unless `tag` is a valid OCI tag. */
export function validateTag(tag: string): string {
  if (TAG_RE.test(tag)) return tag
  if (tag.includes('+')) {
    throw new Error(
      `invalid tag "${tag}": OCI tags cannot contain "+", so semver build metadata ` +
        '(as in 1.2.3+build) must be dropped or mapped to another character before pushing'
    )
  }
  if (tag.length > 128) throw new Error(`invalid tag "${tag}": tags are at most 128 characters`)
  throw new Error(
    `invalid tag "${tag}": a tag starts with a letter, digit or "_" and continues with ` +
      'letters, digits, ".", "_" or "-" (at most 128 characters)'
  )
}

/** True when `reference` has the shape of a digest ("sha256:<hex>"), rather than a tag. */
export function isDigest(reference: string): boolean {
  return DIGEST_RE.test(reference)
}

/** Throws unless `digest` is a well-formed digest; sha256 and sha512 are length-checked. */
export function validateDigest(digest: string): string {
  const m = DIGEST_RE.exec(digest)
  const expected = m ? HEX_LENGTH[m[1]] : undefined
  if (m && (expected === undefined || new RegExp(`^[a-f0-9]{${expected}}$`).test(m[2]))) {
    return digest
  }
  throw new Error(
    `invalid digest "${digest}": expected "sha256:" followed by 64 lowercase hex digits`
  )
}

/** A manifest reference is either a tag or a digest. */
export function validateReference(reference: string): string {
  return isDigest(reference) ? validateDigest(reference) : validateTag(reference)
}

/** Throws unless `host` is "host" or "host:port" (no scheme, no path); returns it lowercased. */
export function validateRegistryHost(host: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    throw new Error(
      `invalid registry "${host}": give the host without a scheme (like ghcr.io or ` +
        'localhost:5000); HTTPS is the default and plain HTTP is a separate option'
    )
  }
  const m = HOST_RE.exec(host)
  const port = m?.[1] === undefined ? undefined : Number(m[1])
  if (!m || (port !== undefined && (port < 1 || port > 65535))) {
    throw new Error(
      `invalid registry "${host}": expected a host name with an optional port, like ghcr.io ` +
        'or 127.0.0.1:5000, without a path or credentials'
    )
  }
  return host.toLowerCase()
}
