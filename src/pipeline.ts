// The release pipeline, shared by the action (src/main.ts) and the CLI
// (src/cli.ts). Three modes:
//   release         build every platform here, publish everything, tag;
//   push-by-digest  a matrix job: build this runner's platform, push its
//                   manifest by digest, nothing else;
//   merge           the final matrix job: read those manifests back, check
//                   them, publish the index, the rules and the tags.
// Everything that can refuse a release runs before the first write.
import { existsSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { layerFileName, packLayer } from './falco/layer.js'
import { checkInputs, type Inputs } from './inputs/inputs.js'
import type { PluginMetadata } from './inspect/metadata.js'
import type { Logger } from './log.js'
import type { OciTarget, RegistryCredentials } from './oci/types.js'
import { formatPlatform, hostPlatform, parsePlatforms, type Platform } from './platform/platform.js'
import { makePlan, type PlanFacts, type PlatformLayer, type ReleasePlan } from './plan/plan.js'
import { publish, type PublishReport } from './publish/publish.js'
import {
  distribute,
  proposeRegistryEntry,
  type Distribution,
  type RegistryEntryReport
} from './release/distribute.js'
import { loadPushedPlatforms, parseMergeInput } from './release/merge.js'
import { buildPlatforms, inspectBuilds, type PlatformBuild } from './release/plugin-builds.js'
import { prepareRules } from './release/rules.js'
import {
  openTargets,
  resolveCredentials,
  readFacts,
  registryLabel,
  repositoriesFor,
  type RepositoryFacts
} from './release/targets.js'
import { matchTagPattern, pluginDirectory } from './version/tag-pattern.js'
import { rfc3339, sourceDateEpoch } from './version/source-date.js'
import { resolveTag, type ReleaseVersion } from './version/version.js'
import { signAndAttach } from './sign/attach.js'
import {
  prepareSigning,
  registerSigningSecrets,
  signingResult,
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
  /** The native build, lib<name>.so (in working-directory for our own build). */
  pluginPath: string
  builds: BuildReport[]
  rulesFile?: string
  report?: PublishReport
  indexFile?: string
  distribution?: Distribution
  registryEntry?: RegistryEntryReport
  /** Signatures (not for push-by-digest jobs, which sign nothing). */
  signing?: SigningResult
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
  release: ReleaseVersion
  /** The plugin the tag names (monorepo patterns), or the plugin-name input. */
  expectedName?: string
  monorepo: boolean
  workDir: string
  scratch: string
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
    majorZeroTag: ctx.inputs.majorZeroTag
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
    plugin: { name, version: ctx.release.version },
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
  const { inputs, logger } = ctx
  const platforms = requestedPlatforms(ctx)
  const built = await buildPlatforms({ ...ctx, platforms })
  const { metadata, builds } = await inspectBuilds({ ...ctx, built, version: ctx.release.version })

  // The native build as lib<name>.so, for the user (and GitHub Release assets).
  const native = nativeBuild(builds)
  const ownBuild = inputs.buildCommand === ''
  const pluginPath = ownBuild
    ? join(ctx.workDir, `lib${metadata.name}.so`)
    : resolve(ctx.workDir, inputs.pluginPath)
  if (ownBuild) await copyFile(native.soPath, pluginPath)

  const { rules, layersDir } = await rulesAndLayersDir(ctx, metadata.name)
  const soName = `lib${metadata.name}.so`
  const pluginLayers: PlatformLayer[] = []
  for (const b of builds) {
    const packed = await packLayer({
      source: b.soPath,
      entryName: soName,
      mode: 0o755,
      destination: join(layersDir, `plugin-${b.platform.os}-${b.platform.architecture}.tar.gz`)
    })
    pluginLayers.push({
      ...packed,
      title: layerFileName(soName),
      entryName: soName,
      platform: b.platform
    })
  }

  const repos = repositoriesFor(inputs, metadata.name)
  const targets = openTargets(inputs, logger, repos, await credentialsFor(ctx))
  const empty: RepositoryFacts = { tags: [] }
  const matrixJob = inputs.pushByDigest
  const [pluginFacts, rulesFacts] = matrixJob
    ? [empty, empty] // no tags are written here, so nothing to compare with
    : await registryFacts(ctx, targets, rules !== undefined)
  const created = await createdAt(ctx)
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
  const pushed = await logger.group('Read the platform manifests', () =>
    loadPushedPlatforms(targets.plugin, entries, ctx.scratch, logger)
  )
  const { metadata, builds } = await inspectBuilds({
    ...ctx,
    built: pushed.map((p) => ({ platform: p.platform, soPath: p.soPath })),
    version: ctx.release.version,
    expectedName: name
  })
  const { rules } = await rulesAndLayersDir(ctx, metadata.name)
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
  const { inputs, logger } = ctx
  const plan = r.plan
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
    warnings: ctx.warnings
  }
  if (r.mode !== 'push-by-digest') result.registryEntry = proposeRegistryEntry(r.metadata, inputs)
  // How to sign is decided and checked (key decrypted, OIDC token fetched) before any write.
  const signing =
    r.mode === 'push-by-digest' ? undefined : await prepareSigning(inputs, ctx.env, logger)
  if (inputs.dryRun) return result

  const signer = signing?.signer
  result.report = await logger.group('Publish', () =>
    publish(
      plan,
      { plugin: r.targets.plugin, rules: plan.rules ? r.targets.rules : undefined },
      logger,
      {
        manifestsOnly: r.mode === 'push-by-digest',
        concurrency: inputs.uploadConcurrency,
        sign: signer
          ? (target, root) =>
              signAndAttach(target, root, signer, new Date().toISOString().replace(/\.\d+Z$/, 'Z'))
          : undefined
      }
    )
  )
  if (r.mode === 'push-by-digest' || !signing) return result
  result.signing = await signingResult(signing, result.report.signatures)

  result.distribution = await distribute({
    inputs,
    env: ctx.env,
    plan,
    metadata: r.metadata,
    release: ctx.release,
    builds: r.builds,
    rulesFile: r.rulesFile,
    monorepo: ctx.monorepo,
    scratch: ctx.scratch,
    logger,
    signing: { result: result.signing, signer }
  })
  result.indexFile = resolve(inputs.indexFile)
  return result
}

export async function runRelease(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  logger: Logger
): Promise<ReleaseResult> {
  checkInputs(inputs)
  if (inputs.githubToken !== '') logger.secret(inputs.githubToken)
  registerSigningSecrets(inputs, logger)
  const warnings: string[] = []
  const tag = resolveTag(inputs.tag, env.GITHUB_REF)
  const match = matchTagPattern(tag, inputs.tagPattern, inputs.pluginName || undefined)
  logger.info(
    `releasing version ${match.release.version} (tag ${tag})` +
      (match.plugin ? ` of plugin ${match.plugin}` : '')
  )
  // In a monorepo, the tag names the plugin and so its folder.
  let workDir = resolve(inputs.workingDirectory)
  if (inputs.workingDirectory === '.' && match.plugin) {
    const dir = pluginDirectory(inputs.tagPattern, match.plugin)
    if (existsSync(dir)) workDir = resolve(dir)
  }
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
    release: match.release,
    expectedName: inputs.pluginName || match.plugin,
    monorepo: match.plugin !== undefined,
    workDir,
    scratch
  }
  try {
    return inputs.merge !== '' ? await merge(ctx) : await buildHere(ctx)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
