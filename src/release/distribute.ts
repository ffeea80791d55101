// After the registry: index.yaml (a file, and optionally a commit to a
// branch), the GitHub Release with archives and checksums, and the
// registry.yaml entry to propose upstream. Nothing here touches the registry.
//
// prepareDistribution runs before the first registry write and does every check that could
// refuse: the index file and the branch's index merge, the token may write the repository.
// The steps after the registry only write: writeIndexFile, commitIndex, publishRelease (each a
// stage of the pipeline, so a failure says which one).
import { existsSync, readFileSync } from 'node:fs'
import { lstat } from 'node:fs/promises'
import { isAbsolute, join } from 'node:path'
import { mergeIndex, type IndexEntry, type IndexSignature } from '../falco/index-yaml.js'
import {
  registeredEntry,
  registryEntry,
  registryEntryYaml,
  validateRegistryEntry
} from '../falco/registry-entry.js'
import { parseRepository } from '../github/repository.js'
import type { CommitIndexResult } from '../github/pages.js'
import type { PublishedRelease, ReleaseArchitecture } from '../github/release.js'
import type { GitHubFacts } from '../context.js'
import type { Inputs } from '../inputs/inputs.js'
import { wantsGitHubRelease } from '../inputs/permissions.js'
import { confine, writeFileNoFollow, type Workspace } from '../inputs/workspace.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { Logger } from '../log.js'
import type { Platform } from '../platform/platform.js'
import type { PlanOutline, ReleasePlan } from '../plan/plan.js'
import type { ReleaseVersion } from '../version/version.js'
import type { AttestationResult } from '../sign/release-assets.js'
import type { SigstoreSigner } from '../sign/signer.js'
import type { SigningResult } from '../sign/signing.js'
import { MAX_INDEX_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.js'
import { indexEntries, keptSignatures, maintainersOf } from './index-file.js'
import { repositoryRoot } from './paths.js'
import type { SourceLinks } from './source-links.js'

// The GitHub API (Octokit) loads only for a run that uses it: index-branch, a GitHub Release.
const loadPages = () => import('../github/pages.js')

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

/** The GitHub API and repository of this run, with the token; refuses without a token. */
function githubApi(
  inputs: Inputs,
  github: Pick<GitHubFacts, 'apiUrl' | 'repository'>,
  what: string
) {
  if (inputs.githubToken === '') {
    throw new Error(`${what} needs a GitHub token: set github-token (default: the workflow token)`)
  }
  return {
    api: { baseUrl: github.apiUrl, token: inputs.githubToken },
    ...parseRepository(github.repository)
  }
}

type GitHubTarget = ReturnType<typeof githubApi>

/** What the distribution steps wrote. */
export interface Distribution {
  /** index-file as given, when it was written; '' when not. */
  indexFile: string
  index?: CommitIndexResult
  githubRelease?: PublishedRelease
  /** Build provenance of the release archives (GitHub artifact attestations). */
  attestation?: AttestationResult
}

/** Everything the distribution steps need, checked before the first registry write. */
export interface PreparedDistribution {
  /** The inputs distribution sees (a dev build's: dev-index-file, no GitHub Release). */
  inputs: Inputs
  indexPath: string
  /** false: the index file is left alone (a dev build without dev-index-file). */
  writeIndex: boolean
  /** index.yaml with our entries merged in. */
  indexText: string
  /** The index users add: the branch's with index-branch, else index-file's. */
  servedIndexText: string
  entries: IndexEntry[]
  branch?: GitHubTarget
  release?: GitHubTarget
}

export async function prepareDistribution(opts: {
  inputs: Inputs
  github: Pick<GitHubFacts, 'apiUrl' | 'repository' | 'actions' | 'ref'>
  plan: PlanOutline
  metadata: PluginMetadata
  links: SourceLinks
  workspace: Workspace
  logger: Logger
  /** The index.yaml signature block of how this release will be signed (none: unsigned). */
  signature?: IndexSignature
  /** false: write no index file (and commit none); default true. */
  writeIndex?: boolean
}): Promise<PreparedDistribution> {
  const { inputs, github, plan, metadata, logger } = opts
  const entries = indexEntries(plan, metadata, inputs, opts.links, opts.signature)
  if (opts.writeIndex === false) {
    // Nothing is written: the install check sees our entries alone, the rest of the file is moot.
    const indexText = mergeIndex(undefined, entries)
    return {
      inputs,
      indexPath: '',
      writeIndex: false,
      indexText,
      servedIndexText: indexText,
      entries
    }
  }
  const indexPath = confine(opts.workspace, inputs.indexFile, 'index-file')
  const info = await lstat(indexPath).catch(() => undefined)
  if (info?.isSymbolicLink()) {
    throw new Error(
      `index-file ${inputs.indexFile} is a symbolic link: refusing to write through it; point ` +
        'index-file at a regular file. Nothing was pushed.'
    )
  }
  const existing = info
    ? await readTextFileBounded(indexPath, {
        limit: MAX_INDEX_FILE_BYTES,
        what: 'the index file',
        fix: 'check that index-file names a falcoctl index.yaml'
      })
    : undefined
  let indexText: string
  try {
    indexText = mergeIndex(existing, entries)
  } catch (err) {
    throw new Error(
      `${inputs.indexFile} cannot take this release's entries: ${(err as Error).message}. Fix ` +
        'the file (a falcoctl index is a YAML list of entries with unique names), or point ' +
        'index-file at another path. Nothing was pushed.',
      { cause: err }
    )
  }
  const prepared: PreparedDistribution = {
    inputs,
    indexPath,
    writeIndex: true,
    indexText,
    servedIndexText: indexText,
    entries
  }
  const needs: string[] = []
  if (inputs.indexBranch !== '') {
    if (isAbsolute(inputs.indexFile)) {
      throw new Error(
        `index-file must be a path inside the repository with index-branch, got ${inputs.indexFile}`
      )
    }
    prepared.branch = githubApi(inputs, github, 'index-branch')
    needs.push(`index-branch (${inputs.indexBranch})`)
    const { readBranchFile } = await loadPages()
    const onBranch = await readBranchFile({
      ...prepared.branch,
      branch: inputs.indexBranch,
      path: inputs.indexFile,
      logger
    })
    try {
      prepared.servedIndexText = mergeIndex(onBranch, entries)
    } catch (err) {
      throw new Error(
        `${inputs.indexFile} on the ${inputs.indexBranch} branch cannot take this release's ` +
          `entries: ${(err as Error).message}. Fix it on that branch. Nothing was pushed.`,
        { cause: err }
      )
    }
  }
  if (wantsGitHubRelease(inputs, github)) {
    prepared.release = githubApi(inputs, github, 'github-release')
    needs.push(
      inputs.githubRelease === 'auto' ? 'github-release (auto: on tag runs)' : 'github-release'
    )
  }
  const gh = prepared.branch ?? prepared.release
  if (gh && !inputs.dryRun) {
    const { checkContentsWrite } = await import('../github/access.js')
    await checkContentsWrite({ ...gh, neededBy: needs, logger })
  }
  return prepared
}

/** Writes the merged index.yaml (prepared.writeIndex), never through a symbolic link. */
export async function writeIndexFile(
  prepared: PreparedDistribution,
  logger: Logger
): Promise<void> {
  const { inputs } = prepared
  await writeFileNoFollow(prepared.indexPath, prepared.indexText, 'index-file')
  for (const name of keptSignatures(prepared.indexText, prepared.entries)) {
    logger.warning(
      `${inputs.indexFile}: the entry ${name} keeps its signature block: falcoctl verifies ` +
        `${name} against it on install, so it must describe how this release is signed`
    )
  }
}

/** Commits the release's entries to index-file on index-branch (prepared.branch). */
export async function commitIndex(opts: {
  prepared: PreparedDistribution
  branch: GitHubTarget
  plan: ReleasePlan
  metadata: PluginMetadata
  logger: Logger
}): Promise<CommitIndexResult> {
  const { prepared, logger } = opts
  const { inputs, entries } = prepared
  const { commitIndexToBranch } = await loadPages()
  return logger.group(`Commit ${inputs.indexFile} to ${inputs.indexBranch}`, () =>
    commitIndexToBranch({
      ...opts.branch,
      branch: inputs.indexBranch,
      path: inputs.indexFile,
      update: (existing) => mergeIndex(existing, entries),
      message: `index.yaml: ${opts.metadata.name} ${opts.plan.version}`,
      logger
    })
  )
}

/** The release's archives, already packed: the OCI layers it pushed. */
export interface ReleaseArchives {
  /** One plugin layer (a flat lib<name>.so) per platform. */
  plugins: Array<{ platform: Platform; path: string }>
  /** The rules artifact's layer, when the release has rules. */
  rules?: string
}

/**
 * The GitHub Release of the tag (prepared.release): the release's layers as archives, a
 * checksums.txt (signed when the release is), then build provenance of the archives.
 */
export async function publishRelease(opts: {
  prepared: PreparedDistribution
  release: GitHubTarget
  plan: ReleasePlan
  metadata: PluginMetadata
  version: ReleaseVersion
  archives: ReleaseArchives
  /** A monorepo release: GitHub's repository-wide "Latest" badge is left alone. */
  monorepo: boolean
  /** The commit a missing tag is created on (the workflow's). */
  sha?: string
  scratch: string
  logger: Logger
  /** What was signed and the signer (release assets: signed checksums, provenance). */
  signing?: { result?: SigningResult; signer?: SigstoreSigner }
}): Promise<{ githubRelease: PublishedRelease; attestation?: AttestationResult }> {
  const { plan, metadata, logger } = opts
  const { inputs } = opts.prepared
  const signer = opts.signing?.result?.signed ? opts.signing.signer : undefined
  const outDir = join(opts.scratch, 'release-assets')
  // Signed checksums and provenance (Sigstore, @actions/attest) load only for a GitHub Release.
  const { checksumBundles, provenanceForRelease } = await import('../sign/release-assets.js')
  const { buildReleaseAssets, publishGitHubRelease } = await import('../github/release.js')
  const assets = await buildReleaseAssets({
    name: metadata.name,
    version: plan.version,
    plugins: opts.archives.plugins.map((p) => ({
      architecture: p.platform.architecture as ReleaseArchitecture,
      archive: p.path
    })),
    rulesArchive: opts.archives.rules,
    outDir
  })
  const signed = signer ? await checksumBundles(assets, outDir, signer) : []
  const movesLatest = plan.tagPlan.floating.some((d) => d.tag === 'latest' && d.move)
  const githubRelease = await logger.group('GitHub Release', () =>
    publishGitHubRelease({
      ...opts.release,
      tag: opts.version.tag,
      name: `${metadata.name} ${plan.version}`,
      prerelease: opts.version.prerelease,
      makeLatest: movesLatest && !opts.monorepo,
      assets: [...assets, ...signed],
      targetCommitish: opts.sha,
      logger
    })
  )
  const identity = opts.signing?.result?.identity
  const attestation = await provenanceForRelease({
    ...opts.release,
    provenance: inputs.provenance,
    archives: assets.filter((a) => a.name.endsWith('.tar.gz')),
    signer,
    issuer: identity?.kind === 'keyless' ? identity.issuer : undefined,
    logger
  })
  return { githubRelease, attestation }
}
