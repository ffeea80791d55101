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
// Parsing, one step at a time: the header, the program and section headers, the dynamic table and
// its strings, the dynamic symbols, the version needs; then what they say about the object.

/** The ELF header fields the steps below need. */
interface Header {
  type: number
  machine: number
  phoff: number
  phentsize: number
  phnum: number
  shoff: number
  shentsize: number
  /** 0 with extended numbering: the count is then in section 0. */
  shnum: number
}

/** Reads the ELF header, refusing anything but ELF64 little-endian and saying what it is. */
async function readHeader(ctx: Ctx): Promise<Header> {
  const { src } = ctx
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
  return {
    type: head.readUInt16LE(16),
    machine: head.readUInt16LE(18),
    phoff: u64(head, 0x20),
    shoff: u64(head, 0x28),
    phentsize: head.readUInt16LE(0x36),
    phnum: head.readUInt16LE(0x38),
    shentsize: head.readUInt16LE(0x3a),
    shnum: head.readUInt16LE(0x3c)
  }
}

/** The program headers (segments). */
async function readSegments(ctx: Ctx, h: Header): Promise<Segment[]> {
  if (h.phoff === 0 || h.phnum === 0) return []
  if (h.phentsize < PHDR_SIZE) fail(ctx, `damaged ELF file: e_phentsize is ${h.phentsize}`)
  const ph = await readRange(ctx, h.phoff, h.phnum * h.phentsize, 'the program headers')
  const segments: Segment[] = []
  for (let i = 0; i < h.phnum; i++) {
    const at = i * h.phentsize
    segments.push({
      type: ph.readUInt32LE(at),
      offset: u64(ph, at + 8),
      vaddr: u64(ph, at + 16),
      filesz: u64(ph, at + 32)
    })
  }
  return segments
}

