// The GitHub Action: inputs from INPUT_*, logs through @actions/core, outputs
// and a job summary at the end. The pipeline itself lives in pipeline.ts.
import * as core from '@actions/core'
import { envInputReader, readInputs } from './inputs/inputs.js'
import { actionsLogger, SecretScrubber } from './log-core.js'
import { runRelease } from './pipeline.js'
import { outputsOf, planText, summaryMarkdown } from './report/report.js'

export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const scrubber = new SecretScrubber()
  const logger = actionsLogger(scrubber)
  try {
    const inputs = readInputs(envInputReader(env), env)
    if (inputs.password !== '') logger.secret(inputs.password, 'the password input')
    const result = await runRelease(inputs, env, logger)
    for (const [name, value] of Object.entries(outputsOf(result))) {
      core.setOutput(name, scrubber.scrub(value))
    }
    if (result.dryRun) core.info(planText(result.plan))
    if (env.GITHUB_STEP_SUMMARY) {
      await core.summary.addRaw(scrubber.scrub(summaryMarkdown(result))).write()
    }
  } catch (err) {
    core.setFailed(scrubber.scrub(err instanceof Error ? err.message : String(err)))
  }
}
