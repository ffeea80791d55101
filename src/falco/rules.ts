// What a Falco rules file says about the artifacts it needs: `- required_engine_version` and
// `- required_plugin_versions` items of the top-level YAML list. falcoctl derives the rulesfile
// config from them (cmd/registry/push rulesConfigLayer); we do the same, validated, and add the
// mutual dependency on the plugin being released.

import semver from 'semver'
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml'
import { assertArtifactName, isStrictSemver, type Alternative, type Dependency } from './config.js'
import { ARTIFACT_NAME_PATTERN, isArtifactName } from './conventions.js'
import { compareGoStrings } from './json.js'

export interface ParsedRulesFile {
  /** The file's path, as given to parseRulesFile: used in error messages. */
  path?: string
  /** X.Y.Z: a string as written, or 0.N.0 for an integer N. The highest one when repeated. */
  requiredEngineVersion?: string
  /** Every entry of every required_plugin_versions item, in file order. */
  requiredPluginVersions: Dependency[]
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'a mapping'
  return `the ${typeof value} ${JSON.stringify(value)}`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses a name/version pair of a required_plugin_versions entry. */
function parseNameVersion(value: unknown, where: string): Alternative {
  if (!isPlainObject(value)) {
    throw new Error(`${where} must be a mapping with name and version, not ${typeName(value)}`)
  }
  const { name, version } = value
  if (typeof name !== 'string' || !isArtifactName(name)) {
    throw new Error(
      name === undefined
        ? `${where}: name is missing`
        : `${where}: name ${JSON.stringify(name)} is not a valid plugin name (${ARTIFACT_NAME_PATTERN.source})`
    )
  }
  if (typeof version !== 'string' || !isStrictSemver(version)) {
    const hint = typeof version === 'number' ? ' (quote it, or write all three parts: X.Y.Z)' : ''
    throw new Error(
      `${where}: version of ${name} ${version === undefined ? 'is missing' : `is ${typeName(version)}, not X.Y.Z${hint}`}`
    )
  }
  return { name, version }
}

function parseEngineVersion(value: unknown, where: string): string {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    return `0.${value}.0`
  }
  if (typeof value === 'string' && isStrictSemver(value)) return value
  throw new Error(
    `${where}: required_engine_version is ${typeName(value)}; expected an integer N (meaning 0.N.0) or a version X.Y.Z`
  )
}

/**
 * Reads required_engine_version and required_plugin_versions from a Falco rules file.
 * Throws errors that name the file (and line) for invalid YAML, a file that is not a list,
 * and malformed entries.
 */
export function parseRulesFile(text: string, path: string): ParsedRulesFile {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: true })
  if (doc.errors.length > 0) {
    throw new Error(`${path}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`)
  }
  const root = doc.contents
  if (root === null) {
    throw new Error(`${path}: the file is empty; expected a YAML list of rules, macros and lists`)
  }
  if (!isSeq(root)) {
    throw new Error(`${path}: expected a YAML list of rules, macros and lists at the top level`)
  }

  const result: ParsedRulesFile = { path, requiredPluginVersions: [] }
  root.items.forEach((node, index) => {
    const start = (node as YamlNode | null)?.range?.[0]
    const where = `${path}:${start !== undefined ? lineCounter.linePos(start).line : '?'}`
    if (!isMap(node)) {
      throw new Error(`${where}: item ${index + 1} of the top-level list is not a mapping`)
    }
    const item: unknown = node.toJS(doc, { maxAliasCount: 1000 })
    if (!isPlainObject(item)) return
    if ('required_engine_version' in item) {
      const version = parseEngineVersion(item.required_engine_version, where)
      const current = result.requiredEngineVersion
      if (current === undefined || semver.gt(version, current)) {
        result.requiredEngineVersion = version
      }
    }
    if ('required_plugin_versions' in item) {
      const list = item.required_plugin_versions
      if (!Array.isArray(list)) {
        throw new Error(`${where}: required_plugin_versions must be a list, not ${typeName(list)}`)
      }
      list.forEach((entry: unknown, i) => {
        const entryWhere = `${where}: required_plugin_versions[${i}]`
        const dep: Dependency = parseNameVersion(entry, entryWhere)
        const alternatives = (entry as Record<string, unknown>).alternatives
        if (alternatives !== undefined && alternatives !== null) {
          if (!Array.isArray(alternatives)) {
            throw new Error(
              `${entryWhere}: alternatives must be a list, not ${typeName(alternatives)}`
            )
          }
          const parsed = alternatives.map((a: unknown, j) =>
            parseNameVersion(a, `${entryWhere}.alternatives[${j}]`)
          )
          if (parsed.length > 0) dep.alternatives = parsed
        }
        result.requiredPluginVersions.push(dep)
      })
    }
  })
  return result
}

