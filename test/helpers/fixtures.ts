// Fresh copies of the Go plugin fixtures (test/fixtures/plugins) with the metadata a test wants.
// Every copy is the same module, so builds share Go's build cache and stay fast.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, open, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import type { Logger } from '../../src/log.js'
import { requireTool } from './tools.js'

const exec = promisify(execFile)

export const FIXTURES_MODULE = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url))

export interface PluginFixtureOptions {
  kind: 'extractor' | 'source'
  name: string
  version: string
  /** Info.RequiredAPIVersion; empty or absent means the SDK default (3.11.0 for v0.8.3). */
  requiredApiVersion?: string
  /** YAML text written to rules/<name>_rules.yaml. */
  rules?: string
  description?: string
  contact?: string
  /** Sourcing fixture only (default 1001 and "fixture"). */
  id?: number
  eventSource?: string
}

export interface PluginFixture {
  /** The working directory (holds go.mod). */
  dir: string
  /** The main package, relative to dir: './extractor' or './source'. */
  goPackage: string
}

const goString = (s: string): string => JSON.stringify(s)

export async function makePluginFixture(opts: PluginFixtureOptions): Promise<PluginFixture> {
  const dir = await mkdtemp(join(tmpdir(), `fpr-plugin-${opts.kind}-`))
  await cp(FIXTURES_MODULE, dir, { recursive: true })
  const lines = [
    'package main',
    '',
    '// Written by test/helpers/fixtures.ts.',
    'const (',
    `\tpluginName               = ${goString(opts.name)}`,
    `\tpluginVersion            = ${goString(opts.version)}`,
    `\tpluginDescription        = ${goString(opts.description ?? `Test fixture ${opts.name}`)}`,
    `\tpluginContact            = ${goString(opts.contact ?? 'https://example.com/fixtures')}`,
    `\tpluginRequiredAPIVersion = ${goString(opts.requiredApiVersion ?? '')}`
  ]
  if (opts.kind === 'source') {
    lines.push(`\tpluginID                 = ${opts.id ?? 1001}`)
    lines.push(`\tpluginEventSource        = ${goString(opts.eventSource ?? 'fixture')}`)
  }
  lines.push(')', '')
  await writeFile(join(dir, opts.kind, 'meta.go'), lines.join('\n'))
  if (opts.rules !== undefined) {
    await mkdir(join(dir, 'rules'), { recursive: true })
    await writeFile(join(dir, 'rules', `${opts.name}_rules.yaml`), opts.rules)
  }
  return { dir, goPackage: `./${opts.kind}` }
}

/** A Logger that records everything, for assertions on what a build printed. */
export interface RecordingLogger extends Logger {
  lines: string[]
  warnings: string[]
  groups: string[]
}

export function recordingLogger(): RecordingLogger {
  const log: RecordingLogger = {
    lines: [],
    warnings: [],
    groups: [],
    info: (m) => void log.lines.push(m),
    warning: (m) => void log.warnings.push(m),
    debug: () => undefined,
    secret: () => undefined,
    group: (title, fn) => {
      log.groups.push(title)
      return fn()
    }
  }
  return log
}

// ---------------------------------------------------------------------------------------------
// Tiny ELF objects compiled with gcc, and what binutils says about them (the reference the ELF
// reader is compared with).

/** The eight functions Falco requires, as C definitions (one per line, so tests can drop some). */
export const C_REQUIRED_FUNCTIONS: Record<string, string> = {
  plugin_get_required_api_version:
    'const char *plugin_get_required_api_version(void) { return "3.0.0"; }',
  plugin_get_version: 'const char *plugin_get_version(void) { return "1.2.3"; }',
  plugin_get_name: 'const char *plugin_get_name(void) { return "cplugin"; }',
  plugin_get_description: 'const char *plugin_get_description(void) { return "A C plugin"; }',
  plugin_get_contact: 'const char *plugin_get_contact(void) { return "me@example.com"; }',
  plugin_init:
    'void *plugin_init(const void *in, int *rc) { (void)in; *rc = 1; return (void *)0; }',
  plugin_destroy: 'void plugin_destroy(void *s) { (void)s; }',
  plugin_get_last_error: 'const char *plugin_get_last_error(void *s) { (void)s; return "e"; }'
}

/** C source of a minimal valid plugin (extraction capability), minus the `omit`ted functions. */
export function cPluginSource(omit: string[] = [], extra = ''): string {
  const required = Object.entries(C_REQUIRED_FUNCTIONS)
    .filter(([name]) => !omit.includes(name))
    .map(([, code]) => code)
  return [
    ...required,
    'const char *plugin_get_fields(void) { return "[{\\"type\\":\\"string\\",\\"name\\":\\"c.f\\",\\"desc\\":\\"d\\"}]"; }',
    'int plugin_extract_fields(void *s, const void *e, const void *in) { (void)s; (void)e; (void)in; return 3; }',
    extra,
    ''
  ].join('\n')
}

