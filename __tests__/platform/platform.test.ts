import { describe, expect, it } from '@jest/globals'
import {
  ARCHITECTURES,
  EM_AARCH64,
  EM_X86_64,
  architectureFacts,
  architectureOfElfMachine,
  byReleaseOrder,
  elfMachineName,
  formatPlatform,
  goarchOfElfMachine,
  hostPlatform,
  isHostPlatform,
  parsePlatforms
} from '../../src/platform/platform.js'

const AMD64 = { os: 'linux', architecture: 'amd64' }
const ARM64 = { os: 'linux', architecture: 'arm64' }

function parse(input: string): { platforms: ReturnType<typeof parsePlatforms>; notes: string[] } {
  const notes: string[] = []
  return { platforms: parsePlatforms(input, (n) => notes.push(n)), notes }
}

describe('parsePlatforms', () => {
  it('reads comma- and newline-separated lists, amd64 first', () => {
    expect(parse('linux/amd64,linux/arm64')).toEqual({ platforms: [AMD64, ARM64], notes: [] })
    expect(parse('linux/arm64\nlinux/amd64\n')).toEqual({ platforms: [AMD64, ARM64], notes: [] })
    expect(parse(' linux/arm64 , \r\n linux/amd64 ').platforms).toEqual([AMD64, ARM64])
    expect(parse('linux/arm64').platforms).toEqual([ARM64])
  })

  it('removes duplicates, including those that only differ by alias', () => {
    expect(parse('linux/amd64,linux/amd64,linux/x86_64').platforms).toEqual([AMD64])
  })

  it('maps x86_64 and aarch64 to Go names, with a note', () => {
    const { platforms, notes } = parse('linux/x86_64,linux/aarch64')
    expect(platforms).toEqual([AMD64, ARM64])
    expect(notes).toEqual([
      "platform 'linux/x86_64' read as linux/amd64: OCI manifests and falcoctl use Go's " +
        "architecture names (amd64), and falcoctl would never select 'x86_64'",
      "platform 'linux/aarch64' read as linux/arm64: OCI manifests and falcoctl use Go's " +
        "architecture names (arm64), and falcoctl would never select 'aarch64'"
    ])
  })

  it('accepts upper case, with a note', () => {
    const { platforms, notes } = parse('Linux/AMD64')
    expect(platforms).toEqual([AMD64])
    expect(notes).toHaveLength(1)
  })

  it('refuses other operating systems', () => {
    expect(() => parsePlatforms('darwin/arm64')).toThrow(
      "invalid platforms 'darwin/arm64':\n- 'darwin/arm64': Falco plugins are Linux shared " +
        'libraries; the operating system must be linux'
    )
    expect(() => parsePlatforms('windows/amd64')).toThrow(/operating system must be linux/)
  })

  it('refuses architectures Falco does not ship for, and unknown names', () => {
    expect(() => parsePlatforms('linux/386')).toThrow(
      "'linux/386': Falco does not ship for 386; supported platforms are linux/amd64 and linux/arm64"
    )
    expect(() => parsePlatforms('linux/s390x')).toThrow(/Falco does not ship for s390x/)
    expect(() => parsePlatforms('linux/arm')).toThrow(/Falco does not ship for arm;/)
    expect(() => parsePlatforms('linux/amd')).toThrow(
      "'linux/amd': 'amd' is not a Go architecture name; supported platforms are"
    )
  })

  it('refuses variants, pointing at the plain form', () => {
    expect(() => parsePlatforms('linux/arm64/v8')).toThrow(
      "'linux/arm64/v8': platform variants are not used for Falco plugins (falcoctl matches " +
        'os/architecture only): write linux/arm64'
    )
  })

  it('refuses an architecture without an OS', () => {
    expect(() => parsePlatforms('amd64')).toThrow(
      "'amd64' has no operating system: platforms are written os/architecture (write linux/amd64)"
    )
    expect(() => parsePlatforms('aarch64')).toThrow(/\(write linux\/arm64\)/)
    expect(() => parsePlatforms('linux/')).toThrow("'linux/' is not os/architecture")
  })

  it('lists every bad entry at once', () => {
    let message = ''
    try {
      parsePlatforms('linux/amd64,darwin/arm64,linux/mips,arm64')
    } catch (e) {
      message = (e as Error).message
    }
    expect(message.split('\n')).toEqual([
      "invalid platforms 'linux/amd64,darwin/arm64,linux/mips,arm64':",
      "- 'darwin/arm64': Falco plugins are Linux shared libraries; the operating system must be linux",
      "- 'linux/mips': Falco does not ship for mips; supported platforms are linux/amd64 and linux/arm64",
      "- 'arm64' has no operating system: platforms are written os/architecture (write linux/arm64)"
    ])
  })

  it('refuses an empty list', () => {
    expect(() => parsePlatforms(' ,\n')).toThrow(
      'platforms is empty: list at least one of linux/amd64 and linux/arm64'
    )
  })
})

