// Reads a plugin's metadata by loading its .so the way Falco does: a tiny C program
// (inspector.c, compiled with the same C compiler cgo uses) dlopens it with RTLD_NOW|RTLD_LOCAL in
// a child process and writes JSON to a report file (stdout and stderr are the plugin's). The pure part turns that JSON into PluginMetadata and judges it
// with the rules of libs' plugin_loader.c.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, open, readFile, realpath, rename, rm, stat } from 'node:fs/promises'
import { homedir, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EnvPolicy } from '../process/child-env.js'
import { lastLines, runChild, type RunResult } from '../process/run.js'
import { findProgram } from '../process/which.js'
import type { Capability, PluginMetadata } from './metadata.js'

/** The symbols libs' plugin_check_required_symbols() insists on. */
export const REQUIRED_SYMBOLS = [
  'plugin_get_required_api_version',
  'plugin_get_version',
  'plugin_get_name',
  'plugin_get_description',
  'plugin_get_contact',
  'plugin_init',
  'plugin_destroy',
  'plugin_get_last_error'
] as const

const SOURCING_SYMBOLS = ['plugin_open', 'plugin_close', 'plugin_next_batch']

/** What inspector.c reports. A string member is absent when the symbol is missing or the getter returned NULL. */
export interface InspectorOutput {
  symbols: string[]
  required_api_version?: string
  name?: string
  version?: string
  description?: string
  contact?: string
  /** type: 0 = SS_PLUGIN_SCHEMA_NONE, 1 = SS_PLUGIN_SCHEMA_JSON. */
  init_schema?: { type: number; schema?: string }
  id?: number
  event_source?: string
  /** Raw JSON text returned by plugin_get_fields(). */
  fields?: string
  /** Raw JSON text returned by plugin_get_extract_event_sources(). */
  extract_event_sources?: string
}

/** Path of inspector.c: src/inspect/ in tests, dist/ (copied beside index.js) in the bundle. */
export function inspectorSourcePath(): string {
  return fileURLToPath(new URL('./inspector.c', import.meta.url))
}

// ---------------------------------------------------------------------------------------------
// Pure part

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** Parses the inspector's JSON report. Throws on anything that is not the expected object. */
export function parseInspectorOutput(text: string): InspectorOutput {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(
      `the plugin inspector reported invalid JSON (${(e as Error).message}): ${text.slice(0, 500)}`
    )
  }
  if (!isRecord(value)) throw new Error(`the plugin inspector reported ${text.slice(0, 200)}`)
  if (typeof value.error === 'string') throw new Error(`dlopen failed: ${value.error}`)
  const symbols = value.symbols
  if (!Array.isArray(symbols) || !symbols.every((s) => typeof s === 'string')) {
    throw new Error('the plugin inspector output has no "symbols" list')
  }
  const out: InspectorOutput = { symbols: symbols as string[] }
  for (const key of [
    'required_api_version',
    'name',
    'version',
    'description',
    'contact',
    'event_source',
    'fields',
    'extract_event_sources'
  ] as const) {
    const v = value[key]
    if (v === undefined) continue
    if (typeof v !== 'string')
      throw new Error(`the plugin inspector output has a non-string "${key}"`)
    out[key] = v
  }
  if (value.id !== undefined) {
    if (typeof value.id !== 'number' || !Number.isInteger(value.id) || value.id < 0) {
      throw new Error('the plugin inspector output has an invalid "id"')
    }
    out.id = value.id
  }
  const schema = value.init_schema
  if (schema !== undefined) {
    if (!isRecord(schema) || typeof schema.type !== 'number') {
      throw new Error('the plugin inspector output has an invalid "init_schema"')
    }
    out.init_schema = { type: schema.type }
    if (typeof schema.schema === 'string') out.init_schema.schema = schema.schema
  }
  return out
}

function sourcingSymbolsPresent(symbols: readonly string[]): boolean {
  return SOURCING_SYMBOLS.every((s) => symbols.includes(s))
}

