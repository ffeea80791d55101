// Development builds from the default branch: when a run is one, and which version it gets.
//
// falcosecurity/plugins publishes every merge to main under the moving tag `main` only, with a
// version such as 0.19.0-0.18.0-12+abc1234 in the config (plugin version, last release, commits
// since, commit): no tag carries that version, and falcoctl's CLI refuses `+`. Here a dev build
// gets an exact, unique tag too, so that dependencies can point at it, and a version that is a
// SemVer pre-release (no `+`, which OCI tags cannot hold):
//
//   <base>-dev.<commits>.g<commit>     e.g. 1.4.3-dev.5.gabc1234
//
// <commits> counts the commits since the last release tag (all of them when there is none yet),
// <commit> is the first 7 hex digits of the commit built. The base comes from the version the .so
// reports (V) and the last release (L), so that every dev version sorts after L and, when V is
// not released yet, before V:
//   - no release yet:            core(V)            (0.1.0-dev.7.g... before 0.1.0)
//   - L is a pre-release of V's core: L + ".dev..." (1.5.0-rc.1.dev.3.g... after rc.1, before 1.5.0)
//   - V above L:                 core(V)            (1.5.0-dev.5.g... between 1.4.2 and 1.5.0)
//   - V equals L (not bumped):   L's next patch     (1.4.3-dev.5.g... after 1.4.2)
//   - V below L:                 refused (the sources report a version older than a release)
import semver from 'semver'
import type { GitHubFacts } from '../context.js'
import {
  releaseVersion,
  strictVersion,
  VersionError,
  type DevChannel,
  type ReleaseVersion
} from './version.js'

/** Events whose runs on the dev branch are dev builds. */
export const DEV_EVENTS = ['push', 'workflow_dispatch'] as const

const DEV_SUFFIX = /(?:^|[.-])dev\.(0|[1-9]\d*)\.g[0-9a-f]{7}$/

/** A version (or tag) of the shape devVersion makes. */
export function isDevVersion(tag: string): boolean {
  return semver.valid(tag) === tag && semver.prerelease(tag) !== null && DEV_SUFFIX.test(tag)
}

const core = (v: string): string => {
  const p = semver.parse(v)
  if (!p) throw new VersionError(`"${v}" is not a semantic version`)
  return `${p.major}.${p.minor}.${p.patch}`
}

/** The dev version of a build (see the top of this file). Throws VersionError when V < L. */
export function devVersion(opts: {
  soVersion: string
  lastRelease?: string
  commits: number
  commit: string
}): string {
  const parsed = strictVersion(opts.soVersion)
  if (parsed === undefined) {
    throw new VersionError(
      `the plugin reports version "${opts.soVersion}" (plugin_get_version), which is not a ` +
        "semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): fix the version in your plugin's Info"
    )
  }
  if (!Number.isInteger(opts.commits) || opts.commits < 0) {
    throw new Error(`invalid commit count ${opts.commits}`)
  }
  if (!/^[0-9a-f]{7,}$/.test(opts.commit)) {
    throw new Error(`invalid commit id "${opts.commit}": expected hexadecimal digits`)
  }
  const v = parsed.version
  const suffix = `dev.${opts.commits}.g${opts.commit.slice(0, 7)}`
  const last = opts.lastRelease
  if (last === undefined) return `${core(v)}-${suffix}`
  if (semver.lt(v, last)) {
    throw new VersionError(
      `the plugin reports version ${v} (plugin_get_version), older than ${last}, already ` +
        `released: bump the version in your plugin's Info to ${semver.inc(last, 'patch')} or later`
    )
  }
  if (semver.prerelease(last) !== null && core(v) === core(last)) return `${last}.${suffix}`
  if (semver.gt(v, last)) return `${core(v)}-${suffix}`
  return `${semver.inc(last, 'patch')}-${suffix}`
}

/** The ReleaseVersion of a dev build (its version is always a pre-release). */
export function devRelease(version: string, channel: DevChannel): ReleaseVersion {
  const p = strictVersion(version)
  if (!p) throw new VersionError(`"${version}" is not a semantic version`)
  return { ...releaseVersion(p, channel.branch, channel), prerelease: true }
}

/** The highest dev version among tags, or undefined. */
export function highestDevVersion(tags: string[]): string | undefined {
  const dev = tags.filter(isDevVersion).sort(semver.rcompare)
  return dev[0]
}

const OCI_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

/**
 * Refuses a dev-tag that is no OCI tag, or that a stable release could also write (a version,
 * X.Y, X, latest): a dev build would then move a stable tag.
 */
export function checkDevTag(tag: string): void {
  if (!OCI_TAG.test(tag)) {
    throw new VersionError(
      `dev-tag "${tag}" is not an OCI tag (letters, digits, _, . and -, at most 128, not ` +
        'starting with . or -): use e.g. main or dev'
    )
  }
  if (tag === 'latest' || /^v?\d+(\.\d+){0,2}$/.test(tag) || semver.valid(tag) !== null) {
    throw new VersionError(
      `dev-tag "${tag}" looks like a release tag (a version, X.Y, X or latest), which dev builds ` +
        'must never move: use a name such as main or dev'
    )
  }
}

export type RunKind =
  { kind: 'tag'; tag: string } | { kind: 'dev'; branch: string; eventName: string }

const TAG_HINT = 'Run it on tag pushes (on: push: tags: ["*.*.*"]) or pass the `tag` input'

/**
 * A tag release (the `tag` input, or a tag ref) or a dev build (a push to the dev branch, the
 * default branch unless dev-branch says otherwise). Anything else is refused with the fix.
 */
export function resolveRun(opts: {
  tagInput: string
  devBranch: string
  github: Pick<GitHubFacts, 'ref' | 'eventName' | 'event'>
}): RunKind {
  const { github } = opts
  if (opts.tagInput.trim() !== '') return { kind: 'tag', tag: opts.tagInput.trim() }
  const ref = github.ref
  if (ref.startsWith('refs/tags/')) return { kind: 'tag', tag: ref.slice('refs/tags/'.length) }
  if (ref === '') {
    throw new VersionError(
      'no tag to release: GITHUB_REF is not set and the `tag` input is empty. ' +
        'Run the workflow on tag pushes (on: push: tags: ["*.*.*"]) or pass `tag: 1.2.3`.'
    )
  }
  const eventName = github.eventName
  const branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : undefined
  if (branch === undefined || !(DEV_EVENTS as readonly string[]).includes(eventName)) {
    throw new VersionError(
      `the workflow ran for "${ref}"${eventName ? ` (${eventName} event)` : ''}, which is not a ` +
        `tag. ${TAG_HINT}. Dev builds run on pushes to the default branch (on: push: branches: ` +
        '[main]).'
    )
  }
  const devBranch = opts.devBranch.trim() || github.event.defaultBranch || ''
  if (devBranch === '') {
    throw new VersionError(
      `the workflow ran for the branch "${branch}", which is not a tag, and the default branch ` +
        'is unknown (GITHUB_EVENT_PATH does not name it): set dev-branch to the branch whose ' +
        `pushes publish dev builds, or ${TAG_HINT.charAt(0).toLowerCase()}${TAG_HINT.slice(1)}.`
    )
  }
  if (branch !== devBranch) {
    throw new VersionError(
      `the workflow ran for the branch "${branch}", which is not a tag and not the dev branch ` +
        `"${devBranch}" (only its pushes publish dev builds). ${TAG_HINT}, or restrict the ` +
        `workflow to pushes to ${devBranch} (on: push: branches: [${devBranch}]).`
    )
  }
  return { kind: 'dev', branch, eventName }
}
