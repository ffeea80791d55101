import { describe, expect, it } from '@jest/globals'
import {
  REQUIRED_SYMBOLS,
  checkPlugin,
  deriveCapabilities,
  metadataFromInspector,
  parseInspectorOutput,
  type InspectorOutput
} from '../../src/inspect/inspect.js'
import type { PluginMetadata } from '../../src/inspect/metadata.js'

const REQUIRED = [...REQUIRED_SYMBOLS]
const SOURCING = ['plugin_open', 'plugin_close', 'plugin_next_batch']
const EXTRACTION = ['plugin_get_fields', 'plugin_extract_fields']
/** What plugin-sdk-go's symbols/info package exports in every plugin. */
const GO_INFO = ['plugin_get_id', 'plugin_get_event_source', 'plugin_get_extract_event_sources']

function meta(overrides: Partial<PluginMetadata>): PluginMetadata {
  return {
    requiredApiVersion: '3.11.0',
    name: 'demo',
    version: '1.0.0',
    description: 'd',
    contact: 'c',
    capabilities: ['extraction'],
    symbols: [...REQUIRED, ...EXTRACTION].sort(),
    ...overrides
  }
}

describe('parseInspectorOutput', () => {
  it('parses what inspector.c prints', () => {
    const out = parseInspectorOutput(
      '{"symbols":["plugin_get_name"],"name":"a\\"b\\\\c\\n\\u0001é","id":7,' +
        '"init_schema":{"type":1,"schema":"{}"},"fields":"[]"}\n'
    )
    expect(out).toEqual({
      symbols: ['plugin_get_name'],
      name: 'a"b\\c\n\u0001é',
      id: 7,
      init_schema: { type: 1, schema: '{}' },
      fields: '[]'
    })
  })

  it('reports a dlopen error', () => {
    expect(() => parseInspectorOutput('{"error":"x.so: undefined symbol: foo"}')).toThrow(
      'dlopen failed: x.so: undefined symbol: foo'
    )
  })

  it('refuses malformed output', () => {
    expect(() => parseInspectorOutput('not json')).toThrow(/invalid JSON/)
    expect(() => parseInspectorOutput('[]')).toThrow(/reported \[\]/)
    expect(() => parseInspectorOutput('{"name":"x"}')).toThrow(/no "symbols"/)
    expect(() => parseInspectorOutput('{"symbols":[],"name":1}')).toThrow(/non-string "name"/)
    expect(() => parseInspectorOutput('{"symbols":[],"id":-1}')).toThrow(/invalid "id"/)
    expect(() => parseInspectorOutput('{"symbols":[],"init_schema":3}')).toThrow(/init_schema/)
  })
})

describe('deriveCapabilities', () => {
  const caps = (symbols: string[], id?: number, source?: string) =>
    deriveCapabilities({ symbols, id, event_source: source })

  it('needs open, close and next_batch for sourcing, with a consistent id/source pair', () => {
    expect(caps([...REQUIRED, ...SOURCING], 5, 'five')).toEqual(['sourcing'])
    expect(caps([...REQUIRED, ...SOURCING], 0, '')).toEqual(['sourcing'])
    expect(caps([...REQUIRED, ...SOURCING])).toEqual(['sourcing'])
    expect(caps([...REQUIRED, ...SOURCING], 5, '')).toEqual([])
    expect(caps([...REQUIRED, ...SOURCING], 0, 'five')).toEqual([])
    expect(caps([...REQUIRED, 'plugin_open', 'plugin_close'], 5, 'five')).toEqual([])
  })

  it('needs get_fields and extract_fields for extraction', () => {
    expect(caps([...REQUIRED, ...EXTRACTION])).toEqual(['extraction'])
    expect(caps([...REQUIRED, 'plugin_extract_fields'])).toEqual([])
    expect(caps([...REQUIRED, 'plugin_get_fields'])).toEqual([])
  })

  it('ignores the id every Go plugin exports when it does not source events', () => {
    expect(caps([...REQUIRED, ...GO_INFO, ...EXTRACTION], 999, '')).toEqual(['extraction'])
  })

  it('derives parsing, async and capture listening', () => {
    expect(caps(['plugin_parse_event'])).toEqual(['parsing'])
    expect(caps(['plugin_get_async_events', 'plugin_set_async_event_handler'])).toEqual(['async'])
    expect(caps(['plugin_get_async_events'])).toEqual([])
    expect(caps(['plugin_capture_open', 'plugin_capture_close'])).toEqual(['capture-listening'])
    expect(caps(['plugin_capture_open'])).toEqual([])
    expect(
      caps(
        [
          ...SOURCING,
          ...EXTRACTION,
          'plugin_parse_event',
          'plugin_capture_open',
          'plugin_capture_close'
        ],
        1,
        'a'
      )
    ).toEqual(['sourcing', 'extraction', 'parsing', 'capture-listening'])
  })
})

