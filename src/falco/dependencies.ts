// Which artifacts `falcoctl artifact install` fetches for a set of references, and so which
// dependency tags must exist for the install to work (falcoctl cmd/artifact/install/deps.go).
//
// falcoctl keys artifacts by config name. A dependency is satisfied without a fetch when an
// artifact of that name (or of one of its alternatives) is already in the set with the same
// major and a version not lower; otherwise it fetches `name:version`, that exact tag, through
// the index. Which artifacts are "already in the set" depends on Go's map iteration order, so
// this check is conservative: only the references given on the command line count as present,
// and every other dependency must resolve to an existing tag.
import semver from 'semver'
import type { ArtifactConfig, Dependency } from './config.js'

/** What a lookup of `name:tag` found. */
export type LookupResult =
  | {
      status: 'found'
      config: ArtifactConfig
      /** "os/arch" of a plugin index. */ platforms?: string[]
    }
  /** The tag (or the name, in every index) does not exist: falcoctl fails. */
  | { status: 'missing'; reason: string }
  /** It could not be checked (an index or registry did not answer): not a refusal. */
  | { status: 'unknown'; reason: string }

export type Lookup = (name: string, tag: string) => Promise<LookupResult>

export interface MissingDependency {
  name: string
  version: string
  requiredBy: string
  reason: string
}

export interface ClosureResult {
  /** name:version of every artifact falcoctl may install, roots included. */
  artifacts: string[]
  missing: MissingDependency[]
  /** Dependencies that could not be checked, with the reason. */
  unknown: MissingDependency[]
  /** Requirements no single version satisfies (falcoctl: "cannot satisfy dependencies"). */
  conflicts: string[]
}

const major = (v: string) => semver.major(semver.coerce(v) ?? '0.0.0')
const compare = (a: string, b: string) =>
  semver.compare(
    semver.valid(a) ?? semver.coerce(a) ?? '0.0.0',
    semver.valid(b) ?? semver.coerce(b) ?? '0.0.0'
  )

/**
 * Walks the dependencies of `roots` (the configs of the references given to falcoctl) and
 * looks up every artifact falcoctl may fetch. `platforms` ("os/arch"): a plugin fetched as a
 * dependency must have a build for each, or installing on that platform fails.
 */
export async function resolveClosure(
  roots: ArtifactConfig[],
  lookup: Lookup,
  platforms: string[] = []
): Promise<ClosureResult> {
  const given = new Map(roots.map((r) => [r.name, r.version]))
  const result: ClosureResult = {
    artifacts: roots.map((r) => `${r.name}:${r.version}`),
    missing: [],
    unknown: [],
    conflicts: []
  }
  const seen = new Set(result.artifacts)
  const queue: ArtifactConfig[] = [...roots]

  const fetch = async (name: string, version: string, requiredBy: string): Promise<void> => {
    const key = `${name}:${version}`
    if (seen.has(key)) return
    seen.add(key)
    const found = await lookup(name, version)
    if (found.status !== 'found') {
      const list = found.status === 'missing' ? result.missing : result.unknown
      list.push({ name, version, requiredBy, reason: found.reason })
      return
    }
    const lacking = found.platforms ? platforms.filter((p) => !found.platforms?.includes(p)) : []
    if (lacking.length > 0) {
      result.missing.push({
        name,
        version,
        requiredBy,
        reason: `it has no ${lacking.join(', ')} build (it has ${found.platforms?.join(', ') || 'none'})`
      })
    }
    result.artifacts.push(key)
    queue.push(found.config)
  }

  /** The version given on the command line for `name`, when it satisfies `version`. */
  const satisfiedBy = (name: string, version: string, by: string): 'yes' | 'older' | 'no' => {
    const have = given.get(name)
    if (have === undefined) return 'no'
    if (major(have) !== major(version)) {
      result.conflicts.push(
        `${by} depends on ${name}:${version} but ${name}:${have} is installed with it (another major)`
      )
      return 'yes' // reported; no fetch would help
    }
    return compare(version, have) <= 0 ? 'yes' : 'older'
  }

  const visit = async (artifact: ArtifactConfig, dep: Dependency): Promise<void> => {
    const by = `${artifact.name}:${artifact.version}`
    if (satisfiedBy(dep.name, dep.version, by) === 'yes') return
    for (const alt of dep.alternatives ?? []) {
      const s = satisfiedBy(alt.name, alt.version, by)
      if (s === 'no') continue
      // An alternative given on the command line: falcoctl upgrades it to the alternative's version.
      if (s === 'older') await fetch(alt.name, alt.version, by)
      return
    }
    await fetch(dep.name, dep.version, by)
  }

  while (queue.length > 0) {
    const artifact = queue.shift() as ArtifactConfig
    for (const dep of artifact.dependencies ?? []) await visit(artifact, dep)
  }
  return result
}