/**
 * Compiles C source into `out` (a shared object unless args say otherwise) with `cc` (default
 * gcc). Returns out.
 */
export async function compileC(opts: {
  source: string
  out: string
  cc?: string
  args?: string[]
}): Promise<string> {
  const cc = requireTool(opts.cc ?? 'gcc')
  await mkdir(dirname(opts.out), { recursive: true })
  const src = `${opts.out}.c`
  await writeFile(src, opts.source)
  const args = opts.args ?? ['-shared', '-fPIC', '-O0']
  try {
    await exec(cc, [...args, '-o', opts.out, src])
  } catch (e) {
    const err = e as { stderr?: string; message: string }
    throw new Error(`${cc} ${args.join(' ')} failed: ${err.stderr ?? err.message}`)
  }
  return opts.out
}

/** What `objdump -T` lists: exported functions and the GLIBC_* version of each import. */
export interface ObjdumpDynamic {
  exports: string[]
  glibcSymbols: Record<string, string[]>
}

export async function objdumpDynamic(path: string): Promise<ObjdumpDynamic> {
  const { stdout } = await exec(requireTool('objdump'), ['-T', path], {
    maxBuffer: 64 * 1024 * 1024
  })
  const exports = new Set<string>()
  const glibc: Record<string, Set<string>> = {}
  for (const line of stdout.split('\n')) {
    // 0000000000001109 g    DF .text\t000000000000002e  Base        copy
    const m = /^[0-9a-f]{8,16} (.{7}) (\S+)\t[0-9a-f]+ +(.*)$/.exec(line)
    if (!m) continue
    const [, flags, section, rest] = m
    const words = rest.trim().split(/\s+/)
    const name = words[words.length - 1]
    const version = words.length > 1 ? words[0].replace(/^\((.*)\)$/, '$1') : undefined
    if (section === '*UND*') {
      if (version && /^GLIBC_\d/.test(version)) (glibc[version] ??= new Set()).add(name)
    } else if (
      (flags[6] === 'F' || flags[4] === 'i') && // a function, or an IFUNC
      (flags[0] === 'g' || flags[0] === 'u' || flags[1] === 'w') &&
      !words.includes('.hidden')
    ) {
      exports.add(name)
    }
  }
  const glibcSymbols: Record<string, string[]> = {}
  for (const [v, names] of Object.entries(glibc)) glibcSymbols[v] = [...names].sort()
  return { exports: [...exports].sort(), glibcSymbols }
}

/** `readelf -h` and `readelf -d`: the type word (DYN, EXEC, REL), the machine, DT_NEEDED. */
export async function readelfFacts(
  path: string
): Promise<{ type: string; machine: string; needed: string[]; versionsNeeded: string[] }> {
  const readelf = requireTool('readelf')
  const header = (await exec(readelf, ['-h', path])).stdout
  const dynamic = (await exec(readelf, ['-d', path])).stdout
  const versions = (await exec(readelf, ['-V', path])).stdout
  return {
    type: /^\s*Type:\s+(\S+)/m.exec(header)?.[1] ?? '',
    machine: /^\s*Machine:\s+(.+)$/m.exec(header)?.[1].trim() ?? '',
    needed: [...dynamic.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]),
    versionsNeeded: [...versions.matchAll(/Name: (\S+)\s+Flags: \S+\s+Version: \d+/g)].map(
      (m) => m[1]
    )
  }
}

/**
 * Copies an ELF64 file with its section headers removed from the header (e_shoff, e_shnum and
 * e_shstrndx zeroed), as sstrip does: only the dynamic segment then describes its symbols.
 */
export async function withoutSectionHeaders(src: string, dst: string): Promise<string> {
  const data = await readFile(src)
  data.writeBigUInt64LE(0n, 0x28)
  data.writeUInt16LE(0, 0x3c)
  data.writeUInt16LE(0, 0x3e)
  await writeFile(dst, data)
  return dst
}

/** The first `bytes` bytes of a file, as a new file. */
export async function truncatedCopy(src: string, dst: string, bytes: number): Promise<string> {
  const fh = await open(src, 'r')
  try {
    const buf = Buffer.alloc(bytes)
    const { bytesRead } = await fh.read(buf, 0, bytes, 0)
    await writeFile(dst, buf.subarray(0, bytesRead))
  } finally {
    await fh.close()
  }
  return dst
}
