// What an older glibc provides, from the symbol database zig ships (lib/libc/glibc/abilists):
// for every symbol, in which glibc library (libc, libm, libresolv, ...), on which target, since
// which symbol version. zig builds its stub libraries for `<arch>-linux-gnu.<glibc>` from it, so
// it is exactly what a plugin built with that target was linked against.
//
// We use it for what the versioned floor cannot see: undefined symbols WITHOUT a version
// (falcosecurity/plugins#1500: `__res_search` from Go's cgo resolver, in libresolv before glibc
// 2.34, in libc since). The dynamic linker binds such a symbol to whatever library in scope
// defines it; on an older glibc that library may not be among the plugin's DT_NEEDED, or may not
// have it at all, and dlopen fails with "undefined symbol". Pure.
//
// Format (all integers little-endian; documented by ziglang/libc-abi-tools):
//   u8 library count, then NUL-terminated names ("c", "m", "dl", "pthread", ...)
//   u8 version count, then u8 major, u8 minor, u8 patch each, ascending
//   u8 target count, then NUL-terminated triples ("x86_64-linux-gnu", ...)
//   u16 function inclusion count, then inclusions; u16 object inclusion count, then inclusions.
//   An inclusion list for one symbol: its NUL-terminated name, then inclusions, each
//     uleb128 target bitset, (objects only: uleb128 size), u8 library index (bit 7: the last
//     inclusion of this symbol), then version indices (u8, bit 7 set on the last one).
// An inclusion says: on these targets, this library exports the symbol with these versions
// (GLIBC_<version>). A glibc of version V has it when one of those versions is <= V.
import { compareGlibcVersions } from './elf.js'

/** The library each abilists name stands for, as DT_NEEDED spells it. */
const SONAMES: Record<string, (arch: string) => string> = {
  c: () => 'libc.so.6',
  m: () => 'libm.so.6',
  dl: () => 'libdl.so.2',
  pthread: () => 'libpthread.so.0',
  rt: () => 'librt.so.1',
  util: () => 'libutil.so.1',
  resolv: () => 'libresolv.so.2',
  ld: (arch) => (arch === 'aarch64' ? 'ld-linux-aarch64.so.1' : 'ld-linux-x86-64.so.2')
}

interface Inclusion {
  /** Bit i: targets[i]. */
  targets: bigint
  library: number
  versions: number[]
}

export interface GlibcAbi {
  libraries: string[]
  /** "2.2.5", "2.17" (a zero patch is left out, as glibc writes versions). */
  versions: string[]
  targets: string[]
  /** Symbol name -> where it is exported. */
  symbols: Map<string, Inclusion[]>
}

export class AbilistsError extends Error {
  constructor(message: string) {
    super(`zig's glibc symbol database (abilists) is unreadable: ${message}`)
    this.name = 'AbilistsError'
  }
}

