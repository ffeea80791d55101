// The falcoctl index.yaml entries of a release, merged into the index file.
import { existsSync } from 'node:fs'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { mergeIndex, type IndexEntry } from '../falco/index-yaml.js'
import type { Inputs } from '../inputs/inputs.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { ReleasePlan } from '../plan/plan.js'

/** "Name <email>" or a bare email become a maintainer; a URL or free text names none. */
export function maintainersFrom(contact: string): IndexEntry['maintainers'] {
  const m = /^\s*(.*?)\s*<([^>]+@[^>]+)>\s*$/.exec(contact)
  if (m) return [{ email: m[2], name: m[1] || undefined }]
  if (/^[^\s@]+@[^\s@]+$/.test(contact.trim())) return [{ email: contact.trim() }]
  return undefined
}

export function indexEntries(
  plan: ReleasePlan,
  meta: PluginMetadata,
  inputs: Inputs
): IndexEntry[] {
  const common = {
    registry: inputs.registry,
    home: inputs.home || undefined,
    license: inputs.license || undefined,
    maintainers: maintainersFrom(meta.contact),
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

/** Merges the entries into the index file (other entries kept) and returns its text. */
export async function writeIndexFile(path: string, entries: IndexEntry[]): Promise<string> {
  const file = resolve(path)
  const existing = existsSync(file) ? await readFile(file, 'utf8') : undefined
  const text = mergeIndex(existing, entries)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  return text
}
