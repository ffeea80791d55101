// Static checks of a built plugin .so, from its ELF headers alone (see elf.ts): is it a shared
// object for the platform it is released as, does it export what Falco's loader requires, and
// can hosts with an older glibc load it. They work for every architecture, including those this
// machine cannot dlopen. Pure.
import {
  architectureFacts,
  formatPlatform,
  type Platform,
  type SupportedArchitecture
} from '../platform/platform.js'
import {
  compareGlibcVersions,
  ET_CORE,
  ET_DYN,
  ET_EXEC,
  ET_REL,
  parseGlibcVersion,
  type ElfInfo
} from './elf.js'
import { checkUnversionedImports, type GlibcAbi } from './glibc-abi.js'
import { REQUIRED_SYMBOLS } from './inspect.js'

export interface ElfCheckOptions {
  /** The newest glibc the plugin may need, "2.31" (or "GLIBC_2.31"). */
  maxGlibc?: string
  /**
   * The glibc the plugin was built for (the glibc input): its floor may not be above it, and,
   * with zig's symbol database (abi), every undefined symbol without a version must be defined
   * by a library of that glibc that the plugin loads.
   */
  glibcTarget?: { version: string; abi?: GlibcAbi }
}

/** Build images and the glibc they ship, newest first (what to suggest for a lower floor). */
const BUILD_IMAGES: Array<{ image: string; glibc: string }> = [
  { image: 'debian:bullseye', glibc: '2.31' },
  { image: 'debian:buster', glibc: '2.28' },
  { image: 'ubuntu:18.04', glibc: '2.27' },
  { image: 'centos:7', glibc: '2.17' }
]

/** glibc of common distributions, to say who cannot load a plugin. */
const DISTRIBUTIONS: Array<{ name: string; glibc: string }> = [
  { name: 'Amazon Linux 2', glibc: '2.26' },
  { name: 'RHEL/Rocky/Alma 8', glibc: '2.28' },
  { name: 'Debian 11', glibc: '2.31' },
  { name: 'Ubuntu 20.04', glibc: '2.31' },
  { name: 'RHEL/Rocky/Alma 9', glibc: '2.34' },
  { name: 'Amazon Linux 2023', glibc: '2.34' },
  { name: 'Ubuntu 22.04', glibc: '2.35' },
  { name: 'Debian 12', glibc: '2.36' },
  { name: 'Ubuntu 24.04', glibc: '2.39' }
]

/** Libraries of glibc itself, present wherever libc.so.6 is. */
const GLIBC_LIBRARIES =
  /^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libresolv\.so\.2|libutil\.so\.1|libanl\.so\.1|ld-linux[-\w.]*\.so\.\d+)$/

const MAX_LISTED = 8

