// The rules artifact: which file, its dependencies (this plugin at the release
// version, plus every other plugin the file names) and engine requirement.
import { existsSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { layerFileName, packLayer } from '../falco/layer.js'
import { parseRulesFile, rulesDependencies } from '../falco/rules.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import type { PlanFacts } from '../plan/plan.js'
import { MAX_RULES_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.js'

export function rulesPath(inputs: Inputs, workDir: string, name: string): string | undefined {
  if (inputs.rulesFile !== '') {
    const p = resolve(workDir, inputs.rulesFile)
    if (!existsSync(p)) {
      throw new Error(
        `rules-file "${inputs.rulesFile}" does not exist in ${workDir}: fix the path, ` +
          'or leave the input empty to release the plugin alone'
      )
    }
    return p
  }
  const p = join(workDir, 'rules', `${name}_rules.yaml`)
  return existsSync(p) ? p : undefined
}

/** Parses, checks and packs the rules file; undefined when the plugin has none. */
export async function prepareRules(opts: {
  inputs: Inputs
  workDir: string
  plugin: { name: string; version: string }
  layersDir: string
  logger: Logger
  warn: (w: string) => void
}): Promise<PlanFacts['rules']> {
  const { plugin } = opts
  const file = rulesPath(opts.inputs, opts.workDir, plugin.name)
  if (!file) {
    opts.logger.info(
      `no rules file (looked for rules/${plugin.name}_rules.yaml): releasing the plugin alone`
    )
    return undefined
  }
  const text = await readTextFileBounded(file, {
    limit: MAX_RULES_FILE_BYTES,
    what: 'the rules file',
    fix: 'check that rules-file names the rules YAML (Falco rules files are rarely over 1 MiB)'
  })
  const parsed = parseRulesFile(text, file)
  const dependencies = rulesDependencies(parsed, plugin)
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
