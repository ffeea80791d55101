// What a run has done so far. The pipeline fills it in as it goes, so that when a run fails the
// job summary can say where it stopped, what was written and what was not (as
// docker/build-push-action does), instead of only an error line.
import type { PublishReport } from '../publish/publish.js'

/** The pipeline's stages (src/pipeline/stages.ts), and 'done'. */
export type StageName =
  | 'inputs'
  | 'build'
  | 'read-manifests'
  | 'inspect'
  | 'version'
  | 'read-tags'
  | 'rules'
  | 'plan'
  | 'preflight'
  | 'publish'
  | 'index-file'
  | 'index-branch'
  | 'github-release'
  | 'retention'
  | 'done'

/** What each stage does, for "failed while ...". */
export const STAGE_TEXT: Record<StageName, string> = {
  inputs: 'reading the inputs and the tag',
  build: 'building the plugin',
  'read-manifests': 'reading the platform manifests the matrix jobs pushed',
  inspect: 'loading and checking the built .so',
  version: 'deriving the dev version from the history',
  'read-tags': 'opening the registry repositories',
  rules: 'reading and checking the rules file',
  plan: 'planning the artifacts and tags',
  preflight: 'checking access and files before the first write',
  publish: 'pushing to the registry',
  'index-file': 'writing index.yaml',
  'index-branch': 'committing index.yaml to the index branch',
  'github-release': 'publishing the GitHub Release',
  retention: 'deleting old dev builds',
  done: 'finishing'
}

export interface Journal {
  /** The running stage (its name), or 'done'. */
  stage: StageName
  dryRun: boolean
  plugin?: string
  version?: string
  /** Floating tags the plan moves (X.Y, X, latest), once planned. */
  floating: string[]
  /** Filled in by publish() as it writes; undefined until the first registry write. */
  publish?: PublishReport
  indexFile?: string
  indexBranchUrl?: string
  releaseUrl?: string
  /** A draft release this run created and did not publish (it failed before). */
  draftReleaseUrl?: string
}

export function newJournal(dryRun = false): Journal {
  return { stage: 'inputs', dryRun, floating: [] }
}
