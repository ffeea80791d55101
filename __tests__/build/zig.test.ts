// Getting zig for the glibc input: a zig of the pinned version on PATH, else the tool cache, else
// PyPI's wheel (here the real wheel, served on 127.0.0.1), checked against its SHA-256, extracted
// and cached.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setupZig, ZIG_VERSION, ZIG_WHEELS, zigCompilers, zigTarget } from '../../src/build/zig.js'
import { recordingLogger } from '../../test/helpers/fixtures.js'
import { requireZig } from '../../test/helpers/tools.js'

const SLOW = 300_000

describe('zig for the glibc input', () => {
  let dir: string
  let server: Server
  let url: string
  let sha256: string
  let requests = 0

  beforeAll(async () => {
    const { wheel } = requireZig()
    const bytes = readFileSync(wheel)
    sha256 = createHash('sha256').update(bytes).digest('hex')
    dir = mkdtempSync(join(tmpdir(), 'fpr-zig-'))
    server = createServer((req, res) => {
      requests++
      res.writeHead(200, { 'content-length': bytes.length })
      res.end(bytes)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ziglang.whl`
  })
  afterAll(async () => {
    await new Promise((r) => server.close(r))
    rmSync(dir, { recursive: true, force: true })
  })

  it('pins the wheel that scripts/install-zig.sh installs', () => {
    expect(ZIG_VERSION).toBe('0.17.0')
    const host = process.arch === 'arm64' ? 'arm64' : 'x64'
    expect(ZIG_WHEELS[host].sha256).toBe(sha256)
    expect(ZIG_WHEELS[host].url).toContain(`ziglang-${ZIG_VERSION}-`)
  })

  it('names the target and the compilers cgo gets', () => {
    const amd64 = { os: 'linux', architecture: 'amd64' }
    const arm64 = { os: 'linux', architecture: 'arm64' }
    expect(zigTarget(amd64, '2.17')).toBe('x86_64-linux-gnu.2.17')
    expect(zigCompilers('/z/zig', arm64, '2.28')).toEqual({
      CC: '/z/zig cc -target aarch64-linux-gnu.2.28',
      CXX: '/z/zig c++ -target aarch64-linux-gnu.2.28'
    })
    expect(() => zigCompilers('/my tools/zig', arm64, '2.28')).toThrow(/a path with a space/)
  })

  it(
    'downloads the wheel, checks it, caches it, and then uses the cache',
    async () => {
      const home = join(dir, 'home')
      // A zig of another version on PATH is not used.
      const bin = join(dir, 'bin')
      mkdirSync(bin, { recursive: true })
      writeFileSync(join(bin, 'zig'), '#!/bin/sh\necho \'.version = "0.16.0",\'\necho \'.lib_dir = "/x",\'\n')
      chmodSync(join(bin, 'zig'), 0o755)
      const env = { PATH: `${bin}:/usr/bin:/bin`, HOME: home, XDG_CACHE_HOME: join(home, 'cache') }
      const logger = recordingLogger()
      const zig = await setupZig({ env, logger, wheel: { url, sha256 } })
      expect(zig.version).toBe(ZIG_VERSION)
      expect(zig.path).toBe(
        join(home, 'cache', 'falco-plugin-release', 'tools', 'zig', ZIG_VERSION, process.arch, 'zig')
      )
      expect(existsSync(join(zig.libDir, 'libc', 'glibc', 'abilists'))).toBe(true)
      expect(logger.lines.join('\n')).toContain(`${join(bin, 'zig')} (zig 0.16.0)`)
      expect(requests).toBe(1)

      const again = await setupZig({ env, logger: recordingLogger(), wheel: { url, sha256 } })
      expect(again).toMatchObject({ path: zig.path, from: 'the tool cache' })
      expect(requests).toBe(1)
    },
    SLOW
  )

  it(
    'refuses a wheel whose SHA-256 is not the pinned one, and caches nothing',
    async () => {
      const home = join(dir, 'home-bad')
      const env = { PATH: '/usr/bin:/bin', HOME: home }
      await expect(
        setupZig({ env, logger: recordingLogger(), wheel: { url, sha256: '0'.repeat(64) } })
      ).rejects.toThrow(`has SHA-256 ${sha256}, not the pinned ${'0'.repeat(64)}`)
      expect(existsSync(join(home, '.cache', 'falco-plugin-release', 'tools', 'zig'))).toBe(false)
    },
    SLOW
  )

  it(
    "uses the runner's tool cache under Actions (@actions/tool-cache's layout)",
    async () => {
      const cache = join(dir, 'toolcache')
      const temp = join(dir, 'runner-temp')
      mkdirSync(temp, { recursive: true })
      const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP }
      // @actions/tool-cache reads these from process.env.
      process.env.RUNNER_TOOL_CACHE = cache
      process.env.RUNNER_TEMP = temp
      try {
        const env = { PATH: '/usr/bin:/bin', HOME: dir, RUNNER_TOOL_CACHE: cache, RUNNER_TEMP: temp }
        const zig = await setupZig({ env, logger: recordingLogger(), wheel: { url, sha256 } })
        expect(zig.path).toBe(join(cache, 'zig', ZIG_VERSION, process.arch, 'zig'))
        expect(existsSync(join(cache, 'zig', ZIG_VERSION, `${process.arch}.complete`))).toBe(true)
        const before = requests
        const again = await setupZig({ env, logger: recordingLogger(), wheel: { url, sha256 } })
        expect(again.from).toBe('the tool cache')
        expect(requests).toBe(before)
        // A zig of the pinned version on PATH comes first.
        const onPath = await setupZig({
          env: { ...env, PATH: `${join(cache, 'zig', ZIG_VERSION, process.arch)}:/usr/bin` },
          logger: recordingLogger()
        })
        expect(onPath.from).toBe('PATH')
      } finally {
        process.env.RUNNER_TOOL_CACHE = saved.cache
        process.env.RUNNER_TEMP = saved.temp
        if (saved.cache === undefined) delete process.env.RUNNER_TOOL_CACHE
        if (saved.temp === undefined) delete process.env.RUNNER_TEMP
      }
    },
    SLOW
  )
})
