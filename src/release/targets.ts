// Where the artifacts go (a registry, or OCI image layout directories) and
// what is already there.
import { join, resolve } from 'node:path'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import { OciLayoutTarget } from '../oci/layout.js'
import { validateRepositoryName } from '../oci/reference.js'
import { RegistryClient } from '../oci/registry.js'
import { credentialsFromDockerConfig, dockerConfigPath } from '../oci/docker-config.js'
import type { OciTarget, RegistryCredentials } from '../oci/types.js'

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

/**
 * Registry credentials, in this order: the password input; the Docker config's
 * entry for the registry (as docker/login-action leaves it); for ghcr.io, the
 * workflow token; else none (anonymous).
 */
export async function resolveCredentials(
  inputs: Inputs,
  env: NodeJS.ProcessEnv,
  logger: Logger
): Promise<{ credentials?: RegistryCredentials; from: string }> {
  if (inputs.password !== '') {
    return {
      credentials: { username: inputs.username || 'token', password: inputs.password },
      from: 'the password input'
    }
  }
  const fromDocker = await credentialsFromDockerConfig(inputs.registry, env, logger)
  if (fromDocker)
    return { credentials: fromDocker, from: `the Docker config (${dockerConfigPath(env)})` }
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
    return { tags, existing }
  } catch (err) {
    if (!tolerant) throw err
    logger.warning(
      `dry run: could not read ${target.location} (${(err as Error).message}); planning as if it were empty`
    )
    return { tags: [] }
  }
}
