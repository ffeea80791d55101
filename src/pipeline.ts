// The release pipeline, shared by the action (src/main.ts) and the CLI
// (src/cli.ts). Three modes:
//   release         build every platform here, publish everything, tag;
//   push-by-digest  a matrix job: build this runner's platform, push its
//                   manifest by digest, nothing else;
//   merge           the final matrix job: read those manifests back, check
//                   them, publish the index, the rules and the tags.
// Everything that can refuse a release runs before the first write.
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { layerFileName, packLayer } from './falco/layer.js'
import { checkInputs, type Inputs } from './inputs/inputs.js'
import type { PluginMetadata } from './inspect/metadata.js'
import type { Logger } from './log.js'
import type { Descriptor, OciTarget, RegistryCredentials } from './oci/types.js'
import { formatPlatform, hostPlatform, parsePlatforms, type Platform } from './platform/platform.js'
import { makePlan, type PlanFacts, type PlatformLayer, type ReleasePlan } from './plan/plan.js'
import { emptyPublishReport, publish, type PublishReport } from './publish/publish.js'
import {
  distribute,
  prepareDistribution,
  proposeRegistryEntry,
  type Distribution,
  type PreparedDistribution,
  type RegistryEntryReport
} from './release/distribute.js'
import { newJournal, type Journal } from './report/journal.js'
import { confine, workspaceOf, type Workspace } from './inputs/workspace.js'
import { checkInstallable, type InstallCheck } from './release/dependencies.js'
import { loadPushedPlatforms, parseMergeInput } from './release/merge.js'
import {
  buildAndInspect,
  inspectBuilds,
  prepareToolchain,
  type PlatformBuild
} from './release/plugin-builds.js'
import { keptOutputDir, pluginWorkDir } from './release/paths.js'
import { prepareRules } from './release/rules.js'
import { sourceLinks } from './release/source-links.js'
import {
  openTargets,
  resolveCredentials,
  readFacts,
  registryLabel,
  repositoriesFor,
  type RepositoryFacts
} from './release/targets.js'
import { matchTagPattern } from './version/tag-pattern.js'
import { rfc3339, sourceDateEpoch } from './version/source-date.js'
import type { ReleaseVersion } from './version/version.js'
import type { Git } from './version/git.js'
import type { DevChannel } from './version/dev.js'
import {
  checkDevCheckout,
  devDistributionInputs,
  devPlugin,
  devReleaseOf,
  runKind
} from './release/dev-build.js'
import { pruneDevTags, retentionWarning, type RetentionReport } from './publish/retention.js'
import {
  prepareSigning,
  registerSigningSecrets,
  signRoot,
  signingResult,
  type Signing,
  type SigningResult
} from './sign/signing.js'

export type ReleaseMode = 'release' | 'push-by-digest' | 'merge'

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

interface Context {
  inputs: Inputs
  env: NodeJS.ProcessEnv
  logger: Logger
  warn: (w: string) => void
  /** Every warning so far, for the summary (the same array as ReleaseResult.warnings). */
  warnings: string[]
  /** The version released; for a dev build, set once the .so's version is known (inspect). */
  release: ReleaseVersion
  /** A dev build of the default branch, and the checkout its version comes from. */
  dev?: { branch: string; git: Git }
  /** The plugin the tag names (monorepo patterns), or the plugin-name input. */
  expectedName?: string
  monorepo: boolean
  workDir: string
  scratch: string
  /** Where the run stands, for the failure summary. */
  journal: Journal
  workspace: Workspace
}

/** The version the .so must report: the tag's; a dev build's is checked by devVersion. */
function expectedVersion(ctx: Context): string | undefined {
  return ctx.dev ? undefined : ctx.release.version
}

/** A dev build's version, from the .so's and the history, once the plugin is inspected. */
async function settleDevVersion(ctx: Context, metadata: PluginMetadata): Promise<void> {
  if (!ctx.dev) return
  ctx.release = await devReleaseOf({
    git: ctx.dev.git,
    inputs: ctx.inputs,
    branch: ctx.dev.branch,
    name: metadata.name,
    soVersion: metadata.version,
    logger: ctx.logger
  })
  ctx.journal.version = ctx.release.version
}