/** Parses an abilists file. Throws AbilistsError when it is damaged or truncated. */
export function parseAbilists(data: Uint8Array): GlibcAbi {
  const b = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  let at = 0
  const need = (n: number): void => {
    if (at + n > b.length) throw new AbilistsError(`truncated at byte ${at}`)
  }
  const u8 = (): number => {
    need(1)
    return b[at++]
  }
  const u16 = (): number => {
    need(2)
    const v = b.readUInt16LE(at)
    at += 2
    return v
  }
  const cstr = (): string => {
    const end = b.indexOf(0, at)
    if (end < 0) throw new AbilistsError(`unterminated name at byte ${at}`)
    const s = b.toString('latin1', at, end)
    at = end + 1
    return s
  }
  const uleb = (): bigint => {
    let value = 0n
    let shift = 0n
    for (;;) {
      const byte = u8()
      value |= BigInt(byte & 0x7f) << shift
      if ((byte & 0x80) === 0) return value
      shift += 7n
      if (shift > 70n) throw new AbilistsError(`overlong number at byte ${at}`)
    }
  }
  const libraries = Array.from({ length: u8() }, cstr)
  const versions = Array.from({ length: u8() }, () => {
    const [major, minor, patch] = [u8(), u8(), u8()]
    return patch === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`
  })
  const targets = Array.from({ length: u8() }, cstr)
  const symbols = new Map<string, Inclusion[]>()
  for (const objects of [false, true]) {
    const count = u16()
    let read = 0
    while (read < count) {
      const name = cstr()
      const list = symbols.get(name) ?? []
      symbols.set(name, list)
      for (;;) {
        const targetSet = uleb()
        if (objects) uleb() // the object's size: not needed here
        const lib = u8()
        const inclusion: Inclusion = { targets: targetSet, library: lib & 0x7f, versions: [] }
        for (;;) {
          const v = u8()
          if ((v & 0x7f) >= versions.length) throw new AbilistsError(`bad version index ${v}`)
          inclusion.versions.push(v & 0x7f)
          if (v & 0x80) break
        }
        if (inclusion.library >= libraries.length) {
          throw new AbilistsError(`bad library index ${inclusion.library}`)
        }
        list.push(inclusion)
        read++
        if (lib & 0x80 || read >= count) break
      }
    }
  }
  if (
    libraries.length === 0 ||
    versions.length === 0 ||
    targets.length === 0 ||
    symbols.size === 0
  ) {
    throw new AbilistsError('it lists no libraries, versions, targets or symbols')
  }
  return { libraries, versions, targets, symbols }
}

/** zig's glibc target name of an ELF/GNU machine: "x86_64-linux-gnu", "aarch64-linux-gnu". */
function targetIndex(abi: GlibcAbi, gnuTriplet: string): number {
  const i = abi.targets.indexOf(gnuTriplet)
  if (i < 0) throw new AbilistsError(`no target ${gnuTriplet} (it has ${abi.targets.join(', ')})`)
  return i
}

/** The oldest glibc zig can target for a triplet (2.2.5 on x86_64, 2.17 on aarch64). */
export function oldestGlibc(abi: GlibcAbi, gnuTriplet: string): string {
  const bit = 1n << BigInt(targetIndex(abi, gnuTriplet))
  let oldest: number | undefined
  for (const inclusions of abi.symbols.values()) {
    for (const inc of inclusions) {
      if ((inc.targets & bit) === 0n) continue
      const v = Math.min(...inc.versions)
      if (oldest === undefined || v < oldest) oldest = v
    }
  }
  return abi.versions[oldest ?? 0]
}

/** The newest glibc the database knows. */
export function newestGlibc(abi: GlibcAbi): string {
  return abi.versions[abi.versions.length - 1]
}

/**
 * The libraries (DT_NEEDED names) of glibc `version` on `gnuTriplet` that export `symbol`,
 * in any symbol version up to `version`.
 */
export function librariesDefining(
  abi: GlibcAbi,
  symbol: string,
  gnuTriplet: string,
  version: string
): string[] {
  const bit = 1n << BigInt(targetIndex(abi, gnuTriplet))
  const arch = gnuTriplet.split('-')[0]
  const found = new Set<string>()
  for (const inc of abi.symbols.get(symbol) ?? []) {
    if ((inc.targets & bit) === 0n) continue
    if (inc.versions.some((v) => compareGlibcVersions(abi.versions[v], version) <= 0)) {
      const lib = abi.libraries[inc.library]
      found.add(SONAMES[lib]?.(arch) ?? `lib${lib}.so`)
    }
  }
  return [...found].sort()
}

/** Whether a DT_NEEDED name is one of glibc's own libraries (those abilists describes). */
export function isGlibcLibrary(soname: string): boolean {
  return /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libutil\.so\.1|libresolv\.so\.2|ld-linux[-\w.]*\.so\.\d+)$/.test(
    soname
  )
}

/** An unversioned reference that the target glibc, as the plugin loads it, does not satisfy. */
export interface UnresolvedSymbol {
  name: string
  /** The target glibc's libraries that define it (not in DT_NEEDED); empty when none does. */
  definedIn: string[]
}

export interface UnversionedCheck {
  /** Nothing in scope at load time defines these: dlopen fails with "undefined symbol". */
  unresolved: UnresolvedSymbol[]
  /** Not in glibc, but the plugin needs other libraries that may define them. */
  unknown: string[]
}

/**
 * Checks the plugin's non-weak undefined symbols without a version against glibc `version` on
 * `gnuTriplet`: each must be defined by a glibc library the plugin lists in DT_NEEDED (or by the
 * dynamic linker, which libc always brings). The ones that are not are unresolved, unless the
 * plugin also needs non-glibc libraries, which (or whose own dependencies) may define them
 * (unknown: we cannot tell).
 */
export function checkUnversionedImports(
  elf: { needed: string[]; imports: Array<{ name: string; version?: string; weak: boolean }> },
  abi: GlibcAbi,
  gnuTriplet: string,
  version: string
): UnversionedCheck {
  const arch = gnuTriplet.split('-')[0]
  const inScope = new Set(elf.needed.filter(isGlibcLibrary))
  if (inScope.has('libc.so.6')) inScope.add(SONAMES.ld(arch))
  const others = elf.needed.some((n) => !isGlibcLibrary(n))
  const result: UnversionedCheck = { unresolved: [], unknown: [] }
  for (const imp of elf.imports) {
    if (imp.version !== undefined || imp.weak) continue
    const definedIn = librariesDefining(abi, imp.name, gnuTriplet, version)
    if (definedIn.some((l) => inScope.has(l))) continue
    // Another library (or what it needs in turn) may define it: we cannot tell.
    if (others) result.unknown.push(imp.name)
    else result.unresolved.push({ name: imp.name, definedIn })
  }
  return result
}
