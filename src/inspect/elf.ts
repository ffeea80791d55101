// A small ELF64 little-endian reader: what a plugin .so is (class, machine, type), what it
// exports (the dynamic symbol table), what it needs (DT_NEEDED) and which glibc symbol versions it
// references (.gnu.version + .gnu.version_r), hence the oldest glibc that can load it.
//
// It reads only the parts it needs (headers, dynamic symbols, strings, version tables), through
// the section headers like objdump -T, or through the dynamic segment (DT_SYMTAB, DT_STRTAB,
// DT_VERSYM, DT_VERNEED, DT_GNU_HASH/DT_HASH) when the section headers are stripped, like ld.so.
// Pure except for readElf(), which reads a file; parseElf() takes any byte source.
import { open } from 'node:fs/promises'
import { elfMachineName, goarchOfElfMachine } from '../platform/platform.js'

/** ELF e_type values. */
export const ET_REL = 1
export const ET_EXEC = 2
export const ET_DYN = 3
export const ET_CORE = 4

/** A symbol the object takes from another one (an undefined dynamic symbol). */
export interface ElfImport {
  name: string
  /** Symbol version, e.g. "GLIBC_2.34"; absent for unversioned references. */
  version?: string
  /** The library that must provide that version (vn_file), e.g. "libc.so.6". */
  library?: string
  /** A weak reference: loading does not fail when nothing defines it. */
  weak: boolean
}

/** One entry of .gnu.version_r: the object needs this version of this library. */
export interface ElfVersionNeed {
  library: string
  version: string
  /** VER_FLG_WEAK: ld.so only warns when the version is missing. */
  weak: boolean
}

export interface ElfInfo {
  /** The file that was read. */
  path: string
  /** e_machine (EM_X86_64 = 62, EM_AARCH64 = 183, ...). */
  machine: number
  /** "x86-64", "AArch64", ... */
  machineName: string
  /** Go architecture of the machine ("amd64", "arm64", "386", ...), or "unknown". */
  architecture: string
  /** e_type: ET_REL, ET_EXEC, ET_DYN, ET_CORE. */
  type: number
  /** A position-independent executable: ET_DYN, but with DF_1_PIE or an interpreter. */
  isPie: boolean
  /** ET_DYN and not an executable: something dlopen is meant to load. */
  isSharedObject: boolean
  /** DT_SONAME, when set. */
  soname?: string
  /** DT_NEEDED entries, in order. */
  needed: string[]
  /** Exported (defined, global or weak, default or protected visibility) functions, sorted. */
  exports: string[]
  /** Undefined dynamic symbols, sorted by name. */
  imports: ElfImport[]
  /** Every version needed from other libraries (.gnu.version_r), in file order. */
  versionsNeeded: ElfVersionNeed[]
  /** The highest non-weak GLIBC_x.y version needed, without the prefix ("2.34"). */
  glibcFloor?: string
  /** Every GLIBC_* version needed → the symbols that reference it (sorted; may be empty). */
  glibcSymbols: Record<string, string[]>
  /** Where the dynamic symbols were found. */
  symbolSource: 'sections' | 'dynamic' | 'none'
}

/** The file is not an ELF64 little-endian object, or it is damaged. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ElfError'
  }
}

/** Random access to the bytes of a file (or a Buffer, in tests). */
export interface ByteSource {
  /** Name used in messages. */
  name: string
  size: number
  /** Exactly `length` bytes at `offset`; the caller checks the range. */
  read(offset: number, length: number): Promise<Buffer>
}

export function bufferSource(buffer: Buffer, name = 'buffer'): ByteSource {
  return {
    name,
    size: buffer.length,
    read: async (offset, length) => buffer.subarray(offset, offset + length)
  }
}

// ---------------------------------------------------------------------------------------------
// Constants (elf.h)

const ELFCLASS32 = 1
const ELFCLASS64 = 2
const ELFDATA2LSB = 1
const ELFDATA2MSB = 2

const PT_LOAD = 1
const PT_DYNAMIC = 2
const PT_INTERP = 3

const SHT_DYNAMIC = 6
const SHT_DYNSYM = 11
const SHT_GNU_VERNEED = 0x6ffffffe
const SHT_GNU_VERSYM = 0x6fffffff