/** True when ID and event source agree: both set (ID != 0, source non-empty) or neither. */
function sourcingPairConsistent(id: number, eventSource: string): boolean {
  return (id !== 0) === eventSource.length > 0
}

/** Capabilities as libs' plugin_get_capabilities() computes them (reference §3.3). */
export function deriveCapabilities(
  raw: Pick<InspectorOutput, 'symbols' | 'id' | 'event_source'>
): Capability[] {
  const has = (s: string): boolean => raw.symbols.includes(s)
  const caps: Capability[] = []
  if (
    sourcingSymbolsPresent(raw.symbols) &&
    sourcingPairConsistent(raw.id ?? 0, raw.event_source ?? '')
  ) {
    caps.push('sourcing')
  }
  if (has('plugin_get_fields') && has('plugin_extract_fields')) caps.push('extraction')
  if (has('plugin_parse_event')) caps.push('parsing')
  if (has('plugin_get_async_events') && has('plugin_set_async_event_handler')) caps.push('async')
  if (has('plugin_capture_open') && has('plugin_capture_close')) caps.push('capture-listening')
  return caps
}

function parseJsonArray(text: string, what: string): unknown[] {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (e) {
    throw new Error(
      `${what} returned invalid JSON (${(e as Error).message}): ${text.slice(0, 200)}`
    )
  }
  // Go's json.Marshal of a nil slice is "null": treat it as empty.
  if (value === null) return []
  if (!Array.isArray(value))
    throw new Error(`${what} must return a JSON array, got: ${text.slice(0, 200)}`)
  return value
}

/** Field names of plugin_get_fields() JSON. */
export function parseFieldNames(text: string): string[] {
  return parseJsonArray(text, 'plugin_get_fields').map((f, i) => {
    if (!isRecord(f) || typeof f.name !== 'string' || f.name === '') {
      throw new Error(`plugin_get_fields: entry ${i} has no "name": ${JSON.stringify(f)}`)
    }
    return f.name
  })
}

/** The list of plugin_get_extract_event_sources() JSON. */
export function parseEventSources(text: string): string[] {
  return parseJsonArray(text, 'plugin_get_extract_event_sources').map((s, i) => {
    if (typeof s !== 'string') {
      throw new Error(`plugin_get_extract_event_sources: entry ${i} is not a string`)
    }
    return s
  })
}

/** Turns inspector output into PluginMetadata (no judgement: see checkPlugin). */
export function metadataFromInspector(raw: InspectorOutput): PluginMetadata {
  const symbols = [...new Set(raw.symbols)].sort()
  const capabilities = deriveCapabilities({ ...raw, symbols })
  const meta: PluginMetadata = {
    requiredApiVersion: raw.required_api_version ?? '',
    name: raw.name ?? '',
    version: raw.version ?? '',
    description: raw.description ?? '',
    contact: raw.contact ?? '',
    capabilities,
    symbols
  }
  // Every Go plugin exports plugin_get_id (999 in the SDK examples): it only means something
  // when the sourcing functions exist. With those present we report the pair even when it is
  // inconsistent, so that checkPlugin can say what is wrong.
  if (sourcingSymbolsPresent(symbols)) {
    meta.id = raw.id ?? 0
    meta.eventSource = raw.event_source ?? ''
  }
  if (capabilities.includes('extraction')) {
    if (raw.fields === undefined) throw new Error('plugin_get_fields returned NULL')
    meta.fields = parseFieldNames(raw.fields)
    meta.extractEventSources =
      raw.extract_event_sources === undefined ? [] : parseEventSources(raw.extract_event_sources)
  }
  if (raw.init_schema?.type === 1 && raw.init_schema.schema) {
    meta.initSchema = raw.init_schema.schema
  }
  return meta
}

/**
 * Throws one Error listing every reason Falco would refuse to load the plugin: missing required
 * symbols, a malformed required API version, an inconsistent sourcing ID/source pair,
 * plugin_extract_fields without plugin_get_fields, no capability at all.
 */
