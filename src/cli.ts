#!/usr/bin/env node
// The release pipeline outside GitHub Actions. Flags are the action's input
// names: `--tag 1.2.3 --working-directory examples/hello --dry-run`.
import { parseArgs, USAGE } from './cli/args.js'
import { readInputs } from './inputs/inputs.js'
import { consoleLogger, SecretScrubber } from './log-core.js'
import { runRelease } from './pipeline.js'
import { metadataJson, planText, summaryMarkdown } from './report/report.js'

async function main(): Promise<number> {
  const scrubber = new SecretScrubber()
  try {
    const args = parseArgs(process.argv.slice(2))
    if (args.help) {
      process.stdout.write(USAGE + '\n')
      return 0
    }
    if (!args.values.has('password') && process.env.FPR_PASSWORD) {
      args.values.set('password', process.env.FPR_PASSWORD)
    }
    // As cosign reads it: the key file's password stays off the command line.
    if (!args.values.has('signing-key-password') && process.env.COSIGN_PASSWORD) {
      args.values.set('signing-key-password', process.env.COSIGN_PASSWORD)
    }
    const logger = consoleLogger(scrubber, args.verbose)
    const inputs = readInputs((name) => (args.values.get(name) ?? '').trim(), process.env)
    if (inputs.password !== '') logger.secret(inputs.password, 'the password input')
    const result = await runRelease(inputs, process.env, logger)
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