function list(names: readonly string[], max = MAX_LISTED): string {
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max).join(', ')} and ${names.length - max} more`
}

/** Validates and normalises a max-glibc setting ("2.31"); throws with an example otherwise. */
export function normalizeMaxGlibc(value: string): string {
  const v = parseGlibcVersion(value)
  if (v === undefined) {
    throw new Error(
      `max-glibc '${value}' is not a glibc version: write it like 2.31 (Debian 11), or leave it ` +
        'empty to accept any'
    )
  }
  return v
}

/** "GLIBC_2.34: pthread_create, res_search; GLIBC_2.32: pthread_getattr_np". */
function offendingSymbols(elf: ElfInfo, above: string): string {
  return Object.entries(elf.glibcSymbols)
    .map(([version, symbols]) => ({ version, n: version.replace(/^GLIBC_/, ''), symbols }))
    .filter((v) => compareGlibcVersions(v.n, above) > 0)
    .sort((a, b) => compareGlibcVersions(b.n, a.n))
    .map((v) => `${v.version}: ${v.symbols.length > 0 ? list(v.symbols) : '(no symbol)'}`)
    .join('; ')
}

/** Distributions whose glibc is older than `floor`. */
export function distributionsBelow(floor: string): string[] {
  return DISTRIBUTIONS.filter((d) => compareGlibcVersions(d.glibc, floor) < 0).map(
    (d) => `${d.name} (${d.glibc})`
  )
}

/** One line for logs and summaries: "needs glibc >= 2.34 (GLIBC_2.34: pthread_create, ...)". */
export function describeGlibcFloor(elf: ElfInfo): string {
  if (elf.glibcFloor === undefined) return 'needs no versioned glibc symbol'
  const floor = elf.glibcFloor
  const symbols = elf.glibcSymbols[`GLIBC_${floor}`] ?? []
  const older = distributionsBelow(floor)
  return (
    `needs glibc >= ${floor}` +
    (symbols.length > 0 ? ` (GLIBC_${floor}: ${list(symbols, 5)})` : '') +
    (older.length > 0 ? `; cannot load on ${list(older, 5)}` : '')
  )
}

function buildImageAdvice(max: string): string {
  const image = BUILD_IMAGES.find((i) => compareGlibcVersions(i.glibc, max) <= 0)
  const bullseye =
    'falcosecurity/plugins builds in `container: debian:bullseye` (glibc 2.31) for that reason'
  if (!image) {
    return `build against a glibc no newer than ${max} (an older distribution image); ${bullseye}`
  }
  let advice =
    `build in an older image: run the build job in \`container: ${image.image}\` ` +
    `(glibc ${image.glibc})` +
    (image.image === 'debian:bullseye' ? `, as falcosecurity/plugins does` : `; ${bullseye}`)
  if (compareGlibcVersions(image.glibc, '2.28') < 0) {
    advice +=
      `. GitHub's JavaScript actions need glibc >= 2.28 inside a job container, so with ` +
      `${image.image} run the build itself with \`docker run ${image.image} ...\` in a step and ` +
      'pass the .so to this action with build-command / plugin-path'
  }
  return advice
}

function typeProblem(elf: ElfInfo): string | undefined {
  if (elf.isSharedObject) return undefined
  const how = 'build it with `go build -buildmode=c-shared` (a Falco plugin is a shared library)'
  switch (elf.type) {
    case ET_DYN:
      return `it is a position-independent executable, not a shared object: ${how}`
    case ET_EXEC:
      return `it is an executable (ET_EXEC), not a shared object: ${how}`
    case ET_REL:
      return `it is a relocatable object file (.o), not a shared object: ${how}`
    case ET_CORE:
      return 'it is a core dump, not a shared object'
    default:
      return `it is an ELF file of type ${elf.type}, not a shared object: ${how}`
  }
}

function machineProblem(elf: ElfInfo, platform: Platform): string | undefined {
  const facts = architectureFacts(platform)
  if (elf.machine === facts.elfMachine) return undefined
  const p = formatPlatform(platform)
  const offered = `an ${elf.machineName} .so (ELF machine ${elf.machine}) was offered as ${p}`
  const arch = facts.goarch as SupportedArchitecture
  return (
    `${offered}, which needs ${facts.machineName} (ELF machine ${facts.elfMachine}): build it ` +
    `with GOARCH=${arch} and a C compiler for ${facts.gnuTriplet} (CC=${facts.crossCompiler}), ` +
    `or on a native ${arch} runner (${facts.runner}); check that the ${p} build does not ` +
    'reuse the output of another platform'
  )
}

/**
 * Checks a plugin's ELF facts against the platform it is released as. Throws one Error listing
 * everything wrong: not a shared object, another machine than the platform's, a required plugin_*
 * symbol not exported, a glibc floor above opts.maxGlibc. Returns notes worth a warning (libraries
 * it needs beyond glibc).
 */