/** The section headers: none in sstripped files. */
async function readSections(ctx: Ctx, h: Header): Promise<Section[]> {
  if (h.shoff === 0) return []
  if (h.shentsize < SHDR_SIZE) fail(ctx, `damaged ELF file: e_shentsize is ${h.shentsize}`)
  let shnum = h.shnum
  if (shnum === 0) {
    // Extended numbering: the count is in section 0's sh_size.
    const s0 = await readRange(ctx, h.shoff, SHDR_SIZE, 'section header 0')
    shnum = u64(s0, 32)
  }
  const sh = await readRange(ctx, h.shoff, shnum * h.shentsize, 'the section headers')
  const sections: Section[] = []
  for (let i = 0; i < shnum; i++) {
    const at = i * h.shentsize
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
  return sections
}

/** Where everything is: the segments, the sections and the dynamic table. */
interface Layout extends Ctx {
  segments: Segment[]
  sections: Section[]
  /** .dynamic, when the section headers are there. */
  dynSection?: Section
  /** The dynamic table's entries, up to DT_NULL. */
  dynamic: DynamicEntry[]
}

function sectionOfType(l: Layout, type: number): Section | undefined {
  return l.sections.find((s) => s.type === type)
}

/** The section another one links to; a link to nothing is damage. */
function sectionAt(l: Layout, index: number, what: string): Section {
  const s = l.sections[index]
  if (!s || index === SHN_UNDEF) fail(l, `damaged ELF file: ${what} links to section ${index}`)
  return s
}

/** The value of a dynamic tag, or undefined when the table has none. */
function dt(l: Layout, tag: number): number | undefined {
  return l.dynamic.find((d) => d.tag === tag)?.value
}

/** The file offset of a virtual address a dynamic tag holds; unloaded addresses are damage. */
function addressToOffset(l: Layout, addr: number, what: string): number {
  const off = offsetOfAddress(l.segments, addr)
  if (off === undefined) fail(l, `damaged ELF file: ${what} (0x${addr.toString(16)}) is not loaded`)
  return off
}

/** The layout, with the dynamic table read from .dynamic, else the PT_DYNAMIC segment. */
async function readLayout(ctx: Ctx, segments: Segment[], sections: Section[]): Promise<Layout> {
  const layout: Layout = { ...ctx, segments, sections, dynamic: [] }
  layout.dynSection = sectionOfType(layout, SHT_DYNAMIC)
  const dynSegment = segments.find((s) => s.type === PT_DYNAMIC)
  const range = layout.dynSection
    ? { offset: layout.dynSection.offset, size: layout.dynSection.size }
    : dynSegment
      ? { offset: dynSegment.offset, size: dynSegment.filesz }
      : undefined
  if (!range) return layout
  const count = Math.floor(range.size / DYN_SIZE)
  const dyn = await readRange(ctx, range.offset, count * DYN_SIZE, 'the dynamic table')
  for (let i = 0; i < count; i++) {
    const tag = Number(dyn.readBigInt64LE(i * DYN_SIZE))
    if (tag === DT_NULL) break
    layout.dynamic.push({ tag, value: u64(dyn, i * DYN_SIZE + 8) })
  }
  return layout
}

interface DynamicStrings {
  table?: Buffer
  /** The section it was read from, when one was linked. */
  index?: number
}

/** The dynamic string table: the section linked from .dynamic (or .dynsym), else DT_STRTAB. */
async function readDynamicStrings(l: Layout): Promise<DynamicStrings> {
  const index = l.dynSection?.link ?? sectionOfType(l, SHT_DYNSYM)?.link
  if (index !== undefined && index !== SHN_UNDEF) {
    const s = sectionAt(l, index, 'the dynamic section')
    return { table: await readRange(l, s.offset, s.size, 'the dynamic string table'), index }
  }
  const strtab = dt(l, DT_STRTAB)
  if (strtab === undefined) return { index }
  const off = addressToOffset(l, strtab, 'DT_STRTAB')
  const size = dt(l, DT_STRSZ) ?? 0
  return { table: await readRange(l, off, size, 'the dynamic string table (DT_STRTAB)'), index }
}

interface DynamicSymbols {
  source: ElfInfo['symbolSource']
  table?: Buffer
  entrySize: number
  count: number
  /** .gnu.version: one version index per symbol. */
  versions?: Buffer
}

/** The dynamic symbols and their version indices: from the sections, else the dynamic table. */
async function readDynamicSymbols(l: Layout): Promise<DynamicSymbols> {
  const section = sectionOfType(l, SHT_DYNSYM)
  if (section) {
    const entrySize = section.entsize || SYM_SIZE
    if (entrySize < SYM_SIZE) fail(l, `damaged ELF file: .dynsym entries of ${entrySize} bytes`)
    const count = Math.floor(section.size / entrySize)
    const table = await readRange(l, section.offset, count * entrySize, '.dynsym')
    const vs = sectionOfType(l, SHT_GNU_VERSYM)
    const versions = vs
      ? await readRange(l, vs.offset, Math.min(vs.size, count * 2), '.gnu.version')
      : undefined
    return { source: 'sections', table, entrySize, count, versions }
  }
  const symtab = dt(l, DT_SYMTAB)
  if (symtab === undefined) return { source: 'none', entrySize: SYM_SIZE, count: 0 }
  const entrySize = dt(l, DT_SYMENT) ?? SYM_SIZE
  if (entrySize < SYM_SIZE) fail(l, `damaged ELF file: DT_SYMENT is ${entrySize}`)
  const count = await dynamicSymbolCount(l)
  const off = addressToOffset(l, symtab, 'DT_SYMTAB')
  const table = await readRange(l, off, count * entrySize, 'the dynamic symbols (DT_SYMTAB)')
  const versym = dt(l, DT_VERSYM)
  const versions =
    versym === undefined
      ? undefined
      : await readRange(
          l,
          addressToOffset(l, versym, 'DT_VERSYM'),
          count * 2,
          'the symbol versions (DT_VERSYM)'
        )
  return { source: 'dynamic', table, entrySize, count, versions }
}

/** The version needs table: a 16-byte record (Verneed or Vernaux) at a relative offset. */
interface VersionNeedTable {
  record: (at: number) => Promise<Buffer>
  count: number
  strings?: Buffer
}

/** .gnu.version_r, else DT_VERNEED; undefined when the object needs no versions. */
async function versionNeedTable(
  l: Layout,
  dynstr: DynamicStrings
): Promise<VersionNeedTable | undefined> {
  const section = sectionOfType(l, SHT_GNU_VERNEED)
  if (section) {
    let strings = dynstr.table
    if (section.link !== SHN_UNDEF && section.link !== dynstr.index) {
      const s = sectionAt(l, section.link, '.gnu.version_r')
      strings = await readRange(l, s.offset, s.size, 'the .gnu.version_r strings')
    }
    const data = await readRange(l, section.offset, section.size, '.gnu.version_r')
    return {
      record: async (at) => {
        if (at < 0 || at + 16 > data.length)
          fail(l, 'damaged ELF file: .gnu.version_r is truncated')
        return data.subarray(at, at + 16)
      },
      count: section.info,
      strings
    }
  }
  const verneed = dt(l, DT_VERNEED)
  if (verneed === undefined) return undefined
  // Without section headers the table's size is unknown: read it record by record.
  const base = addressToOffset(l, verneed, 'DT_VERNEED')
  return {
    record: (at) => readRange(l, base + at, 16, 'the version needs (DT_VERNEED)'),
    count: dt(l, DT_VERNEEDNUM) ?? 0,
    strings: dynstr.table
  }
}

interface VersionNeeds {
  needed: ElfVersionNeed[]
  /** Version index (vna_other) → the library and version it stands for. */
  byIndex: Map<number, { library: string; version: string }>
}

/** Walks the Verneed records and their Vernaux entries. */
async function readVersionNeeds(l: Layout, dynstr: DynamicStrings): Promise<VersionNeeds> {
  const needs: VersionNeeds = { needed: [], byIndex: new Map() }
  const table = await versionNeedTable(l, dynstr)
  if (!table) return needs
  const { record, strings } = table
  const name = (at: number): string => (strings ? cstr(strings, at) : '')
  let at = 0
  for (let i = 0; i < Math.min(table.count, MAX_VERNEED); i++) {
    const vn = await record(at)
    const cnt = vn.readUInt16LE(2)
    const library = name(vn.readUInt32LE(4))
    let aux = at + vn.readUInt32LE(8)
    for (let j = 0; j < cnt; j++) {
      const vna = await record(aux)
      const flags = vna.readUInt16LE(4)
      const other = vna.readUInt16LE(6)
      const version = name(vna.readUInt32LE(8))
      needs.needed.push({ library, version, weak: (flags & VER_FLG_WEAK) !== 0 })
      needs.byIndex.set(other & ~VERSYM_HIDDEN, { library, version })
      const next = vna.readUInt32LE(12)
      if (next === 0) break
      aux += next
    }
    const next = vn.readUInt32LE(12)
    if (next === 0) break
    at += next
  }
  return needs
}

/**
 * What the object exports (defined global or weak functions that are not hidden, sorted) and
 * imports (undefined symbols with their versions, sorted by name).
 */
function exportsAndImports(
  symbols: DynamicSymbols,
  str: (at: number) => string,
  versions: VersionNeeds['byIndex']
): { exports: string[]; imports: ElfImport[] } {
  const exports = new Set<string>()
  const imports: ElfImport[] = []
  const { table, versions: versym } = symbols
  if (!table) return { exports: [], imports }
  for (let i = 1; i < symbols.count; i++) {
    const at = i * symbols.entrySize
    const nameAt = table.readUInt32LE(at)
    const info = table[at + 4]
    const other = table[at + 5]
    const shndx = table.readUInt16LE(at + 6)
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
      const v = index >= 2 ? versions.get(index) : undefined
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
  imports.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  return { exports: [...exports].sort(), imports }
}

/** Every GLIBC_* version needed → the symbols using it, and the highest non-weak one (the floor). */
function glibcFacts(
  needed: ElfVersionNeed[],
  imports: ElfImport[]
): { glibcSymbols: Record<string, string[]>; floor?: string } {
  const glibcSymbols: Record<string, string[]> = {}
  let floor: string | undefined
  for (const v of needed) {
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
  return { glibcSymbols, floor }
}

/**
 * An executable built as position-independent code: ET_DYN with DF_1_PIE or, from older linkers,
 * only an interpreter. libc.so.6 has one too (it runs), but also a SONAME, which executables lack.
 */
function isPie(type: number, l: Layout): boolean {
  const flags1 = dt(l, DT_FLAGS_1) ?? 0
  return (
    type === ET_DYN &&
    ((flags1 & DF_1_PIE) !== 0 ||
      (dt(l, DT_SONAME) === undefined && l.segments.some((s) => s.type === PT_INTERP)))
  )
}

/** Parses the ELF object behind a ByteSource. Throws ElfError for anything but ELF64 LE. */
export async function parseElf(src: ByteSource): Promise<ElfInfo> {
  const ctx: Ctx = { src }
  const header = await readHeader(ctx)
  const segments = await readSegments(ctx, header)
  const sections = await readSections(ctx, header)
  const layout = await readLayout(ctx, segments, sections)
  const dynstr = await readDynamicStrings(layout)
  const str = (at: number): string => (dynstr.table ? cstr(dynstr.table, at) : '')
  const symbols = await readDynamicSymbols(layout)
  const versions = await readVersionNeeds(layout, dynstr)
  const { exports, imports } = exportsAndImports(symbols, str, versions.byIndex)
  const { glibcSymbols, floor } = glibcFacts(versions.needed, imports)

  const { type, machine } = header
  const pie = isPie(type, layout)
  const soname = dt(layout, DT_SONAME)
  const info: ElfInfo = {
    path: src.name,
    machine,
    machineName: elfMachineName(machine),
    architecture: goarchOfElfMachine(machine) ?? 'unknown',
    type,
    isPie: pie,
    isSharedObject: type === ET_DYN && !pie,
    needed: layout.dynamic.filter((d) => d.tag === DT_NEEDED).map((d) => str(d.value)),
    exports,
    imports,
    versionsNeeded: versions.needed,
    glibcSymbols,
    symbolSource: symbols.source
  }
  if (soname !== undefined) info.soname = str(soname)
  if (floor !== undefined) info.glibcFloor = floor
  return info
}

/** Number of dynamic symbols from DT_HASH (nchain) or by walking DT_GNU_HASH, as ld.so does. */
async function dynamicSymbolCount(l: Layout): Promise<number> {
  const hash = dt(l, DT_HASH)
  if (hash !== undefined) {
    const h = await readRange(l, addressToOffset(l, hash, 'DT_HASH'), 8, 'DT_HASH')
    return h.readUInt32LE(4)
  }
  const gnu = dt(l, DT_GNU_HASH)
  if (gnu === undefined) fail(l, 'no section headers and no DT_HASH or DT_GNU_HASH table')
  const base = addressToOffset(l, gnu, 'DT_GNU_HASH')
  const h = await readRange(l, base, 16, 'DT_GNU_HASH')
  const nbuckets = h.readUInt32LE(0)
  const symoffset = h.readUInt32LE(4)
  const bloomSize = h.readUInt32LE(8)
  const bucketsAt = base + 16 + bloomSize * 8
  const buckets = await readRange(l, bucketsAt, nbuckets * 4, 'DT_GNU_HASH buckets')
  let last = 0
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, buckets.readUInt32LE(i * 4))
  if (last < symoffset) return symoffset
  const chainsAt = bucketsAt + nbuckets * 4
  for (let i = last; ; i++) {
    const c = await readRange(l, chainsAt + (i - symoffset) * 4, 4, 'DT_GNU_HASH chains')
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
