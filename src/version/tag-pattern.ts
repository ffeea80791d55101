// Tag patterns, for repositories that release several plugins (monorepos): a pattern such as
// `plugins/{name}/v{version}` (falcosecurity/plugins' scheme) or `{name}-{version}` says which
// plugin a tag releases and at which version. The default `{version}` is today's single-plugin
// behaviour: `1.2.3` or `v1.2.3`.
//
// The version part is strict SemVer (parseReleaseTag): no build metadata. The plugin name is
// matched exactly, never by prefix, so `k8saudit` and `k8saudit-gke` cannot be confused.
import { ARTIFACT_NAME_PATTERN, isArtifactName } from '../falco/conventions.js'
import { parseReleaseTag, VersionError, type ReleaseVersion } from './version.js'

export const DEFAULT_TAG_PATTERN = '{version}'
/** Where each plugin lives when the pattern names plugins and no directory template is given. */
export const DEFAULT_PLUGIN_DIRECTORY = 'plugins/{name}'

export interface TagMatch {
  /** The plugin the tag releases, when the pattern has {name}. */
  plugin?: string
  /** The version, parsed; `tag` is the whole tag. */
  release: ReleaseVersion
}

const PLACEHOLDER = /\{([^{}]*)\}/g
/** A plugin name: Falco's artifact-name rule, unanchored to sit inside the tag's pattern. */
const NAME = ARTIFACT_NAME_PATTERN.source.replace(/^\^/, '').replace(/\$$/, '')
/** Something that starts like a version, so that `{name}-{version}` splits k8saudit-gke-1.2.3 right. */
const VERSIONISH = 'v?\\d+\\.\\d+\\.\\d+[^/]*'

