// The artifact config blob (falcoctl pkg/oci/types.go ArtifactConfig). The same blob is used for
// every platform of a plugin. Only this blob can be byte-identical to falcoctl's output.

import semver from 'semver'
import { ARTIFACT_NAME_PATTERN, isArtifactName } from './conventions.js'
import { compareGoStrings, goJson } from './json.js'

export interface Alternative {
  name: string
  version: string
}

export interface Dependency {
  name: string
  version: string
  alternatives?: Alternative[]
}

export interface Requirement {
  name: string
  version: string
}

export interface ArtifactConfig {
  name: string
  version: string
  dependencies?: Dependency[]
  requirements?: Requirement[]
}

/** Requirement keys (keys of Falco's /versions document). */
export const REQUIREMENT_PLUGIN_API_VERSION = 'plugin_api_version'
export const REQUIREMENT_ENGINE_VERSION = 'engine_version_semver'

/** Requirement keys are keys of Falco's /versions document, e.g. plugin_api_version. */
const REQUIREMENT_NAME_PATTERN = /^[a-z][a-z0-9_]*$/
const INTEGER_PATTERN = /^(?:0|[1-9]\d*)$/

/** A full X.Y.Z[-pre] version: no 'v' prefix, no '+build' metadata, no surrounding spaces. */
export function isStrictSemver(version: string): boolean {
  return !version.includes('+') && semver.valid(version) === version
}

export function assertArtifactName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || !isArtifactName(name)) {
    throw new Error(
      `${what} ${JSON.stringify(name)} is not a valid artifact name: it must match ${ARTIFACT_NAME_PATTERN.source}`
    )
  }
}

export function assertStrictSemver(version: unknown, what: string): asserts version is string {
  if (typeof version !== 'string' || !isStrictSemver(version)) {
    throw new Error(
      `${what} ${JSON.stringify(version)} is not a strict semantic version: ` +
        'expected X.Y.Z or X.Y.Z-prerelease, without a "v" prefix or "+build" metadata'
    )
  }
}

function assertRequirement(r: Requirement): void {
  if (typeof r.name !== 'string' || !REQUIREMENT_NAME_PATTERN.test(r.name)) {
    throw new Error(
      `requirement name ${JSON.stringify(r.name)} is invalid: it must match ${REQUIREMENT_NAME_PATTERN.source}`
    )
  }
  // falcoctl follow accepts an integer or a strict semver (internal/follower checkRequirements).
  if (
    typeof r.version !== 'string' ||
    !(INTEGER_PATTERN.test(r.version) || isStrictSemver(r.version))
  ) {
    throw new Error(
      `requirement ${r.name} has the version ${JSON.stringify(r.version)}: expected an integer or X.Y.Z`
    )
  }
}

const byName = (a: { name: string }, b: { name: string }): number =>
  compareGoStrings(a.name, b.name)

/**
 * The config in its normalised form: dependencies and their alternatives sorted by name,
 * requirements sorted and de-duplicated by name (the last one wins, as falcoctl's
 * SetRequirement), empty arrays dropped. Throws on invalid names or versions and on a
 * dependency (or an alternative within one dependency) named twice.
 */
export function normalizeConfig(config: ArtifactConfig): ArtifactConfig {
  assertArtifactName(config.name, 'artifact name')
  assertStrictSemver(config.version, `version of ${config.name}`)

  const seen = new Set<string>()
  const dependencies = (config.dependencies ?? []).map((d) => {
    assertArtifactName(d.name, `dependency of ${config.name}`)
    assertStrictSemver(d.version, `version of dependency ${d.name}`)
    if (seen.has(d.name)) {
      throw new Error(`dependency ${d.name} is listed twice in the config of ${config.name}`)
    }
    seen.add(d.name)
    const altSeen = new Set<string>()
    const alternatives = (d.alternatives ?? []).map((a) => {
      assertArtifactName(a.name, `alternative of dependency ${d.name}`)
      assertStrictSemver(a.version, `version of alternative ${a.name} of dependency ${d.name}`)
      if (altSeen.has(a.name)) {
        throw new Error(`alternative ${a.name} is listed twice for dependency ${d.name}`)
      }
      altSeen.add(a.name)
      return { name: a.name, version: a.version }
    })
    alternatives.sort(byName)
    return alternatives.length > 0
      ? { name: d.name, version: d.version, alternatives }
      : { name: d.name, version: d.version }
  })
  dependencies.sort(byName)

  const requirementsByName = new Map<string, Requirement>()
  for (const r of config.requirements ?? []) {
    assertRequirement(r)
    requirementsByName.set(r.name, { name: r.name, version: r.version })
  }
  const requirements = [...requirementsByName.values()].sort(byName)

  const out: ArtifactConfig = { name: config.name, version: config.version }
  if (dependencies.length > 0) out.dependencies = dependencies
  if (requirements.length > 0) out.requirements = requirements
  return out
}

/** The config blob: compact JSON, keys name, version, dependencies, requirements. */
export function serializeConfig(config: ArtifactConfig): Buffer {
  const n = normalizeConfig(config)
  return Buffer.from(
    goJson({
      name: n.name,
      version: n.version,
      dependencies: n.dependencies?.map((d) => ({
        name: d.name,
        version: d.version,
        alternatives: d.alternatives?.map((a) => ({ name: a.name, version: a.version }))
      })),
      requirements: n.requirements?.map((r) => ({ name: r.name, version: r.version }))
    }),
    'utf8'
  )
}
