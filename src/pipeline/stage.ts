// A stage of the pipeline, as goreleaser's pipes: a name and a run function over the release
// state. Each mode is an explicit list of stages (src/pipeline/modes.ts); the journal's stage is
// the running stage's name, so a failed run's summary says where it stopped.
import type { StageName } from '../report/journal.js'
import type { ReleaseState } from './state.js'

export interface Stage {
  /** The journal's stage while it runs. */
  readonly name: StageName
  /** Nothing to do in this run (e.g. no index-branch): the stage is passed over. */
  readonly skip?: (state: ReleaseState) => boolean
  readonly run: (state: ReleaseState) => Promise<void>
}

/** Runs the stages in order; the first failure ends the run (the journal says where). */
export async function runStages(stages: readonly Stage[], state: ReleaseState): Promise<void> {
  for (const stage of stages) {
    if (stage.skip?.(state)) continue
    state.journal.stage = stage.name
    await stage.run(state)
  }
  state.journal.stage = 'done'
}
