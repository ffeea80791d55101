// The inputs stage, first in every mode: the checks that need only the inputs and the context,
// which run this is (a tag release, with its version parsed once here, or a dev build, whose
// version waits for the .so), the plugin's folder, the paths kept in the workspace, and the
// scratch folder. It decides the mode, so which list of stages runs next.
import { mkdtemp } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { RunContext } from '../context.js'
import { checkInputs, type Inputs } from '../inputs/inputs.js'
import { confine, workspaceOf } from '../inputs/workspace.js'
import type { Logger } from '../log.js'
import { checkDevCheckout, devPlugin, runKind } from '../release/dev-build.js'
import { pluginWorkDir } from '../release/paths.js'
import type { Journal } from '../report/journal.js'
import { registerSigningSecrets } from '../sign/signing.js'
import { matchTagPattern } from '../version/tag-pattern.js'
import type { ReleaseVersion } from '../version/version.js'
import type { ReleaseMode, ReleaseState } from './state.js'
import type { ReleaseSteps } from './steps.js'

/** The mode the inputs ask for. */
export function modeOf(inputs: Pick<Inputs, 'merge' | 'pushByDigest'>): ReleaseMode {
  if (inputs.merge !== '') return 'merge'
  return inputs.pushByDigest ? 'push-by-digest' : 'release'
}

/** Runs the inputs stage: the release state the mode's stages start from. */
export async function setUp(opts: {
  inputs: Inputs
  context: RunContext
  logger: Logger
  journal: Journal
  steps: ReleaseSteps
}): Promise<ReleaseState> {
  const { inputs, context, logger, journal } = opts
  journal.stage = 'inputs'
  journal.dryRun = inputs.dryRun
  checkInputs(inputs)
  if (inputs.githubToken !== '') logger.secret(inputs.githubToken)
  registerSigningSecrets(inputs, logger)
  const warnings: string[] = []
  const run = runKind(inputs, context.github)
  // Paths the inputs name stay inside the checkout (GITHUB_WORKSPACE) unless allowed.
  const workspace = workspaceOf(context.workspace, inputs.allowOutsideWorkspace)
  confine(workspace, inputs.workingDirectory, 'working-directory')
  if (inputs.ociLayout !== '') confine(workspace, inputs.ociLayout, 'oci-layout')
  let release: ReleaseVersion | undefined
  let plugin: string | undefined
  let workDir: string
  let dev: ReleaseState['dev']
  if (run.kind === 'tag') {
    const match = matchTagPattern(run.tag, inputs.tagPattern, inputs.pluginName || undefined)
    release = match.release
    plugin = match.plugin
    journal.version = release.version
    logger.info(
      `releasing version ${release.version} (tag ${run.tag})` +
        (plugin ? ` of plugin ${plugin}` : '')
    )
    // In a monorepo, the tag names the plugin and so its folder.
    workDir = pluginWorkDir(inputs, run.tag, plugin, context.cwd)
  } else {
    plugin = devPlugin(inputs)
    // The version is known once the .so reports its own (the version stage).
    logger.info(
      `dev build of ${run.branch}${plugin ? ` for plugin ${plugin}` : ''}: publishes an exact ` +
        `dev version and moves "${inputs.devTag}"; stable tags and index-file stay as they are`
    )
    workDir = pluginWorkDir(
      inputs,
      run.branch,
      plugin,
      context.cwd,
      `the dev build of ${run.branch} (plugin-name) builds`
    )
    if (inputs.devIndexFile !== '') confine(workspace, inputs.devIndexFile, 'dev-index-file')
    dev = { branch: run.branch, git: await checkDevCheckout(workDir, context.childEnvBase) }
  }
  journal.plugin = plugin ?? (inputs.pluginName || undefined)
  // The paths the inputs name inside the plugin's folder stay in the workspace too.
  if (inputs.pluginPath !== '') {
    confine(workspace, resolve(workDir, inputs.pluginPath), 'plugin-path')
  }
  if (inputs.rulesFile !== '' && !/^none$/i.test(inputs.rulesFile.trim())) {
    confine(workspace, resolve(workDir, inputs.rulesFile), 'rules-file')
  }
  const scratch = await mkdtemp(join(context.runnerTemp, 'falco-plugin-release-'))
  return {
    context,
    inputs,
    logger,
    journal,
    steps: opts.steps,
    mode: modeOf(inputs),
    warn: (w) => {
      warnings.push(w)
      logger.warning(w)
    },
    warnings,
    workspace,
    workDir,
    scratch,
    expectedName: inputs.pluginName || plugin,
    monorepo: plugin !== undefined,
    dev,
    release
  }
}
