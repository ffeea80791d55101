// Multi-arch building blocks with real Go plugins: the fixture is built natively and
// cross-compiled for the other architecture with Debian's cross compiler, read back with the ELF
// reader (compared with objdump -T), checked for its platform, and loaded under qemu-user.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildPlugin } from '../../src/build/go.js'
import { checkElfForPlatform, compareExports, pluginSymbols } from '../../src/inspect/checks.js'
import { readElf, type ElfInfo } from '../../src/inspect/elf.js'
import { foreignInspector } from '../../src/inspect/foreign.js'
import { REQUIRED_SYMBOLS, checkPlugin, inspectPlugin } from '../../src/inspect/inspect.js'
import { ARCHITECTURES, hostPlatform, type Platform } from '../../src/platform/platform.js'
import {
  compileC,
  cPluginSource,
  makePluginFixture,
  objdumpDynamic,
  recordingLogger,
  type PluginFixture
} from '../helpers/fixtures.js'
import { requirePath, requireTool } from '../helpers/tools.js'

// The first cross build compiles Go's runtime and plugin-sdk-go for the other architecture.
const BUILD_TIMEOUT = 300_000

const host = hostPlatform()
const FOREIGN_ARCH = host.architecture === 'arm64' ? 'amd64' : 'arm64'
const FOREIGN: Platform = { os: 'linux', architecture: FOREIGN_ARCH }
const facts = ARCHITECTURES[FOREIGN_ARCH]

const sha256 = (path: string): string =>
  createHash('sha256').update(readFileSync(path)).digest('hex')

