// The rules artifact: which file, its dependencies (this plugin at the release
// version, plus every other plugin the file names) and engine requirement.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import { layerFileName, packLayer } from '../falco/layer.js'
import { parseRulesFile, rulesDependencies } from '../falco/rules.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import type { PlanFacts } from '../plan/plan.js'
import { MAX_RULES_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.js'

const YAML_FILE = /\.ya?ml$/i

/** Where the rules file came from, for the log. */
export interface RulesChoice {
  file?: string
  /** Why this file (or why none), one sentence. */
  reason: string
  /** Something the user should see as an annotation: a rules folder that gave no file. */
  warning?: string
}

function yamlFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => (e.isFile() || e.isSymbolicLink()) && YAML_FILE.test(e.name))
      .map((e) => e.name)
      .sort()
  } catch {
    return []
  }
}

/**
 * The rules file, found the way plugin repositories keep it: the rules-file input (none: no
 * rules); else the one YAML file in rules/ (several: the input must choose); else
 * <name>_rules.yaml next to go.mod (falcosecurity/plugins' dummy).
 */
export function chooseRulesFile(inputs: Inputs, workDir: string, name: string): RulesChoice {
  const given = inputs.rulesFile.trim()
  if (/^none$/i.test(given)) return { reason: 'rules-file is none: releasing the plugin alone' }
  if (given !== '') {
    const p = resolve(workDir, given)
    if (!existsSync(p) || !statSync(p).isFile()) {
      throw new Error(
        `rules-file "${given}" does not exist in ${workDir}: fix the path, ` +
          'or set it to none to release the plugin alone'
      )
    }
    return { file: p, reason: `rules-file input` }
  }
  const rulesDir = join(workDir, 'rules')
  const inRulesDir = yamlFilesIn(rulesDir)
  if (inRulesDir.length === 1) {
    return { file: join(rulesDir, inRulesDir[0]), reason: 'the only YAML file in rules/' }
  }
  if (inRulesDir.length > 1) {
    throw new Error(
      `rules/ holds several YAML files (${inRulesDir.join(', ')}) and a rules artifact carries ` +
        'exactly one: set rules-file to the one to publish (e.g. rules-file: ' +
        `rules/${inRulesDir[0]}), or rules-file: none to release the plugin alone`
    )
  }
  const atRoot = join(workDir, `${name}_rules.yaml`)
  if (existsSync(atRoot)) return { file: atRoot, reason: `${name}_rules.yaml next to go.mod` }
  const none = `no rules file (looked for a YAML file in rules/ and for ${name}_rules.yaml): releasing the plugin alone`
  if (existsSync(rulesDir)) {
    return {
      reason: none,
      warning:
        `rules/ exists but holds no .yaml file, so no rules artifact is published: ` +
        'set rules-file to the rules to publish, or rules-file: none to silence this warning'
    }
  }
  return { reason: none }
}

/** Parses, checks and packs the rules file; undefined when the plugin has none. */
export async function prepareRules(opts: {
  inputs: Inputs
  workDir: string
  /**
   * The plugin and the version the rules depend on. soVersion (a dev build): the version the .so
   * reports, which Falco compares with required_plugin_versions, when it differs from version.
   */
  plugin: { name: string; version: string; soVersion?: string }
  layersDir: string
  logger: Logger
  warn: (w: string) => void
}): Promise<PlanFacts['rules']> {
  const { plugin } = opts
  const choice = chooseRulesFile(opts.inputs, opts.workDir, plugin.name)
  if (choice.warning) opts.warn(choice.warning)
  const file = choice.file
  if (!file) {
    opts.logger.info(choice.reason)
    return undefined
  }
  opts.logger.info(`rules: ${relative(opts.workDir, file) || file} (${choice.reason})`)
  const text = await readTextFileBounded(file, {
    limit: MAX_RULES_FILE_BYTES,
    what: 'the rules file',
    fix: 'check that rules-file names the rules YAML (Falco rules files are rarely over 1 MiB)'
  })
  const parsed = parseRulesFile(text, file)
  const dependencies =
    plugin.soVersion === undefined
      ? rulesDependencies(parsed, plugin)
      : // Checked against what the .so reports; the dependency names the dev build's own tag.
        rulesDependencies(parsed, { name: plugin.name, version: plugin.soVersion }).map((d) =>
          d.name === plugin.name ? { ...d, version: plugin.version } : d
        )
  if (!parsed.requiredEngineVersion) {
    opts.warn(
      `${basename(file)} has no required_engine_version: the rules artifact will carry no engine requirement`
    )
  }
  const entryName = basename(file)
  const packed = await packLayer({
    source: file,
    entryName,
    mode: 0o644,
    destination: join(opts.layersDir, 'rules.tar.gz')
  })
  return {
    layer: { ...packed, title: layerFileName(entryName), entryName },
    dependencies,
    engineVersion: parsed.requiredEngineVersion,
    file
  }
}