const SHN_UNDEF = 0

const DT_NULL = 0
const DT_NEEDED = 1
const DT_HASH = 4
const DT_STRTAB = 5
const DT_SYMTAB = 6
const DT_STRSZ = 10
const DT_SYMENT = 11
const DT_SONAME = 14
const DT_GNU_HASH = 0x6ffffef5
const DT_VERSYM = 0x6ffffff0
const DT_FLAGS_1 = 0x6ffffffb
const DT_VERNEED = 0x6ffffffe
const DT_VERNEEDNUM = 0x6fffffff
const DF_1_PIE = 0x08000000

const STB_LOCAL = 0
const STB_WEAK = 2
const STT_FUNC = 2
const STT_GNU_IFUNC = 10
const STV_HIDDEN = 2
const STV_INTERNAL = 1

const VER_FLG_WEAK = 2
const VERSYM_HIDDEN = 0x8000

const EHDR_SIZE = 64
const PHDR_SIZE = 56
const SHDR_SIZE = 64
const SYM_SIZE = 24
const DYN_SIZE = 16

/** Sanity limits, so a damaged header cannot make us allocate gigabytes. */
const MAX_TABLE_BYTES = 256 * 1024 * 1024
const MAX_VERNEED = 100_000

// ---------------------------------------------------------------------------------------------
// Reading helpers

interface Ctx {
  src: ByteSource
}

function fail(ctx: Ctx, what: string): never {
  throw new ElfError(`${ctx.src.name}: ${what}`)
}

/** Reads a range after checking it lies inside the file. */
async function readRange(ctx: Ctx, offset: number, length: number, what: string): Promise<Buffer> {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    fail(ctx, `damaged ELF file: ${what} has an invalid offset or size`)
  }
  if (length > MAX_TABLE_BYTES) {
    fail(ctx, `damaged ELF file: ${what} claims ${length} bytes`)
  }
  if (offset + length > ctx.src.size) {
    fail(
      ctx,
      `truncated or damaged ELF file: it ends at byte ${ctx.src.size}, before the end of ` +
        `${what} (bytes ${offset}..${offset + length})`
    )
  }
  return ctx.src.read(offset, length)
}

function u64(b: Buffer, at: number): number {
  const v = b.readBigUInt64LE(at)
  return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER + 1 : Number(v)
}

/** A NUL-terminated string at `at` of a string table. */
function cstr(table: Buffer, at: number): string {
  if (at < 0 || at >= table.length) return ''
  const end = table.indexOf(0, at)
  return table.toString('utf8', at, end === -1 ? table.length : end)
}

interface Segment {
  type: number
  offset: number
  vaddr: number
  filesz: number
}

interface Section {
  name: number
  type: number
  offset: number
  size: number
  link: number
  info: number
  entsize: number
}

interface DynamicEntry {
  tag: number
  value: number
}

/** File offset of a virtual address, through the PT_LOAD segments. */
function offsetOfAddress(segments: Segment[], addr: number): number | undefined {
  for (const s of segments) {
    if (s.type === PT_LOAD && addr >= s.vaddr && addr < s.vaddr + s.filesz) {
      return addr - s.vaddr + s.offset
    }
  }
  return undefined
}

