// A falcosecurity/plugins registry.yaml entry generated from what the .so says about itself, and
// the checks `registry check` (build/registry, Registry.Validate) applies to it, so that a plugin
// author can paste the entry into a pull request and have it pass review the first time.
//
// Upstream rules (falco-plugin-api.md §9): the name, source and ID rules of conventions.ts; names
// and source IDs unique, the reserved entries (IDs 0 and 999) included.
import { isMap, isSeq, parseDocument, stringify } from 'yaml'
import type { PluginMetadata } from '../inspect/metadata.js'
import {
  ARTIFACT_NAME_PATTERN,
  DEVELOPMENT_ID,
  EVENT_SOURCE_PATTERN,
  MAX_PRIVATE_ID,
  MAX_PUBLIC_ID,
  RESERVED_SOURCES,
  sourceIdBlock
} from './conventions.js'

export interface RegistryMaintainer {
  name?: string
  email?: string
}

export interface RegistryEntry {
  name: string
  description: string
  authors?: string
  contact: string
  maintainers: RegistryMaintainer[]
  keywords: string[]
  url: string
  rules_url?: string
  /** SPDX identifier. */
  license: string
  /** Only on the registry's own placeholder entries (IDs 0 and 999). */
  reserved?: boolean
  capabilities: {
    sourcing?: { supported: boolean; id: number; source: string }
    extraction?: { supported: boolean; sources?: string[] }
  }
}

export interface RegistryEntryOptions {
  /** Home of the plugin's code, e.g. https://github.com/acme/foo or .../tree/main/plugins/foo. */
  url: string
  license?: string
  rulesUrl?: string
  /** Default: the maintainer named by the .so's contact ("Name <email>" or an e-mail address). */
  maintainers?: RegistryMaintainer[]
  keywords?: string[]
  /** Default: the maintainers' names. */
  authors?: string
}

export interface RegistryValidation {
  /** What `registry check` (or a collision with an entry already registered) would refuse. */
  errors: string[]
  /** The errors that come from the registry.yaml given (collisions with its entries). */
  conflicts: string[]
  /** What reviewers ask to change, or what only matters once the plugin is registered. */
  warnings: string[]
}

const present = (s: string | undefined): s is string => s !== undefined && s.trim() !== ''

/** The maintainer a contact string names, if it names one. */
export function maintainersFromContact(contact: string): RegistryMaintainer[] {
  const m = /^\s*(.*?)\s*<([^<>\s]+@[^<>\s]+)>\s*$/.exec(contact)
  if (m) return [m[1] ? { name: m[1], email: m[2] } : { email: m[2] }]
  if (/^[^\s@<>]+@[^\s@<>]+$/.test(contact.trim())) return [{ email: contact.trim() }]
  return []
}

/** The registry.yaml entry for a plugin, from its metadata. */
export function registryEntry(meta: PluginMetadata, opts: RegistryEntryOptions): RegistryEntry {
  const maintainers = (opts.maintainers ?? maintainersFromContact(meta.contact)).filter(
    (m) => present(m.name) || present(m.email)
  )
  const names = maintainers.map((m) => m.name).filter(present)
  const authors = present(opts.authors)
    ? opts.authors
    : names.length > 0
      ? names.join(', ')
      : undefined
  const entry: RegistryEntry = {
    name: meta.name,
    description: meta.description,
    ...(authors !== undefined ? { authors } : {}),
    contact: meta.contact,
    maintainers,
    keywords: [...new Set((opts.keywords ?? []).map((k) => k.trim()).filter((k) => k !== ''))],
    url: opts.url,
    ...(present(opts.rulesUrl) ? { rules_url: opts.rulesUrl } : {}),
    license: opts.license ?? '',
    capabilities: {}
  }
  if (meta.capabilities.includes('sourcing')) {
    entry.capabilities.sourcing = {
      supported: true,
      id: meta.id ?? 0,
      source: meta.eventSource ?? ''
    }
  }
  if (meta.capabilities.includes('extraction')) {
    const sources = meta.extractEventSources ?? []
    // A sourcing plugin that extracts from its own source says nothing more (as upstream entries do).
    const own = sources.length === 1 && sources[0] === meta.eventSource
    entry.capabilities.extraction =
      sources.length > 0 && !own ? { supported: true, sources: [...sources] } : { supported: true }
  }
  return entry
}

