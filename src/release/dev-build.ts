// Dev builds of the default branch, around the pipeline: whether a run is one, whether the push
// touched this plugin (monorepos publish only the plugins a push changed), and the dev version,
// from the .so's version and the git history (src/version/dev.ts says how).
import { existsSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import type { GitHubFacts, RunContext } from '../context.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import { taggedPluginDir } from './paths.js'
import { checkDevTag, devRelease, devVersion, resolveRun, type RunKind } from '../version/dev.js'
import {
  changedFiles,
  commitsSince,
  gitAt,
  hasCommit,
  headCommit,
  isShallow,
  tagsMerged,
  topLevel,
  type Git
} from '../version/git.js'
import { compileTagPattern, matchTagPattern } from '../version/tag-pattern.js'
import type { ReleaseVersion } from '../version/version.js'
import semver from 'semver'

const ZERO_COMMIT = /^0+$/
const COMMIT_ID = /^[0-9a-f]{7,64}$/
const SHALLOW_FIX =
  'dev builds derive their version from the last release tag and the commits since: check ' +
  'out the whole history (actions/checkout with fetch-depth: 0)'

/** A tag release or a dev build, from the inputs, GITHUB_REF and the event. */
export function runKind(
  inputs: Inputs,
  github: Pick<GitHubFacts, 'ref' | 'eventName' | 'event'>
): RunKind {
  const run = resolveRun({ tagInput: inputs.tag, devBranch: inputs.devBranch, github })
  if (run.kind === 'dev') checkDevTag(inputs.devTag)
  return run
}

/** In a monorepo (tag-pattern with {name}), a dev build must be told which plugin. */
export function devPlugin(inputs: Inputs): string | undefined {
  if (!compileTagPattern(inputs.tagPattern).hasName) return undefined
  if (inputs.pluginName !== '') return inputs.pluginName
  if (inputs.given.has('working-directory')) return undefined
  throw new Error(
    `a dev build of a monorepo (tag-pattern ${inputs.tagPattern}) builds one plugin: set ` +
      'plugin-name (e.g. from a matrix of the plugins the push changed) or working-directory'
  )
}

/** The inputs distribution sees in a dev build: dev-index-file for index-file, no Release. */
export function devDistributionInputs(inputs: Inputs, logger: Logger): Inputs {
  if (inputs.githubRelease === true) {
    logger.info('github-release: dev builds make no GitHub Release (only tag releases do)')
  }
  const index = inputs.devIndexFile
  return {
    ...inputs,
    indexFile: index || inputs.indexFile,
    indexBranch: index ? inputs.indexBranch : '',
    githubRelease: false
  }
}

/**
 * Why this run need not build: a dev build whose push changed nothing under the plugin's folder
 * (or its rules-file), or removed the folder. undefined: build (a tag release; an event that is
 * not a push, e.g. workflow_dispatch; a new branch or a before-commit missing from the clone; a
 * plugin at the repository root, which every push touches). Anything unclear builds, and the
 * pipeline then says what is wrong.
 */
export async function devBuildSkipped(
  inputs: Inputs,
  ctx: Pick<RunContext, 'github' | 'cwd' | 'childEnvBase'>,
  logger: Logger
): Promise<string | undefined> {
  const { cwd } = ctx
  let workDir: string
  try {
    if (runKind(inputs, ctx.github).kind !== 'dev') return undefined
    const plugin = devPlugin(inputs)
    const found = taggedPluginDir(inputs, plugin, cwd)
    workDir = found.dir ?? found.abs
  } catch {
    return undefined
  }
  if (!existsSync(workDir)) {
    // A push that removed the plugin: a matrix of changed plugins still names it.
    return `${relative(cwd, workDir) || workDir} does not exist at this commit: nothing to build`
  }
  return pushTouches(inputs, ctx, workDir, logger)
}

async function pushTouches(
  inputs: Inputs,
  ctx: Pick<RunContext, 'github' | 'childEnvBase'>,
  workDir: string,
  logger: Logger
): Promise<string | undefined> {
  const { event, eventName, sha } = ctx.github
  if (eventName !== 'push') return undefined
  const before = event.before ?? ''
  const after = event.after || sha
  if (event.deleted) return `the push deleted the branch: nothing to build`
  // Commit ids only: anything else (never sent by GitHub) must not reach git as an option.
  if (!COMMIT_ID.test(before) || !COMMIT_ID.test(after) || ZERO_COMMIT.test(before)) {
    return undefined
  }
  const git = gitAt(workDir, ctx.childEnvBase)
  let top: string
  try {
    top = await topLevel(git)
  } catch {
    return undefined // not a checkout: the pipeline says so
  }
  const folders = [relative(top, resolve(workDir))]
  const rules = inputs.rulesFile.trim()
  if (rules !== '' && !/^none$/i.test(rules)) folders.push(relative(top, resolve(workDir, rules)))
  if (folders.some((f) => f === '')) return undefined
  if (folders.some((f) => f.startsWith('..'))) return undefined
  if (!(await hasCommit(git, before)) || !(await hasCommit(git, after))) {
    logger.info(
      `the push's before-commit ${before.slice(0, 12)} is not in this clone (a force push, or ` +
        'a shallow checkout): building without looking at what changed'
    )
    return undefined
  }
  const changed = await changedFiles(git, before, after, folders)
  if (changed.length > 0) {
    logger.info(
      `the push changed ${changed.length} file(s) under ${folders.join(', ')}, e.g. ${changed[0]}`
    )
    return undefined
  }
  return (
    `the push ${before.slice(0, 7)}..${after.slice(0, 7)} changed nothing under ` +
    `${folders.join(', ')}: no dev build of this plugin (run the workflow by hand, ` +
    'workflow_dispatch, to build it anyway)'
  )
}

/** Checks the checkout before anything is built: whole history, a commit to name. */
export async function checkDevCheckout(
  workDir: string,
  childEnvBase: NodeJS.ProcessEnv
): Promise<Git> {
  const git = gitAt(workDir, childEnvBase)
  try {
    await topLevel(git)
  } catch (err) {
    throw new Error(`${workDir} is not a git checkout (${(err as Error).message}): ${SHALLOW_FIX}`)
  }
  if (await isShallow(git)) throw new Error(`the checkout is shallow: ${SHALLOW_FIX}`)
  return git
}

/** The last release of `name` that HEAD contains: the highest version among matching tags. */
export async function lastRelease(
  git: Git,
  tagPattern: string,
  name: string
): Promise<{ tag: string; version: string } | undefined> {
  const hasName = compileTagPattern(tagPattern).hasName
  let best: { tag: string; version: string } | undefined
  for (const tag of await tagsMerged(git)) {
    let version: string
    try {
      version = matchTagPattern(tag, tagPattern, hasName ? name : undefined).release.version
    } catch {
      continue // another plugin's tag, or no release tag
    }
    if (best === undefined || semver.gt(version, best.version)) best = { tag, version }
  }
  return best
}

/**
 * The ReleaseVersion of this dev build, once the .so's version is known (inspect): from the
 * last release tag on the branch, the commits since and the commit built.
 */
export async function devReleaseOf(opts: {
  git: Git
  inputs: Inputs
  branch: string
  name: string
  soVersion: string
  logger: Logger
}): Promise<ReleaseVersion> {
  const { git, inputs, logger } = opts
  const commit = await headCommit(git)
  const last = await lastRelease(git, inputs.tagPattern, opts.name)
  const commits = await commitsSince(git, last?.tag)
  const version = devVersion({
    soVersion: opts.soVersion,
    lastRelease: last?.version,
    commits,
    commit
  })
  logger.info(
    `dev build ${version} of ${opts.branch} (${commit.slice(0, 12)}): ` +
      (last
        ? `${commits} commit(s) after ${last.tag}`
        : `no release tag of ${opts.name} yet, ${commits} commit(s) in all`) +
      `, the .so reports ${opts.soVersion}`
  )
  return devRelease(version, {
    branch: opts.branch,
    devTag: inputs.devTag,
    commit,
    lastRelease: last,
    commits,
    soVersion: opts.soVersion
  })
}
