// The GitHub Action: the run's context and inputs read once here (the environment, INPUT_*,
// @actions/github's context), logs through @actions/core, outputs and a job summary at the end.
// The pipeline itself lives in src/pipeline/.
import * as core from '@actions/core'
import { context as actionsContext } from '@actions/github'
import { readRunContext, type GitHubContext } from './context.js'
import { envInputReader, readInputs } from './inputs/inputs.js'
import { requiredPermissions } from './inputs/permissions.js'
import { actionsLogger, SecretScrubber } from './log-core.js'
import { runRelease } from './pipeline/run.js'
import { devBuildSkipped } from './release/dev-build.js'
import { newJournal } from './report/journal.js'
import {
  failureMarkdown,
  outputsOf,
  planText,
  skippedMarkdown,
  summaryMarkdown
} from './report/report.js'

/**
 * Runs the action. `env` and `github` are the process's environment and @actions/github's
 * context; tests give their own.
 */
export async function run(
  env: NodeJS.ProcessEnv = process.env,
  github: GitHubContext = actionsContext
): Promise<void> {
  const scrubber = new SecretScrubber()
  const logger = actionsLogger(scrubber)
  const journal = newJournal()
  const summary = !!env.GITHUB_STEP_SUMMARY
  try {
    const context = readRunContext(env, github)
    const inputs = readInputs(envInputReader(env), context.github)
    if (inputs.password !== '') logger.secret(inputs.password, 'the password input')
    // A dev build whose push did not touch this plugin (a monorepo): nothing to do.
    const skipped = await devBuildSkipped(inputs, context, logger)
    if (skipped !== undefined) {
      core.notice(scrubber.scrub(`dev build skipped: ${skipped}`))
      core.setOutput('skipped', 'true')
      if (summary) await core.summary.addRaw(scrubber.scrub(skippedMarkdown(skipped))).write()
      return
    }
    const result = await runRelease({ inputs, context, logger, journal })
    for (const [name, value] of Object.entries(outputsOf(result))) {
      core.setOutput(name, scrubber.scrub(value))
    }
    if (result.dryRun) {
      core.info(planText(result.plan))
      // What the workflow must grant before this run is made for real.
      const needs = requiredPermissions({ ...inputs, dryRun: false }, context.github)
      const granted = Object.entries(needs).map(([scope, level]) => `${scope}: ${level}`)
      core.info(`Without dry-run, the job needs permissions: ${granted.join(', ')}`)
    }
    if (summary) await core.summary.addRaw(scrubber.scrub(summaryMarkdown(result))).write()
  } catch (err) {
    const message = scrubber.scrub(err instanceof Error ? err.message : String(err))
    core.setFailed(message)
    // Like docker/build-push-action: a failed run still says what happened, in the summary.
    if (summary) {
      try {
        await core.summary.addRaw(scrubber.scrub(failureMarkdown(journal, message))).write()
      } catch {
        // The summary is a courtesy; the failure above is what counts.
      }
    }
  }
}
