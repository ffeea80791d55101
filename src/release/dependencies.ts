// Before anything is pushed: can falcoctl install what this release publishes? falcoctl
// resolves each dependency it does not already have by its exact tag, through its indexes. We
// look names up the same way, in the index this release writes (index-file) and then in the
// dependency-indexes (by default falcosecurity's), and read each dependency's config from the
// registry its index entry names. A missing tag refuses the release (unless check-dependencies
// is false); an index or registry that does not answer is only a warning.
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import type { ArtifactConfig } from '../falco/config.js'
import {
  resolveClosure,
  type ClosureResult,
  type LookupResult,
  type MissingDependency
} from '../falco/dependencies.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Logger } from '../log.js'
import { RegistryClient } from '../oci/registry.js'
import type { OciTarget, Platform, RegistryCredentials } from '../oci/types.js'
import { installTag, type ArtifactOutline, type PlanOutline } from '../plan/plan.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { SourceLinks } from './source-links.js'
import { dockerCredentials, readSmallBlob, type DockerContext } from './targets.js'

/** An index is a few hundred KiB (falcosecurity's ~100 KiB); refuse to read runaway ones. */
const MAX_INDEX_BYTES = 16 << 20
/** A dependency lookup gives up sooner than a push: it may only warn. */
const LOOKUP_RETRY_BUDGET_MS = 30_000

interface IndexLocation {
  registry: string
  repository: string
  /** Which index named it, for messages. */
  from: string
}

export interface InstallCheck {
  /** References for `falcoctl artifact install` through the index, e.g. ["foo-rules:latest"]. */
  install: string[]
  /** Full references that install this release without an index. */
  direct: string[]
  /** The printed commands must pass --resolve-deps=false (the direct one, or both). */
  directSkipsDependencies: boolean
  indexedSkipsDependencies: boolean
  /** Other artifacts falcoctl installs through dependencies, e.g. json:0.7.0. */
  others: string[]
  missing: MissingDependency[]
  unknown: MissingDependency[]
}

function platformName(p: Platform): string {
  return `${p.os}/${p.architecture}`
}

/** Reads an index.yaml into name -> location. */
function parseIndex(text: string, from: string): Map<string, IndexLocation> {
  const list: unknown = parse(text)
  if (!Array.isArray(list)) throw new Error('not a YAML list of entries')
  const out = new Map<string, IndexLocation>()
  for (const e of list as Array<Record<string, unknown>>) {
    if (e === null || typeof e !== 'object') continue
    const { name, registry, repository } = e
    if (
      typeof name === 'string' &&
      typeof registry === 'string' &&
      typeof repository === 'string'
    ) {
      out.set(name, { registry, repository, from })
    }
  }
  return out
}

async function fetchIndexText(url: string, timeoutMs: number): Promise<string> {
  if (url.startsWith('file://')) return readFile(fileURLToPath(url), 'utf8')
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' })
  if (!res.ok) throw new Error(`HTTP ${res.status}`)
  const length = Number(res.headers.get('content-length') ?? NaN)
  if (length > MAX_INDEX_BYTES) throw new Error(`${length} bytes, more than an index`)
  const body = Buffer.from(await res.arrayBuffer())
  if (body.length > MAX_INDEX_BYTES) throw new Error(`${body.length} bytes, more than an index`)
  return body.toString('utf8')
}

/** The config at `tag` (the platform's manifest for a plugin index) and the index's platforms. */
async function readConfig(
  target: OciTarget,
  tag: string,
  platforms: string[]
): Promise<LookupResult> {
  const root = await target.fetchManifest(tag)
  if (!root) return { status: 'missing', reason: `${target.location} has no tag ${tag}` }
  const json = JSON.parse(root.body.toString('utf8')) as {
    manifests?: Array<{ digest: string; platform?: Platform }>
    config?: { digest?: string }
  }
  let manifest = json
  let available: string[] | undefined
  if (Array.isArray(json.manifests)) {
    available = json.manifests
      .filter((m) => m.platform)
      .map((m) => platformName(m.platform as Platform))
    const chosen =
      json.manifests.find((m) => m.platform && platforms.includes(platformName(m.platform))) ??
      json.manifests[0]
    if (!chosen) return { status: 'missing', reason: `${target.location}:${tag} is an empty index` }
    const m = await target.fetchManifest(chosen.digest)
    if (!m) return { status: 'missing', reason: `${target.location}@${chosen.digest} is missing` }
    manifest = JSON.parse(m.body.toString('utf8')) as typeof json
  }
  const digest = manifest.config?.digest
  const blob = digest ? await readSmallBlob(target, digest) : undefined
  if (!blob)
    return { status: 'unknown', reason: `could not read the config of ${target.location}:${tag}` }
  const config = JSON.parse(blob.toString('utf8')) as ArtifactConfig
  return { status: 'found', config, platforms: available }
}