export function checkPlugin(meta: PluginMetadata): void {
  const problems: string[] = []
  const has = (s: string): boolean => meta.symbols.includes(s)

  const missing = REQUIRED_SYMBOLS.filter((s) => !has(s))
  if (missing.length > 0) {
    problems.push(
      `missing required symbol${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} ` +
        '(every plugin must export them; with plugin-sdk-go, register the plugin with ' +
        'plugins.SetFactory in an init() function of the main package)'
    )
  }
  if (has('plugin_get_required_api_version') && !/^\d+\.\d+\.\d+$/.test(meta.requiredApiVersion)) {
    problems.push(
      `plugin_get_required_api_version returns '${meta.requiredApiVersion}', which is not ` +
        'a version "M.m.p" (e.g. 3.11.0): leave Info.RequiredAPIVersion empty to use the SDK default'
    )
  }
  let capabilityExplained = false
  if (sourcingSymbolsPresent(meta.symbols) && !meta.capabilities.includes('sourcing')) {
    capabilityExplained = true
    problems.push(
      `inconsistent event source: plugin_get_id returns ${meta.id ?? 0} but ` +
        `plugin_get_event_source returns ${JSON.stringify(meta.eventSource ?? '')}; a sourcing ` +
        'plugin needs both a non-zero ID and a non-empty event source, or neither ' +
        '(set both Info.ID and Info.EventSource)'
    )
  }
  if (has('plugin_extract_fields') && !has('plugin_get_fields')) {
    capabilityExplained = true
    problems.push(
      'plugin_extract_fields is exported without plugin_get_fields: an extractor must list ' +
        'its fields (implement Fields() and call extractor.Register)'
    )
  }
  if (meta.capabilities.length === 0 && !capabilityExplained) {
    problems.push(
      'the plugin has no capability: export plugin_open, plugin_close and plugin_next_batch ' +
        '(sourcing), or plugin_get_fields and plugin_extract_fields (extraction), or ' +
        'plugin_parse_event (parsing), or the async or capture-listening pairs ' +
        '(with plugin-sdk-go: call source.Register or extractor.Register)'
    )
  }
  if (problems.length > 0) {
    const who = meta.name ? `plugin '${meta.name}'` : 'the plugin'
    throw new Error(`Falco would refuse to load ${who}:\n- ${problems.join('\n- ')}`)
  }
}

// ---------------------------------------------------------------------------------------------
// Effectful edge

/** How the children started here (the C compiler, the inspector, qemu) get their environment. */
export interface ChildEnvironment {
  /** The environment before filtering (the run context's childEnvBase). */
  env: NodeJS.ProcessEnv
  /** What of it they keep (see childEnv: no action inputs, runner tokens or secrets). */
  envPolicy?: EnvPolicy
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

const NO_COMPILER =
  'cgo needs one to build the plugin anyway: install gcc (apt-get install gcc, or build-essential) ' +
  'or set CC'

/**
 * Where compiled inspectors are kept between runs: the runner's tool cache (kept on self-hosted
 * runners), else the user's cache directory. Entries are keyed by source and compiler.
 */
export function inspectorCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.RUNNER_TOOL_CACHE) return join(env.RUNNER_TOOL_CACHE, 'falco-plugin-release', 'inspector')
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache')
  return join(base, 'falco-plugin-release', 'inspector')
}

/** What identifies the compiler binary: its real path, size and time (an upgrade changes them). */
async function compilerIdentity(command: string, pathVar: string | undefined): Promise<string> {
  const found = await findProgram(command, { path: pathVar })
  if (found === undefined) return 'not found'
  try {
    const real = await realpath(found)
    const st = await stat(real)
    return `${real}:${st.size}:${st.mtimeMs}`
  } catch {
    return 'not found' // gone since
  }
}

/**
 * Compiles inspector.c once per (source, compiler command, compiler binary) into cacheDir and
 * returns the binary's path. The compiler is opts.cc, else $CC, else cc (then gcc, clang); it
 * may carry arguments ("gcc -m32", "zig cc -target x86_64-linux-gnu.2.17"), as cgo allows.
 */