function requestedPlatforms(ctx: Context): Platform[] {
  const platforms =
    ctx.inputs.platforms !== '' ? parsePlatforms(ctx.inputs.platforms, ctx.warn) : [hostPlatform()]
  if (ctx.inputs.pushByDigest && platforms.length !== 1) {
    throw new Error(
      `push-by-digest builds one platform per job, got ${platforms.map(formatPlatform).join(', ')}: ` +
        "give each matrix job its own platform (or leave platforms empty for the runner's)"
    )
  }
  return platforms
}

async function createdAt(ctx: Context): Promise<string> {
  const date = await sourceDateEpoch(ctx.env, ctx.workDir, ctx.release.tag)
  ctx.logger.info(`created ${rfc3339(date.epoch)} (${date.from})`)
  return rfc3339(date.epoch)
}

function planFacts(
  ctx: Context,
  metadata: PluginMetadata,
  created: string,
  facts: { plugin: RepositoryFacts; rules: RepositoryFacts }
): Omit<PlanFacts, 'pluginLayers' | 'rules'> {
  return {
    release: ctx.release,
    metadata,
    registry: registryLabel(ctx.inputs),
    repository: ctx.inputs.repository,
    created,
    sourceUrl: ctx.inputs.sourceUrl || undefined,
    publishedTags: { plugin: facts.plugin.tags, rules: facts.rules.tags },
    existing: { plugin: facts.plugin.existing, rules: facts.rules.existing },
    overwrite: ctx.inputs.overwrite,
    majorZeroTag: ctx.inputs.majorZeroTag,
    pluginDependsOnRules: ctx.inputs.pluginDependsOnRules,
    published: { plugin: facts.plugin.published, rules: facts.rules.published }
  }
}

function logTagDecisions(plan: ReleasePlan, logger: Logger): void {
  for (const d of plan.tagPlan.floating) {
    if (!d.move) logger.info(`not moving "${d.tag}": ${d.reason}`)
  }
}

function nativeBuild<T extends { platform: Platform }>(builds: T[]): T {
  return builds.find((b) => b.platform.architecture === hostPlatform().architecture) ?? builds[0]
}

async function rulesAndLayersDir(ctx: Context, name: string) {
  const layersDir = join(ctx.scratch, 'layers')
  await mkdir(layersDir, { recursive: true })
  const rules = await prepareRules({
    ...ctx,
    plugin: { name, version: ctx.release.version, soVersion: ctx.release.dev?.soVersion },
    layersDir
  })
  return { rules, layersDir }
}

/** Tags and version-tag digests of both repositories (the rules one only when there are rules). */
async function registryFacts(
  ctx: Context,
  targets: { plugin: OciTarget; rules: OciTarget },
  hasRules: boolean
): Promise<[RepositoryFacts, RepositoryFacts]> {
  const read = (t: OciTarget) => readFacts(t, ctx.release.version, ctx.inputs.dryRun, ctx.logger)
  return Promise.all([read(targets.plugin), hasRules ? read(targets.rules) : { tags: [] }])
}

async function credentialsFor(ctx: Context): Promise<RegistryCredentials | undefined> {
  if (ctx.inputs.ociLayout !== '') return undefined
  const { credentials, from } = await resolveCredentials(ctx.inputs, ctx.env, ctx.logger)
  ctx.logger.info(`registry credentials for ${ctx.inputs.registry}: from ${from}`)
  return credentials
}

