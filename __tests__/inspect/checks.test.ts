import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  checkElfForPlatform,
  compareExports,
  describeGlibcFloor,
  distributionsBelow,
  normalizeMaxGlibc,
  pluginSymbols
} from '../../src/inspect/checks.js'
import { ET_DYN, ET_EXEC, ET_REL, readElf, type ElfInfo } from '../../src/inspect/elf.js'
import { REQUIRED_SYMBOLS } from '../../src/inspect/inspect.js'
import { hostPlatform } from '../../src/platform/platform.js'
import { compileC, cPluginSource } from '../../test/helpers/fixtures.js'
import { requireTool } from '../../test/helpers/tools.js'

const AMD64 = { os: 'linux', architecture: 'amd64' }
const ARM64 = { os: 'linux', architecture: 'arm64' }

function elf(over: Partial<ElfInfo> = {}): ElfInfo {
  return {
    path: '/out/libp.so',
    machine: 62,
    machineName: 'x86-64',
    architecture: 'amd64',
    type: ET_DYN,
    isPie: false,
    isSharedObject: true,
    needed: ['libc.so.6'],
    exports: [
      ...REQUIRED_SYMBOLS,
      'plugin_get_fields',
      'plugin_extract_fields',
      'crosscall2'
    ].sort(),
    imports: [],
    versionsNeeded: [],
    glibcFloor: '2.34',
    glibcSymbols: {
      'GLIBC_2.2.5': ['malloc'],
      'GLIBC_2.32': ['pthread_getattr_np'],
      'GLIBC_2.34': ['pthread_create', 'res_search']
    },
    symbolSource: 'sections',
    ...over
  }
}

function message(fn: () => unknown): string {
  try {
    fn()
  } catch (e) {
    return (e as Error).message
  }
  throw new Error('expected an error')
}

describe('checkElfForPlatform', () => {
  it('accepts a shared object of the right machine with every required symbol', () => {
    expect(checkElfForPlatform(elf(), AMD64)).toEqual([])
    expect(checkElfForPlatform(elf(), AMD64, { maxGlibc: '2.34' })).toEqual([])
    expect(checkElfForPlatform(elf(), AMD64, { maxGlibc: '' })).toEqual([])
    const arm = elf({ machine: 183, machineName: 'AArch64', architecture: 'arm64' })
    expect(checkElfForPlatform(arm, ARM64)).toEqual([])
  })

  it('refuses an x86-64 .so offered as linux/arm64', () => {
    expect(message(() => checkElfForPlatform(elf(), ARM64))).toBe(
      '/out/libp.so cannot be released as linux/arm64:\n' +
        '- an x86-64 .so (ELF machine 62) was offered as linux/arm64, which needs AArch64 ' +
        '(ELF machine 183): build it with GOARCH=arm64 and a C compiler for aarch64-linux-gnu ' +
        '(CC=aarch64-linux-gnu-gcc), or on a native arm64 runner (ubuntu-24.04-arm); check that ' +
        'the linux/arm64 build does not reuse the output of another platform'
    )
  })

  it('lists the required symbols that are missing', () => {
    const exports = elf().exports.filter((s) => s !== 'plugin_init' && s !== 'plugin_get_contact')
    expect(message(() => checkElfForPlatform(elf({ exports }), AMD64))).toBe(
      '/out/libp.so cannot be released as linux/amd64:\n' +
        '- 2 of the 8 functions Falco requires are not exported: plugin_get_contact, ' +
        'plugin_init (with plugin-sdk-go, register the plugin with plugins.SetFactory in an ' +
        'init() function of the main package, and build the main package with ' +
        '-buildmode=c-shared)'
    )
    expect(message(() => checkElfForPlatform(elf({ exports: ['main'] }), AMD64))).toMatch(
      /- none of the 8 functions Falco requires is exported: plugin_get_required_api_version, /
    )
  })

  it('refuses a glibc floor above max-glibc, naming versions, symbols and a build image', () => {
    expect(message(() => checkElfForPlatform(elf(), AMD64, { maxGlibc: '2.31' }))).toBe(
      '/out/libp.so cannot be released as linux/amd64:\n' +
        '- it needs glibc 2.34, newer than max-glibc 2.31 (GLIBC_2.34: pthread_create, ' +
        'res_search; GLIBC_2.32: pthread_getattr_np): hosts with an older glibc refuse to load ' +
        'it ("version `GLIBC_2.34\' not found"), e.g. Amazon Linux 2 (2.26), RHEL/Rocky/Alma 8 ' +
        '(2.28), Debian 11 (2.31), Ubuntu 20.04 (2.31). The C library the build links against ' +
        'sets this floor: build in an older image: run the build job in `container: ' +
        'debian:bullseye` (glibc 2.31), as falcosecurity/plugins does'
    )
  })

  it('suggests an image old enough for a low max-glibc, and how to use it', () => {
    const m = message(() => checkElfForPlatform(elf(), AMD64, { maxGlibc: 'GLIBC_2.17' }))
    expect(m).toContain('newer than max-glibc 2.17 (GLIBC_2.34: pthread_create, res_search; ')
    expect(m).toContain('`container: centos:7` (glibc 2.17)')
    expect(m).toContain('falcosecurity/plugins builds in `container: debian:bullseye`')
    expect(m).toContain("GitHub's JavaScript actions need glibc >= 2.28 inside a job container")
    expect(m).toMatch(/GLIBC_2\.32: pthread_getattr_np\)/)
  })

  it('refuses an invalid max-glibc', () => {
    expect(() => checkElfForPlatform(elf(), AMD64, { maxGlibc: 'bookworm' })).toThrow(
      "max-glibc 'bookworm' is not a glibc version: write it like 2.31 (Debian 11), or leave it " +
        'empty to accept any'
    )
    expect(normalizeMaxGlibc('GLIBC_2.28')).toBe('2.28')
  })

  it('refuses executables and object files', () => {
    const exe = elf({ type: ET_EXEC, isSharedObject: false })
    expect(message(() => checkElfForPlatform(exe, AMD64))).toContain(
      '- it is an executable (ET_EXEC), not a shared object: build it with `go build ' +
        '-buildmode=c-shared` (a Falco plugin is a shared library)'
    )
    const pie = elf({ isPie: true, isSharedObject: false })
    expect(message(() => checkElfForPlatform(pie, AMD64))).toContain(
      '- it is a position-independent executable, not a shared object'
    )
    const obj = elf({ type: ET_REL, isSharedObject: false })
    expect(message(() => checkElfForPlatform(obj, AMD64))).toContain(
      '- it is a relocatable object file (.o), not a shared object'
    )
  })

  it('lists every problem at once', () => {
    const bad = elf({ type: ET_EXEC, isSharedObject: false, exports: [] })
    const lines = message(() => checkElfForPlatform(bad, ARM64, { maxGlibc: '2.31' })).split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[0]).toBe('/out/libp.so cannot be released as linux/arm64:')
    expect(lines[1]).toMatch(/^- it is an executable/)
    expect(lines[2]).toMatch(/^- an x86-64 \.so/)
    expect(lines[3]).toMatch(/^- none of the 8 functions/)
    expect(lines[4]).toMatch(/^- it needs glibc 2\.34/)
  })

  it('notes libraries needed besides glibc', () => {
    expect(
      checkElfForPlatform(elf({ needed: ['libc.so.6', 'libresolv.so.2', 'libssl.so.3'] }), AMD64)
    ).toEqual([
      '/out/libp.so needs libssl.so.3 besides glibc (DT_NEEDED): Falco hosts must have it ' +
        'installed, or the plugin will not load'
    ])
  })

  it('refuses platforms we do not release for', () => {
    expect(() => checkElfForPlatform(elf(), { os: 'linux', architecture: 'ppc64le' })).toThrow(
      'unsupported platform linux/ppc64le'
    )
  })
})

