// The ELF reader against tiny objects built with gcc (native x86-64 and, with Debian's cross
// compiler, AArch64), compared with what objdump -T and readelf say about the same files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  ET_DYN,
  ET_EXEC,
  ET_REL,
  ElfError,
  compareGlibcVersions,
  glibcVersionOf,
  parseElf,
  parseGlibcVersion,
  readElf,
  type ByteSource
} from '../../src/inspect/elf.js'
import {
  compileC,
  cPluginSource,
  objdumpDynamic,
  readelfFacts,
  truncatedCopy,
  withoutSectionHeaders
} from '../../test/helpers/fixtures.js'
import { requirePath, requireTool } from '../../test/helpers/tools.js'

const MEMCPY = `#include <string.h>
void copy(char *d, const char *s, size_t n) { memcpy(d, s, n); }
__attribute__((visibility("hidden"))) int hidden_fn(void) { return 1; }
static int local_fn(void) { return 2; }
int uses_local(void) { return local_fn(); }
int exported_data = 3;
`
const PTHREAD = `#include <pthread.h>
static void *run(void *a) { return a; }
int start(void) { pthread_t t; return pthread_create(&t, 0, run, 0); }
`
const NOLIBC = 'int answer(void) { return 42; }\n'
// Named by triplet, so the tests build the same objects on any host.
const X86 = 'x86_64-linux-gnu-gcc'

function bufferSource(buffer: Buffer, name = 'buffer'): ByteSource {
  return {
    name,
    size: buffer.length,
    read: async (offset, length) => buffer.subarray(offset, offset + length)
  }
}

/** The ELF64 section headers of a file, with where each one is. */
function sectionHeaders(elf: Buffer): { at: number; type: number; offset: number }[] {
  const shoff = Number(elf.readBigUInt64LE(0x28))
  const count = elf.readUInt16LE(0x3c)
  return Array.from({ length: count }, (_, i) => {
    const at = shoff + i * 64
    return { at, type: elf.readUInt32LE(at + 4), offset: Number(elf.readBigUInt64LE(at + 24)) }
  })
}

/** The entries of the PT_DYNAMIC segment, with where each one is. */
function dynamicEntries(elf: Buffer): { at: number; tag: number }[] {
  const phoff = Number(elf.readBigUInt64LE(0x20))
  for (let i = 0; i < elf.readUInt16LE(0x38); i++) {
    const ph = phoff + i * 56
    if (elf.readUInt32LE(ph) !== 2) continue
    const offset = Number(elf.readBigUInt64LE(ph + 8))
    const size = Number(elf.readBigUInt64LE(ph + 32))
    return Array.from({ length: size / 16 }, (_, j) => ({
      at: offset + j * 16,
      tag: Number(elf.readBigInt64LE(offset + j * 16))
    }))
  }
  return []
}

