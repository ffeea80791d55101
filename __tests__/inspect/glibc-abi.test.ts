// zig's glibc symbol database (the real abilists of zig 0.17.0, from PyPI's wheel) and the check
// of undefined symbols without a version built on it (falcosecurity/plugins#1500).
import { beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkElfForPlatform } from '../../src/inspect/checks.js'
import { ET_DYN, type ElfInfo } from '../../src/inspect/elf.js'
import {
  AbilistsError,
  checkUnversionedImports,
  librariesDefining,
  newestGlibc,
  oldestGlibc,
  parseAbilists,
  type GlibcAbi
} from '../../src/inspect/glibc-abi.js'
import { REQUIRED_SYMBOLS } from '../../src/inspect/inspect.js'
import { requireZig } from '../../test/helpers/tools.js'

const AMD64 = { os: 'linux', architecture: 'amd64' }
const ARM64 = { os: 'linux', architecture: 'arm64' }
const X86 = 'x86_64-linux-gnu'
const A64 = 'aarch64-linux-gnu'

let raw: Buffer
let abi: GlibcAbi

beforeAll(() => {
  raw = readFileSync(join(requireZig().dir, 'lib', 'libc', 'glibc', 'abilists'))
  abi = parseAbilists(raw)
})

function plugin(over: Partial<ElfInfo> = {}): ElfInfo {
  return {
    path: '/out/libp.so',
    machine: 62,
    machineName: 'x86-64',
    architecture: 'amd64',
    type: ET_DYN,
    isPie: false,
    isSharedObject: true,
    needed: ['libc.so.6'],
    exports: [...REQUIRED_SYMBOLS, 'plugin_get_fields', 'plugin_extract_fields'].sort(),
    imports: [{ name: 'malloc', version: 'GLIBC_2.2.5', library: 'libc.so.6', weak: false }],
    versionsNeeded: [{ library: 'libc.so.6', version: 'GLIBC_2.2.5', weak: false }],
    glibcFloor: '2.2.5',
    glibcSymbols: { 'GLIBC_2.2.5': ['malloc'] },
    symbolSource: 'sections',
    ...over
  }
}

const resSearch = { name: '__res_search', weak: false }

describe('parseAbilists (zig 0.17.0)', () => {
  it('reads the libraries, versions and targets', () => {
    expect(abi.libraries).toEqual(expect.arrayContaining(['c', 'm', 'dl', 'pthread', 'resolv']))
    expect(abi.versions).toEqual(expect.arrayContaining(['2.2.5', '2.17', '2.28', '2.34']))
    expect(abi.targets).toEqual(expect.arrayContaining([X86, A64]))
    expect(oldestGlibc(abi, X86)).toBe('2.2.5')
    expect(oldestGlibc(abi, A64)).toBe('2.17')
    expect(newestGlibc(abi)).toMatch(/^2\.\d+$/)
  })

  it('knows where glibc moved symbols: libresolv, libpthread and libdl before 2.34, libc after', () => {
    expect(librariesDefining(abi, '__res_search', X86, '2.17')).toEqual(['libresolv.so.2'])
    expect(librariesDefining(abi, '__res_search', A64, '2.17')).toEqual(['libresolv.so.2'])
    expect(librariesDefining(abi, 'res_search', X86, '2.33')).toEqual([])
    expect(librariesDefining(abi, 'res_search', X86, '2.34')).toEqual(['libc.so.6'])
    expect(librariesDefining(abi, 'pthread_create', X86, '2.17')).toEqual(['libpthread.so.0'])
    expect(librariesDefining(abi, 'pthread_create', X86, '2.34')).toEqual([
      'libc.so.6',
      'libpthread.so.0'
    ])
    expect(librariesDefining(abi, 'dlopen', A64, '2.17')).toEqual(['libdl.so.2'])
    expect(librariesDefining(abi, 'malloc', X86, '2.2.5')).toContain('libc.so.6')
    expect(librariesDefining(abi, 'no_such_function', X86, '2.40')).toEqual([])
  })

  it('refuses damaged data', () => {
    expect(() => parseAbilists(raw.subarray(0, 1000))).toThrow(AbilistsError)
    expect(() => parseAbilists(Buffer.alloc(0))).toThrow(/truncated/)
    expect(() => parseAbilists(Buffer.from([0, 0, 0, 0, 0, 0, 0]))).toThrow(/no libraries/)
  })
})

