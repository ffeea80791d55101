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
 * (tag-pattern with {name}), that plugin's folder (plugins/<name>), or the current folder when
 * that does not exist and the current folder is the plugin (a go.mod or a build-command there: a
 * single-plugin repository whose tags name it); else the current folder.
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
  const found = taggedPluginDir(inputs, plugin, cwd)
  if (found.dir !== undefined) return found.dir
  const { named: dir, abs } = found
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

/**
 * pluginWorkDir's choice, without the error: `dir` when there is one, else the folder the tag
 * names (relative and absolute), which does not exist.
 */
export function taggedPluginDir(
  inputs: Inputs,
  plugin: string | undefined,
  cwd: string
): { dir: string } | { dir: undefined; named: string; abs: string } {
  if (inputs.given.has('working-directory') || plugin === undefined) {
    return { dir: resolve(cwd, inputs.workingDirectory) }
  }
  const named = pluginDirectory(inputs.tagPattern, plugin)
  const abs = resolve(cwd, named)
  if (isDirectory(abs)) return { dir: abs }
  const root = resolve(cwd, inputs.workingDirectory)
  if (existsSync(join(root, 'go.mod')) || inputs.buildCommand !== '') return { dir: root }
  return { dir: undefined, named, abs }
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
