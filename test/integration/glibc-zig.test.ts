// The glibc input end to end, with the real zig from PyPI's wheel (scripts/install-zig.sh): one
// job builds linux/amd64 and linux/arm64 at once with zig cc for glibc 2.17, every .so's floor is
// at or below 2.17 (our ELF reader, objdump -T and readelf -V agree), the arm64 one loads under
// qemu, and falcoctl installs each platform. A plugin that references __res_search without a
// version (falcosecurity/plugins#1500) is refused for glibc 2.17, though it loads on this host.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { arch, tmpdir } from 'node:os'
import { join } from 'node:path'
import { compareGlibcVersions, glibcVersionOf, readElf } from '../../src/inspect/elf.js'
import { compileInspector, inspectPlugin } from '../../src/inspect/inspect.js'
import { runAction, type ActionRun } from '../helpers/action.js'
import { FALCOCTL_VERSIONS, falcoctlInstall } from '../helpers/falcoctl.js'
import {
  cPluginSource,
  makePluginFixture,
  objdumpDynamic,
  readelfFacts
} from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'
import { requirePath, requireTool, requireZig, ZIG_VERSION } from '../helpers/tools.js'

const GLIBC = '2.17'
// zig compiles glibc 2.17's stubs once per architecture (cached in .tools/zig-cache), and Go
// rebuilds its cgo packages for the new compiler: minutes on a busy 2-core machine.
const BUILD_TIMEOUT = 900_000

const RULES = [
  '- required_engine_version: 0.31.0',
  '- required_plugin_versions:',
  '    - name: oldglibc',
  '      version: 1.0.0',
  ''
].join('\n')

const atMostTarget = (v: string): boolean => compareGlibcVersions(v, GLIBC) <= 0