/** Builds, checks and packs here: the release and push-by-digest modes. */
async function buildHere(ctx: Context): Promise<ReleaseResult> {
  const { inputs, logger, journal } = ctx
  const platforms = requestedPlatforms(ctx)
  journal.stage = 'build'
  const toolchain = await prepareToolchain({ ...ctx, platforms })
  // Each platform's layer is packed as soon as it is built and the plugin's name is known, while
  // the other platforms build or load under qemu, and the registry is read.
  const layersDir = join(ctx.scratch, 'layers')
  await mkdir(layersDir, { recursive: true })
  const {
    metadata,
    builds,
    packed: packing
  } = await buildAndInspect<PlatformLayer>({
    ...ctx,
    platforms,
    toolchain,
    version: expectedVersion(ctx),
    onInspect: () => {
      journal.stage = 'inspect'
    },
    pack: async (b, name) => {
      const soName = `lib${name}.so`
      const destination = join(
        layersDir,
        `plugin-${b.platform.os}-${b.platform.architecture}.tar.gz`
      )
      return {
        ...(await packLayer({ source: b.soPath, entryName: soName, mode: 0o755, destination })),
        title: layerFileName(soName),
        entryName: soName,
        platform: b.platform
      }
    }
  })
  journal.plugin = metadata.name
  await settleDevVersion(ctx, metadata)

  // The native build as lib<name>.so, for the user, in the runner's temp space (never the sources).
  const native = nativeBuild(builds)
  const ownBuild = inputs.buildCommand === ''
  const pluginPath = ownBuild
    ? join(await keptOutputDir(ctx.env), `lib${metadata.name}.so`)
    : resolve(ctx.workDir, inputs.pluginPath)
  if (ownBuild) await copyFile(native.soPath, pluginPath)

  journal.stage = 'rules'
  const { rules } = await rulesAndLayersDir(ctx, metadata.name)
  journal.stage = 'plan'

  const repos = repositoriesFor(inputs, metadata.name)
  const targets = openTargets(inputs, logger, repos, await credentialsFor(ctx))
  const empty: RepositoryFacts = { tags: [] }
  const matrixJob = inputs.pushByDigest
  const [pluginFacts, rulesFacts] = matrixJob
    ? [empty, empty] // no tags are written here, so nothing to compare with
    : await registryFacts(ctx, targets, rules !== undefined)
  const created = await createdAt(ctx)
  const pluginLayers = await packing
  const plan = makePlan({
    ...planFacts(ctx, metadata, created, { plugin: pluginFacts, rules: rulesFacts }),
    pluginLayers,
    rules
  })
  if (!matrixJob) logTagDecisions(plan, logger)
  return finish(ctx, {
    mode: matrixJob ? 'push-by-digest' : 'release',
    plan,
    metadata,
    pluginPath,
    builds,
    rulesFile: rules?.file,
    targets
  })
}

/** Assembles a release from platform manifests pushed by matrix jobs. */
async function merge(ctx: Context): Promise<ReleaseResult> {
  const { inputs, logger } = ctx
  const entries = parseMergeInput(inputs.merge)
  const fromRefs = entries
    .map((e) => e.repository)
    .filter((r): r is string => !!r)
    .map((r) => /\/?plugin\/([^/]+)$/.exec(r)?.[1])
  const name = ctx.expectedName ?? fromRefs.find((n) => !!n)
  if (!name) {
    throw new Error(
      'merge needs the plugin name to find its repository: set plugin-name, ' +
        'or pass the full references (plugin-ref outputs) of the push-by-digest jobs'
    )
  }
  const repos = repositoriesFor(inputs, name)
  for (const e of entries) {
    if (e.repository && (e.repository !== repos.plugin || e.registry !== inputs.registry)) {
      throw new Error(
        `merge: ${e.registry}/${e.repository}@${e.digest} is not in ${inputs.registry}/${repos.plugin}, ` +
          'where this job publishes: use the same registry and repository inputs in every job'
      )
    }
  }
  const targets = openTargets(inputs, logger, repos, await credentialsFor(ctx))
  ctx.journal.stage = 'build'
  const pushed = await logger.group('Read the platform manifests', () =>
    loadPushedPlatforms(targets.plugin, entries, ctx.scratch, logger)
  )
  ctx.journal.stage = 'inspect'
  const { metadata, builds } = await inspectBuilds({
    ...ctx,
    built: pushed.map((p) => ({ platform: p.platform, soPath: p.soPath })),
    version: expectedVersion(ctx),
    expectedName: name
  })
  ctx.journal.plugin = metadata.name
  await settleDevVersion(ctx, metadata)
  ctx.journal.stage = 'rules'
  const { rules } = await rulesAndLayersDir(ctx, metadata.name)
  ctx.journal.stage = 'plan'
  const [pluginFacts, rulesFacts] = await registryFacts(ctx, targets, rules !== undefined)
  const created = await createdAt(ctx)
  const plan = makePlan({
    ...planFacts(ctx, metadata, created, { plugin: pluginFacts, rules: rulesFacts }),
    pluginLayers: [],
    pushedManifests: pushed.map((p) => ({ platform: p.platform, bytes: p.manifestBytes })),
    rules
  })
  logTagDecisions(plan, logger)
  const native = nativeBuild(builds)
  return finish(ctx, {
    mode: 'merge',
    plan,
    metadata,
    pluginPath: native.soPath,
    builds,
    rulesFile: rules?.file,
    targets
  })
}

