// The falcoctl index.yaml entries of a release, merged into the index file.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { mergeIndex, type IndexEntry, type IndexSignature } from '../falco/index-yaml.js'
import type { Inputs } from '../inputs/inputs.js'
import { maintainersFromContact } from '../falco/registry-entry.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { ReleasePlan } from '../plan/plan.js'

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length > 0 ? list : undefined)

export function indexEntries(
  plan: ReleasePlan,
  meta: PluginMetadata,
  inputs: Inputs,
  /** Only when the artifacts were signed so that falcoctl can verify them. */
  signature?: IndexSignature
): IndexEntry[] {
  const common = {
    registry: inputs.registry,
    home: inputs.home || undefined,
    license: inputs.license || undefined,
    // "Name <email>" or a bare email names a maintainer; a URL or free text names none.
    maintainers: nonEmpty(maintainersFromContact(meta.contact)),
    sources: inputs.sourceUrl ? [inputs.sourceUrl] : undefined,
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

/** Merges the entries into the index file (other entries kept) and returns its text. */
export async function writeIndexFile(path: string, entries: IndexEntry[]): Promise<string> {
  const file = resolve(path)
  const existing = existsSync(file) ? await readFile(file, 'utf8') : undefined
  const text = mergeIndex(existing, entries)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  return text
}
