// The release pipeline, shared by the action (src/main.ts) and the CLI (src/cli.ts): the inputs
// stage (src/pipeline/setup.ts) settles the run and its mode, then the mode's stages run in order
// over the release state (src/pipeline/modes.ts, src/pipeline/stages.ts), and the result is read
// off the state. Everything that can refuse a release runs before the first write.
import { rm } from 'node:fs/promises'
import type { RunContext } from '../context.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import type { Platform } from '../platform/platform.js'
import { newJournal, type Journal } from '../report/journal.js'
import { stagesOf } from './modes.js'
import { setUp } from './setup.js'
import { runStages } from './stage.js'
import { need, type ReleaseResult, type ReleaseState } from './state.js'
import { realSteps, type ReleaseSteps } from './steps.js'

export interface RunReleaseOptions {
  inputs: Inputs
  context: RunContext
  logger: Logger
  /** Where the run stands, for a failure summary; default a fresh one. */
  journal?: Journal
  /** The builds, inspections and registry targets (tests give fakes); default the real ones. */
  steps?: ReleaseSteps
}

export async function runRelease(opts: RunReleaseOptions): Promise<ReleaseResult> {
  const journal = opts.journal ?? newJournal(opts.inputs.dryRun)
  const state = await setUp({ ...opts, journal, steps: opts.steps ?? realSteps })
  try {
    const stages = stagesOf(state.mode, {
      dev: state.dev !== undefined,
      dryRun: state.inputs.dryRun
    })
    await runStages(stages, state)
    return resultOf(state)
  } finally {
    await rm(state.scratch, { recursive: true, force: true })
  }
}

/** What a run tells its users (outputs, summary, metadata JSON), read off the final state. */
export function resultOf(state: ReleaseState): ReleaseResult {
  const plan = need(state.plan, 'the plan', 'plan')
  const release = need(state.release, 'the version', 'inputs or version')
  const digestOf = (p: Platform) =>
    plan.plugin.manifests.find(
      (m) => m.platform?.architecture === p.architecture && m.platform?.os === p.os
    )?.descriptor.digest ?? ''
  const published = state.report !== undefined && state.prepared !== undefined
  return {
    mode: state.mode,
    plan,
    metadata: need(state.metadata, 'the metadata', 'build or inspect'),
    pluginPath: need(state.pluginPath, 'the plugin path', 'build or inspect'),
    builds: need(state.builds, 'the builds', 'build or inspect').map((b) => ({
      platform: b.platform,
      glibcFloor: b.glibcFloor,
      glibcVersion: b.elf.glibcFloor,
      manifestDigest: digestOf(b.platform)
    })),
    rulesFile: state.rules?.file,
    dryRun: state.inputs.dryRun,
    warnings: state.warnings,
    ...(release.dev ? { devChannel: release.dev } : {}),
    registryEntry: state.registryEntry,
    install: state.install,
    report: state.report,
    signing: state.signingResult,
    ...(published
      ? {
          distribution: {
            indexFile: state.prepared?.writeIndex ? state.prepared.inputs.indexFile : '',
            index: state.index,
            githubRelease: state.githubRelease,
            attestation: state.attestation
          }
        }
      : {}),
    indexFile: state.indexFile,
    retention: state.retention
  }
}
