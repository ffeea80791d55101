// The release pipeline, shared by the action (src/main.ts) and the CLI
// (src/cli.ts): tag -> build -> inspect -> pack -> gather registry facts ->
// plan -> publish -> index.yaml. Everything that can refuse a release runs
// before the first write.
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { buildPlugin } from './build/go.js'
import { mergeIndex, type IndexEntry } from './falco/index-yaml.js'
import { layerFileName, packLayer } from './falco/layer.js'
import { parseRulesFile, rulesDependencies } from './falco/rules.js'
import { checkInputs, type Inputs } from './inputs/inputs.js'
import { compileInspector, inspectPlugin, checkPlugin } from './inspect/inspect.js'
import type { PluginMetadata } from './inspect/metadata.js'
import { validatePluginAgainstRelease } from './inspect/validate.js'
import type { Logger } from './log.js'
import { OciLayoutTarget } from './oci/layout.js'
import { validateRepositoryName } from './oci/reference.js'
import { RegistryClient } from './oci/registry.js'
import type { OciTarget } from './oci/types.js'
import { makePlan, type PackedLayer, type PlanFacts, type ReleasePlan } from './plan/plan.js'
import { publish, type PublishReport } from './publish/publish.js'
import { rfc3339, sourceDateEpoch } from './version/source-date.js'
import { parseReleaseTag, resolveTag } from './version/version.js'

export interface ReleaseResult {
  plan: ReleasePlan
  metadata: PluginMetadata
  /** The built plugin, lib<name>.so. */
  pluginPath: string
  rulesFile?: string
  report?: PublishReport
  indexFile?: string
  dryRun: boolean
  warnings: string[]
}

/** The platform of this machine in GOOS/GOARCH terms. */
export function hostPlatform(): { os: string; architecture: string } {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64' }
  return { os: 'linux', architecture: arch[process.arch] ?? process.arch }
}

function rulesPath(inputs: Inputs, workDir: string, name: string): string | undefined {
  if (inputs.rulesFile !== '') {
    const p = resolve(workDir, inputs.rulesFile)
    if (!existsSync(p)) {
      throw new Error(
        `rules-file "${inputs.rulesFile}" does not exist in ${workDir}: fix the path, or leave the input empty to release the plugin alone`
      )
    }
    return p
  }
  const p = join(workDir, 'rules', `${name}_rules.yaml`)
  return existsSync(p) ? p : undefined
}

function targets(inputs: Inputs, logger: Logger, pluginRepo: string, rulesRepo: string) {
  if (inputs.ociLayout !== '') {
    const root = resolve(inputs.ociLayout)
    return {
      plugin: new OciLayoutTarget(join(root, pluginRepo)),
      rules: new OciLayoutTarget(join(root, rulesRepo))
    }
  }
  const client = new RegistryClient({
    registry: inputs.registry,
    plainHttp: inputs.plainHttp,
    credentials:
      inputs.password !== ''
        ? { username: inputs.username || 'token', password: inputs.password }
        : undefined,
    logger
  })
  return { plugin: client.repository(pluginRepo), rules: client.repository(rulesRepo) }
}

async function readFacts(
  target: OciTarget,
  version: string,
  tolerant: boolean,
  logger: Logger
): Promise<{ tags: string[]; existing?: string }> {
  try {
    const tags = await target.listTags()
    const existing = tags.includes(version) ? await target.resolveTag(version) : undefined
    return { tags, existing }
  } catch (err) {
    if (!tolerant) throw err
    logger.warning(
      `dry run: could not read ${target.location} (${(err as Error).message}); planning as if it were empty`
    )
    return { tags: [] }
  }
}

function maintainersFrom(contact: string): IndexEntry['maintainers'] {
  const m = /^\s*(.*?)\s*<([^>]+@[^>]+)>\s*$/.exec(contact)
  if (m) return [{ email: m[2], name: m[1] || undefined }]
  if (/^[^\s@]+@[^\s@]+$/.test(contact.trim())) return [{ email: contact.trim() }]
  // A URL or free text names no maintainer; the home page covers URLs.
  return undefined
}

function indexEntries(
  plan: ReleasePlan,
  meta: PluginMetadata,
  inputs: Inputs,
  registry: string
): IndexEntry[] {
  const common = {
    registry,
    home: inputs.home || undefined,
    license: inputs.license || undefined,
    maintainers: maintainersFrom(meta.contact),
    sources: inputs.sourceUrl ? [inputs.sourceUrl] : undefined
  }
  const keywords = (extra: string) => [...new Set([...inputs.keywords, extra])]
  const entries: IndexEntry[] = [
    {
      name: plan.plugin.name,
      type: 'plugin',
      repository: plan.plugin.repository,
      description: meta.description || undefined,
      keywords: keywords(plan.plugin.name),
      ...common
    }
  ]
  if (plan.rules) {
    entries.push({
      name: plan.rules.name,
      type: 'rulesfile',
      repository: plan.rules.repository,
      description: `Rules for the ${meta.name} Falco plugin`,
      keywords: keywords(plan.rules.name),
      ...common
    })
  }
  return entries
}