describe('metadataFromInspector', () => {
  const base: InspectorOutput = {
    symbols: [...EXTRACTION, ...GO_INFO, ...REQUIRED].reverse(),
    required_api_version: '3.11.0',
    name: 'demo',
    version: '0.1.0',
    description: 'A demo',
    contact: 'me',
    init_schema: { type: 0, schema: '' },
    id: 999,
    event_source: '',
    fields:
      '[{"name":"demo.a","type":"string","properties":null},{"name":"demo.b","type":"uint64"}]',
    extract_event_sources: '["syscall"]'
  }

  it('reads an extractor, without the id and source it happens to export', () => {
    const m = metadataFromInspector(base)
    expect(m).toEqual({
      requiredApiVersion: '3.11.0',
      name: 'demo',
      version: '0.1.0',
      description: 'A demo',
      contact: 'me',
      capabilities: ['extraction'],
      symbols: [...EXTRACTION, ...GO_INFO, ...REQUIRED].sort(),
      fields: ['demo.a', 'demo.b'],
      extractEventSources: ['syscall']
    })
    expect(m.symbols).toEqual([...m.symbols].sort())
    expect(m).not.toHaveProperty('id')
    expect(m).not.toHaveProperty('eventSource')
  })

  it('reports id and source for a sourcing plugin', () => {
    const m = metadataFromInspector({
      ...base,
      symbols: [...base.symbols, ...SOURCING],
      id: 1001,
      event_source: 'demo',
      extract_event_sources: '[]'
    })
    expect(m.capabilities).toEqual(['sourcing', 'extraction'])
    expect(m.id).toBe(1001)
    expect(m.eventSource).toBe('demo')
    expect(m.extractEventSources).toEqual([])
  })

  it('keeps an inconsistent pair so that checkPlugin can explain it', () => {
    const m = metadataFromInspector({
      ...base,
      symbols: [...REQUIRED, ...SOURCING, ...GO_INFO],
      id: 5,
      event_source: ''
    })
    expect(m.capabilities).toEqual([])
    expect(m.id).toBe(5)
    expect(m.eventSource).toBe('')
    expect(m.fields).toBeUndefined()
  })

  it('treats absent strings as empty and reads a JSON init schema', () => {
    const m = metadataFromInspector({
      symbols: [...REQUIRED, ...EXTRACTION],
      fields: '[]',
      init_schema: { type: 1, schema: '{"type":"object"}' }
    })
    expect(m.name).toBe('')
    expect(m.description).toBe('')
    expect(m.requiredApiVersion).toBe('')
    expect(m.initSchema).toBe('{"type":"object"}')
    expect(m.fields).toEqual([])
    expect(m.extractEventSources).toEqual([])
  })

  it('refuses invalid fields or sources JSON', () => {
    expect(() => metadataFromInspector({ ...base, fields: '[{' })).toThrow(
      /plugin_get_fields returned invalid JSON/
    )
    expect(() => metadataFromInspector({ ...base, fields: '{}' })).toThrow(
      /must return a JSON array/
    )
    expect(() => metadataFromInspector({ ...base, fields: '[{"type":"string"}]' })).toThrow(
      /entry 0 has no "name"/
    )
    expect(() => metadataFromInspector({ ...base, fields: undefined })).toThrow(
      'plugin_get_fields returned NULL'
    )
    expect(() => metadataFromInspector({ ...base, extract_event_sources: '[1]' })).toThrow(
      /entry 0 is not a string/
    )
  })
})

describe('checkPlugin', () => {
  it('accepts a valid extractor and a valid sourcing plugin', () => {
    expect(() => checkPlugin(meta({}))).not.toThrow()
    expect(() =>
      checkPlugin(
        meta({
          capabilities: ['sourcing'],
          symbols: [...REQUIRED, ...SOURCING].sort(),
          id: 3,
          eventSource: 'x'
        })
      )
    ).not.toThrow()
  })

  it('lists every missing required symbol', () => {
    const symbols = [...REQUIRED, ...EXTRACTION].filter(
      (s) => s !== 'plugin_init' && s !== 'plugin_get_last_error'
    )
    expect(() => checkPlugin(meta({ symbols }))).toThrow(
      /missing required symbols: plugin_init, plugin_get_last_error/
    )
  })

  it('explains an inconsistent sourcing pair', () => {
    const m = meta({
      capabilities: [],
      symbols: [...REQUIRED, ...SOURCING],
      id: 5,
      eventSource: ''
    })
    expect(() => checkPlugin(m)).toThrow(
      /plugin_get_id returns 5 but plugin_get_event_source returns ""/
    )
    expect(() => checkPlugin(m)).not.toThrow(/no capability/)
  })

  it('refuses plugin_extract_fields without plugin_get_fields', () => {
    expect(() =>
      checkPlugin(meta({ capabilities: [], symbols: [...REQUIRED, 'plugin_extract_fields'] }))
    ).toThrow(/plugin_extract_fields is exported without plugin_get_fields/)
  })

  it('refuses a plugin without capability', () => {
    expect(() => checkPlugin(meta({ capabilities: [], symbols: [...REQUIRED] }))).toThrow(
      /Falco would refuse to load plugin 'demo':\n- the plugin has no capability/
    )
  })

  it('refuses a required API version that is not M.m.p', () => {
    for (const v of ['3.11', 'v3.11.0', '', '3.11.0-rc1']) {
      expect(() => checkPlugin(meta({ requiredApiVersion: v }))).toThrow(
        /plugin_get_required_api_version returns '.*', which is not a version "M.m.p"/
      )
    }
  })

  it('reports all problems at once', () => {
    let message = ''
    try {
      checkPlugin(meta({ name: '', requiredApiVersion: 'x', capabilities: [], symbols: [] }))
    } catch (e) {
      message = (e as Error).message
    }
    expect(message).toMatch(/^Falco would refuse to load the plugin:/)
    expect(message).toContain(`missing required symbols: ${REQUIRED.join(', ')}`)
    expect(message).toContain('no capability')
  })
})
