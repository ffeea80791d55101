// The one version type of a release, and the one strict parser: a git tag (or GITHUB_REF) becomes
// the release version the artifacts carry.
// Strict SemVer 2.0; a leading "v" is accepted and dropped; build metadata is
// refused because OCI tags cannot carry "+" and falcoctl rejects it.
import semver from 'semver'

/** What a dev build is built from, for the version, the plan, the logs and the summary. */
export interface DevChannel {
  /** The branch built, e.g. "main". */
  branch: string
  /** The moving tag, e.g. "main". */
  devTag: string
  /** The full commit id built. */
  commit: string
  /** The last release of this plugin on the branch, when there is one. */
  lastRelease?: { tag: string; version: string }
  /** Commits since lastRelease (or in the whole history). */
  commits: number
  /** The version the .so reports. */
  soVersion: string
}

export interface ReleaseVersion {
  /** "1.4.2" or "1.5.0-rc.1": what config.version and the X.Y.Z tag carry. */
  version: string
  major: number
  minor: number
  patch: number
  prerelease: boolean
  /** The tag as given, e.g. "v1.4.2"; for a dev build, the branch. */
  tag: string
  /** A dev build of the default branch (src/version/dev.ts): its tags and checks differ. */
  dev?: DevChannel
}

const STRICT_SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?$/

const EXAMPLE = 'tags look like 1.4.2, v1.4.2 or 1.5.0-rc.1'

export class VersionError extends Error {}

/**
 * A strict SemVer 2.0 version without build metadata (no "v", no "+", nothing around it), parsed;
 * undefined when `text` is not one. The one check every version here goes through: tags, the
 * version a .so reports, dev versions.
 */
export function strictVersion(text: string): semver.SemVer | undefined {
  return STRICT_SEMVER.test(text) ? (semver.parse(text) ?? undefined) : undefined
}

/** The ReleaseVersion of a parsed version, released under `tag`. */
export function releaseVersion(v: semver.SemVer, tag: string, dev?: DevChannel): ReleaseVersion {
  return {
    version: v.version,
    major: v.major,
    minor: v.minor,
    patch: v.patch,
    prerelease: v.prerelease.length > 0,
    tag,
    ...(dev ? { dev } : {})
  }
}

/** Parses a release tag. Throws VersionError quoting the tag and showing a valid one. */
export function parseReleaseTag(tag: string): ReleaseVersion {
  const raw = tag.trim()
  if (raw === '') throw new VersionError(`no release tag was given: ${EXAMPLE}`)
  const body = raw.startsWith('v') ? raw.slice(1) : raw
  if (body.includes('+')) {
    const base = body.slice(0, body.indexOf('+'))
    throw new VersionError(
      `tag "${raw}" has build metadata ("+${body.slice(body.indexOf('+') + 1)}"), which OCI tags ` +
        `cannot carry and falcoctl rejects: tag the release as ${base} instead`
    )
  }
  const parsed = strictVersion(body)
  if (!parsed) {
    throw new VersionError(
      `tag "${raw}" is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): ${EXAMPLE}`
    )
  }
  return releaseVersion(parsed, raw)
}
