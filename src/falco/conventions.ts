// Falco's naming and numbering rules, written once: what falcoctl and the falcosecurity plugin
// registry (registry.yaml, `registry check`) accept as a plugin or artifact name, an event
// source and an event source ID (falco-plugin-api.md §9). Pure.

/**
 * A plugin's name, and every falcoctl artifact name (a ruleset is `<plugin>-rules`). falcoctl's
 * ParseRef spells it ^[a-z]+[a-z0-9_-]*$ and the registry ^[a-z]+[a-z0-9-_]*$: the same names.
 */
export const ARTIFACT_NAME_PATTERN = /^[a-z]+[a-z0-9-_]*$/

/** The event source of a sourcing plugin (the registry's rule: no "-"). */
export const EVENT_SOURCE_PATTERN = /^[a-z]+[a-z0-9_]*$/

/** registry.yaml `reserved_sources`: event sources Falco itself uses. */
export const RESERVED_SOURCES: readonly string[] = ['syscall', 'internal', 'plugins']

/** registry.yaml's MaxPublicID: 1<<30 - 1. */
export const MAX_PUBLIC_ID = 2 ** 30 - 1
/** Top of the private block (docs/plugin-ids.md); above it IDs are reserved for internal use. */
export const MAX_PRIVATE_ID = 2 ** 31 - 1
/** The ID any author may use while developing (the registry's reserved `test` entry). */
export const DEVELOPMENT_ID = 999

/** Where an event source ID falls in Falco's numbering (registry.yaml, docs/plugin-ids.md). */
export type SourceIdBlock = 'zero' | 'public' | 'development' | 'private' | 'internal'

/** The block of a non-negative integer source ID. */
export function sourceIdBlock(id: number): SourceIdBlock {
  if (id === 0) return 'zero'
  if (id > MAX_PRIVATE_ID) return 'internal'
  if (id > MAX_PUBLIC_ID) return 'private'
  return id === DEVELOPMENT_ID ? 'development' : 'public'
}

export function isArtifactName(name: string): boolean {
  return ARTIFACT_NAME_PATTERN.test(name)
}