/** A short description of what a non-ELF file looks like, for the error. */
function describeNonElf(head: Buffer): string {
  if (head.length === 0) return 'the file is empty'
  const text = head.toString('latin1')
  if (text.startsWith('!<arch>\n')) {
    return 'it is an ar archive (a static library): build with -buildmode=c-shared, not c-archive'
  }
  if (text.startsWith('#!')) return 'it is a script'
  if (head.length >= 4) {
    const m = head.readUInt32LE(0)
    if ([0xfeedfacf, 0xfeedface, 0xcafebabe, 0xcffaedfe, 0xcefaedfe, 0xbebafeca].includes(m)) {
      return 'it is a macOS Mach-O binary: build the plugin on Linux'
    }
  }
  if (text.startsWith('MZ')) return 'it is a Windows PE binary: build the plugin on Linux'
  if (head[0] === 0x1f && head[1] === 0x8b) return 'it is gzip data (an archive?)'
  return `it starts with bytes ${head.subarray(0, 4).toString('hex')}`
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** Parses the ELF object behind a ByteSource. Throws ElfError for anything but ELF64 LE. */
export async function parseElf(src: ByteSource): Promise<ElfInfo> {
  const ctx: Ctx = { src }
  const head = await src.read(0, Math.min(EHDR_SIZE, src.size))
  if (head.length < 4 || head.readUInt32BE(0) !== 0x7f454c46) {
    fail(ctx, `not an ELF file (${describeNonElf(head)}); a Falco plugin is a Linux .so`)
  }
  if (head.length < 20) fail(ctx, 'truncated ELF file: the header is incomplete')
  const cls = head[4]
  const data = head[5]
  const machineAt = data === ELFDATA2MSB ? head.readUInt16BE(18) : head.readUInt16LE(18)
  if (cls === ELFCLASS32) {
    fail(
      ctx,
      `a 32-bit ELF file (ELFCLASS32, ${elfMachineName(machineAt)}); Falco plugins are 64-bit ` +
        'shared objects (linux/amd64 or linux/arm64)'
    )
  }
  if (cls !== ELFCLASS64) fail(ctx, `an ELF file of unknown class ${cls}`)
  if (data !== ELFDATA2LSB) {
    const what = data === ELFDATA2MSB ? 'big-endian' : `of unknown data encoding ${data}`
    fail(
      ctx,
      `a ${what} ELF file (${elfMachineName(machineAt)}); Falco plugins are little-endian ` +
        '(linux/amd64 or linux/arm64)'
    )
  }
  if (head.length < EHDR_SIZE) fail(ctx, 'truncated ELF file: the header is incomplete')

  const type = head.readUInt16LE(16)
  const machine = head.readUInt16LE(18)
  const phoff = u64(head, 0x20)
  const shoff = u64(head, 0x28)
  const phentsize = head.readUInt16LE(0x36)
  const phnum = head.readUInt16LE(0x38)
  const shentsize = head.readUInt16LE(0x3a)
  let shnum = head.readUInt16LE(0x3c)

  // Program headers.
  const segments: Segment[] = []
  if (phoff !== 0 && phnum > 0) {
    if (phentsize < PHDR_SIZE) fail(ctx, `damaged ELF file: e_phentsize is ${phentsize}`)
    const ph = await readRange(ctx, phoff, phnum * phentsize, 'the program headers')
    for (let i = 0; i < phnum; i++) {
      const at = i * phentsize
      segments.push({
        type: ph.readUInt32LE(at),
        offset: u64(ph, at + 8),
        vaddr: u64(ph, at + 16),
        filesz: u64(ph, at + 32)
      })
    }
  }

  // Section headers (absent in sstripped files).
  const sections: Section[] = []
  if (shoff !== 0) {
    if (shentsize < SHDR_SIZE) fail(ctx, `damaged ELF file: e_shentsize is ${shentsize}`)
    if (shnum === 0) {
      // Extended numbering: the count is in section 0's sh_size.
      const s0 = await readRange(ctx, shoff, SHDR_SIZE, 'section header 0')
      shnum = u64(s0, 32)
    }
    const sh = await readRange(ctx, shoff, shnum * shentsize, 'the section headers')
    for (let i = 0; i < shnum; i++) {
      const at = i * shentsize
      sections.push({
        name: sh.readUInt32LE(at),
        type: sh.readUInt32LE(at + 4),
        offset: u64(sh, at + 24),
        size: u64(sh, at + 32),
        link: sh.readUInt32LE(at + 40),
        info: sh.readUInt32LE(at + 44),
        entsize: u64(sh, at + 56)
      })
    }
  }
  const sectionAt = (index: number, what: string): Section => {
    const s = sections[index]
    if (!s || index === SHN_UNDEF) fail(ctx, `damaged ELF file: ${what} links to section ${index}`)
    return s
  }
  const sectionOfType = (t: number): Section | undefined => sections.find((s) => s.type === t)

  // The dynamic table.
  const dynamic: DynamicEntry[] = []
  const dynSection = sectionOfType(SHT_DYNAMIC)
  const dynSegment = segments.find((s) => s.type === PT_DYNAMIC)
  const dynRange = dynSection
    ? { offset: dynSection.offset, size: dynSection.size }
    : dynSegment
      ? { offset: dynSegment.offset, size: dynSegment.filesz }
      : undefined
  if (dynRange) {
    const count = Math.floor(dynRange.size / DYN_SIZE)
    const dyn = await readRange(ctx, dynRange.offset, count * DYN_SIZE, 'the dynamic table')
    for (let i = 0; i < count; i++) {
      const tag = Number(dyn.readBigInt64LE(i * DYN_SIZE))
      if (tag === DT_NULL) break
      dynamic.push({ tag, value: u64(dyn, i * DYN_SIZE + 8) })
    }
  }
  const dt = (tag: number): number | undefined => dynamic.find((d) => d.tag === tag)?.value
  const addressToOffset = (addr: number, what: string): number => {
    const off = offsetOfAddress(segments, addr)
    if (off === undefined)
      fail(ctx, `damaged ELF file: ${what} (0x${addr.toString(16)}) is not loaded`)
    return off
  }

  // The dynamic string table: the section linked from .dynamic (or .dynsym), else DT_STRTAB.
  let dynstr: Buffer | undefined
  const dynstrIndex = dynSection?.link ?? sectionOfType(SHT_DYNSYM)?.link
  if (dynstrIndex !== undefined && dynstrIndex !== SHN_UNDEF) {
    const s = sectionAt(dynstrIndex, 'the dynamic section')
    dynstr = await readRange(ctx, s.offset, s.size, 'the dynamic string table')
  } else if (dt(DT_STRTAB) !== undefined) {
    const off = addressToOffset(dt(DT_STRTAB) as number, 'DT_STRTAB')
    const size = dt(DT_STRSZ) ?? 0
    dynstr = await readRange(ctx, off, size, 'the dynamic string table (DT_STRTAB)')
  }
  const str = (at: number): string => (dynstr ? cstr(dynstr, at) : '')

  // Dynamic symbols, and their version indices.
  let symbolSource: ElfInfo['symbolSource'] = 'none'
  let symtab: Buffer | undefined
  let symEntSize = SYM_SIZE
  let symCount = 0
  let versym: Buffer | undefined
  const dynsymSection = sectionOfType(SHT_DYNSYM)
  if (dynsymSection) {
    symbolSource = 'sections'
    symEntSize = dynsymSection.entsize || SYM_SIZE
    if (symEntSize < SYM_SIZE) fail(ctx, `damaged ELF file: .dynsym entries of ${symEntSize} bytes`)
    symCount = Math.floor(dynsymSection.size / symEntSize)
    symtab = await readRange(ctx, dynsymSection.offset, symCount * symEntSize, '.dynsym')
    const vs = sectionOfType(SHT_GNU_VERSYM)
    if (vs)
      versym = await readRange(ctx, vs.offset, Math.min(vs.size, symCount * 2), '.gnu.version')
  } else if (dt(DT_SYMTAB) !== undefined) {
    symbolSource = 'dynamic'
    symEntSize = dt(DT_SYMENT) ?? SYM_SIZE
    if (symEntSize < SYM_SIZE) fail(ctx, `damaged ELF file: DT_SYMENT is ${symEntSize}`)
    symCount = await dynamicSymbolCount(ctx, segments, dt)
    const off = addressToOffset(dt(DT_SYMTAB) as number, 'DT_SYMTAB')
    symtab = await readRange(ctx, off, symCount * symEntSize, 'the dynamic symbols (DT_SYMTAB)')
    if (dt(DT_VERSYM) !== undefined) {
      const voff = addressToOffset(dt(DT_VERSYM) as number, 'DT_VERSYM')
      versym = await readRange(ctx, voff, symCount * 2, 'the symbol versions (DT_VERSYM)')
    }
  }

  // Version needs: version index (vna_other) → { library, version }.
  const versionsNeeded: ElfVersionNeed[] = []
  const versionByIndex = new Map<number, { library: string; version: string }>()
  let verneed:
    { record: (at: number) => Promise<Buffer>; count: number; strings?: Buffer } | undefined
  const verneedSection = sectionOfType(SHT_GNU_VERNEED)
  if (verneedSection) {
    let strings = dynstr
    if (verneedSection.link !== SHN_UNDEF && verneedSection.link !== dynstrIndex) {
      const s = sectionAt(verneedSection.link, '.gnu.version_r')
      strings = await readRange(ctx, s.offset, s.size, 'the .gnu.version_r strings')
    }
    const data = await readRange(ctx, verneedSection.offset, verneedSection.size, '.gnu.version_r')
    verneed = {
      record: async (at) => {
        if (at < 0 || at + 16 > data.length)
          fail(ctx, 'damaged ELF file: .gnu.version_r is truncated')
        return data.subarray(at, at + 16)
      },
      count: verneedSection.info,
      strings
    }
  } else if (dt(DT_VERNEED) !== undefined) {
    // Without section headers the table's size is unknown: read it record by record.
    const base = addressToOffset(dt(DT_VERNEED) as number, 'DT_VERNEED')
    verneed = {
      record: (at) => readRange(ctx, base + at, 16, 'the version needs (DT_VERNEED)'),
      count: dt(DT_VERNEEDNUM) ?? 0,
      strings: dynstr
    }
  }
  if (verneed) {
    const { record, strings } = verneed
    const name = (at: number): string => (strings ? cstr(strings, at) : '')
    let at = 0
    for (let i = 0; i < Math.min(verneed.count, MAX_VERNEED); i++) {
      const vn = await record(at)
      const cnt = vn.readUInt16LE(2)
      const library = name(vn.readUInt32LE(4))
      let aux = at + vn.readUInt32LE(8)
      for (let j = 0; j < cnt; j++) {
        const vna = await record(aux)
        const flags = vna.readUInt16LE(4)
        const other = vna.readUInt16LE(6)
        const version = name(vna.readUInt32LE(8))
        versionsNeeded.push({ library, version, weak: (flags & VER_FLG_WEAK) !== 0 })
        versionByIndex.set(other & ~VERSYM_HIDDEN, { library, version })
        const next = vna.readUInt32LE(12)
        if (next === 0) break
        aux += next
      }
      const next = vn.readUInt32LE(12)
      if (next === 0) break
      at += next
    }
  }

  // Walk the symbols.
  const exports = new Set<string>()
  const imports: ElfImport[] = []
  if (symtab) {
    for (let i = 1; i < symCount; i++) {
      const at = i * symEntSize
      const nameAt = symtab.readUInt32LE(at)
      const info = symtab[at + 4]
      const other = symtab[at + 5]
      const shndx = symtab.readUInt16LE(at + 6)
      const bind = info >> 4
      const stype = info & 0xf
      const visibility = other & 3
      if (bind === STB_LOCAL) continue
      const name = str(nameAt)
      if (name === '') continue
      if (shndx === SHN_UNDEF) {
        const imp: ElfImport = { name, weak: bind === STB_WEAK }
        const index =
          versym && i * 2 + 2 <= versym.length ? versym.readUInt16LE(i * 2) & ~VERSYM_HIDDEN : 0
        const v = index >= 2 ? versionByIndex.get(index) : undefined
        if (v) {
          imp.version = v.version
          imp.library = v.library
        }
        imports.push(imp)
      } else if (
        (stype === STT_FUNC || stype === STT_GNU_IFUNC) &&
        visibility !== STV_HIDDEN &&
        visibility !== STV_INTERNAL
      ) {
        exports.add(name)
      }
    }
  }

  const glibcSymbols: Record<string, string[]> = {}
  let floor: string | undefined
  for (const v of versionsNeeded) {
    const n = glibcVersionOf(v.version)
    if (n === undefined) continue
    glibcSymbols[v.version] ??= []
    if (!v.weak && (floor === undefined || compareGlibcVersions(n, floor) > 0)) floor = n
  }
  for (const imp of imports) {
    if (imp.version && glibcSymbols[imp.version]) glibcSymbols[imp.version].push(imp.name)
  }
  for (const k of Object.keys(glibcSymbols)) {
    glibcSymbols[k] = [...new Set(glibcSymbols[k])].sort()
  }
  imports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))

  const flags1 = dt(DT_FLAGS_1) ?? 0
  const soname = dt(DT_SONAME)
  // DF_1_PIE marks a PIE; older linkers left only the interpreter. libc.so.6 has one too (it
  // runs), but also a SONAME, which executables lack.
  const isPie =
    type === ET_DYN &&
    ((flags1 & DF_1_PIE) !== 0 ||
      (soname === undefined && segments.some((s) => s.type === PT_INTERP)))
  const info: ElfInfo = {
    path: src.name,
    machine,
    machineName: elfMachineName(machine),
    architecture: goarchOfElfMachine(machine) ?? 'unknown',
    type,
    isPie,
    isSharedObject: type === ET_DYN && !isPie,
    needed: dynamic.filter((d) => d.tag === DT_NEEDED).map((d) => str(d.value)),
    exports: [...exports].sort(),
    imports,
    versionsNeeded,
    glibcSymbols,
    symbolSource
  }
  if (soname !== undefined) info.soname = str(soname)
  if (floor !== undefined) info.glibcFloor = floor
  return info
}