export function checkElfForPlatform(
  elf: ElfInfo,
  platform: Platform,
  opts: ElfCheckOptions = {}
): string[] {
  const problems: string[] = []
  const typeIssue = typeProblem(elf)
  if (typeIssue) problems.push(typeIssue)
  const machineIssue = machineProblem(elf, platform)
  if (machineIssue) problems.push(machineIssue)

  const missing = REQUIRED_SYMBOLS.filter((s) => !elf.exports.includes(s))
  if (missing.length > 0) {
    const all = missing.length === REQUIRED_SYMBOLS.length
    const verb = all ? 'is' : missing.length === 1 ? 'is not' : 'are not'
    problems.push(
      `${all ? 'none of' : `${missing.length} of`} the ${REQUIRED_SYMBOLS.length} functions ` +
        `Falco requires ${verb} exported: ${missing.join(', ')} (with ` +
        'plugin-sdk-go, register the plugin with plugins.SetFactory in an init() function of the ' +
        'main package, and build the main package with -buildmode=c-shared)'
    )
  }

  const target = opts.glibcTarget
  if (target !== undefined) {
    const floor = elf.glibcFloor
    if (floor !== undefined && compareGlibcVersions(floor, target.version) > 0) {
      problems.push(
        `it needs glibc ${floor}, newer than the glibc input ${target.version} ` +
          `(${offendingSymbols(elf, target.version)}): the build linked something against a ` +
          `newer glibc than zig's ${target.version} stubs (a build-command that ignores $CC, or a ` +
          'prebuilt library or object built elsewhere)'
      )
    }
    if (target.abi !== undefined) {
      problems.push(...unversionedProblems(elf, platform, target.version, target.abi))
    }
  }
  if (opts.maxGlibc !== undefined && opts.maxGlibc.trim() !== '') {
    const max = normalizeMaxGlibc(opts.maxGlibc)
    const floor = elf.glibcFloor
    if (floor !== undefined && compareGlibcVersions(floor, max) > 0) {
      const older = distributionsBelow(floor)
      problems.push(
        `it needs glibc ${floor}, newer than max-glibc ${max} (${offendingSymbols(elf, max)}): ` +
          `hosts with an older glibc refuse to load it ("version \`GLIBC_${floor}' not found")` +
          (older.length > 0 ? `, e.g. ${list(older, 5)}` : '') +
          `. The C library the build links against sets this floor: ${buildImageAdvice(max)}`
      )
    }
  }

  if (problems.length > 0) {
    throw new Error(
      `${elf.path} cannot be released as ${formatPlatform(platform)}:\n- ${problems.join('\n- ')}`
    )
  }

  const notes: string[] = []
  const unversioned = elf.imports
    .filter((i) => i.version === undefined && !i.weak)
    .map((i) => i.name)
  if (unversioned.length > 0 && target?.abi !== undefined) {
    const facts = architectureFacts(platform)
    const { unknown } = checkUnversionedImports(elf, target.abi, facts.gnuTriplet, target.version)
    if (unknown.length > 0) {
      notes.push(
        `${elf.path} references ${list(unknown)} without a version, which glibc ${target.version} ` +
          'does not define in the libraries the plugin loads: the other libraries it needs ' +
          '(DT_NEEDED) must define them on every Falco host'
      )
    }
  } else if (unversioned.length > 0) {
    notes.push(
      `${elf.path} references ${list(unversioned)} without a symbol version: this machine's glibc ` +
        'resolves them, but an older one may not (falcosecurity/plugins#1500: __res_search lived ' +
        'in libresolv before glibc 2.34); set the glibc input to check them against the oldest ' +
        'glibc you support'
    )
  }
  const extra = elf.needed.filter((n) => !GLIBC_LIBRARIES.test(n))
  if (extra.length > 0) {
    notes.push(
      `${elf.path} needs ${list(extra)} besides glibc (DT_NEEDED): Falco hosts must have ` +
        `${extra.length > 1 ? 'them' : 'it'} installed, or the plugin will not load`
    )
  }
  return notes
}

