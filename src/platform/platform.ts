// Target platforms of a plugin release, in Go/OCI terms (GOOS/GOARCH): what the `platforms`
// input may name, the order releases list them in, the ELF machines Go builds for, and the facts
// we need per architecture (ELF machine, cross compiler, qemu). Pure, except hostPlatform().
import type { Platform } from '../oci/types.js'

export type { Platform }

/** The architectures Falco ships for, in the order releases list them. */
export const SUPPORTED_ARCHITECTURES = ['amd64', 'arm64'] as const
export type SupportedArchitecture = (typeof SUPPORTED_ARCHITECTURES)[number]

/** ELF e_machine values (elf.h). */
export const EM_X86_64 = 62
export const EM_AARCH64 = 183

/** The ELF machines Go builds for (e_machine): binutils' name and the Go architecture. */
const ELF_MACHINES: Readonly<Record<number, { name: string; goarch: string }>> = {
  3: { name: 'Intel 80386', goarch: '386' },
  8: { name: 'MIPS', goarch: 'mips' },
  20: { name: 'PowerPC', goarch: 'ppc' },
  21: { name: 'PowerPC64', goarch: 'ppc64le' },
  22: { name: 'IBM S/390', goarch: 's390x' },
  40: { name: 'ARM', goarch: 'arm' },
  [EM_X86_64]: { name: 'x86-64', goarch: 'amd64' },
  [EM_AARCH64]: { name: 'AArch64', goarch: 'arm64' },
  243: { name: 'RISC-V', goarch: 'riscv64' },
  258: { name: 'LoongArch', goarch: 'loong64' }
}

/** How binutils and people call an ELF machine: "x86-64", "AArch64", or "machine 1234". */
export function elfMachineName(machine: number): string {
  return ELF_MACHINES[machine]?.name ?? `machine ${machine}`
}

/** The Go architecture of an ELF machine ("amd64", "386", ...), or undefined when unknown. */
export function goarchOfElfMachine(machine: number): string | undefined {
  return ELF_MACHINES[machine]?.goarch
}

export interface ArchitectureFacts {
  /** GOARCH and OCI architecture name. */
  goarch: SupportedArchitecture
  /** ELF e_machine of a shared object built for it. */
  elfMachine: number
  /** How binutils and people call the machine: "x86-64", "AArch64". */
  machineName: string
  /** GNU triplet: the prefix of the cross tools and the folder of Debian's cross libc. */
  gnuTriplet: string
  /** Debian's cross compiler for it, and the package that installs it. */
  crossCompiler: string
  crossPackages: string[]
  /** qemu-user's emulator for it (Debian package qemu-user). */
  qemu: string
  /** Where Debian's cross libc lives (qemu -L prefix). */
  crossSysroot: string
  /** GitHub-hosted runner label of that architecture. */
  runner: string
}

export const ARCHITECTURES: Readonly<Record<SupportedArchitecture, ArchitectureFacts>> = {
  amd64: {
    goarch: 'amd64',
    elfMachine: EM_X86_64,
    machineName: elfMachineName(EM_X86_64),
    gnuTriplet: 'x86_64-linux-gnu',
    crossCompiler: 'x86_64-linux-gnu-gcc',
    crossPackages: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'],
    qemu: 'qemu-x86_64',
    crossSysroot: '/usr/x86_64-linux-gnu',
    runner: 'ubuntu-24.04'
  },
  arm64: {
    goarch: 'arm64',
    elfMachine: EM_AARCH64,
    machineName: elfMachineName(EM_AARCH64),
    gnuTriplet: 'aarch64-linux-gnu',
    crossCompiler: 'aarch64-linux-gnu-gcc',
    crossPackages: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
    qemu: 'qemu-aarch64',
    crossSysroot: '/usr/aarch64-linux-gnu',
    runner: 'ubuntu-24.04-arm'
  }
}

/** Names people write for an architecture that Go and OCI spell otherwise. */
const ALIASES: Readonly<Record<string, SupportedArchitecture>> = {
  x86_64: 'amd64',
  'x86-64': 'amd64',
  x64: 'amd64',
  aarch64: 'arm64',
  arm64v8: 'arm64'
}

/** Go architectures we know but Falco does not ship plugins for. */
const OTHER_GOARCHES = new Set([
  '386',
  'arm',
  'ppc64',
  'ppc64le',
  's390x',
  'riscv64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'loong64',
  'wasm'
])

const SUPPORTED_TEXT = 'linux/amd64 and linux/arm64'

export function isSupportedArchitecture(arch: string): arch is SupportedArchitecture {
  return (SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch)
}

/** The facts of a platform's architecture; throws for anything but linux/amd64 and linux/arm64. */
export function architectureFacts(platform: Platform): ArchitectureFacts {
  if (platform.os !== 'linux' || !isSupportedArchitecture(platform.architecture)) {
    throw new Error(
      `unsupported platform ${formatPlatform(platform)}: only ${SUPPORTED_TEXT} are supported`
    )
  }
  return ARCHITECTURES[platform.architecture]
}

/** "linux/arm64". */
export function formatPlatform(platform: Platform): string {
  return `${platform.os}/${platform.architecture}`
}