/** Number of dynamic symbols from DT_HASH (nchain) or by walking DT_GNU_HASH, as ld.so does. */
async function dynamicSymbolCount(
  ctx: Ctx,
  segments: Segment[],
  dt: (tag: number) => number | undefined
): Promise<number> {
  const at = (addr: number, what: string): number => {
    const off = offsetOfAddress(segments, addr)
    if (off === undefined) fail(ctx, `damaged ELF file: ${what} is not loaded`)
    return off
  }
  const hash = dt(DT_HASH)
  if (hash !== undefined) {
    const h = await readRange(ctx, at(hash, 'DT_HASH'), 8, 'DT_HASH')
    return h.readUInt32LE(4)
  }
  const gnu = dt(DT_GNU_HASH)
  if (gnu === undefined) fail(ctx, 'no section headers and no DT_HASH or DT_GNU_HASH table')
  const base = at(gnu, 'DT_GNU_HASH')
  const h = await readRange(ctx, base, 16, 'DT_GNU_HASH')
  const nbuckets = h.readUInt32LE(0)
  const symoffset = h.readUInt32LE(4)
  const bloomSize = h.readUInt32LE(8)
  const bucketsAt = base + 16 + bloomSize * 8
  const buckets = await readRange(ctx, bucketsAt, nbuckets * 4, 'DT_GNU_HASH buckets')
  let last = 0
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, buckets.readUInt32LE(i * 4))
  if (last < symoffset) return symoffset
  const chainsAt = bucketsAt + nbuckets * 4
  for (let i = last; ; i++) {
    const c = await readRange(ctx, chainsAt + (i - symoffset) * 4, 4, 'DT_GNU_HASH chains')
    if ((c.readUInt32LE(0) & 1) !== 0) return i + 1
  }
}