/** publish()'s `sign` option: undefined when this release is not signed. */
function signRootWith(signing: Signing | undefined) {
  if (!signing?.signer) return undefined
  return (target: OciTarget, root: Descriptor) => signRoot(signing, target, root)
}

async function finish(
  ctx: Context,
  r: {
    mode: ReleaseMode
    plan: ReleasePlan
    metadata: PluginMetadata
    pluginPath: string
    builds: PlatformBuild[]
    rulesFile?: string
    targets: ReturnType<typeof openTargets>
  }
): Promise<ReleaseResult> {
  const { inputs, logger, journal } = ctx
  const plan = r.plan
  if (r.rulesFile !== undefined) confine(ctx.workspace, r.rulesFile, 'the rules file')
  journal.floating = plan.tagPlan.floating.filter((d) => d.move).map((d) => d.tag)
  const digestOf = (p: Platform) =>
    plan.plugin.manifests.find(
      (m) => m.platform?.architecture === p.architecture && m.platform?.os === p.os
    )?.descriptor.digest ?? ''
  const result: ReleaseResult = {
    mode: r.mode,
    plan,
    metadata: r.metadata,
    pluginPath: r.pluginPath,
    builds: r.builds.map((b) => ({
      platform: b.platform,
      glibcFloor: b.glibcFloor,
      glibcVersion: b.elf.glibcFloor,
      manifestDigest: digestOf(b.platform)
    })),
    rulesFile: r.rulesFile,
    dryRun: inputs.dryRun,
    warnings: ctx.warnings,
    ...(ctx.release.dev ? { devChannel: ctx.release.dev } : {})
  }
  const links = sourceLinks({
    inputs,
    workDir: ctx.workDir,
    tag: ctx.release.tag,
    rulesFile: r.rulesFile
  })
  let prepared: PreparedDistribution | undefined
  let signing: Signing | undefined
  // A dev build writes dev-index-file (if any) instead of index-file, and no GitHub Release.
  const distInputs = ctx.dev ? devDistributionInputs(inputs, logger) : inputs
  if (r.mode !== 'push-by-digest') {
    // Every check that can refuse the release, before the first registry write.
    journal.stage = 'preflight'
    if (!ctx.dev) {
      result.registryEntry = proposeRegistryEntry({
        meta: r.metadata,
        inputs,
        links,
        rules: plan.rules !== undefined,
        workDir: ctx.workDir
      })
    }
    // How to sign is decided and checked (key decrypted, OIDC token fetched) before any write;
    // index.yaml gets the signature block of what will be signed.
    signing = await prepareSigning(inputs, ctx.env, logger)
    prepared = await prepareDistribution({
      ...ctx,
      inputs: distInputs,
      plan,
      metadata: r.metadata,
      links,
      writeIndex: !ctx.dev || inputs.devIndexFile !== '',
      signature: signing.indexSignature
    })
    // falcoctl must be able to install what this release publishes, through the index users add.
    result.install = await checkInstallable({
      ...ctx,
      plan,
      metadata: r.metadata,
      links,
      targets: r.targets,
      indexText: prepared.servedIndexText
    })
  }
  if (inputs.dryRun) return result

  journal.stage = 'publish'
  journal.publish = emptyPublishReport()
  result.report = await logger.group('Publish', () =>
    publish(
      plan,
      { plugin: r.targets.plugin, rules: plan.rules ? r.targets.rules : undefined },
      logger,
      {
        manifestsOnly: r.mode === 'push-by-digest',
        concurrency: inputs.uploadConcurrency,
        report: journal.publish,
        sign: signRootWith(signing)
      }
    )
  )
  if (r.mode === 'push-by-digest' || prepared === undefined || signing === undefined) {
    journal.stage = 'done'
    return result
  }
  result.signing = await signingResult(signing, result.report.signatures)

  result.distribution = await distribute({
    prepared,
    journal,
    inputs: distInputs,
    env: ctx.env,
    plan,
    metadata: r.metadata,
    release: ctx.release,
    builds: r.builds,
    rulesFile: r.rulesFile,
    links,
    monorepo: ctx.monorepo,
    scratch: ctx.scratch,
    logger,
    signing: { result: result.signing, signer: signing.signer }
  })
  if (prepared.writeIndex) result.indexFile = prepared.indexPath
  if (ctx.dev) {
    // Housekeeping after the release is out: old dev tags go where the registry allows it.
    result.retention = await logger.group('Old dev builds', () =>
      pruneDevTags({
        plan,
        targets: { plugin: r.targets.plugin, rules: plan.rules ? r.targets.rules : undefined },
        keep: inputs.devKeep,
        logger
      })
    )
    const warning = retentionWarning(result.retention, registryLabel(inputs))
    if (warning) ctx.warn(warning)
  }
  journal.stage = 'done'
  return result
}

