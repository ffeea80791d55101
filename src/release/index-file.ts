// The falcoctl index.yaml entries of a release, merged into the index file.
import type { IndexEntry } from '../falco/index-yaml.js'
import type { Inputs } from '../inputs/inputs.js'
import { maintainersFromContact } from '../falco/registry-entry.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { ReleasePlan } from '../plan/plan.js'

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined)

export function indexEntries(
  plan: ReleasePlan,
  meta: PluginMetadata,
  inputs: Inputs
): IndexEntry[] {
  const common = {
    registry: inputs.registry,
    home: inputs.home || undefined,
    license: inputs.license || undefined,
    // "Name <email>" or a bare email names a maintainer; a URL or free text names none.
    maintainers: nonEmpty(maintainersFromContact(meta.contact)),
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
