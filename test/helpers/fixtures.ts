// Fresh copies of the Go plugin fixtures (test/fixtures/plugins) with the metadata a test wants.
// Every copy is the same module, so builds share Go's build cache and stay fast.
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Logger } from '../../src/log.js'

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