describe('describeGlibcFloor', () => {
  it('says which glibc and which distributions are too old', () => {
    expect(describeGlibcFloor(elf())).toBe(
      'needs glibc >= 2.34 (GLIBC_2.34: pthread_create, res_search); cannot load on Amazon ' +
        'Linux 2 (2.26), RHEL/Rocky/Alma 8 (2.28), Debian 11 (2.31), Ubuntu 20.04 (2.31)'
    )
    expect(describeGlibcFloor(elf({ glibcFloor: '2.17', glibcSymbols: {} }))).toBe(
      'needs glibc >= 2.17'
    )
    expect(describeGlibcFloor(elf({ glibcFloor: undefined }))).toBe(
      'needs no versioned glibc symbol'
    )
    expect(distributionsBelow('2.28')).toEqual(['Amazon Linux 2 (2.26)'])
  })
})

describe('compareExports', () => {
  const arm = (exports: string[]): ElfInfo =>
    elf({ machine: 183, machineName: 'AArch64', architecture: 'arm64', exports })

  it('accepts the same plugin_* set, whatever else differs', () => {
    expect(() => compareExports(elf(), arm([...elf().exports, 'other']))).not.toThrow()
    expect(pluginSymbols(elf())).not.toContain('crosscall2')
  })

  it('lists the plugin_* functions only one build exports', () => {
    const foreign = arm([
      ...elf().exports.filter((s) => s !== 'plugin_extract_fields'),
      'plugin_open',
      'plugin_close'
    ])
    expect(message(() => compareExports(elf(), foreign))).toBe(
      'the linux/amd64 and linux/arm64 builds of the plugin export different plugin_* ' +
        'functions, so the metadata read from one would not describe the other:\n' +
        '- only the linux/amd64 build exports plugin_extract_fields\n' +
        '- only the linux/arm64 build exports plugin_close, plugin_open\n' +
        'Build every platform from the same sources and the same build tags (a file with a ' +
        '//go:build constraint on the architecture, or cgo disabled on one side, does this)'
    )
  })

  it('takes labels', () => {
    expect(
      message(() =>
        compareExports(elf(), elf({ exports: [] }), { native: 'amd64 build', foreign: 'other' })
      )
    ).toContain('the amd64 build and other builds')
  })
})

describe('checkElfForPlatform on gcc-built plugins', () => {
  let dir: string
  beforeAll(() => {
    requireTool('gcc')
    dir = mkdtempSync(join(tmpdir(), 'fpr-checks-'))
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('accepts a complete C plugin and refuses one missing plugin_get_last_error', async () => {
    const good = await compileC({ source: cPluginSource(), out: join(dir, 'good.so') })
    expect(checkElfForPlatform(await readElf(good), hostPlatform())).toEqual([])
    const bad = await readElf(
      await compileC({ source: cPluginSource(['plugin_get_last_error']), out: join(dir, 'bad.so') })
    )
    expect(() => checkElfForPlatform(bad, hostPlatform())).toThrow(
      '- 1 of the 8 functions Falco requires is not exported: plugin_get_last_error'
    )
  })
})
