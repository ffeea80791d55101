// Cross-compilation settings of buildPlugin (the Go builds themselves are in
// test/integration/multiarch-build.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildPlugin, crossCompileEnv } from '../../src/build/go.js'
import { hostPlatform } from '../../src/platform/platform.js'
import { recordingLogger } from '../../test/helpers/fixtures.js'

const AMD64 = { os: 'linux', architecture: 'amd64' }
const ARM64 = { os: 'linux', architecture: 'arm64' }
const host = hostPlatform()
// The architecture this machine cannot run natively.
const FOREIGN = host.architecture === 'arm64' ? AMD64 : ARM64
const FOREIGN_CC = FOREIGN === ARM64 ? 'aarch64-linux-gnu-gcc' : 'x86_64-linux-gnu-gcc'

describe('crossCompileEnv', () => {
  it('changes nothing for a native build', () => {
    expect(crossCompileEnv(undefined, undefined, AMD64)).toEqual({})
    expect(crossCompileEnv(AMD64, undefined, AMD64)).toEqual({})
    expect(crossCompileEnv(AMD64, ' ', AMD64)).toEqual({})
    expect(crossCompileEnv(AMD64, 'clang', AMD64)).toEqual({ CC: 'clang' })
  })

  it("sets GOOS, GOARCH, CGO_ENABLED and Debian's cross compiler for a foreign build", () => {
    expect(crossCompileEnv(ARM64, undefined, AMD64)).toEqual({
      GOOS: 'linux',
      GOARCH: 'arm64',
      CGO_ENABLED: '1',
      CC: 'aarch64-linux-gnu-gcc'
    })
    expect(crossCompileEnv(AMD64, undefined, ARM64)).toEqual({
      GOOS: 'linux',
      GOARCH: 'amd64',
      CGO_ENABLED: '1',
      CC: 'x86_64-linux-gnu-gcc'
    })
    expect(crossCompileEnv(ARM64, 'zig cc -target aarch64-linux-gnu', AMD64).CC).toBe(
      'zig cc -target aarch64-linux-gnu'
    )
  })

  it('refuses platforms Falco does not ship for', () => {
    expect(() => crossCompileEnv({ os: 'linux', architecture: 'riscv64' }, undefined, AMD64)).toThrow(
      'unsupported platform linux/riscv64'
    )
  })
})

describe('buildPlugin for another architecture', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fpr-cross-'))
    mkdirSync(join(dir, 'plugin'))
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('says how to get the cross compiler when it is missing, before running go', async () => {
    const logger = recordingLogger()
    const err = await buildPlugin({
      workingDirectory: dir,
      output: join(dir, 'out', 'lib.so'),
      platform: FOREIGN,
      env: { PATH: join(dir, 'empty-path') },
      logger
    }).catch((e: Error) => e)
    const pkgs =
      FOREIGN === ARM64
        ? 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross'
        : 'gcc-x86-64-linux-gnu libc6-dev-amd64-cross'
    const runner = FOREIGN === ARM64 ? 'ubuntu-24.04-arm' : 'ubuntu-24.04'
    expect((err as Error).message).toBe(
      `the C cross compiler '${FOREIGN_CC}' for linux/${FOREIGN.architecture} was not found on ` +
        `PATH: cgo needs one to build a ${FOREIGN.architecture} plugin on this ` +
        `${host.architecture} machine. Install it (sudo apt-get install -y ${pkgs}), set cc to ` +
        `another ${FOREIGN_CC.replace(/-gcc$/, '')} compiler, or build on a native ` +
        `${FOREIGN.architecture} runner (runs-on: ${runner}) with the matrix mode`
    )
    expect(logger.lines).toEqual([])
  })

  it('names a custom cc that is missing', async () => {
    await expect(
      buildPlugin({
        workingDirectory: dir,
        output: join(dir, 'out', 'lib.so'),
        platform: FOREIGN,
        cc: 'my-cross-gcc --sysroot=/x',
        env: { PATH: join(dir, 'empty-path') },
        logger: recordingLogger()
      })
    ).rejects.toThrow(/^the C cross compiler 'my-cross-gcc' for linux\/\w+ was not found on PATH: .*Install it or set cc to another/)
  })

  it('hands the target to a build-command in GOOS, GOARCH, CGO_ENABLED and CC', async () => {
    const logger = recordingLogger()
    const so = await buildPlugin({ env: process.env,
      workingDirectory: dir,
      output: join(dir, 'unused.so'),
      buildCommand: 'echo "$GOOS/$GOARCH $CGO_ENABLED $CC" > target.txt && touch libx.so',
      pluginPath: 'libx.so',
      platform: FOREIGN,
      logger
    })
    expect(so).toBe(join(dir, 'libx.so'))
    expect(readFileSync(join(dir, 'target.txt'), 'utf8')).toBe(
      `linux/${FOREIGN.architecture} 1 ${FOREIGN_CC}\n`
    )
    expect(logger.groups).toEqual([`Build (build-command) (linux/${FOREIGN.architecture})`])
  })

  it('gives a native build-command GOOS and GOARCH only', async () => {
    const so = await buildPlugin({
      workingDirectory: dir,
      output: join(dir, 'unused.so'),
      buildCommand: 'echo "$GOOS/$GOARCH ${CC:-none}" > target.txt && touch liby.so',
      pluginPath: 'liby.so',
      platform: host,
      env: { CC: '' },
      logger: recordingLogger()
    })
    expect(so).toBe(join(dir, 'liby.so'))
    expect(readFileSync(join(dir, 'target.txt'), 'utf8')).toBe(`linux/${host.architecture} none\n`)
  })
})
