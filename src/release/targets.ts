// Where the artifacts go (a registry, or OCI image layout directories) and
// what is already there.
import { join, resolve } from 'node:path'
import type { RunContext } from '../context.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import { OciLayoutTarget } from '../oci/layout.js'
import { validateRepositoryName } from '../oci/reference.js'
import { RegistryClient } from '../oci/registry.js'
import { credentialsFromDockerConfig } from '../oci/docker-config.js'
import type { OciTarget, Platform, RegistryCredentials } from '../oci/types.js'
import type { PublishedArtifact } from '../plan/differences.js'

export interface Repositories {
  plugin: string
  rules: string
}

export function repositoriesFor(inputs: Inputs, name: string): Repositories {
  const prefix = inputs.repository ? `${inputs.repository}/` : ''
  const repos = { plugin: `${prefix}plugin/${name}`, rules: `${prefix}ruleset/${name}` }
  validateRepositoryName(repos.plugin)
  validateRepositoryName(repos.rules)
  return repos
}

/** The host shown in references: the registry, or where the layouts are written. */
export function registryLabel(inputs: Inputs): string {
  return inputs.ociLayout !== '' ? `oci-layout:${resolve(inputs.ociLayout)}` : inputs.registry
}

/** Where Docker credentials are: the config file, and the environment its helpers run with. */
export type DockerContext = Pick<RunContext, 'dockerConfig' | 'childEnvBase'>

/** The Docker config's credentials for `registry` (credential helpers run as docker runs them). */
export function dockerCredentials(
  registry: string,
  ctx: DockerContext,
  logger?: Logger
): Promise<RegistryCredentials | undefined> {
  return credentialsFromDockerConfig(registry, ctx.childEnvBase, logger, ctx.dockerConfig)
}

/**
 * Registry credentials, in this order: the password input; the Docker config's
 * entry for the registry (as docker/login-action leaves it); for ghcr.io, the
 * workflow token; else none (anonymous).
 */
export async function resolveCredentials(
  inputs: Inputs,
  ctx: DockerContext,
  logger: Logger
): Promise<{ credentials?: RegistryCredentials; from: string }> {
  if (inputs.password !== '') {
    return {
      credentials: { username: inputs.username || 'token', password: inputs.password },
      from: 'the password input'
    }
  }
  const fromDocker = await dockerCredentials(inputs.registry, ctx, logger)
  if (fromDocker)
    return { credentials: fromDocker, from: `the Docker config (${ctx.dockerConfig})` }
  if (inputs.registry === 'ghcr.io' && inputs.githubToken !== '') {
    return {
      credentials: { username: inputs.username || 'token', password: inputs.githubToken },
      from: 'the workflow token (github-token)'
    }
  }
  return { from: 'nowhere: anonymous' }
}

export function openTargets(
  inputs: Inputs,
  logger: Logger,
  repos: Repositories,
  credentials?: RegistryCredentials
): { plugin: OciTarget; rules: OciTarget } {
  if (inputs.ociLayout !== '') {
    const root = resolve(inputs.ociLayout)
    return {
      plugin: new OciLayoutTarget(join(root, repos.plugin)),
      rules: new OciLayoutTarget(join(root, repos.rules))
    }
  }
  const client = new RegistryClient({
    registry: inputs.registry,
    plainHttp: inputs.plainHttp,
    credentials,
    logger,
    retryBudgetMs: inputs.retryBudget * 1000,
    timeoutMs: inputs.requestTimeout * 1000,
    chunkSize: inputs.chunkSize,
    chunkedThreshold: inputs.chunkedUploadThreshold
  })
  return { plugin: client.repository(repos.plugin), rules: client.repository(repos.rules) }
}

export interface RepositoryFacts {
  tags: string[]
  /** Digest the version tag points at, if it exists. */
  existing?: string
  /** What the version tag points at, read back to explain a conflict (best effort). */
  published?: PublishedArtifact
}

/** Configs are a few hundred bytes; anything far bigger is not a falcoctl config. */
const MAX_CONFIG_BYTES = 1 << 20

export async function readSmallBlob(
  target: OciTarget,
  digest: string
): Promise<Buffer | undefined> {
  const stream = await target.fetchBlob(digest)
  if (!stream) return undefined
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of stream as AsyncIterable<Buffer>) {
    size += c.length
    if (size > MAX_CONFIG_BYTES) {
      ;(stream as unknown as { destroy?: () => void }).destroy?.()
      return undefined
    }
    chunks.push(Buffer.from(c))
  }
  return Buffer.concat(chunks)
}

/** The root at `reference`, its platform manifests (for an index) and the first config. */
export async function readPublished(
  target: OciTarget,
  reference: string
): Promise<PublishedArtifact | undefined> {
  const root = await target.fetchManifest(reference)
  if (!root) return undefined
  const parsed = JSON.parse(root.body.toString('utf8')) as {
    manifests?: Array<{ digest: string; platform?: Platform }>
    config?: { digest: string }
  }
  const manifests: PublishedArtifact['manifests'] = []
  if (Array.isArray(parsed.manifests)) {
    for (const d of parsed.manifests) {
      const m = await target.fetchManifest(d.digest)
      if (m) manifests.push({ platform: d.platform, bytes: m.body })
    }
  } else {
    manifests.push({ bytes: root.body })
  }
  const first = manifests[0]
    ? (JSON.parse(manifests[0].bytes.toString('utf8')) as typeof parsed)
    : {}
  const config = first.config?.digest ? await readSmallBlob(target, first.config.digest) : undefined
  return { root: root.body, manifests, config }
}

/** Tags and the version tag's digest. In a dry run, an unreadable target counts as empty. */
export async function readFacts(
  target: OciTarget,
  version: string,
  tolerant: boolean,
  logger: Logger
): Promise<RepositoryFacts> {
  try {
    const tags = await target.listTags()
    const existing = tags.includes(version) ? await target.resolveTag(version) : undefined
    // Only to explain a conflict: a failure here must not stop a release.
    const published =
      existing !== undefined
        ? await readPublished(target, existing).catch(() => undefined)
        : undefined
    return { tags, existing, published }
  } catch (err) {
    if (!tolerant) throw err
    logger.warning(
      `dry run: could not read ${target.location} (${(err as Error).message}); planning as if it were empty`
    )
    return { tags: [] }
  }
}
