// Dev builds of the default branch, end to end: a git repository with real commits and tags, the
// bundled action run as the runner runs it for pushes to main (GITHUB_REF, GITHUB_SHA,
// GITHUB_EVENT_NAME, GITHUB_EVENT_PATH) and for a tag, Debian's docker-registry, and falcoctl
// v0.12.2 and v0.13.0 installing `<name>-rules:main` through the dev index.
//
// The story: a stable release 1.0.0; two pushes to main (dev builds: `main` moves, each gets its
// exact dev version tag, the stable tags and index.yaml stay as they were); a re-run of the older
// push (does not take `main` back); a third push that ages the first dev build out; then the
// release 1.1.0, which works as before.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cp, mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { runAction, type ActionRun } from '../helpers/action.js'
import { FALCOCTL_VERSIONS, falcoctlInstall } from '../helpers/falcoctl.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const BUILD = 300_000
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json'
].join(', ')

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Dev',
  GIT_AUTHOR_EMAIL: 'dev@example.com',
  GIT_COMMITTER_NAME: 'Dev',
  GIT_COMMITTER_EMAIL: 'dev@example.com'
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV })
    .toString()
    .trim()
}

/** Rewrites the fixture's reported version and description (extractor/meta.go). */
function setMeta(dir: string, meta: { version?: string; description?: string }): void {
  const file = join(dir, 'extractor', 'meta.go')
  let text = readFileSync(file, 'utf8')
  if (meta.version) text = text.replace(/(pluginVersion\s*=\s*)"[^"]*"/, `$1"${meta.version}"`)
  if (meta.description) {
    text = text.replace(/(pluginDescription\s*=\s*)"[^"]*"/, `$1"${meta.description}"`)
  }
  writeFileSync(file, text)
}

function commitAll(dir: string, message: string): string {
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '--allow-empty', '-m', message)
  return git(dir, 'rev-parse', 'HEAD')
}

function rulesYaml(name: string): string {
  return [
    '- required_engine_version: 0.31.0',
    '- required_plugin_versions:',
    `    - name: ${name}`,
    '      version: 1.0.0',
    `- rule: ${name} dev rule`,
    `  desc: fires on ${name} events`,
    '  condition: evt.num > 0',
    '  output: event %evt.num',
    '  priority: INFO',
    ''
  ].join('\n')
}

