// The pipeline from source: each mode's stage list, and whole runs of the stages over fake
// builds (fake .so files with chosen metadata) and an in-memory registry, table-driven as
// docker/metadata-action's tests are: inputs and context in; stages run, tags, outputs, writes
// and refusals out. The real builds, registry and falcoctl are in test/integration/.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputs, type InputName } from '../../src/inputs/inputs.js'
import type { PluginMetadata } from '../../src/inspect/metadata.js'
import { stagesOf } from '../../src/pipeline/modes.js'
import { runRelease } from '../../src/pipeline/run.js'
import type { ReleaseMode, ReleaseResult } from '../../src/pipeline/state.js'
import { newJournal, type Journal, type StageName } from '../../src/report/journal.js'
import { outputsOf } from '../../src/report/report.js'
import { contextFrom } from '../../test/helpers/context.js'
import { startFakeGitHub, type FakeGitHub } from '../../test/helpers/fake-github.js'
import { recordingLogger } from '../../test/helpers/fixtures.js'
import { fakeSteps, MemoryRegistry } from '../helpers/fake-steps.js'
import { metadata } from '../helpers/plan-facts.js'

describe('each mode is a list of stages', () => {
  const WRITES = ['publish', 'index-file', 'index-branch', 'github-release']
  it.each<[ReleaseMode, { dev: boolean; dryRun: boolean }, string[]]>([
    [
      'release',
      { dev: false, dryRun: false },
      ['build', 'read-tags', 'rules', 'plan', 'preflight', ...WRITES]
    ],
    ['release', { dev: false, dryRun: true }, ['build', 'read-tags', 'rules', 'plan', 'preflight']],
    [
      'release',
      { dev: true, dryRun: false },
      ['build', 'version', 'read-tags', 'rules', 'plan', 'preflight', ...WRITES, 'retention']
    ],
    ['push-by-digest', { dev: false, dryRun: false }, ['build', 'rules', 'plan', 'publish']],
    ['push-by-digest', { dev: true, dryRun: true }, ['build', 'version', 'rules', 'plan']],
    [
      'merge',
      { dev: false, dryRun: false },
      ['read-manifests', 'inspect', 'read-tags', 'rules', 'plan', 'preflight', ...WRITES]
    ],
    [
      'merge',
      { dev: true, dryRun: true },
      ['read-manifests', 'inspect', 'version', 'read-tags', 'rules', 'plan', 'preflight']
    ]
  ])('%s %j', (mode, shape, names) => {
    const stages = stagesOf(mode, shape).map((s) => s.name)
    expect(stages).toEqual(names)
    // Every check that can refuse runs before the first write.
    const firstWrite = stages.findIndex((n) => WRITES.includes(n))
    if (firstWrite >= 0 && mode !== 'push-by-digest') {
      expect(stages.indexOf('preflight')).toBe(firstWrite - 1)
    }
  })
})

/** A journal that also records every stage it was in, in order. */
function recordingJournal(): Journal & { stages: StageName[] } {
  const journal = newJournal()
  const stages: StageName[] = []
  let current = journal.stage
  return Object.defineProperties(
    { ...journal, stages },
    {
      stage: {
        enumerable: true,
        get: () => current,
        set: (s: StageName) => {
          current = s
          if (stages[stages.length - 1] !== s) stages.push(s)
        }
      }
    }
  ) as Journal & { stages: StageName[] }
}

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com'
}
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV })
    .toString()
    .trim()

const RULES = '- required_engine_version: 0.31.0\n'

interface Run {
  /** GITHUB_REF and friends; the workspace, runner temp and SOURCE_DATE_EPOCH are added. */
  env?: Record<string, string>
  inputs?: Partial<Record<InputName, string>>
  /** What the fake .so reports (its version 1.4.2 unless said). */
  metadata?: Partial<PluginMetadata>
}

