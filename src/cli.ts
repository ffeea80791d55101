#!/usr/bin/env node
// The release pipeline outside GitHub Actions. Flags are the action's input
// names: `--tag 1.2.3 --working-directory examples/hello --dry-run`. The run's context comes from
// the CLI's own environment (a shell's GITHUB_* too, when set), read once here.
import { context as actionsContext } from '@actions/github'
import { parseArgs, USAGE } from './cli/args.js'
import { readRunContext } from './context.js'
import { readInputs } from './inputs/inputs.js'
import { consoleLogger, SecretScrubber } from './log-core.js'
import { runRelease } from './pipeline/run.js'
import { metadataJson, planText, summaryMarkdown } from './report/report.js'

async function main(): Promise<number> {
  const scrubber = new SecretScrubber()
  try {
    const args = parseArgs(process.argv.slice(2))
    if (args.help) {
      process.stdout.write(USAGE + '\n')
      return 0
    }
    const env = process.env
    if (!args.values.has('password') && env.FPR_PASSWORD) {
      args.values.set('password', env.FPR_PASSWORD)
    }
    // As cosign reads it: the key file's password stays off the command line.
    if (!args.values.has('signing-key-password') && env.COSIGN_PASSWORD) {
      args.values.set('signing-key-password', env.COSIGN_PASSWORD)
    }
    const logger = consoleLogger(scrubber, args.verbose)
    const context = readRunContext(env, actionsContext)
    const inputs = readInputs((name) => (args.values.get(name) ?? '').trim(), context.github)
    if (inputs.password !== '') logger.secret(inputs.password, 'the password input')
    const result = await runRelease({ inputs, context, logger })
    const text = args.json
      ? JSON.stringify(metadataJson(result), null, 2)
      : result.dryRun
        ? planText(result.plan)
        : summaryMarkdown(result)
    process.stdout.write(scrubber.scrub(text) + '\n')
    return 0
  } catch (err) {
    process.stderr.write(
      `error: ${scrubber.scrub(err instanceof Error ? err.message : String(err))}\n`
    )
    return 1
  }
}

process.exitCode = await main()
