// Distribution beyond the registry, through the bundled action: the GitHub
// Release with archives and checksums, index.yaml committed to a branch, the
// registry.yaml entry, and monorepo tags. GitHub is a loopback fake that
// answers like the API; the registry is real.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { runAction, type ActionRun } from '../helpers/action.js'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const TOKEN = 'ghs_distributionTestToken123'

describe('distribution: GitHub Release, index branch, registry entry, monorepos', () => {
  let reg: RunningRegistry
  let gh: FakeGitHub

  beforeAll(async () => {
    reg = await startRegistry()
    gh = await startFakeGitHub({ token: TOKEN })
  }, 60_000)
  afterAll(async () => {
    await reg?.stop()
    await gh?.stop()
  })

  async function release(
    dir: string,
    tag: string,
    inputs: Record<string, string>,
    env: Record<string, string> = {}
  ): Promise<ActionRun> {
    return runAction({
      cwd: dir,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'github-token': TOKEN,
        ...inputs
      },
      env: {
        GITHUB_REF: `refs/tags/${tag}`,
        GITHUB_API_URL: gh.apiUrl,
        GITHUB_REPOSITORY: 'acme/falco-plugins',
        GITHUB_SHA: 'a'.repeat(40),
        ...env
      }
    })
  }

  const rules = (name: string, version: string) =>
    `- required_engine_version: 0.31.0\n- required_plugin_versions:\n    - name: ${name}\n      version: ${version}\n`

  it('creates the GitHub Release with the .so archive, the rules and checksums; a re-run replaces nothing', async () => {
    const f = await makePluginFixture({
      kind: 'source',
      name: 'ghrel',
      version: '1.2.0',
      rules: rules('ghrel', '1.0.0')
    })
    gh.createTag('acme', 'falco-plugins', '1.2.0')
    const first = await release(f.dir, '1.2.0', {
      'working-directory': f.dir,
      'go-package': f.goPackage,
      'index-branch': 'gh-pages'
    })
    expect(first.stdout).not.toMatch(/::error::/)
    expect(first.code).toBe(0)

    const rel = gh.repo('acme', 'falco-plugins').releases.find((r) => r.tag_name === '1.2.0')
    expect(rel).toBeDefined()
    expect(rel?.prerelease).toBe(false)
    const names = rel?.assets.map((a) => a.name).sort()
    expect(names).toEqual([
      'checksums.txt',
      'ghrel-1.2.0-linux-x86_64.tar.gz',
      'ghrel-rules-1.2.0.tar.gz'
    ])
    const checksums =
      rel?.assets.find((a) => a.name === 'checksums.txt')?.data.toString('utf8') ?? ''
    for (const a of rel?.assets ?? []) {
      if (a.name === 'checksums.txt') continue
      const sum = createHash('sha256').update(a.data).digest('hex')
      expect(checksums).toContain(`${sum}  ${a.name}`)
    }
    expect(first.outputs['release-url']).toBe(`${gh.origin}/acme/falco-plugins/releases/tag/1.2.0`)

    // index.yaml committed to gh-pages, and its URL given.
    expect(first.outputs['index-url']).toBe('https://acme.github.io/falco-plugins/index.yaml')
    expect(first.summary).toContain(
      'falcoctl index add ghrel https://acme.github.io/falco-plugins/index.yaml'
    )

    // registry.yaml entry from the .so: a sourcing plugin with its id and source.
    const entry = parseYaml(first.outputs['registry-entry']) as Array<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
    const e = Array.isArray(entry) ? entry[0] : entry
    expect(e.name).toBe('ghrel')
    expect(e.capabilities.sourcing).toMatchObject({ supported: true, id: expect.any(Number) })
    expect(first.summary).toContain('registry.yaml entry')

    // The token never shows up anywhere the user can see.
    expect(first.everything.replace(/::add-mask::.*\n/g, '')).not.toContain(TOKEN)

    const uploadsBefore = gh.requests.filter(
      (r) => r.method === 'POST' && /assets/.test(r.path)
    ).length
    const again = await release(f.dir, '1.2.0', {
      'working-directory': f.dir,
      'go-package': f.goPackage,
      'index-branch': 'gh-pages'
    })
    expect(again.code).toBe(0)
    const after = gh.repo('acme', 'falco-plugins').releases.filter((r) => r.tag_name === '1.2.0')
    expect(after).toHaveLength(1)
    expect(after[0].assets).toHaveLength(3)
    const uploadsAfter = gh.requests.filter(
      (r) => r.method === 'POST' && /assets/.test(r.path)
    ).length
    expect(uploadsAfter).toBe(uploadsBefore)
  }, 240_000)

  it('marks a pre-release as such', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'ghpre', version: '2.0.0-rc.1' })
    gh.createTag('acme', 'falco-plugins', 'v2.0.0-rc.1')
    const r = await release(f.dir, 'v2.0.0-rc.1', {
      'working-directory': f.dir,
      'go-package': f.goPackage
    })
    expect(r.code).toBe(0)
    const rel = gh.repo('acme', 'falco-plugins').releases.find((x) => x.tag_name === 'v2.0.0-rc.1')
    expect(rel?.prerelease).toBe(true)
    expect(rel?.assets.map((a) => a.name)).toContain('ghpre-2.0.0-rc.1-linux-x86_64.tar.gz')
  }, 180_000)

  it('says which permission is missing when the API refuses (403)', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'ghro', version: '1.0.0' })
    gh.createTag('acme', 'falco-plugins', 'ro-1.0.0')
    gh.readOnly = true
    try {
      const r = await release(f.dir, 'ro-1.0.0', {
        'working-directory': f.dir,
        'go-package': f.goPackage,
        'tag-pattern': 'ro-{version}'
      })
      expect(r.code).not.toBe(0)
      expect(r.stdout).toMatch(/::error::.*contents: write/)
    } finally {
      gh.readOnly = false
    }
  }, 180_000)

  it('monorepo: plugins/<name>/v<version> releases that plugin from its folder and keeps the others in index.yaml', async () => {
    const repo = await mkdtemp(join(tmpdir(), 'fpr-mono-'))
    await mkdir(join(repo, 'plugins'))
    for (const name of ['alpha', 'beta']) {
      const f = await makePluginFixture({
        kind: 'extractor',
        name,
        version: '0.3.0',
        rules: rules(name, '0.1.0')
      })
      await rename(f.dir, join(repo, 'plugins', name))
    }
    const inputs = {
      'tag-pattern': 'plugins/{name}/v{version}',
      'go-package': './extractor',
      'index-branch': 'gh-pages-mono',
      'github-release': 'false',
      repository: 'acme/mono',
      'index-file': 'index.yaml'
    }
    for (const name of ['alpha', 'beta']) {
      const r = await release(repo, `plugins/${name}/v0.3.0`, inputs)
      expect(r.stdout).not.toMatch(/::error::/)
      expect(r.code).toBe(0)
      expect(r.outputs['plugin-ref']).toBe(`${reg.host}/acme/mono/plugin/${name}:0.3.0`)
    }
    // The committed index holds both plugins and both rulesfiles.
    const branch = gh.repo('acme', 'falco-plugins').refs.get('refs/heads/gh-pages-mono')
    expect(branch).toBeDefined()
    const local = parseYaml(
      (await import('node:fs')).readFileSync(join(repo, 'index.yaml'), 'utf8')
    ) as Array<{ name: string }>
    expect(local.map((e) => e.name)).toEqual(['alpha', 'alpha-rules', 'beta', 'beta-rules'])

    // A tag naming one plugin refuses a .so that reports another name.
    const wrong = await release(repo, 'plugins/alpha/v0.3.0', {
      ...inputs,
      'working-directory': 'plugins/beta'
    })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stdout).toMatch(/::error::.*beta.*alpha|::error::.*alpha.*beta/)
  }, 300_000)
})
