// The stages of a release, each a name and a run function over the release state (see
// src/pipeline/modes.ts for which run in which mode, and in which order). Everything up to and
// including preflight may refuse the release; nothing before publish writes to the registry, the
// repository or GitHub.
import { copyFile, mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { layerFileName, packLayer } from '../falco/layer.js'
import { confine } from '../inputs/workspace.js'
import type { Descriptor, OciTarget } from '../oci/types.js'
import {
  formatPlatform,
  hostPlatform,
  parsePlatforms,
  type Platform
} from '../platform/platform.js'
import {
  digestsCanRefuse,
  makePlan,
  outlinePlan,
  type PlanFacts,
  type PlanOutline,
  type PlatformLayer,
  type ReleasePlan
} from '../plan/plan.js'
import { startEarlyUploads, type EarlyUploads, type PackingLayer } from '../publish/early.js'
import {
  emptyPublishReport,
  publish,
  pushPlatformManifests,
  type PublishReport
} from '../publish/publish.js'
import { pruneDevTags, retentionWarning } from '../publish/retention.js'
import { checkInstallable } from '../release/dependencies.js'
import { devDistributionInputs, devReleaseOf } from '../release/dev-build.js'
import {
  commitIndex,
  prepareDistribution,
  proposeRegistryEntry,
  publishRelease,
  writeIndexFile,
  type ReleaseArchives
} from '../release/distribute.js'
import { loadPushedPlatforms, parseMergeInput } from '../release/merge.js'
import { keptOutputDir } from '../release/paths.js'
import { chooseRulesFile, prepareRules } from '../release/rules.js'
import { sourceLinks } from '../release/source-links.js'
import {
  readFacts,
  registryLabel,
  repositoriesFor,
  resolveCredentials,
  type RepositoryFacts
} from '../release/targets.js'
import { prepareSigning, signRoot, signingResult, type Signing } from '../sign/signing.js'
import { GrowingFile } from '../util/growing-file.js'
import { rfc3339, sourceDateEpoch } from '../version/source-date.js'
import type { Stage } from './stage.js'
import { need, type ReleaseState } from './state.js'

function requestedPlatforms(state: ReleaseState, onePlatform: boolean): Platform[] {
  const { inputs } = state
  const platforms =
    inputs.platforms !== '' ? parsePlatforms(inputs.platforms, state.warn) : [hostPlatform()]
  if (onePlatform && platforms.length !== 1) {
    throw new Error(
      `push-by-digest builds one platform per job, got ${platforms.map(formatPlatform).join(', ')}: ` +
        "give each matrix job its own platform (or leave platforms empty for the runner's)"
    )
  }
  return platforms
}

function nativeBuild<T extends { platform: Platform }>(builds: T[]): T {
  return builds.find((b) => b.platform.architecture === hostPlatform().architecture) ?? builds[0]
}

async function layersDir(state: ReleaseState): Promise<string> {
  const dir = join(state.scratch, 'layers')
  await mkdir(dir, { recursive: true })
  return dir
}

/** What the build and inspect steps need of the state. */
function checkOptions(state: ReleaseState) {
  return {
    inputs: state.inputs,
    context: state.context,
    logger: state.logger,
    warn: state.warn,
    // A tag release's .so must report the tag's version; a dev build's is checked by `version`.
    version: state.release?.version,
    expectedName: state.expectedName
  }
}

/**
 * build (release, push-by-digest): builds every platform here, checks and inspects each .so, and
 * packs each layer as soon as the plugin's name is known, while the other platforms build. The
 * two overlap, so the journal moves on to "inspect" when the first .so is loaded. `onePlatform`:
 * a matrix job builds exactly one.
 */
export function build(opts: { onePlatform: boolean }): Stage {
  return {
    name: 'build',
    run: (state) => buildHere(state, opts.onePlatform)
  }
}

async function buildHere(state: ReleaseState, onePlatform: boolean): Promise<void> {
  const { inputs, journal } = state
  const platforms = requestedPlatforms(state, onePlatform)
  const dir = await layersDir(state)
  // Each layer's file is followed as it is written, so that publish can stream it (when every
  // check has passed before the packing ends).
  const packing: PackingLayer[] = []
  state.packing = packing
  const { metadata, builds, packed } = await state.steps.build({
    ...checkOptions(state),
    platforms,
    workDir: state.workDir,
    scratch: state.scratch,
    onInspect: () => {
      journal.stage = 'inspect'
    },
    pack: async (b, name): Promise<PlatformLayer> => {
      const soName = `lib${name}.so`
      const destination = join(dir, `plugin-${b.platform.os}-${b.platform.architecture}.tar.gz`)
      const file = new GrowingFile(destination)
      const layer = packLayer({
        source: b.soPath,
        entryName: soName,
        mode: 0o755,
        destination,
        onWritten: (bytes) => file.grew(bytes)
      })
      packing.push({ file, packed: layer })
      try {
        const done = await layer
        file.complete(done.size)
        return {
          ...done,
          title: layerFileName(soName),
          entryName: soName,
          platform: b.platform
        }
      } catch (err) {
        file.fail(err as Error)
        throw err
      }
    }
  })
  journal.plugin = metadata.name
  state.metadata = metadata
  state.builds = builds
  state.pluginLayers = packed
  // The native build as lib<name>.so, for the user, in the runner's temp space (never the sources).
  if (inputs.buildCommand === '') {
    state.pluginPath = join(await keptOutputDir(state.context.runnerTemp), `lib${metadata.name}.so`)
    await copyFile(nativeBuild(builds).soPath, state.pluginPath)
  } else {
    state.pluginPath = resolve(state.workDir, inputs.pluginPath)
  }
}

/**
 * read-manifests (merge): reads back the platform manifests the push-by-digest jobs pushed, from
 * the repository this job publishes to, with their layers and the .so in them.
 */
export const readManifests: Stage = {
  name: 'read-manifests',
  run: async (state) => {
    const { inputs, logger } = state
    const entries = parseMergeInput(inputs.merge)
    const fromRefs = entries
      .map((e) => e.repository)
      .filter((r): r is string => !!r)
      .map((r) => /\/?plugin\/([^/]+)$/.exec(r)?.[1])
    const name = state.expectedName ?? fromRefs.find((n) => !!n)
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
    state.expectedName = name
    await openTargets(state, name)
    const targets = need(state.targets, 'the targets', 'read-manifests')
    state.pushed = await logger.group('Read the platform manifests', () =>
      loadPushedPlatforms(targets.plugin, entries, state.scratch, logger)
    )
  }
}

/** inspect (merge): checks the .so files the matrix jobs built and reads the metadata. */
export const inspect: Stage = {
  name: 'inspect',
  run: async (state) => {
    const pushed = need(state.pushed, 'the pushed manifests', 'read-manifests')
    const { metadata, builds } = await state.steps.inspect({
      ...checkOptions(state),
      built: pushed.map((p) => ({ platform: p.platform, soPath: p.soPath }))
    })
    state.journal.plugin = metadata.name
    state.metadata = metadata
    state.builds = builds
    state.pluginPath = nativeBuild(builds).soPath
  }
}

/** version (dev builds): the dev version, from the version the .so reports and the history. */
export const devVersion: Stage = {
  name: 'version',
  run: async (state) => {
    const dev = need(state.dev, 'the dev build', 'inputs')
    const metadata = need(state.metadata, 'the metadata', 'build or inspect')
    state.release = await devReleaseOf({
      git: dev.git,
      inputs: state.inputs,
      branch: dev.branch,
      name: metadata.name,
      soVersion: metadata.version,
      logger: state.logger
    })
    state.journal.version = state.release.version
  }
}

/** rules: finds, parses, checks and packs the rules file. */
export const rules: Stage = {
  name: 'rules',
  run: async (state) => {
    const metadata = need(state.metadata, 'the metadata', 'build or inspect')
    const release = need(state.release, 'the version', 'inputs or version')
    state.rules = await prepareRules({
      inputs: state.inputs,
      workDir: state.workDir,
      logger: state.logger,
      warn: state.warn,
      plugin: { name: metadata.name, version: release.version, soVersion: release.dev?.soVersion },
      layersDir: await layersDir(state)
    })
  }
}

/** Resolves the registry credentials (none for an OCI layout) and opens both repositories. */
async function openTargets(state: ReleaseState, name: string): Promise<void> {
  const { inputs, logger } = state
  if (inputs.ociLayout === '') {
    const { credentials, from } = await resolveCredentials(inputs, state.context, logger)
    logger.info(`registry credentials for ${inputs.registry}: from ${from}`)
    state.credentials = credentials
  }
  state.targets = state.steps.openTargets(
    inputs,
    logger,
    repositoriesFor(inputs, name),
    state.credentials
  )
}

function logTagDecisions(plan: PlanOutline, state: ReleaseState): void {
  for (const d of plan.tagPlan.floating) {
    if (!d.move) state.logger.info(`not moving "${d.tag}": ${d.reason}`)
  }
}

/**
 * read-tags (release, merge): starts reading what the registry holds of both artifacts (their
 * tags, the version's digest) as soon as the name and the version are known, so that those round
 * trips overlap the packing and the rules stage instead of following them; plan awaits the
 * answers. Nothing is awaited here: a failure to read surfaces in plan, as it would there.
 */
export const readTags: Stage = {
  name: 'read-tags',
  run: async (state) => {
    const metadata = need(state.metadata, 'the metadata', 'build or inspect')
    const release = need(state.release, 'the version', 'inputs or version')
    if (state.targets === undefined) await openTargets(state, metadata.name)
    const targets = need(state.targets, 'the targets', 'read-tags')
    const read = (t: OciTarget): Promise<RepositoryFacts> => {
      const facts = readFacts(t, release.version, state.inputs.dryRun, state.logger)
      facts.catch(() => undefined) // awaited (and thrown) by plan; never an unhandled rejection
      return facts
    }
    state.facts = {
      plugin: read(targets.plugin),
      rules: rulesExpected(state, metadata.name) ? read(targets.rules) : undefined
    }
  }
}

/** Whether the rules stage will find a rules file (its own errors are its to report). */
function rulesExpected(state: ReleaseState, name: string): boolean {
  try {
    return chooseRulesFile(state.inputs, state.workDir, name).file !== undefined
  } catch {
    return false
  }
}

/**
 * plan: the release plan (every blob, manifest and tag), from the metadata, the layers or the
 * pushed manifests, the rules, the release timestamp and, with `readTags`, what the registry
 * already has (a push-by-digest job writes no tag, so it reads none). When no digest can refuse
 * the release (neither version tag exists), it does not wait for the plugin's layers: preflight
 * checks the outline (everything but the digests) and publish completes the plan, uploading the
 * layers still being packed as they grow. A dry run waits, to print the whole plan.
 */
export function plan(opts: { readTags: boolean }): Stage {
  return {
    name: 'plan',
    run: async (state) => {
      const { inputs, logger, journal } = state
      const metadata = need(state.metadata, 'the metadata', 'build or inspect')
      const release = need(state.release, 'the version', 'inputs or version')
      if (state.targets === undefined) await openTargets(state, metadata.name)
      const targets = need(state.targets, 'the targets', 'plan')
      // Read since read-tags, or now.
      const read = (t: OciTarget, started?: Promise<RepositoryFacts>) =>
        started ?? readFacts(t, release.version, inputs.dryRun, logger)
      const empty: RepositoryFacts = { tags: [] }
      const [pluginFacts, rulesFacts] = opts.readTags
        ? await Promise.all([
            read(targets.plugin, state.facts?.plugin),
            state.rules !== undefined ? read(targets.rules, state.facts?.rules) : empty
          ])
        : [empty, empty] // no tags are written here, so nothing to compare with
      const { context } = state
      const date = await sourceDateEpoch(
        {
          sourceDateEpoch: context.sourceDateEpoch,
          sha: context.github.sha,
          childEnvBase: context.childEnvBase
        },
        state.workDir,
        release.tag
      )
      const created = rfc3339(date.epoch)
      logger.info(`created ${created} (${date.from})`)
      const facts: Omit<PlanFacts, 'pluginLayers'> = {
        release,
        metadata,
        registry: registryLabel(inputs),
        repository: inputs.repository,
        created,
        sourceUrl: inputs.sourceUrl || undefined,
        publishedTags: { plugin: pluginFacts.tags, rules: rulesFacts.tags },
        existing: { plugin: pluginFacts.existing, rules: rulesFacts.existing },
        overwrite: inputs.overwrite,
        majorZeroTag: inputs.majorZeroTag,
        pluginDependsOnRules: inputs.pluginDependsOnRules,
        published: { plugin: pluginFacts.published, rules: rulesFacts.published },
        pushedManifests: state.pushed?.map((p) => ({
          platform: p.platform,
          bytes: p.manifestBytes
        })),
        rules: state.rules
      }
      if (state.rules !== undefined) confine(state.workspace, state.rules.file, 'the rules file')
      const layers = state.pluginLayers
      if (opts.readTags && layers && !inputs.dryRun && !digestsCanRefuse(facts)) {
        // Both versions are new: the digests cannot refuse the release, so the checks go on
        // with the outline while the layers are still packed, and publish completes the plan.
        const builds = need(state.builds, 'the builds', 'build')
        state.outline = outlinePlan({ ...facts, platforms: builds.map((b) => b.platform) })
        state.pendingPlan = layers.then((l) => makePlan({ ...facts, pluginLayers: l }))
        state.pendingPlan.catch(() => undefined) // awaited (and thrown) by publish
      } else {
        state.plan = makePlan({ ...facts, pluginLayers: layers ? await layers : [] })
        state.outline = state.plan
      }
      if (opts.readTags) logTagDecisions(state.outline, state)
      journal.floating = state.outline.tagPlan.floating.filter((d) => d.move).map((d) => d.tag)
    }
  }
}

/**
 * preflight: every check that can refuse the release, before the first registry write: the
 * registry.yaml entry (tag releases), how to sign (key decrypted, OIDC token fetched), index.yaml
 * and the GitHub side (prepareDistribution), and that falcoctl can install what is published.
 */
export const preflight: Stage = {
  name: 'preflight',
  run: async (state) => {
    const { inputs, logger, context } = state
    const planned = need(state.outline, 'the plan', 'plan')
    const metadata = need(state.metadata, 'the metadata', 'build or inspect')
    const release = need(state.release, 'the version', 'inputs or version')
    const links = sourceLinks({
      inputs,
      workDir: state.workDir,
      tag: release.tag,
      rulesFile: state.rules?.file
    })
    state.links = links
    if (!state.dev) {
      state.registryEntry = proposeRegistryEntry({
        meta: metadata,
        inputs,
        links,
        rules: planned.rules !== undefined,
        workDir: state.workDir
      })
    }
    // index.yaml gets the signature block of what will be signed.
    const signing = await prepareSigning(inputs, context, logger)
    state.signing = signing
    // A dev build writes dev-index-file (if any) instead of index-file, and no GitHub Release.
    const prepared = await prepareDistribution({
      inputs: state.dev ? devDistributionInputs(inputs, logger) : inputs,
      github: context.github,
      plan: planned,
      metadata,
      links,
      workspace: state.workspace,
      logger,
      writeIndex: !state.dev || inputs.devIndexFile !== '',
      signature: signing.indexSignature
    })
    state.prepared = prepared
    // falcoctl must be able to install what this release publishes, through the index users add.
    state.install = await checkInstallable({
      inputs,
      docker: context,
      credentials: state.credentials,
      plan: planned,
      metadata,
      links,
      targets: need(state.targets, 'the targets', 'plan'),
      logger,
      warn: state.warn,
      indexText: prepared.servedIndexText
    })
  }
}

/** publish()'s `sign` option: undefined when this release is not signed. */
function signRootWith(signing: Signing | undefined) {
  if (!signing?.signer) return undefined
  return (target: OciTarget, root: Descriptor) => signRoot(signing, target, root)
}

/** publish (release, merge): every blob and manifest, the signatures, then the tags. */
export const publishAll: Stage = {
  name: 'publish',
  run: async (state) => {
    const { inputs, logger, journal } = state
    const targets = need(state.targets, 'the targets', 'plan')
    const signing = need(state.signing, 'how to sign', 'preflight')
    const report = emptyPublishReport()
    journal.publish = report
    state.report = await logger.group('Publish', async () => {
      const { plan: planned, early } = await completePlan(state, targets, report)
      return publish(
        planned,
        { plugin: targets.plugin, rules: planned.rules ? targets.rules : undefined },
        logger,
        {
          concurrency: inputs.uploadConcurrency,
          report,
          sign: signRootWith(signing),
          early
        }
      )
    })
    state.signingResult = await signingResult(signing, state.report.signatures)
  }
}

/**
 * The whole plan: the one plan made, or, when it left the digests to publish, the one made once
 * the plugin's layers are packed. Meanwhile every check has passed, so the blobs the outline
 * knows go up, and the layers still being packed are streamed as they grow (early.ts).
 */
async function completePlan(
  state: ReleaseState,
  targets: { plugin: OciTarget; rules: OciTarget },
  report: PublishReport
): Promise<{ plan: ReleasePlan; early?: EarlyUploads }> {
  if (state.plan !== undefined) return { plan: state.plan }
  const pending = need(state.pendingPlan, 'the plan', 'plan')
  const outline = need(state.outline, 'the plan', 'plan')
  const early = startEarlyUploads({
    outline,
    rulesLayer: state.rules?.layer,
    packing: state.packing ?? [],
    targets,
    logger: state.logger
  })
  try {
    state.plan = await pending
  } catch (err) {
    // Each failed stream cancels its upload session; what did go up is reported.
    const sent = await early.settle()
    report.blobsUploaded += sent.blobs
    report.bytesUploaded += sent.bytes
    throw err
  }
  await early.ready()
  return { plan: state.plan, early }
}

/** publish (push-by-digest): this platform's blobs and manifest, by digest; no tag. */
export const pushManifests: Stage = {
  name: 'publish',
  run: async (state) => {
    const planned = need(state.plan, 'the plan', 'plan')
    const targets = need(state.targets, 'the targets', 'plan')
    const report = emptyPublishReport()
    state.journal.publish = report
    state.report = await state.logger.group('Publish', () =>
      pushPlatformManifests(planned, targets.plugin, state.logger, {
        concurrency: state.inputs.uploadConcurrency,
        report
      })
    )
  }
}

/** index-file: the merged index.yaml (unless a dev build has no dev-index-file). */
export const indexFile: Stage = {
  name: 'index-file',
  skip: (state) => !need(state.prepared, 'the distribution', 'preflight').writeIndex,
  run: async (state) => {
    const prepared = need(state.prepared, 'the distribution', 'preflight')
    await writeIndexFile(prepared, state.logger)
    state.indexFile = prepared.indexPath
    state.journal.indexFile = prepared.indexPath
  }
}

/** index-branch: the same entries committed to index-file on the index branch. */
export const indexBranch: Stage = {
  name: 'index-branch',
  skip: (state) => need(state.prepared, 'the distribution', 'preflight').branch === undefined,
  run: async (state) => {
    const prepared = need(state.prepared, 'the distribution', 'preflight')
    state.index = await commitIndex({
      prepared,
      branch: need(prepared.branch, 'the index branch', 'preflight'),
      plan: need(state.plan, 'the plan', 'plan'),
      metadata: need(state.metadata, 'the metadata', 'build or inspect'),
      logger: state.logger
    })
    state.journal.indexBranchUrl = state.index.url
  }
}

/** The archives of the GitHub Release: the layers this release pushed, packed once. */
async function archivesOf(state: ReleaseState): Promise<ReleaseArchives> {
  const plugins = state.pushed
    ? state.pushed.map((p) => ({ platform: p.platform, path: p.layerPath }))
    : (await need(state.pluginLayers, 'the plugin layers', 'build')).map((l) => ({
        platform: l.platform,
        path: l.path
      }))
  return { plugins, rules: state.rules?.layer.path }
}

/** github-release: the release of the tag with the archives and checksums, then provenance. */
export const githubRelease: Stage = {
  name: 'github-release',
  skip: (state) => need(state.prepared, 'the distribution', 'preflight').release === undefined,
  run: async (state) => {
    const prepared = need(state.prepared, 'the distribution', 'preflight')
    const { githubRelease: published, attestation } = await publishRelease({
      prepared,
      release: need(prepared.release, 'the GitHub Release', 'preflight'),
      plan: need(state.plan, 'the plan', 'plan'),
      metadata: need(state.metadata, 'the metadata', 'build or inspect'),
      version: need(state.release, 'the version', 'inputs or version'),
      archives: await archivesOf(state),
      monorepo: state.monorepo,
      sha: state.context.github.sha || undefined,
      scratch: state.scratch,
      logger: state.logger,
      signing: { result: state.signingResult, signer: state.signing?.signer }
    })
    state.githubRelease = published
    state.attestation = attestation
    state.journal.releaseUrl = published.htmlUrl
  }
}

/**
 * retention (dev builds): old dev version tags go where the registry allows it, after the release
 * is out, as housekeeping that warns instead of failing.
 */
export const retention: Stage = {
  name: 'retention',
  run: async (state) => {
    const { inputs, logger } = state
    const planned = need(state.plan, 'the plan', 'plan')
    const targets = need(state.targets, 'the targets', 'plan')
    state.retention = await logger.group('Old dev builds', () =>
      pruneDevTags({
        plan: planned,
        targets: { plugin: targets.plugin, rules: planned.rules ? targets.rules : undefined },
        keep: inputs.devKeep,
        logger
      })
    )
    const warning = retentionWarning(state.retention, registryLabel(inputs))
    if (warning) state.warn(warning)
  }
}
