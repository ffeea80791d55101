// The falcoctl index.yaml entries of a release, merged into the index file.
import { parse } from 'yaml'
import type { IndexEntry, IndexSignature } from '../falco/index-yaml.js'
import type { Inputs } from '../inputs/inputs.js'
import { maintainersFromContact, type RegistryMaintainer } from '../falco/registry-entry.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { PlanOutline } from '../plan/plan.js'
import type { SourceLinks } from './source-links.js'

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined)

/** The maintainers input ("Name <email>" items), else the one the .so's contact names. */
export function maintainersOf(inputs: Inputs, meta: PluginMetadata): RegistryMaintainer[] {
  if (inputs.maintainers.length > 0) {
    return inputs.maintainers.map((m) => {
      const parsed = maintainersFromContact(m)
      return parsed.length > 0 ? parsed[0] : { name: m }
    })
  }
  // "Name <email>" or a bare email names a maintainer; a URL or free text names none.
  return maintainersFromContact(meta.contact)
}

export function indexEntries(
  plan: PlanOutline,
  meta: PluginMetadata,
  inputs: Inputs,
  links: Pick<SourceLinks, 'home' | 'sources'>,
  /** Only when the artifacts are signed so that falcoctl can verify them. */
  signature?: IndexSignature
): IndexEntry[] {
  const common = {
    registry: inputs.registry,
    home: links.home || undefined,
    license: inputs.license || undefined,
    maintainers: nonEmpty(maintainersOf(inputs, meta)),
    sources: nonEmpty(links.sources),
    signature
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

/**
 * Our entries that keep a signature block we did not write: falcoctl verifies the artifact
 * against it, so it must describe how this release was really signed.
 */
export function keptSignatures(mergedText: string, entries: IndexEntry[]): string[] {
  const merged = (parse(mergedText) ?? []) as Array<{ name?: string; signature?: unknown }>
  return entries
    .filter((e) => e.signature === undefined)
    .filter((e) => merged.some((m) => m?.name === e.name && m.signature !== undefined))
    .map((e) => e.name)
}
