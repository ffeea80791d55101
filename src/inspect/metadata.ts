// What we learn about a plugin by loading its .so the way Falco does.

export type Capability = 'sourcing' | 'extraction' | 'parsing' | 'async' | 'capture-listening'

export interface PluginMetadata {
  /** plugin_get_required_api_version(), e.g. "3.11.0". */
  requiredApiVersion: string
  name: string
  version: string
  description: string
  contact: string
  capabilities: Capability[]
  /** Only for sourcing plugins: every Go plugin exports plugin_get_id, so it means nothing otherwise. */
  id?: number
  eventSource?: string
  /** plugin_get_extract_event_sources(), parsed, for extractors. */
  extractEventSources?: string[]
  /** Names of the fields from plugin_get_fields(), for extractors. */
  fields?: string[]
  /** Every exported plugin_* symbol, sorted. */
  symbols: string[]
  /** plugin_get_init_schema() when it declares a JSON schema (SS_PLUGIN_SCHEMA_JSON). */
  initSchema?: string
}