interface CompiledPattern {
  strict: RegExp
  loose: RegExp
  hasName: boolean
  /** The pattern has a literal "v" right before {version}: a second v is not accepted. */
  vInPattern: boolean
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** Validates a pattern and compiles it. Throws with the reason when it cannot work. */
export function compileTagPattern(pattern: string): CompiledPattern {
  const p = pattern.trim()
  const names = [...p.matchAll(PLACEHOLDER)].map((m) => m[1])
  const unknown = names.filter((n) => n !== 'name' && n !== 'version')
  if (unknown.length > 0) {
    throw new Error(
      `tag pattern "${pattern}" has unknown placeholder {${unknown[0]}}: use {name} and {version}`
    )
  }
  const count = (n: string) => names.filter((x) => x === n).length
  if (count('version') !== 1) {
    throw new Error(`tag pattern "${pattern}" must contain {version} exactly once`)
  }
  if (count('name') > 1) throw new Error(`tag pattern "${pattern}" has {name} more than once`)
  if (/\{name\}\{version\}|\{version\}\{name\}/.test(p)) {
    throw new Error(
      `tag pattern "${pattern}" puts {name} and {version} side by side: separate them, e.g. {name}-{version} or {name}/v{version}`
    )
  }
  if (/[{}]/.test(p.replace(PLACEHOLDER, ''))) {
    throw new Error(`tag pattern "${pattern}" has an unbalanced "{" or "}"`)
  }
  const build = (version: string) =>
    new RegExp(
      '^' +
        p
          .split(/(\{name\}|\{version\})/)
          .map((part) =>
            part === '{name}'
              ? `(?<name>${NAME})`
              : part === '{version}'
                ? `(?<version>${version})`
                : escapeRegExp(part)
          )
          .join('') +
        '$'
    )
  return {
    strict: build(VERSIONISH),
    loose: build('.+'),
    hasName: count('name') === 1,
    vInPattern: /v\{version\}/.test(p)
  }
}

/** The pattern with example values, for messages: plugins/{name}/v{version} -> plugins/myplugin/v1.2.3. */
export function exampleTag(pattern: string, name = 'myplugin'): string {
  return formatTag(pattern, name, '1.2.3')
}

/** The tag a pattern gives for a plugin and a version. */
export function formatTag(pattern: string, name: string, version: string): string {
  compileTagPattern(pattern)
  return pattern.trim().replace('{name}', name).replace('{version}', version)
}

function isVersion(v: string): boolean {
  try {
    parseReleaseTag(v)
    return true
  } catch {
    return false
  }
}

/**
 * Which plugin and version a tag releases. Throws a VersionError naming the expected shape when
 * the tag does not match, when its version is not strict SemVer, or (with `expectedName`) when it
 * releases another plugin.
 */
export function matchTagPattern(
  tag: string,
  pattern: string = DEFAULT_TAG_PATTERN,
  expectedName?: string
): TagMatch {
  const c = compileTagPattern(pattern)
  const raw = tag.trim()
  const example = exampleTag(pattern, expectedName || 'myplugin')
  const m = c.strict.exec(raw) ?? c.loose.exec(raw)
  if (!m?.groups) {
    throw new VersionError(
      `tag "${raw}" does not match the tag pattern "${pattern.trim()}": expected a tag like ${example}`
    )
  }
  const versionPart = m.groups.version
  if (c.vInPattern && versionPart.startsWith('v')) {
    throw new VersionError(
      `tag "${raw}" has a second "v" before the version: the tag pattern "${pattern.trim()}" already has one; expected a tag like ${example}`
    )
  }
  const plugin = c.hasName ? m.groups.name : undefined
  const bare = versionPart.startsWith('v') ? versionPart.slice(1) : versionPart
  const base = bare.split('+')[0]
  if (bare.includes('+') && isVersion(base)) {
    throw new VersionError(
      `tag "${raw}" has build metadata ("${bare.slice(bare.indexOf('+'))}"), which OCI tags cannot ` +
        `carry and falcoctl rejects: tag the release as ${formatTag(pattern, plugin ?? '', versionPart.slice(0, versionPart.length - bare.length) + base)} instead`
    )
  }
  let release: ReleaseVersion
  try {
    release = parseReleaseTag(versionPart)
  } catch (err) {
    if (!(err instanceof VersionError)) throw err
    // The default pattern is a bare version: parseReleaseTag's message says it all, unless the
    // tag looks like another pattern's (a monorepo's plugins/<name>/v<version>).
    if (pattern.trim() === DEFAULT_TAG_PATTERN) {
      const suggested = suggestTagPattern(raw)
      if (suggested === undefined) throw err
      throw new VersionError(
        `${err.message.replace(/: tags look like .*$/, '')}, but it looks like a monorepo tag ` +
          `(a plugin name and a version): set tag-pattern: ${suggested} ` +
          '(the default tag-pattern {version} takes tags like 1.4.2 or v1.4.2)'
      )
    }
    const why = err.message.replace(/^tag "[^"]*" /, '').replace(/: tags look like .*$/, '')
    throw new VersionError(
      `tag "${raw}" (tag pattern "${pattern.trim()}"): the version part "${versionPart}" ${why}; expected a tag like ${example}`
    )
  }
  if (
    expectedName !== undefined &&
    expectedName !== '' &&
    plugin !== undefined &&
    plugin !== expectedName
  ) {
    throw new VersionError(
      `tag "${raw}" releases the plugin "${plugin}", not "${expectedName}": expected a tag like ${example}`
    )
  }
  return { ...(plugin !== undefined ? { plugin } : {}), release: { ...release, tag: raw } }
}

/**
 * The tag pattern a monorepo-shaped tag seems to follow: a path with a plugin name and a
 * version, such as plugins/k8saudit/v0.18.0 (plugins/{name}/v{version}); undefined otherwise.
 */
export function suggestTagPattern(tag: string): string | undefined {
  const m = /^(.*?)(v?)(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?)$/.exec(tag.trim())
  if (!m || !m[1].includes('/')) return undefined
  const prefix = m[1]
  // A guess, not the rule: the shortest name-like part before the separators (the rule checks it).
  const named = /^(.*?)([a-z][a-z0-9_-]*?)([/@_-]+)$/.exec(prefix)
  if (!named) return undefined
  const [, before, , separator] = named
  if (before !== '' && !before.endsWith('/')) return undefined
  const pattern = `${before}{name}${separator}${m[2]}{version}`
  try {
    return matchTagPattern(tag, pattern).plugin !== undefined ? pattern : undefined
  } catch {
    return undefined
  }
}

/**
 * The folder of a plugin in the repository: `template` with {name} filled in; by default
 * plugins/<name> when the pattern names plugins (a monorepo), else the repository root ".".
 */
export function pluginDirectory(pattern: string, name: string, template?: string): string {
  if (!isArtifactName(name)) {
    throw new Error(`invalid plugin name ${JSON.stringify(name)} for a plugin directory`)
  }
  const c = compileTagPattern(pattern)
  const t = template?.trim() || (c.hasName ? DEFAULT_PLUGIN_DIRECTORY : '.')
  const dir = t.split('{name}').join(name).replace(/\/+$/, '') || '.'
  if (dir.split('/').some((s) => s === '..') || dir.startsWith('/')) {
    throw new Error(`plugin directory "${dir}" must be a relative path inside the repository`)
  }
  return dir
}