export async function compileInspector(
  opts: { cc?: string; cacheDir: string } & ChildEnvironment
): Promise<string> {
  const sourcePath = inspectorSourcePath()
  const source = await readFile(sourcePath)
  const env = opts.env
  const explicit = opts.cc ?? (env.CC?.trim() || undefined)
  const candidates = explicit ? [explicit] : ['cc', 'gcc', 'clang']
  await mkdir(opts.cacheDir, { recursive: true })
  for (const cc of candidates) {
    const [cmd, ...ccArgs] = cc.trim().split(/\s+/)
    const identity = await compilerIdentity(cmd, env.PATH)
    if (identity === 'not found' && !explicit) continue
    const key = createHash('sha256')
      .update(source)
      .update('\0')
      .update(cc)
      .update('\0')
      .update(identity)
      .digest('hex')
    const binary = join(resolve(opts.cacheDir), `inspector-${key.slice(0, 16)}`)
    if (await isFile(binary)) return binary
    const tmp = `${binary}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`
    const args = [...ccArgs, '-Wall', '-Wextra', '-O2', '-o', tmp, sourcePath, '-ldl']
    const r = await runChild([cmd, ...args], { env: opts.env, policy: opts.envPolicy })
    if (r.error?.code === 'ENOENT') {
      if (explicit) throw new Error(`the C compiler '${cc}' was not found: ${NO_COMPILER}`)
      continue
    }
    if (r.error || r.code !== 0) {
      await rm(tmp, { force: true })
      throw new Error(
        `compiling the plugin inspector failed (${cc} ${args.join(' ')}): ` +
          `${r.error?.message ?? lastLines(r.stderr + r.stdout, 40)}`
      )
    }
    await rename(tmp, binary)
    return binary
  }
  throw new Error(`no C compiler found (tried ${candidates.join(', ')}): ${NO_COMPILER}`)
}

function dlopenHint(message: string): string {
  if (/undefined symbol/.test(message)) {
    return (
      ' The library references a symbol that nothing provides; Falco loads plugins with ' +
      'RTLD_NOW and would refuse it too (link the library that defines it, e.g. -lresolv).'
    )
  }
  if (/GLIBC_[\d.]+' not found/.test(message)) {
    return ' The plugin needs a newer glibc than this host has: build it on an older distribution.'
  }
  if (/wrong ELF class|ELF file's machine|invalid ELF header|Exec format error/i.test(message)) {
    return (
      ' The file is not a shared library for this host: a plugin can only be inspected on the ' +
      'architecture it was built for (or through a runner such as qemu).'
    )
  }
  return ''
}

/** The inspector's report is small; anything bigger is a plugin returning absurd strings. */
const MAX_REPORT_BYTES = 16 * 1024 * 1024
/** Lines of the plugin's own output shown in the log. */
const PLUGIN_OUTPUT_LINES = 100

/** The report file: '' when the inspector did not get to write it. */
async function readReport(path: string): Promise<string> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch {
    return ''
  }
  try {
    const buf = Buffer.alloc(MAX_REPORT_BYTES + 1)
    let size = 0
    for (;;) {
      const { bytesRead } = await handle.read(buf, size, buf.length - size, size)
      if (bytesRead === 0) break
      size += bytesRead
      if (size === buf.length) {
        throw new Error(
          `the plugin's metadata is larger than ${MAX_REPORT_BYTES / 1024 / 1024} MiB: a getter ` +
            'returns an absurdly long string'
        )
      }
    }
    return buf.subarray(0, size).toString('utf8')
  } finally {
    await handle.close()
  }
}

