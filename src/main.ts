// The GitHub Action: inputs from INPUT_*, logs through @actions/core, outputs
// and a job summary at the end. The pipeline itself lives in pipeline.ts.
import * as core from '@actions/core'
import { envInputReader, readInputs } from './inputs/inputs.js'
import { actionsLogger, SecretScrubber } from './log-core.js'
import { runRelease } from './pipeline.js'
import { devBuildSkipped } from './release/dev-build.js'
import { newJournal } from './report/journal.js'
import {
  failureMarkdown,
  outputsOf,
  planText,
  skippedMarkdown,
  summaryMarkdown
} from './report/report.js'

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const scrubber = new SecretScrubber()
  const logger = actionsLogger(scrubber)
  const journal = newJournal()
  try {
    const inputs = readInputs(envInputReader(env), env)
    if (inputs.password !== '') logger.secret(inputs.password, 'the password input')
    // A dev build whose push did not touch this plugin (a monorepo): nothing to do.
    const skipped = await devBuildSkipped(inputs, env, logger)
    if (skipped !== undefined) {
      core.notice(scrubber.scrub(`dev build skipped: ${skipped}`))
      core.setOutput('skipped', 'true')
      if (env.GITHUB_STEP_SUMMARY) {
        await core.summary.addRaw(scrubber.scrub(skippedMarkdown(skipped))).write()
      }
      return
    }
    const result = await runRelease(inputs, env, logger, journal)
    for (const [name, value] of Object.entries(outputsOf(result))) {
      core.setOutput(name, scrubber.scrub(value))
    }
    if (result.dryRun) core.info(planText(result.plan))
    if (env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(scrubber.scrub(summaryMarkdown(result))).write()
    }
  } catch (err) {
    const message = scrubber.scrub(err instanceof Error ? err.message : String(err))
    core.setFailed(message)
    // Like docker/build-push-action: a failed run still says what happened, in the summary.
    if (env.GITHUB_STEP_SUMMARY) {
      try {
        await core.summary.addRaw(scrubber.scrub(failureMarkdown(journal, message))).write()
      } catch {
        // The summary is a courtesy; the failure above is what counts.
      }
    }
  }
}
