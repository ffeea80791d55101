// falcoctl index.yaml: a top-level YAML list of entries (falcoctl pkg/index/index Entry), looked up
// by name. mergeIndex updates our own entries field by field (fields we do not set, such as a
// signature block a maintainer added, stay) and leaves every other entry as it was, comments,
// signature blocks and unknown fields included.

import { Document, isMap, isNode, isScalar, isSeq, parseDocument, YAMLSeq } from 'yaml'
import { ARTIFACT_NAME_PATTERN } from './conventions.js'
import { compareGoStrings } from './json.js'
import { ARTIFACT_TYPES, type ArtifactType } from './media-types.js'

export interface IndexMaintainer {
  email?: string
  name?: string
}

/** A signature block, e.g. { cosign: { 'certificate-oidc-issuer': ..., 'certificate-identity-regexp': ... } }. */
export interface IndexSignature {
  cosign: Record<string, string | boolean>
}

export interface IndexEntry {
  name: string
  type: ArtifactType
  registry: string
  repository: string
  description?: string
  home?: string
  keywords?: string[]
  license?: string
  maintainers?: IndexMaintainer[]
  sources?: string[]
  /** Only when the artifact was really signed with this identity: falcoctl then verifies it. */
  signature?: IndexSignature
}

const present = (s: string | undefined): s is string => s !== undefined && s !== ''

function validateEntry(e: IndexEntry): void {
  const what = `index entry ${JSON.stringify(e.name)}`
  if (typeof e.name !== 'string' || !ARTIFACT_NAME_PATTERN.test(e.name)) {
    throw new Error(`${what}: the name must match ${ARTIFACT_NAME_PATTERN.source}`)
  }
  if (!ARTIFACT_TYPES.includes(e.type)) {
    throw new Error(`${what}: type must be one of ${ARTIFACT_TYPES.join(', ')}, not ${e.type}`)
  }
  if (!present(e.registry)) throw new Error(`${what}: registry is empty`)
  if (!present(e.repository)) throw new Error(`${what}: repository is empty`)
}

/** The entry as an ordered plain object, empty fields left out. */
export function indexEntryObject(e: IndexEntry): Record<string, unknown> {
  const o: Record<string, unknown> = {
    name: e.name,
    type: e.type,
    registry: e.registry,
    repository: e.repository
  }
  if (present(e.description)) o.description = e.description
  if (present(e.home)) o.home = e.home
  const keywords = (e.keywords ?? []).filter(present)
  if (keywords.length > 0) o.keywords = keywords
  if (present(e.license)) o.license = e.license
  const maintainers = (e.maintainers ?? [])
    .map((m) => {
      const out: Record<string, string> = {}
      if (present(m.email)) out.email = m.email
      if (present(m.name)) out.name = m.name
      return out
    })
    .filter((m) => Object.keys(m).length > 0)
  if (maintainers.length > 0) o.maintainers = maintainers
  const sources = (e.sources ?? []).filter(present)
  if (sources.length > 0) o.sources = sources
  if (e.signature !== undefined && Object.keys(e.signature.cosign ?? {}).length > 0) {
    o.signature = { cosign: { ...e.signature.cosign } }
  }
  return o
}

const STRINGIFY_OPTIONS = { lineWidth: 0, indentSeq: true } as const

/**
 * Merges `entries` into an index.yaml: existing entries with the same names get every field we
 * set (and keep the others), all other entries are kept untouched, and the list is sorted by
 * name (as falcoctl writes it).
 * Throws on invalid YAML, a file that is not a list, entries without a name, and duplicate names.
 */
export function mergeIndex(existingText: string | undefined, entries: IndexEntry[]): string {
  const fresh = new Map<string, IndexEntry>()
  for (const e of entries) {
    validateEntry(e)
    if (fresh.has(e.name)) throw new Error(`index entry ${e.name} is given twice`)
    fresh.set(e.name, e)
  }

  const doc: Document =
    existingText === undefined
      ? new Document([])
      : parseDocument(existingText, { prettyErrors: true })
  if (doc.errors.length > 0) {
    throw new Error(`index.yaml: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`)
  }
  if (doc.contents === null) doc.contents = new YAMLSeq()
  const seq = doc.contents
  if (!isSeq(seq)) throw new Error('index.yaml: expected a YAML list of entries at the top level')

  // A comment at the top of the file is attached to the first entry: keep it at the top.
  const first = seq.items[0]
  if (isNode(first) && first.commentBefore) {
    seq.commentBefore = [seq.commentBefore, first.commentBefore].filter(Boolean).join('\n')
    first.commentBefore = undefined
  }

  const kept: { name: string; node: unknown }[] = []
  const seen = new Set<string>()
  seq.items.forEach((node, i) => {
    const nameNode = isMap(node) ? node.get('name', true) : undefined
    const name = isScalar(nameNode) ? nameNode.value : undefined
    if (typeof name !== 'string' || name === '') {
      throw new Error(`index.yaml: entry ${i + 1} has no name`)
    }
    if (seen.has(name)) throw new Error(`index.yaml: the name ${name} appears twice`)
    seen.add(name)
    const entry = fresh.get(name)
    if (entry !== undefined && isMap(node)) {
      for (const [key, value] of Object.entries(indexEntryObject(entry))) {
        const current: unknown = node.get(key, true)
        const currentJs = isNode(current) ? current.toJSON() : current
        // Untouched when equal, so a re-run keeps the maintainer's formatting.
        if (JSON.stringify(currentJs) !== JSON.stringify(value))
          node.set(key, doc.createNode(value))
      }
      fresh.delete(name)
    }
    kept.push({ name, node })
  })
  for (const [name, entry] of fresh) {
    kept.push({ name, node: doc.createNode(indexEntryObject(entry)) })
  }
  kept.sort((a, b) => compareGoStrings(a.name, b.name))
  seq.items = kept.map((k) => k.node)
  if (seq.items.length > 0) seq.flow = false
  return doc.toString(STRINGIFY_OPTIONS)
}