describe(`cross-building Go plugins for linux/${FOREIGN_ARCH}`, () => {
  let out: string
  const fixtures: string[] = []
  const built: Record<
    string,
    { so: string; elf: ElfInfo; logger: ReturnType<typeof recordingLogger> }
  > = {}

  beforeAll(() => {
    requireTool('go')
    requireTool('gcc')
    requireTool('objdump')
    requireTool(facts.crossCompiler)
    requireTool(facts.qemu)
    requirePath(join(facts.crossSysroot, 'lib'))
    out = mkdtempSync(join(tmpdir(), 'fpr-multiarch-'))
  })
  afterAll(() => {
    for (const d of [out, ...fixtures]) if (d) rmSync(d, { recursive: true, force: true })
  })

  async function build(f: PluginFixture, key: string, platform: Platform): Promise<void> {
    const logger = recordingLogger()
    const so = await buildPlugin({
      env: process.env,
      workingDirectory: f.dir,
      goPackage: f.goPackage,
      output: join(out, key, 'libfixture.so'),
      platform,
      logger
    })
    built[key] = { so, elf: await readElf(so), logger }
  }

  let extractor: PluginFixture
  let source: PluginFixture
  beforeAll(async () => {
    extractor = await makePluginFixture({ kind: 'extractor', name: 'multi-x', version: '0.3.0' })
    source = await makePluginFixture({
      kind: 'source',
      name: 'multi-s',
      version: '0.4.0',
      id: 1234
    })
    fixtures.push(extractor.dir, source.dir)
    // Sequential: the native and the cross builds share Go's build cache.
    await build(extractor, 'extractor-native', host)
    await build(extractor, 'extractor-foreign', FOREIGN)
    await build(source, 'source-native', host)
    await build(source, 'source-foreign', FOREIGN)
  }, BUILD_TIMEOUT)

  it('cross-compiles with GOARCH and the cross compiler, keeping the reproducible flags', () => {
    const { logger } = built['extractor-foreign']
    expect(logger.groups).toEqual([`Build ./extractor (linux/${FOREIGN_ARCH})`])
    expect(logger.lines[0]).toBe(
      `$ CGO_ENABLED=1 GOOS=linux GOARCH=${FOREIGN_ARCH} CC=${facts.crossCompiler} go build ` +
        '-buildmode=c-shared -trimpath -buildvcs=false -ldflags=-buildid= -o ' +
        `${built['extractor-foreign'].so} ./extractor  (in ${extractor.dir})`
    )
    // The native build's command is unchanged.
    expect(built['extractor-native'].logger.lines[0]).toMatch(
      /^\$ CGO_ENABLED=1 go build -buildmode=c-shared -trimpath -buildvcs=false -ldflags=-buildid= /
    )
  })

  it('produces a shared object of the target machine, exporting what the native one does', () => {
    for (const kind of ['extractor', 'source']) {
      const native = built[`${kind}-native`].elf
      const foreign = built[`${kind}-foreign`].elf
      expect(native).toMatchObject({
        architecture: host.architecture,
        isSharedObject: true,
        needed: ['libc.so.6']
      })
      expect(foreign).toMatchObject({
        machine: facts.elfMachine,
        machineName: facts.machineName,
        architecture: FOREIGN_ARCH,
        isSharedObject: true,
        needed: ['libc.so.6']
      })
      expect(pluginSymbols(foreign)).toEqual(pluginSymbols(native))
      expect(pluginSymbols(foreign)).toEqual(expect.arrayContaining([...REQUIRED_SYMBOLS]))
      expect(() => compareExports(native, foreign)).not.toThrow()
      expect(checkElfForPlatform(native, host)).toEqual([])
      expect(checkElfForPlatform(foreign, FOREIGN)).toEqual([])
    }
    expect(pluginSymbols(built['source-foreign'].elf)).toContain('plugin_next_batch')
    expect(pluginSymbols(built['extractor-foreign'].elf)).not.toContain('plugin_next_batch')
    // Different plugins do differ, and compareExports says how.
    expect(() =>
      compareExports(built['extractor-native'].elf, built['source-foreign'].elf)
    ).toThrow(`only the linux/${FOREIGN_ARCH} build exports plugin_close, plugin_`)
  })

  it('reports the glibc floor of each build, as objdump -T does', async () => {
    for (const key of Object.keys(built)) {
      const { so, elf } = built[key]
      const ref = await objdumpDynamic(so)
      expect({ key, exports: elf.exports, glibc: elf.glibcSymbols }).toEqual({
        key,
        exports: ref.exports,
        glibc: ref.glibcSymbols
      })
      const highest = Object.keys(ref.glibcSymbols)
        .map((v) => v.replace('GLIBC_', ''))
        .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
        .pop()
      expect({ key, floor: elf.glibcFloor }).toEqual({ key, floor: highest })
    }
    // Built against Debian 12's glibc 2.36 (native and cross): Go's runtime and net package
    // reference pthread and resolver symbols that moved into libc in 2.34.
    expect(built['extractor-native'].elf.glibcFloor).toBe('2.34')
    expect(built['extractor-foreign'].elf.glibcFloor).toBe('2.34')
  })

  it('refuses a .so of the wrong machine, and a floor above max-glibc', () => {
    const native = built['extractor-native'].elf
    expect(() => checkElfForPlatform(native, FOREIGN)).toThrow(
      `- an ${native.machineName} .so (ELF machine ${native.machine}) was offered as ` +
        `linux/${FOREIGN_ARCH}, which needs ${facts.machineName}`
    )
    const foreign = built['extractor-foreign'].elf
    expect(() => checkElfForPlatform(foreign, FOREIGN, { maxGlibc: '2.17' })).toThrow(
      /- it needs glibc 2\.34, newer than max-glibc 2\.17 \(GLIBC_2\.34: [^)]*pthread_create/
    )
    expect(() => checkElfForPlatform(foreign, FOREIGN, { maxGlibc: '2.17' })).toThrow(
      'container: centos:7'
    )
  })

  it('refuses a foreign .so that misses a required symbol', async () => {
    const so = await compileC({
      source: cPluginSource(['plugin_destroy', 'plugin_get_version']),
      out: join(out, 'c-foreign', 'libbad.so'),
      cc: facts.crossCompiler
    })
    const elf = await readElf(so)
    expect(elf.architecture).toBe(FOREIGN_ARCH)
    expect(() => checkElfForPlatform(elf, FOREIGN)).toThrow(
      `${so} cannot be released as linux/${FOREIGN_ARCH}:\n- 2 of the 8 functions Falco ` +
        'requires are not exported: plugin_get_version, plugin_destroy'
    )
  })

  it(
    'rebuilds the foreign .so byte for byte',
    async () => {
      const logger = recordingLogger()
      const again = await buildPlugin({
        env: process.env,
        workingDirectory: extractor.dir,
        goPackage: extractor.goPackage,
        output: join(out, 'again', 'libfixture.so'),
        platform: FOREIGN,
        logger
      })
      expect(sha256(again)).toBe(sha256(built['extractor-foreign'].so))
    },
    BUILD_TIMEOUT
  )

  it(
    'explains a failing cross build',
    async () => {
      const f = await makePluginFixture({ kind: 'extractor', name: 'multi-bad', version: '0.1.0' })
      fixtures.push(f.dir)
      await writeFile(
        join(f.dir, 'extractor', 'needs_c.go'),
        'package main\n\n// #include <fpr_missing_header.h>\nimport "C"\n'
      )
      const err = await buildPlugin({
        env: process.env,
        workingDirectory: f.dir,
        goPackage: f.goPackage,
        output: join(out, 'bad', 'libbad.so'),
        platform: FOREIGN,
        logger: recordingLogger()
      }).catch((e: Error) => e)
      expect((err as Error).message).toMatch(
        /^go build exited with status 1: CGO_ENABLED=1 GOOS=linux/
      )
      expect((err as Error).message).toContain('fpr_missing_header.h')
      expect((err as Error).message).toContain(
        `This was a cross build for linux/${FOREIGN_ARCH}: C libraries the plugin links must be ` +
          `installed for ${FOREIGN_ARCH} too, or build on a native ${FOREIGN_ARCH} runner ` +
          `(runs-on: ${facts.runner})`
      )
    },
    BUILD_TIMEOUT
  )

  it(`reads the ${FOREIGN_ARCH} builds' metadata under ${facts.qemu}, equal to the native builds'`, async () => {
    const cacheDir = join(out, 'inspectors')
    const native = await foreignInspector(host, { env: process.env, cacheDir })
    const reasons: string[] = []
    const foreign = await foreignInspector(FOREIGN, {
      env: process.env,
      cacheDir,
      onUnavailable: (r) => reasons.push(r)
    })
    expect(reasons).toEqual([])
    expect(foreign?.runner[1]).toBe('-L')
    for (const kind of ['extractor', 'source']) {
      const a = await inspectPlugin(built[`${kind}-native`].so, {
        env: process.env,
        inspector: native!.inspector
      })
      const b = await inspectPlugin(built[`${kind}-foreign`].so, {
        env: process.env,
        inspector: foreign!.inspector,
        runner: foreign!.runner
      })
      expect(b).toEqual(a)
      expect(() => checkPlugin(b)).not.toThrow()
    }
    const src = await inspectPlugin(built['source-foreign'].so, {
      env: process.env,
      inspector: foreign!.inspector,
      runner: foreign!.runner
    })
    expect(src).toMatchObject({ name: 'multi-s', version: '0.4.0', id: 1234 })
    expect(src.capabilities).toContain('sourcing')
  }, 120_000)
})
