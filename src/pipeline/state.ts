// The release state the stages share: set up once by the inputs stage (src/pipeline/setup.ts),
// then filled in by each stage in turn (src/pipeline/stages.ts). A field is undefined until the
// stage that sets it has run; `need` says which stage was missing when a stage list is wrong.
import type { RunContext } from '../context.js'
import type { CommitIndexResult } from '../github/pages.js'
import type { PublishedRelease } from '../github/release.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Workspace } from '../inputs/workspace.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { Logger } from '../log.js'
import type { OciTarget, RegistryCredentials } from '../oci/types.js'
import type { Platform } from '../platform/platform.js'
import type { PlanFacts, PlanOutline, PlatformLayer, ReleasePlan } from '../plan/plan.js'
import type { PackingLayer } from '../publish/early.js'
import type { PublishReport } from '../publish/publish.js'
import type { RetentionReport } from '../publish/retention.js'
import type { InstallCheck } from '../release/dependencies.js'
import type {
  Distribution,
  PreparedDistribution,
  RegistryEntryReport
} from '../release/distribute.js'
import type { PushedPlatform } from '../release/merge.js'
import type { RepositoryFacts } from '../release/targets.js'
import type { PlatformBuild } from '../release/plugin-builds.js'
import type { SourceLinks } from '../release/source-links.js'
import type { Journal } from '../report/journal.js'
import type { AttestationResult } from '../sign/release-assets.js'
import type { Signing, SigningResult } from '../sign/signing.js'
import type { Git } from '../version/git.js'
import type { DevChannel, ReleaseVersion } from '../version/version.js'
import type { ReleaseSteps } from './steps.js'

/**
 * release: build every platform here, publish everything, tag; push-by-digest: a matrix job that
 * builds this runner's platform and pushes its manifest by digest, nothing else; merge: the final
 * matrix job, which reads those manifests back and publishes the index, the rules and the tags.
 */
export type ReleaseMode = 'release' | 'push-by-digest' | 'merge'

/** What the inputs stage settles: fixed for the rest of the run. */
export interface RunSetup {
  readonly context: RunContext
  readonly inputs: Inputs
  readonly logger: Logger
  /** Where the run stands, for the failure summary: the running stage's name. */
  readonly journal: Journal
  readonly steps: ReleaseSteps
  readonly mode: ReleaseMode
  /** Warns (log and summary). */
  readonly warn: (w: string) => void
  /** Every warning so far, for the summary. */
  readonly warnings: string[]
  readonly workspace: Workspace
  /** The plugin's folder (holds go.mod). */
  readonly workDir: string
  /** This run's scratch folder, removed when it ends. */
  readonly scratch: string
  /** The tag pattern names plugins (a monorepo): GitHub's "Latest" badge is left alone. */
  readonly monorepo: boolean
  /** A dev build of the default branch, and the checkout its version comes from. */
  readonly dev?: { branch: string; git: Git }
}

/** The release as the stages build it up. */
export interface ReleaseState extends RunSetup {
  /**
   * The name the .so must report: the plugin the tag names (monorepo patterns), or the
   * plugin-name input; in merge mode also the one the references name (read-manifests).
   */
  expectedName?: string
  /**
   * The version released, parsed once: a tag release's from the tag (the inputs stage), a dev
   * build's from the version the .so reports and the history (the version stage).
   */
  release?: ReleaseVersion
  metadata?: PluginMetadata
  /** Every platform's .so, checked. */
  builds?: PlatformBuild[]
  /** Each platform's layer, packed while the other builds run (build). */
  pluginLayers?: Promise<PlatformLayer[]>
  /** The same layers as they are packed, each file followed as it grows (build). */
  packing?: PackingLayer[]
  /** The platform manifests matrix jobs pushed (merge). */
  pushed?: PushedPlatform[]
  /** The .so the plugin-path output names. */
  pluginPath?: string
  credentials?: RegistryCredentials
  targets?: { plugin: OciTarget; rules: OciTarget }
  /**
   * What the registry holds of each artifact, read from read-tags on while the layers are packed;
   * plan awaits it. No rules read when no rules file is found.
   */
  facts?: { plugin: Promise<RepositoryFacts>; rules?: Promise<RepositoryFacts> }
  rules?: PlanFacts['rules']
  /** The plan without its digests: all that preflight needs (plan). */
  outline?: PlanOutline
  /**
   * The whole plan: set by plan when a digest can still refuse the release (a version tag
   * exists), or on a dry run; else by publish, once the plugin's layers are packed.
   */
  plan?: ReleasePlan
  /** The whole plan as soon as the layers are packed, when plan left it to publish. */
  pendingPlan?: Promise<ReleasePlan>
  links?: SourceLinks
  registryEntry?: RegistryEntryReport
  signing?: Signing
  prepared?: PreparedDistribution
  install?: InstallCheck
  report?: PublishReport
  signingResult?: SigningResult
  /** The index file written (its path), once index-file ran. */
  indexFile?: string
  index?: CommitIndexResult
  githubRelease?: PublishedRelease
  attestation?: AttestationResult
  retention?: RetentionReport
}

/** A field a stage needs, or an error naming the stage that should have set it. */
export function need<T>(value: T | undefined, what: string, setBy: string): T {
  if (value === undefined) {
    throw new Error(`internal error: ${what} is not known yet (the ${setBy} stage has not run)`)
  }
  return value
}

export interface BuildReport {
  platform: Platform
  glibcFloor: string
  glibcVersion?: string
  manifestDigest: string
}

export interface ReleaseResult {
  mode: ReleaseMode
  plan: ReleasePlan
  metadata: PluginMetadata
  /** The native build, lib<name>.so (in the runner's temp space for our own build). */
  pluginPath: string
  builds: BuildReport[]
  rulesFile?: string
  report?: PublishReport
  indexFile?: string
  distribution?: Distribution
  registryEntry?: RegistryEntryReport
  /** Signatures (not for push-by-digest jobs, which sign nothing). */
  signing?: SigningResult
  /** What falcoctl installs and how (the summary's install commands). */
  install?: InstallCheck
  /** A dev build: what it was built from. */
  devChannel?: DevChannel
  /** A dev build: which old dev version tags were deleted, and which stay. */
  retention?: RetentionReport
  dryRun: boolean
  warnings: string[]
}
