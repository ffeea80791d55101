// The falcoctl index.yaml entries of a release, merged into the index file.
import { existsSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { mergeIndex, type IndexEntry } from '../falco/index-yaml.js'
import type { Inputs } from '../inputs/inputs.js'
import { maintainersFromContact } from '../falco/registry-entry.js'
import type { PluginMetadata } from '../inspect/metadata.js'
import type { ReleasePlan } from '../plan/plan.js'
import { MAX_INDEX_FILE_BYTES, readTextFileBounded } from '../util/bounded-read.js'

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

/** Merges the entries into the index file (other entries kept) and returns its text. */
export async function writeIndexFile(path: string, entries: IndexEntry[]): Promise<string> {
  const file = resolve(path)
  const existing = existsSync(file)
    ? await readTextFileBounded(file, {
        limit: MAX_INDEX_FILE_BYTES,
        what: 'the index file',
        fix: 'check that index-file names a falcoctl index.yaml'
      })
    : undefined
  const text = mergeIndex(existing, entries)
  await mkdir(dirname(file), { recursive: true })
  await writeFile(file, text)
  return text
}