/** X.Y.Z without pre-release: Falco compares plugin versions on these three numbers only. */
function core(version: string): string {
  const v = semver.parse(version)
  if (v === null) throw new Error(`invalid version ${version}`)
  return `${v.major}.${v.minor}.${v.patch}`
}

/** Merges two requirements on the same artifact: the higher version wins; majors must agree. */
function mergeVersion(name: string, a: string, b: string, file: string): string {
  if (semver.major(a) !== semver.major(b)) {
    throw new Error(
      `${file} requires both ${name} ${a} and ${name} ${b}: no single version satisfies two majors`
    )
  }
  return semver.gte(a, b) ? a : b
}

function mergeAlternatives(
  into: Map<string, string>,
  alternatives: Alternative[] | undefined,
  file: string
): void {
  for (const alt of alternatives ?? []) {
    const prev = into.get(alt.name)
    into.set(
      alt.name,
      prev === undefined ? alt.version : mergeVersion(alt.name, prev, alt.version, file)
    )
  }
}

/**
 * The rulesfile's dependencies: `<plugin.name>:<plugin.version>` (the release itself, with any
 * alternatives the file lists for it) plus every other plugin the file requires, as written.
 * When the file names the plugin only as an alternative of another one, the release satisfies
 * that entry and gets no dependency of its own.
 * An artifact named in several entries is merged (highest version, alternatives united). Throws
 * when the file requires a version of this plugin newer than the release or of another major:
 * Falco would refuse to load these rules with this plugin. Pre-release tags are ignored in that
 * comparison, as Falco does (rules requiring 1.4.0 may ship with 1.4.0-rc.1).
 */
export function rulesDependencies(
  parsed: ParsedRulesFile,
  plugin: { name: string; version: string }
): Dependency[] {
  assertArtifactName(plugin.name, 'plugin name')
  if (!isStrictSemver(plugin.version)) {
    throw new Error(`plugin version ${JSON.stringify(plugin.version)} is not X.Y.Z[-prerelease]`)
  }
  const file = parsed.path ?? 'the rules file'
  const release = core(plugin.version)

  const checkOwnVersion = (required: string): void => {
    const req = core(required)
    if (semver.major(req) !== semver.major(release)) {
      throw new Error(
        `${file} requires ${plugin.name} ${required} but this release is ${plugin.version}, another major: ` +
          `update required_plugin_versions in the rules file to ${plugin.name} ${release}`
      )
    }
    if (semver.gt(req, release)) {
      throw new Error(
        `${file} requires ${plugin.name} >= ${required} but this release is ${plugin.version}: ` +
          `release a version >= ${required}, or lower required_plugin_versions in the rules file`
      )
    }
  }

  const ownAlternatives = new Map<string, string>()
  let ownAsAlternative = false
  let ownTopLevel = false
  const others = new Map<string, { version: string; alternatives: Map<string, string> }>()
  for (const dep of parsed.requiredPluginVersions) {
    if (dep.name === plugin.name) {
      ownTopLevel = true
      checkOwnVersion(dep.version)
      mergeAlternatives(ownAlternatives, dep.alternatives, file)
      continue
    }
    for (const alt of dep.alternatives ?? []) {
      if (alt.name === plugin.name) {
        ownAsAlternative = true
        checkOwnVersion(alt.version)
      }
    }
    const prev = others.get(dep.name)
    if (prev === undefined) {
      const alternatives = new Map<string, string>()
      mergeAlternatives(alternatives, dep.alternatives, file)
      others.set(dep.name, { version: dep.version, alternatives })
    } else {
      prev.version = mergeVersion(dep.name, prev.version, dep.version, file)
      mergeAlternatives(prev.alternatives, dep.alternatives, file)
    }
  }
  ownAlternatives.delete(plugin.name)

  const toDependency = (name: string, version: string, alts: Map<string, string>): Dependency => {
    const alternatives = [...alts]
      .map(([n, v]) => ({ name: n, version: v }))
      .sort((a, b) => compareGoStrings(a.name, b.name))
    return alternatives.length > 0 ? { name, version, alternatives } : { name, version }
  }
  // A plugin the file accepts only as an alternative (k8saudit-ovh in k8saudit's rules) is
  // not made a dependency of its own: falcoctl would then install both plugins.
  const deps =
    ownAsAlternative && !ownTopLevel
      ? []
      : [toDependency(plugin.name, plugin.version, ownAlternatives)]
  for (const [name, { version, alternatives }] of others) {
    deps.push(toDependency(name, version, alternatives))
  }
  return deps.sort((a, b) => compareGoStrings(a.name, b.name))
}
