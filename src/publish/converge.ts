// Floating tags converge whatever the timing of concurrent releases.
//
// Two releases of one repository (1.1.0 and 1.2.0 pushed at once, with no concurrency group)
// each read the tag list, plan, then write. The slower one can plan `latest -> 1.1.0` before
// 1.2.0 exists and write it after 1.2.0 moved `latest`: both runs green, `latest` behind.
// So after writing, each run re-reads and repairs the floating tags it wrote: each must point
// at the highest stable version tag in its range. The run that finishes last sees every
// version tag (each run writes its version tag before its floating tags), so the registry
// ends right. The floating tags are read before the tag list: a floating tag that another run
// moved is then always explained by a version tag the list holds.
import semver from 'semver'
import type { Logger } from '../log.js'
import type { OciTarget } from '../oci/types.js'
import { stableVersions } from '../plan/tags.js'
import { highestDevVersion } from '../version/dev.js'

/** The semver range a floating tag follows: `1.4` -> 1.4.x, `1` -> 1.x, `latest` -> all. */
export function floatingRange(tag: string): string | undefined {
  if (tag === 'latest') return '*'
  if (/^\d+$/.test(tag)) return `${tag}.x`
  if (/^\d+\.\d+$/.test(tag)) return `${tag}.x`
  return undefined
}

/** For each floating tag, the version tag it should point at, given every tag of a repository. */
export function expectedFloating(
  floatingTags: string[],
  repositoryTags: string[]
): Map<string, string> {
  const stable = stableVersions(repositoryTags)
  const out = new Map<string, string>()
  for (const tag of floatingTags) {
    const range = floatingRange(tag)
    if (range === undefined) throw new Error(`"${tag}" is not a floating tag`)
    const highest = semver.maxSatisfying(stable, range)
    if (highest) out.set(tag, highest)
  }
  return out
}

/** What each of `tags` points at in `target` (undefined: absent), read at once. */
export async function readTags(
  target: OciTarget,
  tags: string[]
): Promise<Map<string, string | undefined>> {
  return new Map(
    await Promise.all(tags.map(async (tag) => [tag, await target.resolveTag(tag)] as const))
  )
}

export interface Repair {
  ref: string
  tag: string
  /** The version the tag points at now. */
  version: string
  digest: string
}

/**
 * Re-reads the repository and moves any of `floatingTags` that does not point at the highest
 * stable version in its range. Returns the repairs made (none in a release nobody raced).
 * `likelyVersion` (the version the run released) is read with the list, since the floating
 * tags most often follow it: a release nobody raced then needs two round trips, not three.
 */
export async function convergeFloatingTags(
  target: OciTarget,
  ref: string,
  floatingTags: string[],
  logger: Logger,
  likelyVersion?: string,
  maxRounds = 3
): Promise<Repair[]> {
  const repairs: Repair[] = []
  if (floatingTags.length === 0) return repairs
  for (let round = 0; round < maxRounds; round++) {
    // The floating tags at once (all read before the list, see above), then the list, then each
    // version they should follow, once. A version tag is read after the floating tags, which
    // is all the order needs, whether before or after the list.
    const current = await readTags(target, floatingTags)
    const [tags, digests] = await Promise.all([
      target.listTags(),
      readTags(target, likelyVersion === undefined ? [] : [likelyVersion])
    ])
    const expected = expectedFloating(floatingTags, tags)
    const others = [...new Set(expected.values())].filter((v) => !digests.has(v))
    for (const [v, d] of await readTags(target, others)) digests.set(v, d)
    let moved = false
    for (const [tag, version] of expected) {
      const digest = digests.get(version)
      if (digest === undefined || current.get(tag) === digest) continue
      const manifest = await target.fetchManifest(digest)
      if (!manifest) continue // deleted under us: nothing sane to point at
      await target.pushManifest(manifest.body, manifest.mediaType, tag)
      logger.info(
        `${ref}:${tag} pointed at ${current.get(tag) ?? 'nothing'}, but ${version} is the ` +
          `highest in its range (a concurrent release): moved it to ${digest}`
      )
      repairs.push({ ref, tag, version, digest })
      moved = true
    }
    if (!moved) return repairs
  }
  return repairs
}

/**
 * The dev tag's convergence: after a dev build, `devTag` must point at the highest dev version
 * in the repository (two pushes built at once: the slower run may have moved it back). Returns
 * the repairs made.
 */
export async function convergeDevTag(
  target: OciTarget,
  ref: string,
  devTag: string,
  logger: Logger,
  maxRounds = 3
): Promise<Repair[]> {
  const repairs: Repair[] = []
  for (let round = 0; round < maxRounds; round++) {
    const current = await target.resolveTag(devTag)
    const newest = highestDevVersion(await target.listTags())
    if (newest === undefined) return repairs
    const digest = await target.resolveTag(newest)
    if (digest === undefined || digest === current) return repairs
    const manifest = await target.fetchManifest(digest)
    if (!manifest) return repairs
    await target.pushManifest(manifest.body, manifest.mediaType, devTag)
    logger.info(
      `${ref}:${devTag} pointed at ${current ?? 'nothing'}, but ${newest} is the newest dev ` +
        `build (a concurrent run): moved it to ${digest}`
    )
    repairs.push({ ref, tag: devTag, version: newest, digest })
  }
  return repairs
}
