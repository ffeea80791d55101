// After the registry: index.yaml (a file, and optionally a commit to a
// branch), the GitHub Release with archives and checksums, and the
// registry.yaml entry to propose upstream. Nothing here touches the registry.
import { existsSync, readFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { mergeIndex } from '../falco/index-yaml.js'
import {
  registeredEntry,
  registryEntry,
  registryEntryYaml,
  validateRegistryEntry
} from '../falco/registry-entry.js'
import { apiBaseUrlFromEnv, parseRepository } from '../github/client.js'
import { commitIndexToBranch, type CommitIndexResult } from '../github/pages.js'
import {
  buildReleaseAssets,
  publishGitHubRelease,
  type PublishedRelease,
  type ReleaseArchitecture
} from '../github/release.js'
import type { Inputs } from '../inputs/inputs.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { Logger } from '../log.js'
import type { ReleasePlan } from '../plan/plan.js'
import type { ReleaseVersion } from '../version/version.js'
import { indexEntries, keptSignatures, maintainersOf, writeIndexFile } from './index-file.js'
import { repositoryRoot } from './paths.js'
import type { SourceLinks } from './source-links.js'
import type { PlatformBuild } from './plugin-builds.js'

export interface RegistryEntryReport {
  yaml: string
  errors: string[]
  warnings: string[]
  /** The repository's own registry.yaml the entry was checked against and filled from. */
  registryFile?: string
}

/**
 * The registry.yaml entry for this plugin. When the repository has a registry.yaml at its root
 * (a monorepo such as falcosecurity/plugins), the entry is checked against it as `registry
 * check` would (a name or source ID another entry uses refuses the release) and the fields the
 * inputs do not give (url, rules_url, authors, maintainers, keywords, license) come from the
 * plugin's existing entry.
 */
export function proposeRegistryEntry(opts: {
  meta: PluginMetadata
  inputs: Inputs
  links: SourceLinks
  /** Rules are published with this release: the entry gets a rules_url. */
  rules: boolean
  workDir: string
}): RegistryEntryReport {
  const { meta, inputs, links } = opts
  const file = join(repositoryRoot(opts.workDir), 'registry.yaml')
  const text = existsSync(file) ? readFileSync(file, 'utf8') : undefined
  const existing = text !== undefined ? registeredEntry(text, meta.name) : undefined
  const maintainers = inputs.maintainers.length > 0 ? maintainersOf(inputs, meta) : undefined
  const entry = registryEntry(meta, {
    url:
      inputs.given.has('source-url') || inputs.given.has('home')
        ? links.url
        : (existing?.url ?? links.url),
    license: inputs.license || existing?.license || undefined,
    keywords: inputs.keywords.length > 0 ? inputs.keywords : existing?.keywords,
    maintainers: maintainers ?? existing?.maintainers,
    authors: inputs.authors || existing?.authors,
    rulesUrl: opts.rules ? (existing?.rules_url ?? links.rulesUrl) : undefined
  })
  const { errors, warnings, conflicts } = validateRegistryEntry(
    entry,
    text !== undefined ? { registry: text, own: true } : {}
  )
  if (conflicts.length > 0) {
    throw new Error(
      `${file} refuses this plugin, as its \`registry check\` would: ${conflicts.join('; ')}`
    )
  }
  if (text !== undefined && existing === undefined) {
    warnings.push(
      `${meta.name} has no entry in ${file}: add the entry below (registry check accepts it)`
    )
  }
  return {
    yaml: registryEntryYaml(entry),
    errors,
    warnings,
    ...(text !== undefined ? { registryFile: file } : {})
  }
}

/** Whether to make a GitHub Release: asked for, or "auto" on a tag run under GitHub Actions. */
export function wantsGitHubRelease(inputs: Inputs, env: NodeJS.ProcessEnv): boolean {
  if (inputs.githubRelease !== 'auto') return inputs.githubRelease
  return (
    env.GITHUB_ACTIONS === 'true' &&
    (env.GITHUB_REF ?? '').startsWith('refs/tags/') &&
    inputs.ociLayout === ''
  )
}

function githubApi(inputs: Inputs, env: NodeJS.ProcessEnv, what: string) {
  if (inputs.githubToken === '') {
    throw new Error(`${what} needs a GitHub token: set github-token (default: the workflow token)`)
  }
  return {
    api: { baseUrl: apiBaseUrlFromEnv(env), token: inputs.githubToken },
    ...parseRepository(env.GITHUB_REPOSITORY)
  }
}

export interface Distribution {
  indexFile: string
  index?: CommitIndexResult
  githubRelease?: PublishedRelease
}

export async function distribute(opts: {
  inputs: Inputs
  env: NodeJS.ProcessEnv
  plan: ReleasePlan
  metadata: PluginMetadata
  release: ReleaseVersion
  builds: PlatformBuild[]
  rulesFile?: string
  links: SourceLinks
  /** A monorepo release: GitHub's repository-wide "Latest" badge is left alone. */
  monorepo: boolean
  scratch: string
  logger: Logger
}): Promise<Distribution> {
  const { inputs, env, plan, metadata, logger } = opts
  const entries = indexEntries(plan, metadata, inputs, opts.links)
  const merged = await writeIndexFile(inputs.indexFile, entries)
  for (const name of keptSignatures(merged, entries)) {
    logger.warning(
      `${inputs.indexFile}: the entry ${name} keeps its signature block: falcoctl verifies ` +
        `${name} against it on install, so it must describe how this release is signed`
    )
  }
  const out: Distribution = { indexFile: inputs.indexFile }

  if (inputs.indexBranch !== '') {
    if (isAbsolute(inputs.indexFile)) {
      throw new Error(
        `index-file must be a path inside the repository with index-branch, got ${inputs.indexFile}`
      )
    }
    const gh = githubApi(inputs, env, 'index-branch')
    out.index = await logger.group(`Commit ${inputs.indexFile} to ${inputs.indexBranch}`, () =>
      commitIndexToBranch({
        ...gh,
        branch: inputs.indexBranch,
        path: inputs.indexFile,
        update: (existing) => mergeIndex(existing, entries),
        message: `index.yaml: ${metadata.name} ${plan.version}`,
        logger
      })
    )
  }

  if (wantsGitHubRelease(inputs, env)) {
    const gh = githubApi(inputs, env, 'github-release')
    const assets = await buildReleaseAssets({
      name: metadata.name,
      version: plan.version,
      plugins: opts.builds.map((b) => ({
        architecture: b.platform.architecture as ReleaseArchitecture,
        soPath: b.soPath
      })),
      rulesFile: opts.rulesFile,
      outDir: join(opts.scratch, 'release-assets')
    })
    const movesLatest = plan.tagPlan.floating.some((d) => d.tag === 'latest' && d.move)
    out.githubRelease = await logger.group('GitHub Release', () =>
      publishGitHubRelease({
        ...gh,
        tag: opts.release.tag,
        name: `${metadata.name} ${plan.version}`,
        prerelease: opts.release.prerelease,
        makeLatest: movesLatest && !opts.monorepo,
        assets,
        targetCommitish: env.GITHUB_SHA,
        logger
      })
    )
  }
  return out
}