export async function runRelease(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  logger: Logger
): Promise<ReleaseResult> {
  checkInputs(inputs)
  const warnings: string[] = []
  const warn = (w: string) => {
    warnings.push(w)
    logger.warning(w)
  }
  const release = parseReleaseTag(resolveTag(inputs.tag, env.GITHUB_REF))
  logger.info(`releasing version ${release.version} (tag ${release.tag})`)

  const workDir = resolve(inputs.workingDirectory)
  const scratch = await mkdtemp(join(env.RUNNER_TEMP || tmpdir(), 'falco-plugin-release-'))
  try {
    // Build. Our own build goes to a scratch path; it is copied to
    // lib<name>.so once the .so has told us its name.
    const ownBuild = inputs.buildCommand === ''
    const built = await buildPlugin({
      workingDirectory: workDir,
      goPackage: inputs.goPackage,
      output: join(scratch, 'build', 'plugin.so'),
      buildCommand: ownBuild ? undefined : inputs.buildCommand,
      pluginPath: ownBuild ? undefined : inputs.pluginPath,
      env,
      logger
    })

    // Inspect, exactly as Falco loads it, and refuse anything inconsistent.
    const metadata = await logger.group('Inspect the plugin', async () => {
      const inspector = await compileInspector({ cc: env.CC, cacheDir: join(scratch, 'inspector') })
      const meta = await inspectPlugin(built, { inspector })
      checkPlugin(meta)
      for (const w of validatePluginAgainstRelease(meta, {
        version: release.version,
        expectedName: inputs.pluginName || undefined
      }))
        warn(w)
      logger.info(
        `${meta.name} ${meta.version}: requires plugin API ${meta.requiredApiVersion}, ` +
          `capabilities ${meta.capabilities.join(', ')}`
      )
      return meta
    })
    const soName = `lib${metadata.name}.so`
    const pluginPath = ownBuild ? join(workDir, soName) : built
    if (ownBuild) await copyFile(built, pluginPath)

    // Rules.
    const rulesFile = rulesPath(inputs, workDir, metadata.name)
    let rules: PlanFacts['rules']
    const layersDir = join(scratch, 'layers')
    await mkdir(layersDir, { recursive: true })
    if (rulesFile) {
      const parsed = parseRulesFile(await readFile(rulesFile, 'utf8'), rulesFile)
      const dependencies = rulesDependencies(parsed, {
        name: metadata.name,
        version: release.version
      })
      if (!parsed.requiredEngineVersion) {
        warn(
          `${basename(rulesFile)} has no required_engine_version: the rules artifact will carry no engine requirement`
        )
      }
      const entryName = basename(rulesFile)
      const packed = await packLayer({
        source: rulesFile,
        entryName,
        mode: 0o644,
        destination: join(layersDir, 'rules.tar.gz')
      })
      const layer: PackedLayer = { ...packed, title: layerFileName(entryName), entryName }
      rules = { layer, dependencies, engineVersion: parsed.requiredEngineVersion, file: rulesFile }
    } else {
      logger.info(
        `no rules file (looked for rules/${metadata.name}_rules.yaml): releasing the plugin alone`
      )
    }
    const packedPlugin = await packLayer({
      source: pluginPath,
      entryName: soName,
      mode: 0o755,
      destination: join(layersDir, 'plugin-linux-amd64.tar.gz')
    })

    // Where it goes, and what is there already.
    const pluginRepo = `${inputs.repository ? inputs.repository + '/' : ''}plugin/${metadata.name}`
    const rulesRepo = `${inputs.repository ? inputs.repository + '/' : ''}ruleset/${metadata.name}`
    validateRepositoryName(pluginRepo)
    validateRepositoryName(rulesRepo)
    const t = targets(inputs, logger, pluginRepo, rulesRepo)
    const [pluginFacts, rulesFacts] = await Promise.all([
      readFacts(t.plugin, release.version, inputs.dryRun, logger),
      rules ? readFacts(t.rules, release.version, inputs.dryRun, logger) : { tags: [] as string[] }
    ])
    const date = await sourceDateEpoch(env, workDir, release.tag)
    const plan = makePlan({
      release,
      metadata,
      pluginLayers: [
        {
          ...packedPlugin,
          title: layerFileName(soName),
          entryName: soName,
          platform: hostPlatform()
        }
      ],
      rules,
      registry:
        inputs.ociLayout !== '' ? `oci-layout:${resolve(inputs.ociLayout)}` : inputs.registry,
      repository: inputs.repository,
      created: rfc3339(date.epoch),
      sourceUrl: inputs.sourceUrl || undefined,
      publishedTags: { plugin: pluginFacts.tags, rules: rulesFacts.tags },
      existing: {
        plugin: pluginFacts.existing,
        rules: 'existing' in rulesFacts ? rulesFacts.existing : undefined
      },
      overwrite: inputs.overwrite,
      majorZeroTag: inputs.majorZeroTag
    })
    logger.info(`created ${plan.created} (${date.from})`)
    for (const d of plan.tagPlan.floating) {
      if (!d.move) logger.info(`not moving "${d.tag}": ${d.reason}`)
    }

    const result: ReleaseResult = {
      plan,
      metadata,
      pluginPath,
      rulesFile,
      dryRun: inputs.dryRun,
      warnings
    }
    if (inputs.dryRun) return result

    result.report = await logger.group('Publish', () =>
      publish(plan, { plugin: t.plugin, rules: rules ? t.rules : undefined }, logger)
    )

    // index.yaml: merged, other entries kept.
    const indexFile = resolve(inputs.indexFile)
    const existing = existsSync(indexFile) ? await readFile(indexFile, 'utf8') : undefined
    await mkdir(dirname(indexFile), { recursive: true })
    await writeFile(
      indexFile,
      mergeIndex(existing, indexEntries(plan, metadata, inputs, inputs.registry))
    )
    result.indexFile = indexFile
    return result
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}