/** What the plugin printed (stdout and stderr in order), keeping the last lines only. */
function outputRecorder(): {
  onLine: (line: string, stream: 'stdout' | 'stderr') => void
  log: (log: (line: string) => void) => void
} {
  const lines: string[] = []
  let total = 0
  return {
    onLine: (line, stream) => {
      total++
      lines.push(`[plugin ${stream}] ${line}`)
      if (lines.length > PLUGIN_OUTPUT_LINES) lines.shift()
    },
    log: (log) => {
      if (total === 0) return
      const which = total > lines.length ? `, the last ${lines.length}` : ''
      log(`the plugin printed ${total} line${total === 1 ? '' : 's'} while loaded${which}:`)
      lines.forEach((l) => log(l))
    }
  }
}

/**
 * Loads the plugin in a child process with the compiled inspector (optionally through a runner
 * prefix such as qemu) and returns its metadata. A crash inside the plugin is reported, with the
 * getter that was running, instead of taking us down; what the plugin prints goes to opts.log.
 */
export async function inspectPlugin(
  soPath: string,
  opts: {
    inspector: string
    runner?: string[]
    /** Default 60 s; the whole process group is killed when it is over. */
    timeoutMs?: number
    /** Where the plugin's own output goes (its last lines). */
    log?: (line: string) => void
  } & ChildEnvironment
): Promise<PluginMetadata> {
  const path = resolve(soPath) // dlopen searches the library path for names without a slash
  if (!(await isFile(path))) throw new Error(`plugin file '${soPath}' does not exist`)
  const timeoutMs = opts.timeoutMs ?? 60_000
  const dir = await mkdtemp(join(tmpdir(), 'fpr-inspect-'))
  try {
    const reportPath = join(dir, 'report')
    const [cmd, ...args] = [...(opts.runner ?? []), opts.inspector, path, reportPath]
    const output = outputRecorder()
    const r = await runChild([cmd, ...args], {
      env: opts.env,
      policy: opts.envPolicy,
      timeoutMs,
      onLine: output.onLine
    })
    if (r.error) throw new Error(`could not run the plugin inspector '${cmd}': ${r.error.message}`)
    if (opts.log) output.log(opts.log)
    return inspectorResult(soPath, r, await readReport(reportPath), timeoutMs)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** Judges how the inspector ended, with its report (calling lines, then the JSON object). */
function inspectorResult(
  soPath: string,
  r: RunResult,
  report: string,
  timeoutMs: number
): PluginMetadata {
  const lines = report.split('\n')
  const steps = lines.filter((l) => /^calling \S+$/.test(l))
  const json = lines.filter((l) => l.startsWith('{')).pop()
  const step = steps.length > 0 ? ` while ${steps[steps.length - 1]}` : ' while loading it (dlopen)'
  const noise = r.stderr.trim()
  const details = noise ? `\n${lastLines(noise, 40)}` : ''
  if (r.timedOut) {
    throw new Error(
      `loading plugin '${soPath}' did not finish within ${timeoutMs / 1000}s${step}: Falco would ` +
        'hang on it as well (the inspect-timeout input sets the limit)'
    )
  }
  if (r.signal) {
    // A Go plugin's init() runs when it is loaded; exported calls wait for it, so a panic there
    // shows up as a crash in the first getter.
    const goPanic = /^panic: /m.test(noise) ? ' (a Go panic, printed below)' : ''
    throw new Error(
      `the plugin crashed (${r.signal})${step}${goPanic}: '${soPath}' would crash Falco as well` +
        details
    )
  }
  if (r.code === 2 && json?.startsWith('{"error":')) {
    let message = json
    try {
      message = (JSON.parse(json) as { error: string }).error
    } catch {
      // keep the raw text
    }
    throw new Error(`cannot load plugin '${soPath}' with dlopen: ${message}.${dlopenHint(message)}`)
  }
  if (r.code !== 0) {
    throw new Error(
      `the plugin inspector exited with status ${r.code}${step} for '${soPath}'${details}`
    )
  }
  if (json === undefined) {
    throw new Error(
      `the plugin ended the inspector (exit status 0)${step}, before its metadata was read: ` +
        `'${soPath}' would end Falco as well${details}`
    )
  }
  return metadataFromInspector(parseInspectorOutput(json))
}