describe('runs of the stages over fake builds and an in-memory registry', () => {
  let root: string
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'fpr-stages-'))
  })
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  let n = 0
  /** A checkout with foo_rules.yaml and one commit, tagged 1.4.1. */
  function checkout(): string {
    const ws = join(root, `ws-${++n}`)
    mkdirSync(ws, { recursive: true })
    writeFileSync(join(ws, 'go.mod'), 'module example.com/foo\n')
    writeFileSync(join(ws, 'foo_rules.yaml'), RULES)
    git(ws, 'init', '-q', '-b', 'main')
    git(ws, 'add', '-A')
    git(ws, 'commit', '-q', '-m', 'first')
    git(ws, 'tag', '1.4.1')
    return ws
  }

  async function release(
    registry: MemoryRegistry,
    ws: string,
    run: Run = {}
  ): Promise<{ result?: ReleaseResult; error?: Error; stages: StageName[] }> {
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: root,
      GITHUB_REPOSITORY: 'acme/plugins',
      GITHUB_REF: 'refs/tags/1.4.2',
      GITHUB_WORKSPACE: ws,
      RUNNER_TEMP: root,
      SOURCE_DATE_EPOCH: '1700000000',
      DOCKER_CONFIG: join(root, 'no-docker'),
      ...run.env
    }
    const context = contextFrom(env, ws)
    const values: Partial<Record<InputName, string>> = {
      'working-directory': ws,
      'index-file': join(ws, 'index.yaml'),
      registry: 'registry.test',
      'dependency-indexes': 'none',
      ...run.inputs
    }
    const inputs = readInputs((name) => values[name] ?? '', context.github)
    const journal = recordingJournal()
    const steps = fakeSteps(registry, metadata({ version: '1.4.2', ...run.metadata }))
    try {
      const result = await runRelease({
        inputs,
        context,
        logger: recordingLogger(),
        journal,
        steps
      })
      return { result, stages: journal.stages }
    } catch (err) {
      return { error: err as Error, stages: journal.stages }
    }
  }

  const PLUGIN = 'registry.test/acme/plugins/plugin/foo'
  const RULES_REPO = 'registry.test/acme/plugins/ruleset/foo'

  it.each<
    [
      string,
      Run,
      { stages: StageName[]; tags: string[]; outputs: Record<string, string>; indexFile: boolean }
    ]
  >([
    [
      'a release publishes both artifacts, every tag, and index.yaml',
      {},
      {
        stages: [
          'inputs',
          'build',
          'inspect',
          'read-tags',
          'rules',
          'plan',
          'preflight',
          'publish',
          'index-file'
        ],
        tags: ['1.4.2', '1.4', '1', 'latest'],
        outputs: { version: '1.4.2', 'plugin-ref': `${PLUGIN}:1.4.2`, platform: 'linux/amd64' },
        indexFile: true
      }
    ],
    [
      'a v-tag releases the bare version',
      { env: { GITHUB_REF: 'refs/tags/v1.4.2' } },
      {
        stages: [
          'inputs',
          'build',
          'inspect',
          'read-tags',
          'rules',
          'plan',
          'preflight',
          'publish',
          'index-file'
        ],
        tags: ['1.4.2', '1.4', '1', 'latest'],
        outputs: { version: '1.4.2' },
        indexFile: true
      }
    ],
    [
      'a pre-release gets its exact tag only',
      { env: { GITHUB_REF: 'refs/tags/2.0.0-rc.1' }, metadata: { version: '2.0.0-rc.1' } },
      {
        stages: [
          'inputs',
          'build',
          'inspect',
          'read-tags',
          'rules',
          'plan',
          'preflight',
          'publish',
          'index-file'
        ],
        tags: ['2.0.0-rc.1'],
        outputs: { version: '2.0.0-rc.1', tags: '2.0.0-rc.1' },
        indexFile: true
      }
    ],
    [
      'two platforms make one index; the tag input wins over the ref',
      {
        env: { GITHUB_REF: 'refs/heads/main' },
        inputs: { tag: '1.4.2', platforms: 'linux/arm64,linux/amd64' }
      },
      {
        stages: [
          'inputs',
          'build',
          'inspect',
          'read-tags',
          'rules',
          'plan',
          'preflight',
          'publish',
          'index-file'
        ],
        tags: ['1.4.2', '1.4', '1', 'latest'],
        outputs: { platform: 'linux/amd64,linux/arm64' },
        indexFile: true
      }
    ],
    [
      'a dry run plans everything and writes nothing',
      { inputs: { 'dry-run': 'true' } },
      {
        stages: ['inputs', 'build', 'inspect', 'read-tags', 'rules', 'plan', 'preflight'],
        tags: [],
        outputs: { version: '1.4.2', tags: '1.4.2\n1.4\n1\nlatest' },
        indexFile: false
      }
    ],
    [
      'push-by-digest pushes its platform manifest and no tag',
      { inputs: { 'push-by-digest': 'true', platforms: 'linux/arm64' } },
      {
        stages: ['inputs', 'build', 'inspect', 'rules', 'plan', 'publish'],
        tags: [],
        outputs: { tags: '', 'rules-ref': '', platform: 'linux/arm64', signed: 'false' },
        indexFile: false
      }
    ]
  ])('%s', async (_name, run, want) => {
    const registry = new MemoryRegistry()
    const ws = checkout()
    const { result, error, stages } = await release(registry, ws, run)
    expect(error).toBeUndefined()
    expect(stages).toEqual([...want.stages, 'done'])
    const r = result as ReleaseResult
    expect(outputsOf(r)).toMatchObject(want.outputs)
    const tagged = registry.target(PLUGIN).tags
    expect([...tagged.keys()].sort()).toEqual([...want.tags].sort())
    for (const tag of want.tags) {
      expect(tagged.get(tag)).toBe(r.plan.plugin.root.descriptor.digest)
      expect(registry.target(RULES_REPO).tags.get(tag)).toBe(r.plan.rules?.root.descriptor.digest)
    }
    if (want.stages.includes('publish') && want.tags.length === 0) {
      // push-by-digest: the manifest, by digest, and its blobs; the plugin-digest output names it.
      const out = outputsOf(r)
      expect(registry.target(PLUGIN).manifests.has(out.digest)).toBe(true)
      expect(out['plugin-digest']).toBe(out.digest)
      expect(registry.writes.filter((w) => w.kind === 'manifest')).toHaveLength(1)
    }
    if (!want.stages.includes('publish')) expect(registry.writes).toEqual([])
    const index = join(ws, 'index.yaml')
    if (want.indexFile) {
      expect(readFileSync(index, 'utf8')).toMatch(/name: foo-rules\n/)
      expect(r.indexFile).toBe(index)
    } else {
      expect(() => readFileSync(index)).toThrow()
    }
  })

  it.each<[string, Run, { error: RegExp; stages: StageName[] }]>([
    [
      'a tag that is no version',
      { env: { GITHUB_REF: 'refs/tags/release-1' } },
      { error: /not a semantic version/, stages: ['inputs'] }
    ],
    [
      'a branch that is not the default branch',
      { env: { GITHUB_REF: 'refs/heads/feature', GITHUB_EVENT_NAME: 'push' } },
      { error: /not a tag/, stages: ['inputs'] }
    ],
    [
      'a .so that reports another version than the tag',
      { metadata: { version: '1.4.1' } },
      { error: /reports version 1\.4\.1.*tag says 1\.4\.2/, stages: ['inputs', 'build', 'inspect'] }
    ],
    [
      'push-by-digest with two platforms',
      { inputs: { 'push-by-digest': 'true', platforms: 'linux/amd64,linux/arm64' } },
      { error: /push-by-digest builds one platform per job/, stages: ['inputs', 'build'] }
    ],
    [
      'a merge entry that is no digest',
      { inputs: { merge: 'linux/amd64@latest', 'plugin-name': 'foo' } },
      { error: /is not a digest/, stages: ['inputs', 'read-manifests'] }
    ],
    [
      'a merge digest the repository does not have',
      { inputs: { merge: `sha256:${'a'.repeat(64)}`, 'plugin-name': 'foo' } },
      {
        error: /does not exist: was it pushed by a push-by-digest job/,
        stages: ['inputs', 'read-manifests']
      }
    ]
  ])('refuses %s, having written nothing', async (_name, run, want) => {
    const registry = new MemoryRegistry()
    const { error, stages } = await release(registry, checkout(), run)
    expect(error?.message).toMatch(want.error)
    expect(stages).toEqual(want.stages)
    expect(registry.writes).toEqual([])
  })

  it('refuses a new version in preflight before anything, even a blob it knows, is written', async () => {
    const registry = new MemoryRegistry()
    const ws = checkout()
    // Neither version exists, so plan leaves the digests to publish and preflight checks the
    // outline; its refusal must still come before the first write.
    symlinkSync(join(ws, 'elsewhere.yaml'), join(ws, 'index.yaml'))
    const { error, stages } = await release(registry, ws)
    expect(error?.message).toMatch(/symbolic link/)
    expect(stages).toEqual([
      'inputs',
      'build',
      'inspect',
      'read-tags',
      'rules',
      'plan',
      'preflight'
    ])
    expect(registry.writes).toEqual([])
    expect(registry.target(PLUGIN).growingUploads).toBe(0)
  })

  it('gives a re-run the same digests, as the same version, uploading nothing', async () => {
    const registry = new MemoryRegistry()
    const ws = checkout()
    const first = await release(registry, ws)
    const again = await release(registry, ws)
    for (const run of [first, again]) expect(run.error).toBeUndefined()
    // Same digests either way, and a re-run writes nothing.
    const digest = (r: typeof first) => r.result?.plan.plugin.root.descriptor.digest
    expect(digest(again)).toBe(digest(first))
    expect(again.result?.plan.plugin.status).toBe('same')
    expect(first.result?.plan.plugin.status).toBe('new')
    expect(again.result?.report?.blobsUploaded).toBe(0)
  })

  it('refuses a version already published with other content, in the plan stage', async () => {
    const registry = new MemoryRegistry()
    const ws = checkout()
    expect((await release(registry, ws)).error).toBeUndefined()
    const writes = registry.writes.length
    const again = await release(registry, ws, { metadata: { description: 'Other foo events' } })
    expect(again.error).toBeUndefined() // the metadata is not in the artifacts: same digests
    const changed = await release(registry, ws, { inputs: { 'plugin-depends-on-rules': 'false' } })
    expect(changed.error?.message).toMatch(/already exists with digest.*overwrite: true/)
    expect(changed.stages).toEqual(['inputs', 'build', 'inspect', 'read-tags', 'rules', 'plan'])
    expect(registry.writes.length).toBe(writes)
  })

  it('a backport moves its own minor and nothing else', async () => {
    const registry = new MemoryRegistry()
    expect((await release(registry, checkout(), {})).error).toBeUndefined()
    const backport = await release(registry, checkout(), {
      env: { GITHUB_REF: 'refs/tags/1.3.9' },
      metadata: { version: '1.3.9' }
    })
    expect(backport.result?.plan.plugin.tags).toEqual(['1.3.9', '1.3'])
    expect(registry.target(PLUGIN).tags.get('latest')).toBe(
      registry.target(PLUGIN).tags.get('1.4.2')
    )
  })

  it('merge assembles the pushed manifests into the index a one-job release makes', async () => {
    const registry = new MemoryRegistry()
    const digests: string[] = []
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const job = await release(registry, checkout(), {
        inputs: { 'push-by-digest': 'true', platforms: platform }
      })
      expect(job.error).toBeUndefined()
      const out = outputsOf(job.result as ReleaseResult)
      digests.push(`${out.platform}@${out.digest}`)
    }
    const merge = await release(registry, checkout(), {
      inputs: { merge: digests.reverse().join('\n'), 'plugin-name': 'foo' }
    })
    expect(merge.error).toBeUndefined()
    expect(merge.stages).toEqual([
      'inputs',
      'read-manifests',
      'inspect',
      'read-tags',
      'rules',
      'plan',
      'preflight',
      'publish',
      'index-file',
      'done'
    ])
    const merged = merge.result as ReleaseResult
    expect(merged.mode).toBe('merge')
    expect(outputsOf(merged).platform).toBe('linux/amd64,linux/arm64')

    const oneJob = await release(new MemoryRegistry(), checkout(), {
      inputs: { platforms: 'linux/amd64,linux/arm64' }
    })
    expect(merged.plan.plugin.root.descriptor.digest).toBe(
      oneJob.result?.plan.plugin.root.descriptor.digest
    )
    expect(registry.target(PLUGIN).tags.get('latest')).toBe(
      merged.plan.plugin.root.descriptor.digest
    )
  })

  it('a dev build gets its version from the .so and the history, and moves only the dev tag', async () => {
    const registry = new MemoryRegistry()
    const ws = checkout()
    writeFileSync(join(ws, 'change.txt'), 'x')
    git(ws, 'add', '-A')
    git(ws, 'commit', '-q', '-m', 'second')
    const commit = git(ws, 'rev-parse', 'HEAD')
    const event = join(root, `event-${n}.json`)
    writeFileSync(event, JSON.stringify({ repository: { default_branch: 'main' } }))
    const dev = await release(registry, ws, {
      env: { GITHUB_REF: 'refs/heads/main', GITHUB_EVENT_NAME: 'push', GITHUB_EVENT_PATH: event }
    })
    expect(dev.error).toBeUndefined()
    const version = `1.4.2-dev.1.g${commit.slice(0, 7)}`
    expect(dev.stages).toEqual([
      'inputs',
      'build',
      'inspect',
      'version',
      'read-tags',
      'rules',
      'plan',
      'preflight',
      'publish',
      'retention',
      'done'
    ])
    expect(dev.result?.plan.plugin.tags).toEqual([version, 'main'])
    expect(dev.result?.devChannel).toMatchObject({ branch: 'main', commits: 1, soVersion: '1.4.2' })
    expect([...registry.target(PLUGIN).tags.keys()].sort()).toEqual([version, 'main'])
    // No registry.yaml entry and no index-file for a dev build (no dev-index-file).
    expect(dev.result?.registryEntry).toBeUndefined()
    expect(() => readFileSync(join(ws, 'index.yaml'))).toThrow()
  })

  describe('with a GitHub Release', () => {
    let gh: FakeGitHub
    beforeAll(async () => {
      gh = await startFakeGitHub()
    })
    afterAll(() => gh.stop())

    it('uploads the layers the release pushed as its archives', async () => {
      const registry = new MemoryRegistry()
      const { result, error, stages } = await release(registry, checkout(), {
        env: { GITHUB_ACTIONS: 'true', GITHUB_API_URL: gh.apiUrl, GITHUB_SHA: 'a'.repeat(40) },
        inputs: { 'github-token': gh.token, platforms: 'linux/amd64,linux/arm64' }
      })
      expect(error).toBeUndefined()
      expect(stages).toContain('github-release')
      const [published] = gh.releases('acme', 'plugins')
      expect(published.draft).toBe(false)
      const asset = (name: string) => {
        const a = published.assets.find((x) => x.name === name)
        if (!a) throw new Error(`no asset ${name}`)
        return a.data
      }
      const r = result as ReleaseResult
      const layerOf = (m: { bytes: Buffer }) =>
        (JSON.parse(m.bytes.toString('utf8')) as { layers: Array<{ digest: string }> }).layers[0]
          .digest
      const [amd64, arm64] = r.plan.plugin.manifests.map((m) =>
        registry.target(PLUGIN).blobs.get(layerOf(m))
      )
      const rules = registry
        .target(RULES_REPO)
        .blobs.get(layerOf(r.plan.rules?.root ?? { bytes: Buffer.from('{}') }))
      expect(asset('foo-1.4.2-linux-x86_64.tar.gz').equals(amd64 as Buffer)).toBe(true)
      expect(asset('foo-1.4.2-linux-aarch64.tar.gz').equals(arm64 as Buffer)).toBe(true)
      expect(asset('foo-rules-1.4.2.tar.gz').equals(rules as Buffer)).toBe(true)
      expect(asset('checksums.txt').toString('utf8')).toMatch(
        / {2}foo-1\.4\.2-linux-x86_64\.tar\.gz\n/
      )
      expect(outputsOf(r)['release-url']).toMatch(/releases\/tag\/1\.4\.2$/)
    })
  })
})
