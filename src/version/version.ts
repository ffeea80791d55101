// Turns a git tag (or GITHUB_REF) into the release version the artifacts carry.
// Strict SemVer 2.0; a leading "v" is accepted and dropped; build metadata is
// refused because OCI tags cannot carry "+" and falcoctl rejects it.
import semver from 'semver'
import type { DevChannel } from './dev.js'

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
  if (!STRICT_SEMVER.test(body)) {
    throw new VersionError(
      `tag "${raw}" is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE]): ${EXAMPLE}`
    )
  }
  const parsed = semver.parse(body)
  if (!parsed) throw new VersionError(`tag "${raw}" is not a semantic version: ${EXAMPLE}`)
  return {
    version: parsed.version,
    major: parsed.major,
    minor: parsed.minor,
    patch: parsed.patch,
    prerelease: parsed.prerelease.length > 0,
    tag: raw
  }
}

/**
 * The tag to release: the `tag` input when set, else GITHUB_REF when it is a tag ref.
 * A branch ref without a `tag` input is an error that says how to fix the workflow.
 */
export function resolveTag(tagInput: string, githubRef: string | undefined): string {
  if (tagInput.trim() !== '') return tagInput.trim()
  const ref = (githubRef ?? '').trim()
  if (ref.startsWith('refs/tags/')) return ref.slice('refs/tags/'.length)
  if (ref === '') {
    throw new VersionError(
      'no tag to release: GITHUB_REF is not set and the `tag` input is empty. ' +
        'Run the workflow on tag pushes (on: push: tags: ["*.*.*"]) or pass `tag: 1.2.3`.'
    )
  }
  throw new VersionError(
    `the workflow ran for "${ref}", which is not a tag. Run it on tag pushes ` +
      '(on: push: tags: ["*.*.*"]) or pass the `tag` input.'
  )
}
