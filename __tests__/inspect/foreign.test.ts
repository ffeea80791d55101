// foreignInspector: loading a plugin of the other architecture under qemu-user, with tiny C
// plugins (the Go ones are in test/integration/multiarch-build.test.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { foreignInspector } from '../../src/inspect/foreign.js'
import { inspectPlugin } from '../../src/inspect/inspect.js'
import { ARCHITECTURES, hostPlatform } from '../../src/platform/platform.js'
import { compileC, cPluginSource } from '../../test/helpers/fixtures.js'
import { requirePath, requireTool } from '../../test/helpers/tools.js'

const host = hostPlatform()
const FOREIGN_ARCH = host.architecture === 'arm64' ? 'amd64' : 'arm64'
const FOREIGN = { os: 'linux', architecture: FOREIGN_ARCH }
const facts = ARCHITECTURES[FOREIGN_ARCH]

describe('foreignInspector', () => {
  let dir: string
  let qemu: string
  beforeAll(() => {
    requireTool('gcc')
    requireTool(facts.crossCompiler)
    qemu = requireTool(facts.qemu)
    requirePath(join(facts.crossSysroot, 'lib'))
    dir = mkdtempSync(join(tmpdir(), 'fpr-foreign-'))
  })
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('returns the native inspector, without runner, for the host platform', async () => {
    const r = await foreignInspector(host, { env: process.env, cacheDir: join(dir, 'cache') })
    expect(r?.runner).toEqual([])
    expect(r?.inspector).toMatch(/inspector-[0-9a-f]{16}$/)
  })

  it(`loads an ${FOREIGN_ARCH} C plugin under ${facts.qemu}, with the native metadata`, async () => {
    const reasons: string[] = []
    const r = await foreignInspector(FOREIGN, {
      env: process.env,
      cacheDir: join(dir, 'cache'),
      onUnavailable: (m) => reasons.push(m)
    })
    expect(reasons).toEqual([])
    expect(r?.runner).toEqual([qemu, '-L', facts.crossSysroot])
    const foreignSo = await compileC({
      source: cPluginSource(),
      out: join(dir, 'foreign', 'libc.so'),
      cc: facts.crossCompiler
    })
    const nativeSo = await compileC({
      source: cPluginSource(),
      out: join(dir, 'native', 'libc.so')
    })
    const native = await foreignInspector(host, { env: process.env, cacheDir: join(dir, 'cache') })
    const a = await inspectPlugin(nativeSo, { env: process.env, inspector: native!.inspector })
    const b = await inspectPlugin(foreignSo, {
      env: process.env,
      inspector: r!.inspector,
      runner: r!.runner
    })
    expect(b).toEqual(a)
    expect(b).toMatchObject({ name: 'cplugin', version: '1.2.3', capabilities: ['extraction'] })
  }, 60_000)

  it('says why it cannot help when qemu is missing', async () => {
    const reasons: string[] = []
    const r = await foreignInspector(FOREIGN, {
      env: process.env,
      cacheDir: join(dir, 'cache'),
      path: join(dir, 'empty'),
      onUnavailable: (m) => reasons.push(m)
    })
    expect(r).toBeUndefined()
    expect(reasons).toEqual([
      `cannot load the linux/${FOREIGN_ARCH} plugin under emulation: ${facts.qemu} not found ` +
        `(apt-get install qemu-user); relying on the ELF checks (exports compared with the ` +
        `linux/${host.architecture} build) instead`
    ])
  })

  it('says why it cannot help when the cross compiler or the cross libc is missing', async () => {
    const onlyQemu = join(dir, 'only-qemu')
    mkdirSync(onlyQemu)
    symlinkSync(qemu, join(onlyQemu, facts.qemu))
    const reasons: string[] = []
    const onUnavailable = (m: string): number => reasons.push(m)
    const cacheDir = join(dir, 'cache')
    expect(
      await foreignInspector(FOREIGN, { env: process.env, cacheDir, path: onlyQemu, onUnavailable })
    ).toBe(undefined)
    expect(
      await foreignInspector(FOREIGN, {
        env: process.env,
        cacheDir,
        sysroot: join(dir, 'nope'),
        onUnavailable
      })
    ).toBeUndefined()
    expect(reasons[0]).toContain(
      `the cross compiler ${facts.crossCompiler} was not found (apt-get install ` +
        `${facts.crossPackages.join(' ')})`
    )
    expect(reasons[1]).toContain(
      `the ${facts.gnuTriplet} C library is not in ${join(dir, 'nope')} (apt-get install ` +
        `${facts.crossPackages[1]})`
    )
  })

  it('says so when the emulated inspector does not run', async () => {
    const reasons: string[] = []
    // The host's compiler makes a binary qemu cannot run as the foreign architecture.
    const r = await foreignInspector(FOREIGN, {
      env: process.env,
      cacheDir: join(dir, 'cache'),
      cc: 'gcc',
      onUnavailable: (m) => reasons.push(m)
    })
    expect(r).toBeUndefined()
    expect(reasons[0]).toMatch(/inspector does not run under .*qemu/)
  })
})