describe('dev builds of main, then a release', () => {
  let reg: RunningRegistry
  let work: string
  let repo: string
  const name = 'devchan'
  const pluginRepo = `acme/falco-plugins/plugin/${name}`
  const rulesRepo = `acme/falco-plugins/ruleset/${name}`
  const stableIndex = () => join(work, 'index.yaml')
  const devIndex = () => join(work, 'index-dev.yaml')

  beforeAll(async () => {
    reg = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'fpr-dev-'))
    const fixture = await makePluginFixture({
      kind: 'extractor',
      name,
      version: '1.0.0',
      rules: rulesYaml(name),
      description: 'first'
    })
    repo = join(work, 'repo')
    await cp(fixture.dir, repo, { recursive: true })
    git(repo, 'init', '-q', '-b', 'main')
    commitAll(repo, 'the plugin')
    git(repo, 'tag', '-a', '-m', 'v1.0.0', 'v1.0.0')
  }, 60_000)
  afterAll(async () => reg?.stop())

  async function tags(r: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${r}/tags/list`)
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  async function digest(r: string, tag: string): Promise<string | undefined> {
    const res = await fetch(`${reg.url}/v2/${r}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: ACCEPT }
    })
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined
  }

  async function config(r: string, tag: string): Promise<Record<string, unknown>> {
    const get = async (ref: string) =>
      (await (
        await fetch(`${reg.url}/v2/${r}/manifests/${ref}`, { headers: { accept: ACCEPT } })
      ).json()) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    let m = await get(tag)
    if (Array.isArray(m.manifests)) m = await get(m.manifests[0].digest)
    const res = await fetch(`${reg.url}/v2/${r}/blobs/${m.config.digest}`)
    return (await res.json()) as Record<string, unknown>
  }

  const common = () => ({
    registry: reg.host,
    'plain-http': 'true',
    'working-directory': repo,
    'go-package': './extractor',
    'index-file': stableIndex(),
    'dev-index-file': devIndex(),
    'dev-keep': '2',
    'github-release': 'false',
    // The rules require the plugin itself only: no other index to ask.
    'dependency-indexes': 'none'
  })

  /** The action for a push to main from `before` to `after` (HEAD of the checkout). */
  async function push(
    before: string,
    after: string,
    inputs: Record<string, string> = {}
  ): Promise<ActionRun> {
    const event = join(work, `event-${after.slice(0, 7)}.json`)
    writeFileSync(
      event,
      JSON.stringify({
        ref: 'refs/heads/main',
        before,
        after,
        repository: { default_branch: 'main', full_name: 'Acme/Falco-Plugins' }
      })
    )
    return runAction({
      inputs: { ...common(), ...inputs },
      env: {
        GITHUB_REF: 'refs/heads/main',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: event,
        GITHUB_SHA: after
      }
    })
  }

  function ok(run: ActionRun): void {
    if (run.code !== 0) throw new Error(`the action failed:\n${run.stdout}\n${run.stderr}`)
    expect(run.stdout).not.toMatch(/::error::/)
  }

  let stable: { plugin?: string; rules?: string; index: string }
  let v1: string
  let devA: ActionRun
  let devB: ActionRun
  let commitA: string
  let commitB: string

  it(
    'a stable release 1.0.0 first (the baseline a dev build must leave alone)',
    async () => {
      v1 = git(repo, 'rev-parse', 'HEAD')
      const run = await runAction({
        inputs: common(),
        env: { GITHUB_REF: 'refs/tags/v1.0.0', GITHUB_EVENT_NAME: 'push', GITHUB_SHA: v1 }
      })
      ok(run)
      expect(await tags(pluginRepo)).toEqual(['1', '1.0', '1.0.0', 'latest'])
      stable = {
        plugin: await digest(pluginRepo, 'latest'),
        rules: await digest(rulesRepo, 'latest'),
        index: readFileSync(stableIndex(), 'utf8')
      }
    },
    BUILD
  )

  it(
    'push A to main: an exact dev version tag and main, stable tags and index.yaml untouched',
    async () => {
      setMeta(repo, { description: 'dev build A' })
      commitA = commitAll(repo, 'work A')
      devA = await push(v1, commitA)
      ok(devA)
      const version = `1.0.1-dev.1.g${commitA.slice(0, 7)}`
      expect(devA.outputs.version).toBe(version)
      expect(devA.outputs.tags.split('\n')).toEqual([version, 'main'])
      expect(devA.outputs.skipped).toBe('false')
      for (const r of [pluginRepo, rulesRepo]) {
        expect(await tags(r)).toEqual(['1', '1.0', '1.0.0', version, 'latest', 'main'].sort())
        expect(await digest(r, 'main')).toBe(await digest(r, version))
      }
      for (const t of ['1', '1.0', '1.0.0', 'latest']) {
        expect(await digest(pluginRepo, t)).toBe(stable.plugin)
        expect(await digest(rulesRepo, t)).toBe(stable.rules)
      }
      expect(readFileSync(stableIndex(), 'utf8')).toBe(stable.index)
      expect(devA.outputs['index-file']).toBe(devIndex())
      expect(devA.summary).toMatch(/Dev build of `main`/)
      expect(devA.summary).toMatch(/1 commit\(s\) after `v1\.0\.0`/)
      expect(devA.summary).toMatch(/falcoctl artifact install devchan-rules:main/)
    },
    BUILD
  )

  it('the two artifacts depend on each other at the exact dev version, a tag that exists', async () => {
    const version = devA.outputs.version
    expect(await config(pluginRepo, 'main')).toEqual({
      name,
      version,
      dependencies: [{ name: `${name}-rules`, version }],
      requirements: [{ name: 'plugin_api_version', version: '3.11.0' }]
    })
    expect(await config(rulesRepo, 'main')).toEqual({
      name: `${name}-rules`,
      version,
      dependencies: [{ name, version }],
      requirements: [{ name: 'engine_version_semver', version: '0.31.0' }]
    })
  })

  it('the dev index lists both artifacts; the metadata says what the build is', () => {
    const entries = parseYaml(readFileSync(devIndex(), 'utf8')) as Array<Record<string, unknown>>
    expect(entries.map((e) => [e.name, e.type, e.registry, e.repository])).toEqual([
      [name, 'plugin', reg.host, pluginRepo],
      [`${name}-rules`, 'rulesfile', reg.host, rulesRepo]
    ])
    const meta = JSON.parse(devA.outputs.metadata)
    expect(meta.dev).toMatchObject({
      branch: 'main',
      devTag: 'main',
      commit: commitA,
      commits: 1,
      lastRelease: { tag: 'v1.0.0', version: '1.0.0' },
      soVersion: '1.0.0'
    })
    expect(meta.registryEntry).toBeNull()
  })

  it.each(FALCOCTL_VERSIONS)(
    'falcoctl %s installs <name>-rules:main through the dev index, with its plugin',
    async (version) => {
      const installed = await falcoctlInstall({
        indexFile: devIndex(),
        refs: [`${name}-rules:main`],
        version
      })
      expect(installed.rules).toEqual([`${name}_rules.yaml`])
      expect(installed.plugins).toEqual([`lib${name}.so`])
      const built = await readFile(devA.outputs['plugin-path'])
      expect((await readFile(join(installed.pluginsDir, `lib${name}.so`))).equals(built)).toBe(true)
    },
    180_000
  )

  it(
    'push B: main moves to B, both exact dev tags exist, stable untouched',
    async () => {
      setMeta(repo, { description: 'dev build B' })
      commitB = commitAll(repo, 'work B')
      devB = await push(commitA, commitB)
      ok(devB)
      const a = devA.outputs.version
      const b = `1.0.1-dev.2.g${commitB.slice(0, 7)}`
      expect(devB.outputs.version).toBe(b)
      for (const r of [pluginRepo, rulesRepo]) {
        expect(await tags(r)).toEqual(expect.arrayContaining([a, b, 'main']))
        expect(await digest(r, 'main')).toBe(await digest(r, b))
        expect(await digest(r, a)).not.toBe(await digest(r, b))
      }
      expect(await digest(pluginRepo, 'latest')).toBe(stable.plugin)
      expect(await digest(rulesRepo, '1.0.0')).toBe(stable.rules)
      expect(readFileSync(stableIndex(), 'utf8')).toBe(stable.index)
      const installed = await falcoctlInstall({
        indexFile: devIndex(),
        refs: [`${name}-rules:main`],
        version: FALCOCTL_VERSIONS[FALCOCTL_VERSIONS.length - 1]
      })
      const builtB = await readFile(devB.outputs['plugin-path'])
      const builtA = await readFile(devA.outputs['plugin-path'])
      expect(builtA.equals(builtB)).toBe(false)
      expect((await readFile(join(installed.pluginsDir, `lib${name}.so`))).equals(builtB)).toBe(
        true
      )
    },
    BUILD
  )

  it(
    're-running push A publishes nothing new and leaves main on B',
    async () => {
      git(repo, 'checkout', '-q', commitA)
      try {
        const again = await push(v1, commitA)
        ok(again)
        expect(again.outputs.version).toBe(devA.outputs.version)
        expect(again.outputs.tags).toBe(devA.outputs.version)
        expect(again.summary).toMatch(/`main`: 1\.0\.1-dev\.2\.g[0-9a-f]{7}, a newer dev build/)
        expect(await digest(pluginRepo, 'main')).toBe(devB.outputs['plugin-digest'])
        expect(JSON.parse(again.outputs.metadata).published.tagsWritten).toEqual([])
      } finally {
        git(repo, 'checkout', '-q', 'main')
      }
    },
    BUILD
  )

  it(
    'push C keeps the newest two dev builds (dev-keep: 2): A is deleted, B and C stay',
    async () => {
      setMeta(repo, { description: 'dev build C' })
      const commitC = commitAll(repo, 'work C')
      const devC = await push(commitB, commitC)
      ok(devC)
      const c = devC.outputs.version
      for (const r of [pluginRepo, rulesRepo]) {
        expect(await tags(r)).toEqual(
          ['1', '1.0', '1.0.0', 'latest', 'main', devB.outputs.version, c].sort()
        )
        expect(await digest(r, 'main')).toBe(await digest(r, c))
      }
      // A's index is gone, and so are its platform manifest (deleted by digest).
      const res = await fetch(
        `${reg.url}/v2/${pluginRepo}/manifests/${devA.outputs['plugin-digest']}`,
        {
          method: 'HEAD',
          headers: { accept: ACCEPT }
        }
      )
      expect(res.status).toBe(404)
      const meta = JSON.parse(devC.outputs.metadata)
      expect(meta.dev.retention.deleted.sort()).toEqual(
        [
          `${reg.host}/${pluginRepo}:${devA.outputs.version}`,
          `${reg.host}/${rulesRepo}:${devA.outputs.version}`
        ].sort()
      )
      expect(devC.summary).toMatch(
        /Old dev builds \(keeping the newest 2 per repository\): 2 deleted/
      )
      // The stable release kept its tags through all this.
      expect(await digest(pluginRepo, 'latest')).toBe(stable.plugin)
    },
    BUILD
  )

  it(
    'the release 1.1.0 then works as before: stable tags move, index.yaml updated, dev tags stay',
    async () => {
      setMeta(repo, { version: '1.1.0', description: 'release 1.1.0' })
      const head = commitAll(repo, 'release 1.1.0')
      git(repo, 'tag', 'v1.1.0')
      const devIndexBefore = readFileSync(devIndex(), 'utf8')
      const run = await runAction({
        inputs: common(),
        env: { GITHUB_REF: 'refs/tags/v1.1.0', GITHUB_EVENT_NAME: 'push', GITHUB_SHA: head }
      })
      ok(run)
      expect(run.outputs.tags.split('\n')).toEqual(['1.1.0', '1.1', '1', 'latest'])
      for (const t of ['1', '1.1', '1.1.0', 'latest']) {
        expect(await digest(pluginRepo, t)).toBe(run.outputs['plugin-digest'])
      }
      expect(await digest(pluginRepo, '1.0.0')).toBe(stable.plugin)
      expect(await tags(pluginRepo)).toEqual(expect.arrayContaining(['main', devB.outputs.version]))
      expect(readFileSync(devIndex(), 'utf8')).toBe(devIndexBefore)
      expect(readFileSync(stableIndex(), 'utf8')).toContain(`name: ${name}-rules`)
      const installed = await falcoctlInstall({
        indexFile: stableIndex(),
        refs: [`${name}-rules:latest`],
        version: FALCOCTL_VERSIONS[0]
      })
      expect(installed.plugins).toEqual([`lib${name}.so`])
      const built = await readFile(run.outputs['plugin-path'])
      expect((await readFile(join(installed.pluginsDir, `lib${name}.so`))).equals(built)).toBe(true)

      // The next push to main: 1.1.1-dev.1, above every earlier dev build, so main moves.
      setMeta(repo, { description: 'after the release' })
      const next = commitAll(repo, 'after 1.1.0')
      const dev = await push(head, next)
      ok(dev)
      expect(dev.outputs.version).toBe(`1.1.1-dev.1.g${next.slice(0, 7)}`)
      expect(await digest(pluginRepo, 'main')).toBe(dev.outputs['plugin-digest'])
      expect(await digest(pluginRepo, 'latest')).toBe(run.outputs['plugin-digest'])
    },
    2 * BUILD
  )
})