interface RegisteredPlugin {
  name: string
  url?: string
  reserved: boolean
  sourcing?: { id: number; source?: string }
}

/** The plugins and reserved sources of a registry.yaml. */
function parseRegistry(text: string): { plugins: RegisteredPlugin[]; reservedSources?: string[] } {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) {
    throw new Error(`registry.yaml: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`)
  }
  const root = doc.toJS() as { plugins?: unknown; reserved_sources?: unknown } | null
  if (root === null || typeof root !== 'object' || !isMap(doc.contents)) {
    throw new Error('registry.yaml: expected a mapping with a plugins list')
  }
  const list = doc.get('plugins', true)
  if (list !== undefined && !isSeq(list)) throw new Error('registry.yaml: plugins is not a list')
  const plugins: RegisteredPlugin[] = []
  for (const p of (root.plugins ?? []) as Array<Record<string, unknown>>) {
    if (p === null || typeof p !== 'object' || typeof p.name !== 'string') continue
    const caps = (p.capabilities ?? {}) as {
      sourcing?: { supported?: unknown; id?: unknown; source?: unknown }
    }
    const s = caps.sourcing
    plugins.push({
      name: p.name,
      url: typeof p.url === 'string' ? p.url : undefined,
      reserved: p.reserved === true,
      sourcing:
        s && s.supported === true
          ? { id: Number(s.id ?? 0), source: typeof s.source === 'string' ? s.source : undefined }
          : undefined
    })
  }
  const reserved = Array.isArray(root.reserved_sources)
    ? root.reserved_sources.filter((s): s is string => typeof s === 'string')
    : undefined
  return { plugins, reservedSources: reserved }
}

const stringList = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined

/** The fields of a registered entry that a new release keeps unless inputs say otherwise. */
export type RegisteredFields = Partial<
  Pick<RegistryEntry, 'url' | 'rules_url' | 'authors' | 'maintainers' | 'keywords' | 'license'>
>

/** The entry named `name` in a registry.yaml, or undefined. */
export function registeredEntry(text: string, name: string): RegisteredFields | undefined {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) {
    throw new Error(`registry.yaml: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`)
  }
  const root = doc.toJS() as { plugins?: unknown } | null
  const plugins = Array.isArray(root?.plugins) ? (root.plugins as unknown[]) : []
  const p = plugins.find(
    (x): x is Record<string, unknown> =>
      x !== null && typeof x === 'object' && (x as Record<string, unknown>).name === name
  )
  if (!p) return undefined
  const str = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined)
  const maintainers = Array.isArray(p.maintainers)
    ? (p.maintainers as unknown[])
        .filter((m): m is Record<string, unknown> => m !== null && typeof m === 'object')
        .map((m) => ({ name: str(m.name), email: str(m.email) }))
        .filter((m) => m.name !== undefined || m.email !== undefined)
    : undefined
  const out: RegisteredFields = {}
  if (str(p.url)) out.url = str(p.url)
  if (str(p.rules_url)) out.rules_url = str(p.rules_url)
  if (str(p.authors)) out.authors = str(p.authors)
  if (str(p.license)) out.license = str(p.license)
  if (maintainers && maintainers.length > 0) out.maintainers = maintainers
  const keywords = stringList(p.keywords)
  if (keywords && keywords.length > 0) out.keywords = keywords
  return out
}

const sameUrl = (a: string | undefined, b: string | undefined) =>
  a !== undefined &&
  b !== undefined &&
  a.replace(/\/+$/, '').toLowerCase() === b.replace(/\/+$/, '').toLowerCase()

/**
 * Checks an entry against every rule `registry check` enforces, plus what reviewers ask for.
 * With `registry` (the text of the current upstream registry.yaml), also checks that the name and
 * the source ID are not taken by another plugin, and uses its reserved_sources. With `own`, the
 * registry.yaml is the plugin's own repository's: an entry with the same name is this plugin's.
 */
