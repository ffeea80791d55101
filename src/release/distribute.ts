// After the registry: index.yaml (a file, and optionally a commit to a
// branch), the GitHub Release with archives and checksums, and the
// registry.yaml entry to propose upstream. Nothing here touches the registry.
import { isAbsolute, join } from 'node:path'
import { mergeIndex } from '../falco/index-yaml.js'
import { registryEntry, registryEntryYaml, validateRegistryEntry } from '../falco/registry-entry.js'
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
import {
  checksumBundles,
  provenanceForRelease,
  type AttestationResult
} from '../sign/release-assets.js'
import type { SigstoreSigner } from '../sign/signer.js'
import type { SigningResult } from '../sign/signing.js'
import { indexEntries, writeIndexFile } from './index-file.js'
import type { PlatformBuild } from './plugin-builds.js'

export interface RegistryEntryReport {
  yaml: string
  errors: string[]
  warnings: string[]
}

export function proposeRegistryEntry(meta: PluginMetadata, inputs: Inputs): RegistryEntryReport {
  const entry = registryEntry(meta, {
    url: inputs.sourceUrl || inputs.home || '',
    license: inputs.license || undefined,
    keywords: inputs.keywords.length > 0 ? inputs.keywords : undefined
  })
  const { errors, warnings } = validateRegistryEntry(entry)
  return { yaml: registryEntryYaml(entry), errors, warnings }
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
  /** Build provenance of the release archives (GitHub artifact attestations). */
  attestation?: AttestationResult
}

export async function distribute(opts: {
  inputs: Inputs
  env: NodeJS.ProcessEnv
  plan: ReleasePlan
  metadata: PluginMetadata
  release: ReleaseVersion
  builds: PlatformBuild[]
  rulesFile?: string
  /** A monorepo release: GitHub's repository-wide "Latest" badge is left alone. */
  monorepo: boolean
  scratch: string
  logger: Logger
  /** What was signed (index.yaml signature block) and the signer (release assets). */
  signing?: { result?: SigningResult; signer?: SigstoreSigner }
}): Promise<Distribution> {
  const { inputs, env, plan, metadata, logger } = opts
  const signer = opts.signing?.result?.signed ? opts.signing.signer : undefined
  const entries = indexEntries(plan, metadata, inputs, opts.signing?.result?.indexSignature)
  await writeIndexFile(inputs.indexFile, entries)
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
    const signed = signer
      ? await checksumBundles(assets, join(opts.scratch, 'release-assets'), signer)
      : []
    const movesLatest = plan.tagPlan.floating.some((d) => d.tag === 'latest' && d.move)
    out.githubRelease = await logger.group('GitHub Release', () =>
      publishGitHubRelease({
        ...gh,
        tag: opts.release.tag,
        name: `${metadata.name} ${plan.version}`,
        prerelease: opts.release.prerelease,
        makeLatest: movesLatest && !opts.monorepo,
        assets: [...assets, ...signed],
        targetCommitish: env.GITHUB_SHA,
        logger
      })
    )
    const identity = opts.signing?.result?.identity
    out.attestation = await provenanceForRelease({
      ...gh,
      provenance: inputs.provenance,
      archives: assets.filter((a) => a.name.endsWith('.tar.gz')),
      signer,
      issuer: identity?.kind === 'keyless' ? identity.issuer : undefined,
      logger
    })
  }
  return out
}