describe('undefined symbols without a version', () => {
  it('resolve when a library the plugin loads defines them in the target glibc', () => {
    const elf = plugin({ needed: ['libc.so.6', 'libresolv.so.2'], imports: [resSearch] })
    expect(checkUnversionedImports(elf, abi, X86, '2.17')).toEqual({ unresolved: [], unknown: [] })
  })

  it('are unresolved when the defining library is not in DT_NEEDED (plugins#1500)', () => {
    const elf = plugin({ imports: [resSearch] })
    expect(checkUnversionedImports(elf, abi, X86, '2.17')).toEqual({
      unresolved: [{ name: '__res_search', definedIn: ['libresolv.so.2'] }],
      unknown: []
    })
    const message = (() => {
      try {
        checkElfForPlatform(elf, AMD64, { glibcTarget: { version: '2.17', abi } })
      } catch (e) {
        return (e as Error).message
      }
      return 'no error'
    })()
    expect(message).toContain('__res_search (in libresolv.so.2)')
    expect(message).toContain('glibc 2.17')
    expect(message).toContain('falcosecurity/plugins#1500')
    expect(message).toContain('#cgo LDFLAGS: -lresolv')
  })

  it('are unresolved when the target glibc has them nowhere', () => {
    const elf = plugin({ imports: [{ name: 'res_search', weak: false }] })
    expect(() =>
      checkElfForPlatform(elf, AMD64, { glibcTarget: { version: '2.17', abi } })
    ).toThrow(/res_search without a symbol version, and glibc 2.17 does not define it at all/)
    // glibc 2.34 has it in libc.
    expect(checkElfForPlatform(elf, AMD64, { glibcTarget: { version: '2.34', abi } })).toEqual([])
  })

  it('ignore weak and versioned references, and look through the arm64 data for arm64', () => {
    const elf = plugin({
      machine: 183,
      machineName: 'AArch64',
      architecture: 'arm64',
      imports: [
        { name: '__gmon_start__', weak: true },
        { name: '__res_search', version: 'GLIBC_2.17', library: 'libresolv.so.2', weak: false },
        { name: 'dlopen', weak: false }
      ],
      needed: ['libc.so.6', 'libdl.so.2']
    })
    expect(checkElfForPlatform(elf, ARM64, { glibcTarget: { version: '2.17', abi } })).toEqual([])
  })

  it('are only a warning when another library the plugin needs may define them', () => {
    const elf = plugin({ needed: ['libc.so.6', 'libfoo.so.1'], imports: [resSearch] })
    const notes = checkElfForPlatform(elf, AMD64, { glibcTarget: { version: '2.17', abi } })
    expect(notes.join('\n')).toContain('references __res_search without a version')
    expect(notes.join('\n')).toContain('libfoo.so.1')
  })

  it('without a glibc target, are a warning naming the glibc input', () => {
    const notes = checkElfForPlatform(plugin({ imports: [resSearch] }), AMD64)
    expect(notes.join('\n')).toMatch(/__res_search without a symbol version.*set the glibc input/)
  })

  it('the floor may not exceed the glibc target, and max-glibc still applies', () => {
    const elf = plugin({
      glibcFloor: '2.34',
      glibcSymbols: { 'GLIBC_2.34': ['pthread_create'] }
    })
    expect(() => checkElfForPlatform(elf, AMD64, { glibcTarget: { version: '2.17' } })).toThrow(
      /needs glibc 2.34, newer than the glibc input 2.17 \(GLIBC_2.34: pthread_create\)/
    )
    expect(() =>
      checkElfForPlatform(plugin(), AMD64, { glibcTarget: { version: '2.17' }, maxGlibc: '2.1' })
    ).toThrow(/newer than max-glibc 2.1/)
  })
})
