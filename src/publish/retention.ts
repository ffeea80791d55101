// Old dev builds: after a dev build is published, each repository keeps its newest `keep` dev
// version tags and the older ones are deleted where the registry allows it. The OCI API deletes
// manifests by digest (every tag on that manifest goes with it), so a manifest still named by a
// kept tag or by the dev tag is left alone, and so are the platform manifests a kept index
// lists. Registries that refuse deletion through the OCI API (ghcr.io, Docker Hub, distribution
// without storage.delete.enabled) leave the tags where they are: that is reported, never fatal.
import type { Logger } from '../log.js'
import type { OciTarget } from '../oci/types.js'
import { artifactsOf, type ReleasePlan } from '../plan/plan.js'
import { chooseDevTags } from '../plan/retention.js'

export interface DeletedTag {
  ref: string
  tag: string
  digest: string
}

export interface RetentionReport {
  keep: number
  deleted: DeletedTag[]
  /** Dev tags that should have gone and are still there, per reference. */
  left: Array<{ ref: string; tags: string[] }>
  /** Why nothing could be deleted: the registry's answer to a DELETE. */
  unsupported?: string
  /** Other failures, one sentence each. */
  failures: string[]
}

interface Parsed {
  manifests?: Array<{ digest?: unknown }>
}

/** The digests of the platform manifests an index lists (none for a manifest). */
function childrenOf(body: Buffer): string[] {
  try {
    const j = JSON.parse(body.toString('utf8')) as Parsed
    return Array.isArray(j.manifests)
      ? j.manifests.map((m) => m.digest).filter((d): d is string => typeof d === 'string')
      : []
  } catch {
    return []
  }
}

async function protectedDigests(target: OciTarget, tags: string[]): Promise<Set<string>> {
  const out = new Set<string>()
  for (const tag of tags) {
    const m = await target.fetchManifest(tag)
    if (!m) continue
    const digest = await target.resolveTag(tag)
    if (digest) out.add(digest)
    for (const c of childrenOf(m.body)) out.add(c)
  }
  return out
}

export async function pruneDevTags(opts: {
  plan: ReleasePlan
  targets: { plugin: OciTarget; rules?: OciTarget }
  keep: number
  logger: Logger
}): Promise<RetentionReport> {
  const { plan, keep, logger } = opts
  const report: RetentionReport = { keep, deleted: [], left: [], failures: [] }
  const devTag = plan.tagPlan.devTag
  if (keep <= 0 || devTag === undefined) return report
  for (const a of artifactsOf(plan)) {
    const target = a.kind === 'plugin' ? opts.targets.plugin : opts.targets.rules
    if (!target) continue
    let remaining: string[] = []
    try {
      const choice = chooseDevTags(await target.listTags(), keep, [plan.version])
      remaining = [...choice.remove]
      if (choice.remove.length === 0) continue
      if (report.unsupported !== undefined || !target.deleteManifest) {
        report.unsupported ??= `${target.location} cannot delete manifests`
        continue
      }
      const keepDigests = await protectedDigests(target, [...choice.keep, devTag])
      for (const tag of [...choice.remove].reverse()) {
        const digest = await target.resolveTag(tag)
        if (digest === undefined) {
          remaining = remaining.filter((t) => t !== tag)
          continue
        }
        if (keepDigests.has(digest)) {
          logger.info(`${a.ref}:${tag} names the same manifest as a kept tag: left in place`)
          continue
        }
        const children = childrenOf((await target.fetchManifest(digest))?.body ?? Buffer.alloc(0))
        const result = await target.deleteManifest(digest)
        if (result.status === 'unsupported') {
          report.unsupported = result.reason
          break
        }
        remaining = remaining.filter((t) => t !== tag)
        if (result.status === 'deleted') {
          report.deleted.push({ ref: a.ref, tag, digest })
          logger.info(`deleted the old dev build ${a.ref}:${tag} (${digest})`)
        }
        for (const c of children.filter((d) => !keepDigests.has(d))) {
          const r = await target.deleteManifest(c)
          if (r.status === 'unsupported') break
        }
      }
    } catch (err) {
      report.failures.push(`${a.ref}: ${(err as Error).message}`)
    } finally {
      if (remaining.length > 0) report.left.push({ ref: a.ref, tags: remaining })
    }
  }
  return report
}

/** The warning for dev tags that stay, or undefined when retention did its job. */
export function retentionWarning(report: RetentionReport, registry: string): string | undefined {
  const left = report.left.reduce((n, l) => n + l.tags.length, 0)
  if (left === 0 && report.failures.length === 0) return undefined
  const what =
    left > 0
      ? `${left} dev version tag(s) older than the newest ${report.keep} stay in the registry`
      : 'deleting old dev version tags failed'
  if (report.unsupported !== undefined) {
    return (
      `${what}: ${registry} does not delete manifests through the OCI API (${report.unsupported}). ` +
      (registry === 'ghcr.io'
        ? "On ghcr.io, delete them as package versions through GitHub's packages API (e.g. " +
          'actions/delete-package-versions, which needs packages: write); '
        : 'A distribution registry deletes with storage.delete.enabled: true; ') +
      'or set dev-keep: 0 to keep every dev build'
    )
  }
  return `${what}: ${report.failures.join('; ')}`
}