describe('dev builds: a registry that refuses deletion, a monorepo push, bad checkouts', () => {
  let reg: RunningRegistry
  let work: string

  beforeAll(async () => {
    reg = await startRegistry({ deletes: false })
    work = await mkdtemp(join(tmpdir(), 'fpr-dev2-'))
  }, 60_000)
  afterAll(async () => reg?.stop())

  async function tags(r: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${r}/tags/list`)
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  /** A monorepo with plugins/alpha and plugins/beta (same fixture, two names). */
  async function monorepo(): Promise<string> {
    const dir = join(await mkdtemp(join(work, 'mono-')), 'repo')
    mkdirSync(join(dir, 'plugins'), { recursive: true })
    for (const n of ['alpha', 'beta']) {
      const f = await makePluginFixture({ kind: 'extractor', name: n, version: '0.2.0' })
      await cp(f.dir, join(dir, 'plugins', n), { recursive: true })
    }
    writeFileSync(join(dir, 'README.md'), 'plugins\n')
    git(dir, 'init', '-q', '-b', 'main')
    commitAll(dir, 'two plugins')
    git(dir, 'tag', 'plugins/alpha/v0.2.0')
    git(dir, 'tag', 'plugins/beta/v0.2.0')
    return dir
  }

  function push(dir: string, before: string, after: string, inputs: Record<string, string>) {
    const event = join(work, `event-${after.slice(0, 7)}-${Math.random()}.json`)
    writeFileSync(event, JSON.stringify({ before, after, repository: { default_branch: 'main' } }))
    return runAction({
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'tag-pattern': 'plugins/{name}/v{version}',
        'go-package': './extractor',
        'rules-file': 'none',
        'github-release': 'false',
        'dependency-indexes': 'none',
        'dev-keep': '1',
        ...inputs
      },
      cwd: dir,
      env: {
        GITHUB_REF: 'refs/heads/main',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: event,
        GITHUB_SHA: after
      }
    })
  }

  it(
    'a push that touches one plugin publishes that plugin only; the other run is skipped',
    async () => {
      const dir = await monorepo()
      const base = git(dir, 'rev-parse', 'HEAD')
      writeFileSync(join(dir, 'plugins', 'alpha', 'NOTES.md'), 'a change\n')
      const one = commitAll(dir, 'alpha only')
      const alpha = await push(dir, base, one, { 'plugin-name': 'alpha' })
      expect(alpha.code).toBe(0)
      expect(alpha.outputs.version).toBe(`0.2.1-dev.1.g${one.slice(0, 7)}`)
      expect(await tags('acme/falco-plugins/plugin/alpha')).toEqual(
        [alpha.outputs.version, 'main'].sort()
      )
      const beta = await push(dir, base, one, { 'plugin-name': 'beta' })
      expect(beta.code).toBe(0)
      expect(beta.outputs.skipped).toBe('true')
      expect(beta.stdout).toMatch(
        /::notice::dev build skipped: .*changed nothing under plugins\/beta/
      )
      expect(beta.stdout).not.toMatch(/go build/)
      expect(await tags('acme/falco-plugins/plugin/beta')).toEqual([])

      // A second push to alpha with dev-keep: 1 on a registry that refuses DELETE: warned, kept.
      writeFileSync(join(dir, 'plugins', 'alpha', 'NOTES.md'), 'another change\n')
      const two = commitAll(dir, 'alpha again')
      const again = await push(dir, one, two, { 'plugin-name': 'alpha' })
      expect(again.code).toBe(0)
      expect(await tags('acme/falco-plugins/plugin/alpha')).toEqual(
        [alpha.outputs.version, again.outputs.version, 'main'].sort()
      )
      expect(again.stdout).toMatch(
        /::warning::1 dev version tag\(s\) older than the newest 1 stay in the registry: .*does not delete manifests through the OCI API.*UNSUPPORTED.*dev-keep: 0/
      )
      expect(again.summary).toMatch(/1 left in place \(the registry refuses deletion\)/)
    },
    2 * BUILD
  )

  it('refuses a shallow checkout before building, naming fetch-depth: 0', async () => {
    const dir = await monorepo()
    const shallow = join(work, 'shallow')
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${dir}`, shallow])
    const head = git(shallow, 'rev-parse', 'HEAD')
    const run = await push(shallow, '0'.repeat(40), head, { 'plugin-name': 'alpha' })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::the checkout is shallow.*fetch-depth: 0/)
    expect(run.stdout).not.toMatch(/go build/)
    expect(await tags('acme/falco-plugins/plugin/alpha')).not.toContain(
      expect.stringContaining(head.slice(0, 7))
    )
  }, 60_000)

  it('refuses a push to another branch, and a dev-tag that is a release tag', async () => {
    const dir = await monorepo()
    const head = git(dir, 'rev-parse', 'HEAD')
    const event = join(work, 'event-feature.json')
    writeFileSync(
      event,
      JSON.stringify({ before: head, after: head, repository: { default_branch: 'main' } })
    )
    const feature = await runAction({
      inputs: { registry: reg.host, 'plain-http': 'true', 'plugin-name': 'alpha' },
      cwd: dir,
      env: {
        GITHUB_REF: 'refs/heads/feature',
        GITHUB_EVENT_NAME: 'push',
        GITHUB_EVENT_PATH: event,
        GITHUB_SHA: head
      }
    })
    expect(feature.code).not.toBe(0)
    expect(feature.stdout).toMatch(
      /::error::.*branch "feature", which is not a tag and not the dev branch "main"/
    )
    const latest = await push(dir, '0'.repeat(40), head, {
      'plugin-name': 'alpha',
      'dev-tag': 'latest'
    })
    expect(latest.code).not.toBe(0)
    expect(latest.stdout).toMatch(/::error::dev-tag "latest" looks like a release tag/)
  }, 60_000)
})
