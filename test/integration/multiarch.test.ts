// Multi-arch releases end to end: a single job cross-compiling arm64, the
// matrix path (push-by-digest jobs + a merge job), falcoctl's platform
// selection, and the .so checks that refuse a release before anything is pushed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readElf } from '../../src/inspect/elf.js'
import { runAction, type ActionRun } from '../helpers/action.js'
import { FALCOCTL_VERSIONS, falcoctlInstall } from '../helpers/falcoctl.js'
import { compileC, cPluginSource, makePluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'
import { requireTool } from '../helpers/tools.js'

const RULES = [
  '- required_engine_version: 0.31.0',
  '- required_plugin_versions:',
  '    - name: multi',
  '      version: 1.0.0',
  ''
].join('\n')

const EM_X86_64 = 62
const EM_AARCH64 = 183

describe('multi-arch releases', () => {
  let reg: RunningRegistry
  let work: string

  beforeAll(async () => {
    requireTool('aarch64-linux-gnu-gcc')
    reg = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'fpr-multi-'))
  }, 60_000)
  afterAll(async () => reg?.stop())

  async function tags(repo: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`)
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  async function index(repo: string, tag: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
      headers: { accept: 'application/vnd.oci.image.index.v1+json' }
    })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  async function run(
    dir: string,
    goPackage: string,
    inputs: Record<string, string>,
    tag = '1.0.0'
  ): Promise<ActionRun> {
    return runAction({
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': dir,
        'go-package': goPackage,
        'index-file': join(dir, 'index.yaml'),
        'github-release': 'false',
        ...inputs
      },
      env: { GITHUB_REF: `refs/tags/${tag}` }
    })
  }

  let single: ActionRun
  let singleIndexFile: string

  it('one job cross-compiles linux/arm64: one index, amd64 first, both platforms', async () => {
    const f = await makePluginFixture({
      kind: 'extractor',
      name: 'multi',
      version: '1.0.0',
      rules: RULES
    })
    single = await run(f.dir, f.goPackage, {
      repository: 'acme/single',
      platforms: 'linux/amd64, linux/aarch64'
    })
    expect(single.stdout).not.toMatch(/::error::/)
    expect(single.code).toBe(0)
    singleIndexFile = join(f.dir, 'index.yaml')
    const idx = await index('acme/single/plugin/multi', 'latest')
    const platforms = (idx.manifests as Array<{ platform: unknown }>).map((m) => m.platform)
    expect(platforms).toEqual([
      { architecture: 'amd64', os: 'linux' },
      { architecture: 'arm64', os: 'linux' }
    ])
    expect(JSON.parse(single.outputs['glibc-floor'])).toEqual({
      'linux/amd64': expect.stringMatching(/^2\.\d+$/),
      'linux/arm64': expect.stringMatching(/^2\.\d+$/)
    })
    expect(single.stdout).toMatch(/aarch64.*mapped|mapped.*aarch64|arm64/)
    expect(single.summary).toMatch(
      /\| `linux\/arm64` \| `sha256:[a-f0-9]{64}` \| needs glibc &gt;= 2\.\d+/
    )
  }, 300_000)

  it.each(FALCOCTL_VERSIONS)(
    'falcoctl %s installs the .so of the platform it asks for',
    async (version) => {
      for (const [platform, machine] of [
        ['linux/arm64', EM_AARCH64],
        ['linux/amd64', EM_X86_64]
      ] as const) {
        const installed = await falcoctlInstall({
          indexFile: singleIndexFile,
          refs: ['multi-rules:latest'],
          platform,
          version
        })
        expect(installed.plugins).toEqual(['libmulti.so'])
        expect(installed.rules).toEqual(['multi_rules.yaml'])
        const elf = await readElf(join(installed.pluginsDir, 'libmulti.so'))
        expect([platform, elf.machine]).toEqual([platform, machine])
      }
    },
    180_000
  )

  it('the matrix path (push-by-digest jobs, then merge) gives the same index as the single job', async () => {
    const f = await makePluginFixture({
      kind: 'extractor',
      name: 'multi',
      version: '1.0.0',
      rules: RULES
    })
    const common = { repository: 'acme/matrix' }
    const amd = await run(f.dir, f.goPackage, { ...common, 'push-by-digest': 'true' })
    // On GitHub this job runs on an arm64 runner; here it cross-compiles and loads under qemu.
    const arm = await run(f.dir, f.goPackage, {
      ...common,
      'push-by-digest': 'true',
      platforms: 'linux/arm64'
    })
    for (const r of [amd, arm]) {
      expect(r.stdout).not.toMatch(/::error::/)
      expect(r.outputs.digest).toMatch(/^sha256:[a-f0-9]{64}$/)
      expect(r.outputs.tags).toBe('')
    }
    expect([amd.outputs.platform, arm.outputs.platform]).toEqual(['linux/amd64', 'linux/arm64'])
    expect(arm.outputs['plugin-ref']).toBe(
      `${reg.host}/acme/matrix/plugin/multi@${arm.outputs.digest}`
    )
    // Matrix jobs write no tags at all, in either repository.
    expect(await tags('acme/matrix/plugin/multi')).toEqual([])
    expect(await tags('acme/matrix/ruleset/multi')).toEqual([])

    // The merge job gets the digests in any order, as full references from the jobs' outputs.
    const merged = await run(f.dir, f.goPackage, {
      ...common,
      merge: `${arm.outputs['plugin-ref']}\n${amd.outputs['plugin-ref']}`
    })
    expect(merged.stdout).not.toMatch(/::error::/)
    expect(merged.code).toBe(0)
    expect(merged.outputs['plugin-digest']).toBe(single.outputs['plugin-digest'])
    expect(merged.outputs['rules-digest']).toBe(single.outputs['rules-digest'])
    expect(await tags('acme/matrix/plugin/multi')).toEqual(['1', '1.0', '1.0.0', 'latest'])
    expect(await tags('acme/matrix/ruleset/multi')).toEqual(['1', '1.0', '1.0.0', 'latest'])
    const installed = await falcoctlInstall({
      indexFile: join(f.dir, 'index.yaml'),
      refs: ['multi-rules:1.0.0'],
      platform: 'linux/arm64'
    })
    expect((await readElf(join(installed.pluginsDir, 'libmulti.so'))).machine).toBe(EM_AARCH64)
  }, 300_000)

  it('merge refuses a digest that is not in the repository, and one declared as the wrong platform', async () => {
    const f = await makePluginFixture({
      kind: 'extractor',
      name: 'multi',
      version: '1.0.0',
      rules: RULES
    })
    const missing = await run(f.dir, f.goPackage, {
      repository: 'acme/matrix',
      'plugin-name': 'multi',
      merge: `sha256:${'0'.repeat(64)}`
    })
    expect(missing.code).not.toBe(0)
    expect(missing.stdout).toMatch(/::error::merge: .*sha256:0{64} does not exist/)

    const amd = await run(f.dir, f.goPackage, {
      repository: 'acme/mislabel',
      'push-by-digest': 'true'
    })
    const wrong = await run(f.dir, f.goPackage, {
      repository: 'acme/mislabel',
      'plugin-name': 'multi',
      merge: `linux/arm64@${amd.outputs.digest}`
    })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stdout).toMatch(/::error::.*given as linux\/arm64 but holds a linux\/amd64/)
    expect(await tags('acme/mislabel/plugin/multi')).toEqual([])
  }, 300_000)

  it('refuses a .so above max-glibc, naming the symbols and an older build image; nothing pushed', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'oldglibc', version: '1.0.0' })
    const r = await run(f.dir, f.goPackage, { repository: 'acme/glibc', 'max-glibc': '2.17' })
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/::error::.*GLIBC_2\.\d+.*2\.17/)
    expect(r.stdout).toMatch(/debian:bullseye|older/)
    expect(await tags('acme/glibc/plugin/oldglibc')).toEqual([])
  }, 180_000)

  it('refuses a .so missing a required symbol, listing it; nothing pushed', async () => {
    const dir = await mkdtemp(join(work, 'nosym-'))
    await compileC({
      source: cPluginSource(['plugin_get_last_error']),
      out: join(dir, 'libnosym.so')
    })
    const r = await run(dir, '.', {
      repository: 'acme/nosym',
      'build-command': 'true',
      'plugin-path': 'libnosym.so',
      'plugin-name': 'nosym'
    })
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/::error::.*plugin_get_last_error/)
    expect(await tags('acme/nosym/plugin/nosym')).toEqual([])
  }, 120_000)

  it('refuses an amd64 .so offered as linux/arm64; nothing pushed', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'liar', version: '1.0.0' })
    // A build command that ignores GOARCH and always builds for the host.
    const r = await run(f.dir, '.', {
      repository: 'acme/liar',
      platforms: 'linux/arm64',
      'build-command': `env -u GOARCH -u CC GOOS=linux CGO_ENABLED=1 go build -buildmode=c-shared -o libliar.so ${f.goPackage}`,
      'plugin-path': 'libliar.so'
    })
    expect(r.code).not.toBe(0)
    expect(r.stdout).toMatch(/::error::.*x86-64.*linux\/arm64|::error::.*linux\/arm64.*x86-64/)
    expect(await tags('acme/liar/plugin/liar')).toEqual([])
  }, 180_000)
})