/** "GLIBC_2.34" → "2.34"; undefined for anything else (GLIBC_PRIVATE, GCC_3.0, ...). */
export function glibcVersionOf(versionName: string): string | undefined {
  const m = /^GLIBC_(\d+(?:\.\d+)+)$/.exec(versionName)
  return m ? m[1] : undefined
}

/** Parses "2.31", "2.3.2" or "GLIBC_2.31"; undefined when it is not such a version. */
export function parseGlibcVersion(text: string): string | undefined {
  const t = text.trim().replace(/^glibc[_ -]?/i, '')
  return /^\d+(\.\d+)+$/.test(t) ? t : undefined
}

/** Numeric comparison of dotted versions ("2.3.2" < "2.17" < "2.34"). */
export function compareGlibcVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number)
  const pb = b.split('.').map(Number)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return 0
}

/** Reads an ELF file from disk: only its headers and dynamic tables, not the whole file. */
export async function readElf(path: string): Promise<ElfInfo> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'ENOENT') throw new Error(`plugin file '${path}' does not exist`)
    throw new Error(`cannot read '${path}': ${err.message}`)
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new Error(`'${path}' is not a regular file`)
    const handle = fh
    return await parseElf({
      name: path,
      size: st.size,
      read: async (offset, length) => {
        const buf = Buffer.alloc(length)
        let done = 0
        while (done < length) {
          const { bytesRead } = await handle.read(buf, done, length - done, offset + done)
          if (bytesRead === 0) break
          done += bytesRead
        }
        return buf.subarray(0, done)
      }
    })
  } finally {
    await fh.close()
  }
}
