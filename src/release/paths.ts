// Where things are: the plugin's folder (monorepo tags name it), the repository root, and the
// folder the built lib<name>.so is left in for later steps (the runner's temp space, never the
// plugin's sources).
import { existsSync, readdirSync, statSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { dirname, join, relative, resolve, sep } from 'node:path'
import type { Inputs } from '../inputs/inputs.js'
import { pluginDirectory } from '../version/tag-pattern.js'

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory()
  } catch {
    return false
  }
}

/**
 * The plugin's folder: the working-directory input when set; else, for a tag that names a plugin
 * (tag-pattern with {name}), that plugin's folder, which must exist; else the current folder.
 */
export function pluginWorkDir(
  inputs: Inputs,
  tag: string,
  plugin: string | undefined,
  /** The folder relative paths start from (RunContext.cwd). */
  cwd: string,
  /** Who names the plugin, for the message: by default `tag "<tag>" releases`. */
  subject = `tag "${tag}" releases`
): string {
  if (inputs.given.has('working-directory') || plugin === undefined) {
    return resolve(cwd, inputs.workingDirectory)
  }
  const dir = pluginDirectory(inputs.tagPattern, plugin)
  const abs = resolve(cwd, dir)
  if (isDirectory(abs)) return abs
  const parent = dirname(abs)
  const siblings = isDirectory(parent)
    ? readdirSync(parent, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name)
        .sort()
    : []
  throw new Error(
    `${subject} the plugin "${plugin}", but its folder ${dir} does not exist in ${cwd}` +
      (siblings.length > 0
        ? ` (${relative(cwd, parent) || '.'} has ${siblings.slice(0, 20).join(', ')}${siblings.length > 20 ? ', ...' : ''})`
        : '') +
      ": check the plugin name in the tag, or set working-directory to the plugin's folder"
  )
}

/** The repository's top folder: the nearest folder above `dir` that holds .git, else `fallback`. */
export function repositoryRoot(dir: string, fallback = process.cwd()): string {
  let d = resolve(dir)
  for (;;) {
    if (existsSync(join(d, '.git'))) return d
    const up = dirname(d)
    if (up === d) return resolve(fallback)
    d = up
  }
}

/** `path` relative to `root` with "/" separators; '' for the root itself. */
export function repositoryPath(root: string, path: string): string {
  const r = relative(root, path)
  if (r.startsWith('..')) return ''
  return r.split(sep).join('/')
}

/**
 * A fresh folder in the runner's temp space (RunContext.runnerTemp) for outputs later steps use,
 * such as the plugin-path output. It outlives the run's scratch folder.
 */
export async function keptOutputDir(runnerTemp: string): Promise<string> {
  return mkdtemp(join(runnerTemp, 'falco-plugin-release-out-'))
}