export async function runRelease(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  journal: Journal = newJournal(inputs.dryRun)
): Promise<ReleaseResult> {
  journal.stage = 'inputs'
  journal.dryRun = inputs.dryRun
  checkInputs(inputs)
  if (inputs.githubToken !== '') logger.secret(inputs.githubToken)
  registerSigningSecrets(inputs, logger)
  const warnings: string[] = []
  const run = await runKind(inputs, env)
  // Paths the inputs name stay inside the checkout (GITHUB_WORKSPACE) unless allowed.
  const workspace = workspaceOf(env, inputs.allowOutsideWorkspace)
  confine(workspace, inputs.workingDirectory, 'working-directory')
  if (inputs.ociLayout !== '') confine(workspace, inputs.ociLayout, 'oci-layout')
  let release: ReleaseVersion
  let plugin: string | undefined
  let workDir: string
  let dev: Context['dev']
  if (run.kind === 'tag') {
    const match = matchTagPattern(run.tag, inputs.tagPattern, inputs.pluginName || undefined)
    release = match.release
    plugin = match.plugin
    journal.version = release.version
    logger.info(
      `releasing version ${release.version} (tag ${run.tag})` +
        (plugin ? ` of plugin ${plugin}` : '')
    )
    // In a monorepo, the tag names the plugin and so its folder.
    workDir = pluginWorkDir(inputs, run.tag, plugin)
  } else {
    plugin = devPlugin(inputs)
    // The version is known once the .so reports its own (settleDevVersion).
    release = { version: '', major: 0, minor: 0, patch: 0, prerelease: true, tag: run.branch }
    logger.info(
      `dev build of ${run.branch}${plugin ? ` for plugin ${plugin}` : ''}: publishes an exact ` +
        `dev version and moves "${inputs.devTag}"; stable tags and index-file stay as they are`
    )
    workDir = pluginWorkDir(
      inputs,
      run.branch,
      plugin,
      process.cwd(),
      `the dev build of ${run.branch} (plugin-name) builds`
    )
    if (inputs.devIndexFile !== '') confine(workspace, inputs.devIndexFile, 'dev-index-file')
    dev = { branch: run.branch, git: await checkDevCheckout(workDir, env) }
  }
  journal.plugin = plugin ?? (inputs.pluginName || undefined)
  const scratch = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'falco-plugin-release-'))
  const ctx: Context = {
    inputs,
    env,
    logger,
    warn: (w) => {
      warnings.push(w)
      logger.warning(w)
    },
    warnings,
    release,
    dev,
    expectedName: inputs.pluginName || plugin,
    monorepo: plugin !== undefined,
    workDir,
    scratch,
    journal,
    workspace
  }
  try {
    if (inputs.pluginPath !== '') {
      confine(workspace, resolve(workDir, inputs.pluginPath), 'plugin-path')
    }
    if (inputs.rulesFile !== '' && !/^none$/i.test(inputs.rulesFile.trim())) {
      confine(workspace, resolve(workDir, inputs.rulesFile), 'rules-file')
    }
    return inputs.merge !== '' ? await merge(ctx) : await buildHere(ctx)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