/** The lookups of one release: its own artifacts, the indexes, and the registries they name. */
class Resolver {
  private readonly external = new Map<string, Promise<Map<string, IndexLocation> | Error>>()
  private readonly clients = new Map<string, Promise<RegistryClient>>()
  readonly unreachable = new Map<string, string>()

  constructor(
    private readonly opts: {
      inputs: Inputs
      docker: DockerContext
      plan: PlanOutline
      local: Map<string, IndexLocation>
      targets: { plugin: OciTarget; rules: OciTarget }
      credentials?: RegistryCredentials
      logger: Logger
      platforms: string[]
    }
  ) {}

  private own(name: string): { artifact: ArtifactOutline; target: OciTarget } | undefined {
    const { plan, targets } = this.opts
    if (name === plan.plugin.name) return { artifact: plan.plugin, target: targets.plugin }
    if (plan.rules && name === plan.rules.name)
      return { artifact: plan.rules, target: targets.rules }
    return undefined
  }

  private indexAt(url: string): Promise<Map<string, IndexLocation> | Error> {
    let p = this.external.get(url)
    if (!p) {
      p = fetchIndexText(url, this.opts.inputs.requestTimeout * 1000)
        .then((text) => parseIndex(text, url))
        .catch((err: unknown) => {
          const e = err instanceof Error ? err : new Error(String(err))
          this.unreachable.set(url, e.message)
          return e
        })
      this.external.set(url, p)
    }
    return p
  }

  private client(registry: string): Promise<RegistryClient> {
    let c = this.clients.get(registry)
    if (!c) {
      const { inputs, docker, logger } = this.opts
      c = (async () => {
        const credentials =
          registry === inputs.registry
            ? this.opts.credentials
            : await dockerCredentials(registry, docker, logger).catch(() => undefined)
        return new RegistryClient({
          registry,
          plainHttp: inputs.plainHttp,
          credentials,
          logger,
          retryBudgetMs: Math.min(inputs.retryBudget * 1000, LOOKUP_RETRY_BUDGET_MS),
          timeoutMs: inputs.requestTimeout * 1000
        })
      })()
      this.clients.set(registry, c)
    }
    return c
  }

  /** Where the indexes send `name`: index-file first, then each dependency index in order. */
  private async locate(name: string): Promise<IndexLocation | LookupResult> {
    const local = this.opts.local.get(name)
    if (local) return local
    const failures: string[] = []
    for (const url of this.opts.inputs.dependencyIndexes) {
      const index = await this.indexAt(url)
      if (index instanceof Error) {
        failures.push(`${url} could not be read (${index.message})`)
        continue
      }
      const hit = index.get(name)
      if (hit) return hit
    }
    const searched = ['index-file', ...this.opts.inputs.dependencyIndexes].join(', ')
    return failures.length > 0
      ? { status: 'unknown', reason: `not in ${searched}; ${failures.join('; ')}` }
      : { status: 'missing', reason: `no index has ${name} (searched ${searched})` }
  }

  private readonly looked = new Map<string, Promise<LookupResult>>()

  /** Each name:tag is looked up once per release. */
  lookup = (name: string, tag: string): Promise<LookupResult> => {
    const key = `${name}:${tag}`
    let r = this.looked.get(key)
    if (!r) {
      r = this.find(name, tag)
      this.looked.set(key, r)
    }
    return r
  }

  private async find(name: string, tag: string): Promise<LookupResult> {
    const own = this.own(name)
    if (own && own.artifact.tags.includes(tag)) {
      const platforms = own.artifact.platforms.map(platformName)
      return {
        status: 'found',
        config: own.artifact.config,
        platforms: platforms.length > 0 ? platforms : undefined
      }
    }
    let target: OciTarget
    if (own) target = own.target
    else {
      const where = await this.locate(name)
      if ('status' in where) return where
      try {
        target = (await this.client(where.registry)).repository(where.repository)
      } catch (err) {
        return {
          status: 'unknown',
          reason: `${where.from} names ${where.registry}/${where.repository}: ${(err as Error).message}`
        }
      }
    }
    try {
      return await readConfig(target, tag, this.opts.platforms)
    } catch (err) {
      return {
        status: 'unknown',
        reason: `could not read ${target.location}:${tag} (${(err as Error).message})`
      }
    }
  }
}

const refOf = (a: ArtifactOutline, tag: string) => `${a.name}:${tag}`

function covers(result: ClosureResult, plan: PlanOutline): boolean {
  return [plan.plugin, plan.rules]
    .filter((a): a is ArtifactOutline => a !== undefined)
    .every((a) => result.artifacts.includes(`${a.name}:${a.config.version}`))
}

