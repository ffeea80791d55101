// Checks a plugin's metadata against the release being made: the .so must report the version
// the tag names, and a name the falcosecurity registry accepts. Pure.
import {
  ARTIFACT_NAME_PATTERN,
  EVENT_SOURCE_PATTERN,
  MAX_PRIVATE_ID,
  MAX_PUBLIC_ID,
  RESERVED_SOURCES,
  sourceIdBlock
} from '../falco/conventions.js'
import type { PluginMetadata } from './metadata.js'

/** The plugin API major that every current Falco offers. */
const FRAMEWORK_API_MAJOR = 3

export interface ReleaseExpectations {
  /** The version from the tag, e.g. "1.4.2"; undefined: any (a dev build checks it itself). */
  version?: string
  /** When set, the plugin must report exactly this name. */
  expectedName?: string
}

/**
 * Throws when the plugin cannot be released under this tag: its reported version differs from
 * the tag's, its name is not a valid registry name, or it differs from expectedName.
 * Returns warnings (strings) about things that are legal but probably wrong.
 */
export function validatePluginAgainstRelease(
  meta: PluginMetadata,
  release: ReleaseExpectations
): string[] {
  const errors: string[] = []
  if (release.version !== undefined && meta.version !== release.version) {
    errors.push(
      `the plugin reports version ${meta.version || '(empty)'} (plugin_get_version) but the tag ` +
        `says ${release.version}: bump the version in your plugin's Info or tag the right commit`
    )
  }
  if (!ARTIFACT_NAME_PATTERN.test(meta.name)) {
    errors.push(
      `the plugin reports the name '${meta.name}' (plugin_get_name), which is not a valid plugin ` +
        `name: it must match ${ARTIFACT_NAME_PATTERN.source} (lower-case letters first, then ` +
        'lower-case letters, digits, "-" or "_"); change Name in your plugin\'s Info'
    )
  }
  if (release.expectedName !== undefined && meta.name !== release.expectedName) {
    errors.push(
      `the plugin reports the name '${meta.name}' (plugin_get_name) but '${release.expectedName}' ` +
        "was expected: fix Name in your plugin's Info or the plugin-name input"
    )
  }
  if (errors.length > 0) throw new Error(errors.join('\n'))

  const warnings: string[] = []
  if (meta.name.includes('_')) {
    warnings.push(
      `the plugin name '${meta.name}' contains "_": the falcosecurity registry discourages it`
    )
  }
  if (!meta.description.trim()) warnings.push('the plugin reports an empty description')
  if (!meta.contact.trim()) warnings.push('the plugin reports an empty contact')
  const major = Number(meta.requiredApiVersion.split('.')[0])
  if (Number.isInteger(major) && major !== FRAMEWORK_API_MAJOR) {
    warnings.push(
      `the plugin requires plugin API ${meta.requiredApiVersion}, but current Falco releases ` +
        `offer ${FRAMEWORK_API_MAJOR}.x: no current Falco will load it`
    )
  }
  if (meta.capabilities.includes('sourcing') && meta.id !== undefined && meta.id !== 0) {
    const id = meta.id
    const block = sourceIdBlock(id)
    if (block === 'development') {
      warnings.push(
        `the plugin uses event source ID ${id}, which is reserved for development: request an ID ` +
          'in falcosecurity/plugins (registry.yaml) before publishing, or it will collide with others'
      )
    } else if (block === 'internal') {
      warnings.push(`the event source ID ${id} is in the reserved range (above ${MAX_PRIVATE_ID})`)
    } else if (block === 'private') {
      warnings.push(
        `the event source ID ${id} is in the private range: the public registry accepts IDs up to ` +
          `${MAX_PUBLIC_ID}`
      )
    }
    const source = meta.eventSource ?? ''
    if (RESERVED_SOURCES.includes(source)) {
      warnings.push(`the event source '${source}' is reserved: the registry refuses it`)
    } else if (!EVENT_SOURCE_PATTERN.test(source)) {
      warnings.push(
        `the event source '${source}' does not match ${EVENT_SOURCE_PATTERN.source}: the registry refuses it`
      )
    }
  }
  return warnings
}