describe(`glibc ${GLIBC} with zig ${ZIG_VERSION}`, () => {
  let reg: RunningRegistry
  let work: string
  let zig: ReturnType<typeof requireZig>

  beforeAll(async () => {
    zig = requireZig()
    requireTool('go')
    requireTool('gcc')
    requireTool('objdump')
    requireTool('readelf')
    requireTool('qemu-aarch64')
    requirePath('/usr/aarch64-linux-gnu/lib')
    reg = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'fpr-zig-'))
  }, 60_000)
  afterAll(async () => reg?.stop())

  async function tags(repo: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`)
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  let release: ActionRun
  let indexFile: string

  it(
    'builds linux/amd64 and linux/arm64 at once with zig from the tool cache, at or below the target',
    async () => {
      const f = await makePluginFixture({
        kind: 'extractor',
        name: 'oldglibc',
        version: '1.0.0',
        rules: RULES
      })
      // The runner's tool cache, as @actions/tool-cache lays it out, holding the wheel's zig.
      const toolCache = join(work, 'toolcache')
      mkdirSync(join(toolCache, 'zig', ZIG_VERSION), { recursive: true })
      symlinkSync(zig.dir, join(toolCache, 'zig', ZIG_VERSION, arch()))
      writeFileSync(join(toolCache, 'zig', ZIG_VERSION, `${arch()}.complete`), '')
      indexFile = join(f.dir, 'index.yaml')
      release = await runAction({
        inputs: {
          registry: reg.host,
          'plain-http': 'true',
          'working-directory': f.dir,
          'go-package': f.goPackage,
          'index-file': indexFile,
          'github-release': 'false',
          repository: 'acme/zig',
          platforms: 'linux/amd64,linux/arm64',
          glibc: GLIBC
        },
        env: {
          GITHUB_REF: 'refs/tags/1.0.0',
          RUNNER_TOOL_CACHE: toolCache,
          ZIG_GLOBAL_CACHE_DIR: zig.cache
        }
      })
      expect(release.stdout).not.toMatch(/::error::/)
      expect(release.code).toBe(0)
      expect(release.stdout).toContain(`zig ${ZIG_VERSION} from the tool cache`)
      expect(release.stdout).toContain(`cc -target x86_64-linux-gnu.${GLIBC}`)
      expect(release.stdout).toContain(`cc -target aarch64-linux-gnu.${GLIBC}`)
      expect(release.stdout).toMatch(
        /Build and inspect \.\/extractor \(linux\/amd64, linux\/arm64, 2 at once\)/
      )
      // The arm64 .so was loaded under qemu, with an inspector zig compiled (no cross gcc used).
      expect(release.stdout).toContain('linux/arm64: loaded under emulation, same metadata')
      const floors = JSON.parse(release.outputs['glibc-floor']) as Record<string, string>
      expect(Object.keys(floors).sort()).toEqual(['linux/amd64', 'linux/arm64'])
      for (const [platform, floor] of Object.entries(floors)) {
        expect([platform, floor, atMostTarget(floor)]).toEqual([platform, floor, true])
      }
      expect(await tags('acme/zig/plugin/oldglibc')).toEqual(['1', '1.0', '1.0.0', 'latest'])
    },
    BUILD_TIMEOUT
  )

  it.each(FALCOCTL_VERSIONS)(
    'falcoctl %s installs each platform; every .so needs glibc <= 2.17 (ELF reader, objdump, readelf)',
    async (version) => {
      expect(release?.code).toBe(0)
      for (const [platform, machine] of [
        ['linux/amd64', 62],
        ['linux/arm64', 183]
      ] as const) {
        const installed = await falcoctlInstall({
          indexFile,
          refs: ['oldglibc-rules:latest'],
          platform,
          version
        })
        expect(installed.plugins).toEqual(['liboldglibc.so'])
        const so = join(installed.pluginsDir, 'liboldglibc.so')
        const elf = await readElf(so)
        expect([platform, elf.machine]).toEqual([platform, machine])
        expect([platform, elf.glibcFloor !== undefined && atMostTarget(elf.glibcFloor)]).toEqual([
          platform,
          true
        ])
        // Every undefined symbol has a version (Go's cgo resolver's __res_search included).
        expect(elf.imports.filter((i) => !i.weak && i.version === undefined)).toEqual([])
        const dump = await objdumpDynamic(so)
        const dumped = Object.keys(dump.glibcSymbols).map((v) => glibcVersionOf(v) as string)
        expect(dumped.length).toBeGreaterThan(0)
        expect(dumped.filter((v) => !atMostTarget(v))).toEqual([])
        expect(Object.keys(dump.glibcSymbols).sort()).toEqual(Object.keys(elf.glibcSymbols).sort())
        const facts = await readelfFacts(so)
        const needed = facts.versionsNeeded.filter((v) => v.startsWith('GLIBC_2'))
        expect(needed.filter((v) => !atMostTarget(glibcVersionOf(v) as string))).toEqual([])
        expect(facts.needed).toEqual(elf.needed)
      }
    },
    180_000
  )

  it(
    'the arm64 .so that falcoctl installs loads under qemu-aarch64 and reports its metadata',
    async () => {
      expect(release?.code).toBe(0)
      const installed = await falcoctlInstall({
        indexFile,
        refs: ['oldglibc:latest'],
        platform: 'linux/arm64'
      })
      const inspector = await compileInspector({
        cc: `${zig.bin} cc -target aarch64-linux-gnu.${GLIBC}`,
        cacheDir: join(work, 'inspector'),
        env: { ...process.env, ZIG_GLOBAL_CACHE_DIR: zig.cache }
      })
      const meta = await inspectPlugin(join(installed.pluginsDir, 'liboldglibc.so'), {
        env: process.env,
        inspector,
        runner: [requireTool('qemu-aarch64'), '-L', '/usr/aarch64-linux-gnu']
      })
      expect(meta).toMatchObject({ name: 'oldglibc', version: '1.0.0' })
      expect(meta.capabilities).toContain('extraction')
    },
    BUILD_TIMEOUT
  )

  it(
    'refuses a .so referencing __res_search without a version (plugins#1500), which loads on this host',
    async () => {
      // A build-command that ignores $CC (the host's gcc links against glibc 2.36, where
      // __res_search is only a compatibility symbol of libc): the reference stays unversioned.
      const dir = join(work, 'trap')
      mkdirSync(dir, { recursive: true })
      writeFileSync(
        join(dir, 'trap.c'),
        cPluginSource(
          [],
          [
            'extern int __res_search(const char *, int, int, unsigned char *, int);',
            'void *resolver(void) { return (void *)&__res_search; }'
          ].join('\n')
        )
      )
      const run = await runAction({
        inputs: {
          registry: reg.host,
          'plain-http': 'true',
          'working-directory': dir,
          'build-command': 'gcc -shared -fPIC -O2 -o libcplugin.so trap.c',
          'plugin-path': 'libcplugin.so',
          'index-file': join(dir, 'index.yaml'),
          'rules-file': 'none',
          'github-release': 'false',
          repository: 'acme/trap',
          glibc: GLIBC
        },
        env: {
          GITHUB_REF: 'refs/tags/1.2.3',
          PATH: `${zig.dir}:${process.env.PATH ?? ''}`,
          ZIG_GLOBAL_CACHE_DIR: zig.cache
        }
      })
      expect(run.code).not.toBe(0)
      expect(run.stdout).toContain(`zig ${ZIG_VERSION} from PATH`)
      expect(run.stdout).toMatch(/::error::.*__res_search \(in libresolv\.so\.2\)/)
      expect(run.stdout).toContain('on glibc 2.17 the library that defines it is not among')
      expect(run.stdout).toContain('falcosecurity/plugins#1500')
      expect(await tags('acme/trap/plugin/cplugin')).toEqual([])

      // The same .so loads here (glibc >= 2.34 binds it to libc's compatibility symbol): dlopen on
      // the runner alone would not have caught it.
      const so = join(dir, 'libcplugin.so')
      const elf = await readElf(so)
      expect(elf.imports).toContainEqual({ name: '__res_search', weak: false })
      const meta = await inspectPlugin(so, {
        env: process.env,
        inspector: await compileInspector({ env: process.env, cacheDir: join(work, 'inspector') })
      })
      expect(meta.name).toBe('cplugin')
    },
    BUILD_TIMEOUT
  )

  it(
    'a platform whose build fails fails the release, while the other built at the same time',
    async () => {
      const f = await makePluginFixture({ kind: 'extractor', name: 'halfbroken', version: '1.0.0' })
      writeFileSync(
        join(f.dir, 'extractor', 'broken_arm64.go'),
        '//go:build arm64\n\npackage main\n\nvar broken int = "not an int"\n'
      )
      const run = await runAction({
        inputs: {
          registry: reg.host,
          'plain-http': 'true',
          'working-directory': f.dir,
          'go-package': f.goPackage,
          'index-file': join(f.dir, 'index.yaml'),
          'rules-file': 'none',
          'github-release': 'false',
          repository: 'acme/halfbroken',
          platforms: 'linux/amd64,linux/arm64',
          glibc: GLIBC
        },
        env: {
          GITHUB_REF: 'refs/tags/1.0.0',
          PATH: `${zig.dir}:${process.env.PATH ?? ''}`,
          ZIG_GLOBAL_CACHE_DIR: zig.cache
        }
      })
      expect(run.code).not.toBe(0)
      expect(run.stdout).toMatch(/::error::go build exited with status 1: .*GOARCH=arm64/)
      expect(run.stdout).toContain('broken_arm64.go')
      expect(await tags('acme/halfbroken/plugin/halfbroken')).toEqual([])
    },
    BUILD_TIMEOUT
  )
})