describe('readElf on gcc-built objects', () => {
  let dir: string
  const so: Record<string, string> = {}

  beforeAll(async () => {
    requireTool('x86_64-linux-gnu-gcc')
    requireTool('aarch64-linux-gnu-gcc')
    dir = mkdtempSync(join(tmpdir(), 'fpr-elf-'))
    const c = (name: string, source: string, extra: Partial<Parameters<typeof compileC>[0]> = {}) =>
      compileC({ source, out: join(dir, name), cc: X86, ...extra }).then((p) => (so[name] = p))
    const arm = { cc: 'aarch64-linux-gnu-gcc' }
    await Promise.all([
      c('memcpy.so', MEMCPY),
      c('pthread.so', PTHREAD),
      c('nolibc.so', NOLIBC, { args: ['-shared', '-fPIC', '-nostdlib'] }),
      c('sysv-hash.so', PTHREAD, { args: ['-shared', '-fPIC', '-Wl,--hash-style=sysv'] }),
      c('plugin.so', cPluginSource()),
      c('memcpy-arm64.so', MEMCPY, arm),
      c('pthread-arm64.so', PTHREAD, arm),
      c('plugin-arm64.so', cPluginSource(), arm),
      c('exe', 'int main(void) { return 0; }\n', { args: ['-no-pie'] }),
      c('pie', 'int main(void) { return 0; }\n', { args: ['-pie', '-fPIE'] }),
      c('object.o', MEMCPY, { args: ['-c', '-fPIC'] }),
      c('i386.so', NOLIBC, { args: ['-m32', '-shared', '-fPIC', '-nostdlib'] })
    ])
  }, 120_000)
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('reads an x86-64 shared object that needs memcpy@GLIBC_2.14', async () => {
    const elf = await readElf(so['memcpy.so'])
    expect(elf).toMatchObject({
      path: so['memcpy.so'],
      machine: 62,
      machineName: 'x86-64',
      architecture: 'amd64',
      type: ET_DYN,
      isPie: false,
      isSharedObject: true,
      needed: ['libc.so.6'],
      glibcFloor: '2.14',
      symbolSource: 'sections'
    })
    // Hidden and static functions are not exported; data is not a function.
    expect(elf.exports).toEqual(['copy', 'uses_local'])
    expect(elf.glibcSymbols).toEqual({
      'GLIBC_2.14': ['memcpy'],
      'GLIBC_2.2.5': ['__cxa_finalize']
    })
    expect(elf.imports).toContainEqual({
      name: 'memcpy',
      version: 'GLIBC_2.14',
      library: 'libc.so.6',
      weak: false
    })
    expect(elf.imports).toContainEqual({
      name: '__cxa_finalize',
      version: 'GLIBC_2.2.5',
      library: 'libc.so.6',
      weak: true
    })
  })

  it('finds GLIBC_2.34 for pthread_create, which moved into libc in glibc 2.34', async () => {
    const elf = await readElf(so['pthread.so'])
    expect(elf.glibcFloor).toBe('2.34')
    expect(elf.glibcSymbols['GLIBC_2.34']).toEqual(['pthread_create'])
    expect(elf.versionsNeeded).toContainEqual({
      library: 'libc.so.6',
      version: 'GLIBC_2.34',
      weak: false
    })
  })

  it('reports no glibc floor for an object that needs no C library', async () => {
    const elf = await readElf(so['nolibc.so'])
    expect(elf.glibcFloor).toBeUndefined()
    expect(elf.glibcSymbols).toEqual({})
    expect(elf.needed).toEqual([])
    expect(elf.exports).toEqual(['answer'])
  })

  it('reads AArch64 objects built with the cross compiler', async () => {
    const memcpy = await readElf(so['memcpy-arm64.so'])
    expect(memcpy).toMatchObject({
      machine: 183,
      machineName: 'AArch64',
      architecture: 'arm64',
      isSharedObject: true,
      needed: ['libc.so.6'],
      glibcFloor: '2.17', // the first glibc for AArch64
      exports: ['copy', 'uses_local']
    })
    const pthread = await readElf(so['pthread-arm64.so'])
    expect(pthread.glibcFloor).toBe('2.34')
    expect(pthread.glibcSymbols['GLIBC_2.34']).toEqual(['pthread_create'])
  })

  it('lists the plugin_* functions of a C plugin on both architectures', async () => {
    for (const name of ['plugin.so', 'plugin-arm64.so']) {
      const elf = await readElf(so[name])
      expect(elf.exports.filter((s) => s.startsWith('plugin_'))).toEqual(
        [
          'plugin_destroy',
          'plugin_extract_fields',
          'plugin_get_contact',
          'plugin_get_description',
          'plugin_get_fields',
          'plugin_get_last_error',
          'plugin_get_name',
          'plugin_get_required_api_version',
          'plugin_get_version',
          'plugin_init'
        ].sort()
      )
    }
  })

  it('agrees with objdump -T and readelf on every shared object', async () => {
    const names = Object.keys(so).filter((n) => n.endsWith('.so') && n !== 'i386.so')
    for (const name of names) {
      const elf = await readElf(so[name])
      const ref = await objdumpDynamic(so[name])
      const facts = await readelfFacts(so[name])
      expect({ name, exports: elf.exports, glibc: elf.glibcSymbols }).toEqual({
        name,
        exports: ref.exports,
        glibc: ref.glibcSymbols
      })
      expect({ name, needed: elf.needed }).toEqual({ name, needed: facts.needed })
      expect(elf.versionsNeeded.map((v) => v.version).sort()).toEqual(
        facts.versionsNeeded.slice().sort()
      )
      expect(facts.type).toBe('DYN')
    }
  })

  it("agrees with objdump -T on Debian's arm64 libc and libm (IFUNCs, symbol versions)", async () => {
    const lib = requirePath('/usr/aarch64-linux-gnu/lib')
    for (const name of ['libc.so.6', 'libm.so.6']) {
      const path = join(lib, name)
      const elf = await readElf(path)
      const ref = await objdumpDynamic(path)
      expect(elf.exports).toEqual(ref.exports)
      expect(elf.glibcSymbols).toEqual(ref.glibcSymbols)
      // libc.so.6 has an interpreter (it can be run) but is a shared object.
      expect(elf).toMatchObject({ architecture: 'arm64', isSharedObject: true, isPie: false })
      expect(elf.exports.length).toBeGreaterThan(name === 'libc.so.6' ? 2000 : 400)
    }
    expect((await readElf(join(lib, 'libc.so.6'))).soname).toBe('libc.so.6')
  })

  it('reads the same facts through the dynamic segment when section headers are stripped', async () => {
    // DT_GNU_HASH (gcc's default) and DT_HASH (--hash-style=sysv) give the symbol count.
    const libc = requirePath('/usr/aarch64-linux-gnu/lib/libc.so.6')
    for (const name of ['memcpy.so', 'pthread-arm64.so', 'sysv-hash.so', 'plugin.so', 'libc']) {
      const path = name === 'libc' ? libc : so[name]
      const stripped = await withoutSectionHeaders(path, join(dir, `stripped-${name}`))
      const a = await readElf(path)
      const b = await readElf(stripped)
      expect(b.symbolSource).toBe('dynamic')
      expect({ ...b, path: a.path, symbolSource: a.symbolSource }).toEqual(a)
    }
  })

  it('tells executables and object files from shared objects', async () => {
    const exe = await readElf(so['exe'])
    expect(exe).toMatchObject({ type: ET_EXEC, isSharedObject: false, isPie: false })
    expect((await readelfFacts(so['exe'])).type).toBe('EXEC')
    // A PIE is ET_DYN too: its interpreter and DF_1_PIE give it away.
    const pie = await readElf(so['pie'])
    expect(pie).toMatchObject({ type: ET_DYN, isSharedObject: false, isPie: true })
    const obj = await readElf(so['object.o'])
    expect(obj).toMatchObject({ type: ET_REL, isSharedObject: false, exports: [], needed: [] })
  })

  it('refuses a 32-bit ELF file, naming its machine', async () => {
    await expect(readElf(so['i386.so'])).rejects.toThrow(
      `${so['i386.so']}: a 32-bit ELF file (ELFCLASS32, Intel 80386); Falco plugins are 64-bit ` +
        'shared objects (linux/amd64 or linux/arm64)'
    )
    await expect(readElf(so['i386.so'])).rejects.toBeInstanceOf(ElfError)
  })

  it('refuses files that are not ELF, saying what they look like', async () => {
    const text = join(dir, 'text.so')
    writeFileSync(text, 'hello world\n')
    await expect(readElf(text)).rejects.toThrow(
      `${text}: not an ELF file (it starts with bytes 68656c6c); a Falco plugin is a Linux .so`
    )
    const empty = join(dir, 'empty.so')
    writeFileSync(empty, '')
    await expect(readElf(empty)).rejects.toThrow('not an ELF file (the file is empty)')
    const archive = join(dir, 'lib.a')
    writeFileSync(archive, '!<arch>\n/               0           0     0     0       4         `\n')
    await expect(readElf(archive)).rejects.toThrow(
      'it is an ar archive (a static library): build with -buildmode=c-shared, not c-archive'
    )
    const macho = Buffer.alloc(64)
    macho.writeUInt32LE(0xfeedfacf, 0)
    await expect(parseElf(bufferSource(macho, 'lib.dylib'))).rejects.toThrow(
      'lib.dylib: not an ELF file (it is a macOS Mach-O binary: build the plugin on Linux)'
    )
    await expect(readElf(join(dir, 'missing.so'))).rejects.toThrow(
      `plugin file '${join(dir, 'missing.so')}' does not exist`
    )
    await expect(readElf(dir)).rejects.toThrow(`'${dir}' is not a regular file`)
  })

  it('refuses a big-endian ELF file', async () => {
    const head = Buffer.alloc(64)
    head.write('\x7fELF', 0, 'latin1')
    head[4] = 2 // ELFCLASS64
    head[5] = 2 // ELFDATA2MSB
    head.writeUInt16BE(22, 18) // EM_S390
    await expect(parseElf(bufferSource(head, 's390x.so'))).rejects.toThrow(
      's390x.so: a big-endian ELF file (IBM S/390); Falco plugins are little-endian'
    )
  })

  it('reads the section count from section 0 with extended numbering', async () => {
    const elf = readFileSync(so['memcpy.so'])
    const count = elf.readUInt16LE(0x3c)
    const extended = Buffer.from(elf)
    extended.writeUInt16LE(0, 0x3c)
    extended.writeBigUInt64LE(BigInt(count), Number(elf.readBigUInt64LE(0x28)) + 32)
    const a = await readElf(so['memcpy.so'])
    const b = await parseElf(bufferSource(extended, so['memcpy.so']))
    expect(b).toEqual(a)
    // A count from section 0 cannot make the reader allocate gigabytes.
    extended.writeBigUInt64LE(1n << 24n, Number(elf.readBigUInt64LE(0x28)) + 32)
    await expect(parseElf(bufferSource(extended, 'huge.so'))).rejects.toThrow(
      'huge.so: damaged ELF file: the section headers claims 1073741824 bytes'
    )
  })

  it('refuses damaged tables with the table named', async () => {
    const elf = readFileSync(so['memcpy.so'])
    const damaged = (change: (b: Buffer) => void): ByteSource => {
      const b = Buffer.from(elf)
      change(b)
      return bufferSource(b, 'damaged.so')
    }
    await expect(
      parseElf(damaged((b) => b.writeBigUInt64LE(0xffffffffffffffffn, 0x20)))
    ).rejects.toThrow('damaged.so: damaged ELF file: the program headers has an invalid offset')
    // A version need whose first entry lies past the end of .gnu.version_r.
    const verneed = sectionHeaders(elf).find((s) => s.type === 0x6ffffffe)
    expect(verneed).toBeDefined()
    await expect(
      parseElf(damaged((b) => b.writeUInt32LE(0x7fff0000, (verneed?.offset ?? 0) + 8)))
    ).rejects.toThrow('damaged.so: damaged ELF file: .gnu.version_r is truncated')
    // Without section headers, a dynamic tag pointing outside every loaded segment.
    const stripped = readFileSync(await withoutSectionHeaders(so['memcpy.so'], join(dir, 's.so')))
    const strtab = dynamicEntries(stripped).find((d) => d.tag === 5)
    expect(strtab).toBeDefined()
    const unloaded = Buffer.from(stripped)
    unloaded.writeBigUInt64LE(0x7fff0000n, (strtab?.at ?? 0) + 8)
    await expect(parseElf(bufferSource(unloaded, 'stripped.so'))).rejects.toThrow(
      'stripped.so: damaged ELF file: DT_STRTAB (0x7fff0000) is not loaded'
    )
  })

  it('reports a truncated file instead of reading past its end', async () => {
    const cut = await truncatedCopy(so['memcpy.so'], join(dir, 'cut.so'), 200)
    await expect(readElf(cut)).rejects.toThrow(
      /cut\.so: truncated or damaged ELF file: it ends at byte 200, before the end of the program headers \(bytes 64\.\.\d+\)$/
    )
    const tiny = await truncatedCopy(so['memcpy.so'], join(dir, 'tiny.so'), 40)
    await expect(readElf(tiny)).rejects.toThrow('truncated ELF file: the header is incomplete')
  })
})

describe('glibc versions', () => {
  it('extracts and compares versions numerically', () => {
    expect(glibcVersionOf('GLIBC_2.34')).toBe('2.34')
    expect(glibcVersionOf('GLIBC_2.2.5')).toBe('2.2.5')
    expect(glibcVersionOf('GLIBC_PRIVATE')).toBeUndefined()
    expect(glibcVersionOf('GCC_3.0')).toBeUndefined()
    expect(parseGlibcVersion('2.31')).toBe('2.31')
    expect(parseGlibcVersion(' GLIBC_2.17 ')).toBe('2.17')
    expect(parseGlibcVersion('glibc 2.28')).toBe('2.28')
    expect(parseGlibcVersion('bullseye')).toBeUndefined()
    expect(parseGlibcVersion('2')).toBeUndefined()
    expect(compareGlibcVersions('2.3.2', '2.17')).toBe(-1)
    expect(compareGlibcVersions('2.34', '2.4')).toBe(1)
    expect(compareGlibcVersions('2.17', '2.17.0')).toBe(0)
  })
})