function describe(m: MissingDependency): string {
  return `${m.name}:${m.version} (required by ${m.requiredBy}): ${m.reason}`
}

/**
 * Checks that `falcoctl artifact install` of either artifact, and of the command the summary
 * prints, finds every dependency. Throws, naming each missing name:version and the fixes, unless
 * check-dependencies is false (then it warns).
 */
export async function checkInstallable(opts: {
  inputs: Inputs
  /** Where other registries' credentials are (the Docker config). */
  docker: DockerContext
  /** The credentials of the release's own registry (resolveCredentials), if any. */
  credentials?: RegistryCredentials
  plan: PlanOutline
  metadata: PluginMetadata
  links: SourceLinks
  targets: { plugin: OciTarget; rules: OciTarget }
  logger: Logger
  warn: (w: string) => void
  /** The index users add, as this release will leave it (prepareDistribution merged it). */
  indexText: string
}): Promise<InstallCheck> {
  const { plan, inputs, indexText } = opts
  const platforms = plan.plugin.platforms.map(platformName)
  const resolver = new Resolver({
    ...opts,
    local: parseIndex(indexText, inputs.indexFile),
    platforms
  })
  const tag = installTag(plan)
  const closure = (roots: ArtifactOutline[]) =>
    resolveClosure(
      roots.map((r) => r.config),
      resolver.lookup,
      platforms
    )

  // The command to print: the fewest references whose install brings both artifacts.
  const rules = plan.rules
  const candidates: ArtifactOutline[][] = rules
    ? [[rules], [plan.plugin], [plan.plugin, rules]]
    : [[plan.plugin]]
  let chosen = candidates[candidates.length - 1]
  const results = new Map<ArtifactOutline[], ClosureResult>()
  for (const c of candidates) {
    const r = await closure(c)
    results.set(c, r)
    if (covers(r, plan)) {
      chosen = c
      break
    }
  }
  // Each artifact alone must install too: users run `falcoctl artifact install <name>`.
  for (const single of [[plan.plugin], ...(rules ? [[rules]] : [])]) {
    if (![...results.keys()].some((k) => k.length === 1 && k[0] === single[0])) {
      results.set(single, await closure(single))
    }
  }
  const all = [...results.values()]
  const dedupe = (list: MissingDependency[]) => {
    const seen = new Map<string, MissingDependency>()
    for (const m of list)
      if (!seen.has(`${m.name}:${m.version}`)) seen.set(`${m.name}:${m.version}`, m)
    return [...seen.values()]
  }
  const missing = dedupe(all.flatMap((r) => r.missing))
  const unknown = dedupe(all.flatMap((r) => r.unknown)).filter(
    (u) => !missing.some((m) => m.name === u.name && m.version === u.version)
  )
  const conflicts = [...new Set(all.flatMap((r) => r.conflicts))]
  const ownKeys = new Set(
    [plan.plugin, rules]
      .filter((a): a is ArtifactOutline => !!a)
      .map((a) => `${a.name}:${a.config.version}`)
  )
  const others = [...new Set((results.get(chosen)?.artifacts ?? []).filter((k) => !ownKeys.has(k)))]

  for (const [url, why] of resolver.unreachable) {
    opts.warn(
      `dependency index ${url} could not be read (${why}): dependencies were looked up without it`
    )
  }
  for (const u of unknown) {
    opts.warn(`could not check that falcoctl finds ${describe(u)}`)
  }
  const problems = [...conflicts, ...missing.map(describe)]
  if (problems.length > 0) {
    const fixes =
      'publish each missing version (falcoctl fetches a dependency by its exact tag), or raise ' +
      "the version in the rules file's required_plugin_versions to one that is published, or name " +
      'an index that has it in dependency-indexes; check-dependencies: false publishes anyway'
    const message = `falcoctl could not install this release: ${problems.join('; ')}. Fix: ${fixes}`
    if (inputs.checkDependencies) throw new Error(message)
    opts.warn(message)
  }
  const broken = problems.length > 0
  // Without an index, falcoctl can fetch nothing by name: only a closed set installs as is.
  const both = [plan.plugin, ...(rules ? [rules] : [])]
  const direct = await closure(both)
  const closed = direct.artifacts.every((k) => ownKeys.has(k)) && direct.missing.length === 0
  return {
    // Without dependency resolution, falcoctl installs exactly what it is given: name both.
    install: (broken ? both : chosen).map((a) => refOf(a, tag)),
    direct: both.map((a) => `${a.ref}:${plan.version}`),
    directSkipsDependencies: !closed || broken,
    indexedSkipsDependencies: broken,
    others,
    missing,
    unknown
  }
}