describe('platform facts', () => {
  it('knows the ELF machine of each architecture', () => {
    expect(EM_X86_64).toBe(62)
    expect(EM_AARCH64).toBe(183)
    expect(architectureFacts(AMD64).elfMachine).toBe(62)
    expect(architectureFacts(ARM64).elfMachine).toBe(183)
    expect(architectureOfElfMachine(62)).toBe('amd64')
    expect(architectureOfElfMachine(183)).toBe('arm64')
    expect(architectureOfElfMachine(3)).toBeUndefined()
  })

  it('names every ELF machine Go builds for, and no other', () => {
    expect(elfMachineName(EM_X86_64)).toBe('x86-64')
    expect(elfMachineName(EM_AARCH64)).toBe('AArch64')
    expect(elfMachineName(22)).toBe('IBM S/390')
    expect(elfMachineName(1234)).toBe('machine 1234')
    expect(ARCHITECTURES.amd64.machineName).toBe('x86-64')
    expect(ARCHITECTURES.arm64.machineName).toBe('AArch64')
    expect(goarchOfElfMachine(3)).toBe('386')
    expect(goarchOfElfMachine(183)).toBe('arm64')
    expect(goarchOfElfMachine(1234)).toBeUndefined()
  })

  it('orders platforms as releases list them: amd64, arm64, then the others as given', () => {
    const p = (architecture: string) => ({ os: 'linux', architecture })
    const sorted = [p('riscv64'), p('arm64'), p('s390x'), p('amd64')].sort(byReleaseOrder)
    expect(sorted.map((x) => x.architecture)).toEqual(['amd64', 'arm64', 'riscv64', 's390x'])
    expect(parsePlatforms('linux/arm64,linux/amd64')).toEqual([AMD64, ARM64])
  })

  it("names Debian's cross tools", () => {
    expect(ARCHITECTURES.arm64).toMatchObject({
      crossCompiler: 'aarch64-linux-gnu-gcc',
      crossPackages: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'],
      qemu: 'qemu-aarch64',
      crossSysroot: '/usr/aarch64-linux-gnu'
    })
    expect(ARCHITECTURES.amd64.crossCompiler).toBe('x86_64-linux-gnu-gcc')
  })

  it('refuses facts for unsupported platforms', () => {
    expect(() => architectureFacts({ os: 'linux', architecture: 'riscv64' })).toThrow(
      'unsupported platform linux/riscv64: only linux/amd64 and linux/arm64 are supported'
    )
  })

  it('maps Node names to Go names for the host', () => {
    expect(hostPlatform('linux', 'x64')).toEqual(AMD64)
    expect(hostPlatform('linux', 'arm64')).toEqual(ARM64)
    expect(hostPlatform('darwin', 'arm64')).toEqual({ os: 'darwin', architecture: 'arm64' })
    expect(hostPlatform('win32', 'ia32')).toEqual({ os: 'windows', architecture: '386' })
    const host = hostPlatform()
    expect(isHostPlatform(host)).toBe(true)
    expect(isHostPlatform(ARM64, AMD64)).toBe(false)
    expect(formatPlatform(ARM64)).toBe('linux/arm64')
  })
})