export function validateRegistryEntry(
  entry: RegistryEntry,
  opts: { registry?: string; own?: boolean } = {}
): RegistryValidation {
  const errors: string[] = []
  const conflicts: string[] = []
  const warnings: string[] = []
  const registry = opts.registry === undefined ? undefined : parseRegistry(opts.registry)
  const reservedSources = registry?.reservedSources ?? RESERVED_SOURCES

  // Name.
  if (!ARTIFACT_NAME_PATTERN.test(entry.name)) {
    errors.push(
      `name "${entry.name}" does not follow the naming convention ${ARTIFACT_NAME_PATTERN.source} (lower-case letters first, then lower-case letters, digits, "-" or "_")`
    )
  } else {
    if (entry.name.includes('_')) {
      warnings.push(`name "${entry.name}" has "_": the registry docs prefer "-" in plugin names`)
    }
    if (/falco|plugin/.test(entry.name)) {
      warnings.push(
        `name "${entry.name}" repeats "falco" or "plugin": reviewers ask for short names (falco_journald_plugin became journald, falcosecurity/plugins#461)`
      )
    }
  }

  // Sourcing.
  const sourcing = entry.capabilities.sourcing
  if (sourcing?.supported) {
    const id = sourcing.id
    const block = Number.isSafeInteger(id) && id >= 0 ? sourceIdBlock(id) : undefined
    if (block === undefined) {
      errors.push(`source ID ${id} is not a non-negative integer`)
    } else if (block === 'internal') {
      errors.push(
        `source ID ${id} is above ${MAX_PRIVATE_ID}, in the block reserved for internal use; registry.yaml accepts IDs up to ${MAX_PUBLIC_ID}`
      )
    } else if (block === 'private') {
      warnings.push(
        `source ID ${id} is in the private block (${MAX_PUBLIC_ID + 1}-${MAX_PRIVATE_ID}): fine for a plugin kept out of registry.yaml, but registry check refuses IDs above ${MAX_PUBLIC_ID}; request a public ID to register it`
      )
    } else if (block === 'zero') {
      errors.push(
        'source ID 0 is reserved in registry.yaml (the plugin-id-zero-value entry): a plugin producing syscall events cannot register a source ID'
      )
    } else if (block === 'development') {
      warnings.push(
        `source ID ${DEVELOPMENT_ID} is reserved for development (the registry's "test" entry): events collide with every other plugin in development, and registry check refuses it as a duplicate; request a real ID (open a pull request to falcosecurity/plugins adding the next free ID) before publishing`
      )
    }
    if (id !== 0) {
      if (reservedSources.includes(sourcing.source)) {
        errors.push(
          `source "${sourcing.source}" is reserved (${reservedSources.join(', ')}): Falco uses it itself`
        )
      } else if (!EVENT_SOURCE_PATTERN.test(sourcing.source)) {
        errors.push(
          `source "${sourcing.source}" does not follow the naming convention ${EVENT_SOURCE_PATTERN.source} (no "-"; lower-case letters, digits and "_")`
        )
      }
    }
  }

  // Extraction: documented to follow the source convention, not enforced by the code.
  const extraction = entry.capabilities.extraction
  if (extraction?.supported) {
    for (const s of extraction.sources ?? []) {
      if (!EVENT_SOURCE_PATTERN.test(s)) {
        warnings.push(
          `extraction source "${s}" does not follow the documented convention ${EVENT_SOURCE_PATTERN.source}`
        )
      }
    }
  }
  if (!sourcing?.supported && !extraction?.supported) {
    warnings.push(
      'the plugin has neither event sourcing nor field extraction: registry.yaml records only those two capabilities'
    )
  }

  // Fields the registry README asks for; the validator does not check them, reviewers do.
  if (!present(entry.description)) warnings.push('description is empty')
  if (!present(entry.contact))
    warnings.push('contact is empty: give a URL or an address for questions')
  if (!present(entry.license))
    warnings.push('license is empty: give an SPDX identifier such as Apache-2.0')
  else if (
    !/^[A-Za-z0-9.+-]+(?:\s+(?:AND|OR|WITH)\s+[A-Za-z0-9.+-]+)*$/.test(
      entry.license.replace(/[()]/g, '')
    )
  ) {
    warnings.push(
      `license "${entry.license}" does not look like an SPDX identifier (e.g. Apache-2.0)`
    )
  }
  if (!present(entry.url)) warnings.push("url is empty: give the plugin's source repository")
  else if (!/^https:\/\//.test(entry.url)) warnings.push(`url "${entry.url}" is not an https URL`)
  if (entry.maintainers.length === 0) {
    warnings.push('no maintainers: add at least one {name, email}')
  }

  // Collisions with what is registered already.
  if (registry !== undefined) {
    const conflict = (m: string) => {
      errors.push(m)
      conflicts.push(m)
    }
    const same = registry.plugins.filter((p) => p.name === entry.name)
    for (const p of same) {
      if (p.reserved || (!opts.own && !sameUrl(p.url, entry.url))) {
        conflict(
          `name "${entry.name}" is already registered` +
            (p.reserved ? ' as a reserved entry' : p.url ? ` for ${p.url}` : '') +
            ': pick another name'
        )
      } else if (sourcing?.supported && p.sourcing && p.sourcing.id !== sourcing.id) {
        conflict(
          `"${entry.name}" is registered with source ID ${p.sourcing.id}, but the plugin reports ${sourcing.id}` +
            (opts.own ? ': fix the ID in the plugin or in registry.yaml' : '')
        )
      }
    }
    const checkId = opts.own
      ? sourcing?.supported === true && sourcing.id !== 0
      : sourcing?.supported === true && sourcing.id !== 0 && sourcing.id !== DEVELOPMENT_ID
    if (sourcing && checkId) {
      for (const p of registry.plugins) {
        if (p.name === entry.name || p.sourcing === undefined) continue
        if (p.sourcing.id === sourcing.id) {
          conflict(
            opts.own
              ? `source id is not unique: ${sourcing.id} is already used by "${p.name}" in registry.yaml (registry check refuses it): request a free ID`
              : `source ID ${sourcing.id} is already taken by "${p.name}": request a free ID`
          )
        } else if (p.sourcing.source === sourcing.source && !p.reserved) {
          warnings.push(
            `source "${sourcing.source}" is also produced by "${p.name}" (ID ${p.sourcing.id}): fine only when the events have the same format`
          )
        }
      }
    }
  }
  return { errors, conflicts, warnings }
}

/** The entry as an ordered plain object in registry.yaml's field order, empty optional fields left out. */
export function registryEntryObject(entry: RegistryEntry): Record<string, unknown> {
  const o: Record<string, unknown> = { name: entry.name, description: entry.description }
  if (present(entry.authors)) o.authors = entry.authors
  o.contact = entry.contact
  const maintainers = entry.maintainers
    .map((m) => ({
      ...(present(m.name) ? { name: m.name } : {}),
      ...(present(m.email) ? { email: m.email } : {})
    }))
    .filter((m) => Object.keys(m).length > 0)
  if (maintainers.length > 0) o.maintainers = maintainers
  if (entry.keywords.length > 0) o.keywords = [...entry.keywords]
  o.url = entry.url
  if (present(entry.rules_url)) o.rules_url = entry.rules_url
  o.license = entry.license
  if (entry.reserved) o.reserved = true
  const caps: Record<string, unknown> = {}
  const s = entry.capabilities.sourcing
  if (s) caps.sourcing = { supported: s.supported, id: s.id, source: s.source }
  const e = entry.capabilities.extraction
  if (e) {
    caps.extraction = {
      supported: e.supported,
      ...(e.sources !== undefined && e.sources.length > 0 ? { sources: [...e.sources] } : {})
    }
  }
  o.capabilities = caps
  return o
}

/**
 * The entry as one registry.yaml list item, indented by two spaces to paste under `plugins:`.
 */
export function registryEntryYaml(entry: RegistryEntry): string {
  const text = stringify([registryEntryObject(entry)], { lineWidth: 0, indentSeq: true })
  return text
    .split('\n')
    .map((line) => (line === '' ? line : `  ${line}`))
    .join('\n')
}
