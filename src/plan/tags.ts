// Which tags a release gets. X.Y.Z always; the floating tags X.Y, X and latest
// only when the release is the highest stable version published in that tag's
// range, so a backport (1.3.9 after 1.4.2) moves 1.3 and nothing else, and a
// pre-release gets only its exact tag.
import semver from 'semver'
import { highestDevVersion } from '../version/dev.js'
import type { ReleaseVersion } from '../version/version.js'

export interface TagDecision {
  tag: string
  move: boolean
  /** Why the tag moves or stays, for the log and the summary. */
  reason: string
}

export interface TagPlan {
  /** The exact version tag, always written. */
  versionTag: string
  /** X.Y, X, latest in that order (X omitted for major 0 unless asked); a dev build's dev tag. */
  floating: TagDecision[]
  /** A dev build: floating holds only this moving tag (e.g. "main"), never a stable one. */
  devTag?: string
}

export interface TagOptions {
  /** Also maintain the bare "0" tag for 0.x releases (off: 0.x minors may break). */
  majorZeroTag?: boolean
}

/** Published stable versions, from a tag list that also holds floating tags and pre-releases. */
export function stableVersions(tags: string[]): string[] {
  const out = new Set<string>()
  for (const t of tags) {
    const v = semver.valid(t)
    // Only exact, canonical X.Y.Z tags count: "1.4", "latest", "v1.2.3" do not.
    if (v && v === t && semver.prerelease(v) === null) out.add(v)
  }
  return [...out].sort(semver.compare)
}

function highestIn(versions: string[], range: string): string | null {
  return semver.maxSatisfying(versions, range)
}

export function planTags(
  release: ReleaseVersion,
  publishedTags: string[],
  options: TagOptions = {}
): TagPlan {
  const versionTag = release.version
  if (release.prerelease) {
    const reason = 'pre-release: only its exact tag'
    return {
      versionTag,
      floating: [
        { tag: `${release.major}.${release.minor}`, move: false, reason },
        ...(release.major > 0 || options.majorZeroTag
          ? [{ tag: `${release.major}`, move: false, reason }]
          : []),
        { tag: 'latest', move: false, reason }
      ]
    }
  }
  const published = stableVersions(publishedTags)
  const decide = (tag: string, range: string, label: string): TagDecision => {
    const highest = highestIn(published, range)
    if (highest && semver.gt(highest, release.version)) {
      return { tag, move: false, reason: `${highest} is newer than ${release.version} in ${label}` }
    }
    return { tag, move: true, reason: `${release.version} is the highest in ${label}` }
  }
  const floating: TagDecision[] = [
    decide(
      `${release.major}.${release.minor}`,
      `${release.major}.${release.minor}.x`,
      `${release.major}.${release.minor}.x`
    )
  ]
  if (release.major > 0 || options.majorZeroTag) {
    floating.push(decide(`${release.major}`, `${release.major}.x`, `${release.major}.x`))
  } else {
    floating.push({
      tag: '0',
      move: false,
      reason: '0.x minors may break each other; set `major-zero-tag: true` to maintain `0`'
    })
  }
  floating.push(decide('latest', '*', 'all stable versions'))
  return { versionTag, floating }
}

/**
 * A dev build's tags: its exact dev version, and the moving dev tag unless the registry already
 * has a newer dev build (a re-run of an older push must not take the dev tag back). The stable
 * tags X.Y.Z, X.Y, X and latest are never written.
 */
export function planDevTags(
  release: ReleaseVersion,
  devTag: string,
  publishedTags: string[]
): TagPlan {
  const newest = highestDevVersion([...publishedTags, release.version])
  const newer = newest !== undefined && semver.gt(newest, release.version) ? newest : undefined
  return {
    versionTag: release.version,
    floating: [
      newer
        ? { tag: devTag, move: false, reason: `${newer}, a newer dev build, is published` }
        : { tag: devTag, move: true, reason: `${release.version} is the newest dev build` }
    ],
    devTag
  }
}

/** The tags a plan writes, version tag first. */
export function tagsToWrite(plan: TagPlan): string[] {
  return [plan.versionTag, ...plan.floating.filter((d) => d.move).map((d) => d.tag)]
}