/** Where the glibc library that defines a symbol is linked from, for the fix. */
const LINK_FLAGS: Record<string, string> = {
  'libresolv.so.2': '-lresolv',
  'libpthread.so.0': '-lpthread',
  'libdl.so.2': '-ldl',
  'libm.so.6': '-lm',
  'librt.so.1': '-lrt',
  'libutil.so.1': '-lutil'
}

/** Refusals for undefined symbols without a version that glibc `version` leaves unresolved. */
function unversionedProblems(
  elf: ElfInfo,
  platform: Platform,
  version: string,
  abi: GlibcAbi
): string[] {
  const facts = architectureFacts(platform)
  const { unresolved } = checkUnversionedImports(elf, abi, facts.gnuTriplet, version)
  if (unresolved.length === 0) return []
  const elsewhere = unresolved.filter((u) => u.definedIn.length > 0)
  const nowhere = unresolved.filter((u) => u.definedIn.length === 0)
  const problems: string[] = []
  if (elsewhere.length > 0) {
    const flags = [...new Set(elsewhere.flatMap((u) => u.definedIn.map((l) => LINK_FLAGS[l])))]
      .filter((f) => f !== undefined)
      .join(' ')
    problems.push(
      `it references ${list(elsewhere.map((u) => `${u.name} (in ${u.definedIn.join(', ')})`))} ` +
        `without a symbol version, and on glibc ${version} the library that defines ` +
        `${elsewhere.length > 1 ? 'them is' : 'it is'} not among those the plugin loads ` +
        `(DT_NEEDED: ${elf.needed.join(', ') || 'none'}): dlopen fails there with "undefined ` +
        'symbol", as libcontainer.so did on glibc < 2.34 (falcosecurity/plugins#1500). Link it' +
        (flags ? ` (#cgo LDFLAGS: ${flags})` : '') +
        (elsewhere.some((u) => u.name.includes('res_'))
          ? ", or use Go's pure resolver (-tags netgo)"
          : '')
    )
  }
  if (nowhere.length > 0) {
    problems.push(
      `it references ${list(nowhere.map((u) => u.name))} without a symbol version, and glibc ` +
        `${version} does not define ${nowhere.length > 1 ? 'them' : 'it'} at all: dlopen fails ` +
        'there with "undefined symbol" (the code was written for a newer glibc, or expects a ' +
        'library it does not link)'
    )
  }
  return problems
}

/** The plugin_* functions of an ELF's exports. */
export function pluginSymbols(elf: ElfInfo): string[] {
  return elf.exports.filter((s) => s.startsWith('plugin_'))
}

/**
 * Throws when two builds of the same plugin (typically the one this machine can dlopen and a
 * foreign one) do not export the same plugin_* functions: metadata read from one would then
 * misdescribe the other. Labels default to the builds' platforms ("linux/amd64").
 */
export function compareExports(
  native: ElfInfo,
  foreign: ElfInfo,
  labels: { native?: string; foreign?: string } = {}
): void {
  const a = new Set(pluginSymbols(native))
  const b = new Set(pluginSymbols(foreign))
  const onlyA = [...a].filter((s) => !b.has(s)).sort()
  const onlyB = [...b].filter((s) => !a.has(s)).sort()
  if (onlyA.length === 0 && onlyB.length === 0) return
  const la = labels.native ?? `linux/${native.architecture}`
  let lb = labels.foreign ?? `linux/${foreign.architecture}`
  if (lb === la) lb = `${lb} (${foreign.path})`
  const lines: string[] = []
  if (onlyA.length > 0) lines.push(`only the ${la} build exports ${onlyA.join(', ')}`)
  if (onlyB.length > 0) lines.push(`only the ${lb} build exports ${onlyB.join(', ')}`)
  throw new Error(
    `the ${la} and ${lb} builds of the plugin export different plugin_* functions, so the ` +
      `metadata read from one would not describe the other:\n- ${lines.join('\n- ')}\n` +
      'Build every platform from the same sources and the same build tags (a file with a ' +
      '//go:build constraint on the architecture, or cgo disabled on one side, does this)'
  )
}
