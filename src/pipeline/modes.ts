// Each mode is an explicit list of stages (goreleaser's pipeline lists are the model). A dev build
// adds the version stage (its version comes from the .so) and, after the release is out, the
// retention of old dev builds; a dry run stops before the first write.
import type { Stage } from './stage.js'
import {
  build,
  devVersion,
  githubRelease,
  indexBranch,
  indexFile,
  inspect,
  plan,
  preflight,
  publishAll,
  pushManifests,
  readManifests,
  readTags,
  retention,
  rules
} from './stages.js'
import type { ReleaseMode } from './state.js'

/** What shapes the list besides the mode. */
export interface RunShape {
  /** A dev build of the default branch (not a tag release). */
  dev: boolean
  dryRun: boolean
}

/** The stages after the inputs stage (src/pipeline/setup.ts), in order. */
export function stagesOf(mode: ReleaseMode, run: RunShape): Stage[] {
  const version = run.dev ? [devVersion] : []
  const writes = (publishStage: Stage[]): Stage[] => (run.dryRun ? [] : publishStage)
  const distribute = [
    publishAll,
    indexFile,
    indexBranch,
    githubRelease,
    ...(run.dev ? [retention] : [])
  ]
  switch (mode) {
    case 'release':
      return [
        build({ onePlatform: false }),
        ...version,
        readTags,
        rules,
        plan({ readTags: true }),
        preflight,
        ...writes(distribute)
      ]
    case 'push-by-digest':
      // A matrix job: its platform's manifest by digest, nothing to refuse or distribute here.
      return [
        build({ onePlatform: true }),
        ...version,
        rules,
        plan({ readTags: false }),
        ...writes([pushManifests])
      ]
    case 'merge':
      return [
        readManifests,
        inspect,
        ...version,
        readTags,
        rules,
        plan({ readTags: true }),
        preflight,
        ...writes(distribute)
      ]
  }
}