export function samePlatform(a: Platform, b: Platform): boolean {
  return a.os === b.os && a.architecture === b.architecture
}

/** The Go architecture of an ELF e_machine, or undefined when it is not one we release for. */
export function architectureOfElfMachine(machine: number): SupportedArchitecture | undefined {
  return SUPPORTED_ARCHITECTURES.find((a) => ARCHITECTURES[a].elfMachine === machine)
}

/**
 * The order releases list platforms in (a comparator for a stable sort): the
 * SUPPORTED_ARCHITECTURES order, amd64 first, then any other architecture as given.
 */
export function byReleaseOrder(a: Platform, b: Platform): number {
  return releaseRank(a) - releaseRank(b)
}

function releaseRank(p: Platform): number {
  const i = (SUPPORTED_ARCHITECTURES as readonly string[]).indexOf(p.architecture)
  return i === -1 ? SUPPORTED_ARCHITECTURES.length : i
}

/** This machine in GOOS/GOARCH terms (Node's x64 is Go's amd64). */
export function hostPlatform(
  nodePlatform: string = process.platform,
  nodeArch: string = process.arch
): Platform {
  const arch: Record<string, string> = {
    x64: 'amd64',
    arm64: 'arm64',
    ia32: '386',
    arm: 'arm',
    ppc64: 'ppc64le',
    s390x: 's390x',
    riscv64: 'riscv64',
    loong64: 'loong64'
  }
  const os: Record<string, string> = { win32: 'windows', sunos: 'solaris' }
  return { os: os[nodePlatform] ?? nodePlatform, architecture: arch[nodeArch] ?? nodeArch }
}

/** True when a .so for this platform can be loaded here without emulation. */
export function isHostPlatform(platform: Platform, host: Platform = hostPlatform()): boolean {
  return samePlatform(platform, host)
}

function parseOne(entry: string, note: (message: string) => void): Platform | string {
  const parts = entry.split('/')
  const written = entry
  if (parts.length === 1) {
    const arch = ALIASES[entry.toLowerCase()] ?? entry.toLowerCase()
    const hint = isSupportedArchitecture(arch) ? `write linux/${arch}` : `use ${SUPPORTED_TEXT}`
    return `'${written}' has no operating system: platforms are written os/architecture (${hint})`
  }
  if (parts.some((p) => p.trim() === '')) {
    return `'${written}' is not os/architecture (e.g. linux/amd64)`
  }
  const [os, arch] = parts.map((p) => p.trim())
  const lowOs = os.toLowerCase()
  const lowArch = arch.toLowerCase()
  const mapped = ALIASES[lowArch] ?? lowArch
  if (lowOs !== 'linux') {
    return `'${written}': Falco plugins are Linux shared libraries; the operating system must be linux`
  }
  if (parts.length > 2) {
    const base = isSupportedArchitecture(mapped) ? `linux/${mapped}` : 'linux/<architecture>'
    return (
      `'${written}': platform variants are not used for Falco plugins (falcoctl matches ` +
      `os/architecture only): write ${base}`
    )
  }
  if (!isSupportedArchitecture(mapped)) {
    const why = OTHER_GOARCHES.has(mapped)
      ? `Falco does not ship for ${mapped}`
      : `'${arch}' is not a Go architecture name`
    return `'${written}': ${why}; supported platforms are ${SUPPORTED_TEXT}`
  }
  const platform: Platform = { os: 'linux', architecture: mapped }
  if (mapped !== arch) {
    note(
      `platform '${written}' read as ${formatPlatform(platform)}: OCI manifests and falcoctl use ` +
        `Go's architecture names (${mapped}), and falcoctl would never select '${arch}'`
    )
  } else if (os !== 'linux') {
    note(`platform '${written}' read as ${formatPlatform(platform)}`)
  }
  return platform
}

/**
 * Parses a list of platforms such as "linux/amd64,linux/arm64" (comma, space or newline
 * separated). x86_64 and aarch64 are mapped to amd64 and arm64 (each mapping is passed to note);
 * any other operating system than linux, architecture, or a variant is refused, with every bad
 * entry named in one Error. The result has no duplicates and lists amd64 before arm64.
 */
export function parsePlatforms(
  input: string,
  note: (message: string) => void = () => undefined
): Platform[] {
  const entries = input
    .split(/[,\s]+/)
    .map((e) => e.trim())
    .filter((e) => e !== '')
  if (entries.length === 0) {
    throw new Error(`platforms is empty: list at least one of ${SUPPORTED_TEXT}`)
  }
  const errors: string[] = []
  const found = new Set<SupportedArchitecture>()
  for (const entry of entries) {
    const r = parseOne(entry, note)
    if (typeof r === 'string') errors.push(r)
    else found.add(r.architecture as SupportedArchitecture)
  }
  if (errors.length > 0) {
    throw new Error(`invalid platforms '${input.trim()}':\n- ${errors.join('\n- ')}`)
  }
  return SUPPORTED_ARCHITECTURES.filter((a) => found.has(a)).map((architecture) => ({
    os: 'linux',
    architecture
  }))
}
