// Upstream's own plugins (falcosecurity/plugins: json, k8saudit, cloudtrail, dummy), fetched
// from the Go module proxy at exact versions, released from the upstream monorepo layout with
// the defaults plus tag-pattern (and once with the glibc input, for amd64 and arm64), to a real
// registry, and installed back with falcoctl v0.12.2 and v0.13.0 by running the commands the
// summary prints. Each plugin is built by the action itself; Go's build cache makes the
// rebuilds of a plugin cheap.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile, rename } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { parse as parseYaml } from 'yaml'
import { ACTION, runAction, type ActionRun } from '../helpers/action.js'
import { FALCOCTL_VERSIONS, falcoctlInstall } from '../helpers/falcoctl.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { freePort, startRegistry, type RunningRegistry } from '../helpers/registry.js'
import { upstreamMonorepo, type Monorepo } from '../helpers/upstream.js'
import { requireTool, requireZig } from '../helpers/tools.js'
import { compareGlibcVersions, readElf } from '../../src/inspect/elf.js'

const exec = promisify(execFile)
const BUILD = 420_000

const PLUGINS = [
  { name: 'json', version: '0.7.4' },
  { name: 'k8saudit', version: '0.18.0' },
  { name: 'cloudtrail', version: '0.17.1' },
  { name: 'dummy', version: '0.11.5' }
]

/** An upstream-like registry.yaml (entries as falcosecurity/plugins has them). */
const REGISTRY_YAML = `reserved_sources: ["syscall", "internal", "plugins"]
plugins:
  - name: k8saudit
    description: Read Kubernetes Audit Events and monitor Kubernetes Clusters
    authors: The Falco Authors
    contact: https://falco.org/community
    maintainers:
      - name: The Falco Authors
        email: cncf-falco-dev@lists.cncf.io
    keywords: [audit, audit-log, audit-events, kubernetes]
    url: https://github.com/falcosecurity/plugins/tree/main/plugins/k8saudit
    rules_url: https://github.com/falcosecurity/plugins/tree/main/plugins/k8saudit/rules
    license: Apache-2.0
    capabilities:
      sourcing: { supported: true, id: 1, source: k8s_audit }
      extraction: { supported: true }
  - name: cloudtrail
    description: Reads Cloudtrail JSON logs from files/S3 and injects as events
    authors: The Falco Authors
    contact: https://falco.org/community
    url: https://github.com/falcosecurity/plugins/tree/main/plugins/cloudtrail
    license: Apache-2.0
    capabilities:
      sourcing: { supported: true, id: 2, source: aws_cloudtrail }
      extraction: { supported: true }
  - name: json
    description: Extract values from any JSON payload
    authors: The Falco Authors
    contact: https://falco.org/community
    url: https://github.com/falcosecurity/plugins/tree/main/plugins/json
    license: Apache-2.0
    capabilities:
      extraction: { supported: true }
  - name: dummy
    description: Reference plugin used to document interface
    authors: The Falco Authors
    contact: https://falco.org/community
    maintainers:
      - name: The Falco Authors
        email: cncf-falco-dev@lists.cncf.io
    keywords: [reference, sample]
    url: https://github.com/falcosecurity/plugins/tree/main/plugins/dummy
    license: Apache-2.0
    capabilities:
      sourcing: { supported: true, id: 3, source: dummy }
      extraction: { supported: true }
  - name: test
    description: This ID is reserved for source plugin development.
    reserved: true
    capabilities:
      sourcing: { supported: true, id: 999, source: test }
`

/** The `falcoctl artifact install` commands of the summary's Install block: [indexed, direct]. */
function installCommands(summary: string): string[][] {
  const block = /### Install\n\n```sh\n([\s\S]*?)```/.exec(summary)?.[1] ?? ''
  return block
    .split('\n')
    .filter((l) => l.startsWith('falcoctl artifact install '))
    .map((l) => l.slice('falcoctl artifact install '.length).split(/\s+/))
}

const error = (r: ActionRun) => /::error::(.*)/.exec(r.stdout)?.[1] ?? ''

describe('upstream plugins of falcosecurity/plugins, released from the monorepo layout', () => {
  let reg: RunningRegistry
  let repo: Monorepo
  let work: string
  const index = () => join(repo.dir, 'index.yaml')
  const published: Record<string, ActionRun> = {}

  beforeAll(async () => {
    reg = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'fpr-upstream-work-'))
    repo = await upstreamMonorepo(PLUGINS)
    writeFileSync(join(repo.dir, 'registry.yaml'), REGISTRY_YAML)
    await repo.commitAndTag('registry.yaml', [])
  }, BUILD)
  afterAll(async () => reg?.stop())

  /** The action at tag `tag` with the defaults plus tag-pattern; no external index (offline). */
  function release(tag: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
    return runAction({
      cwd: repo.dir,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'tag-pattern': 'plugins/{name}/v{version}',
        'github-release': 'false',
        'dependency-indexes': 'none',
        ...inputs
      },
      env: { GITHUB_REF: `refs/tags/${tag}` }
    })
  }

  async function tags(repository: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/acme/falco-plugins/${repository}/tags/list`)
    if (res.status === 404) return []
    return (((await res.json()) as { tags: string[] | null }).tags ?? []).sort()
  }

  /**
   * Runs the summary's install commands with every verified falcoctl: the first through the
   * index (and `indexes`), the second ("without an index") with no index configured.
   */
  async function installAsSummarySays(
    run: ActionRun,
    expected: {
      indexed: { plugins: string[]; rules: string[] }
      direct: { plugins: string[]; rules: string[] }
    },
    opts: { indexes?: string[]; extraArgs?: string[] } = {}
  ) {
    const [indexed, direct] = installCommands(run.summary)
    expect(indexed).toBeDefined()
    expect(direct).toBeDefined()
    for (const version of FALCOCTL_VERSIONS) {
      const viaIndex = await falcoctlInstall({
        indexFile: index(),
        indexes: opts.indexes,
        refs: indexed,
        version,
        extraArgs: opts.extraArgs
      })
      expect([version, viaIndex.plugins, viaIndex.rules]).toEqual([
        version,
        expected.indexed.plugins,
        expected.indexed.rules
      ])
      const noIndex = await falcoctlInstall({ refs: direct, version, extraArgs: opts.extraArgs })
      expect([version, noIndex.plugins, noIndex.rules]).toEqual([
        version,
        expected.direct.plugins,
        expected.direct.rules
      ])
    }
  }

  it('says so when a tag names a folder that does not exist, or needs tag-pattern', async () => {
    const typo = await release('plugins/jsno/v0.7.4')
    expect(typo.code).not.toBe(0)
    expect(error(typo)).toMatch(
      /releases the plugin "jsno", but its folder plugins\/jsno does not exist .*cloudtrail, dummy, json, k8saudit/
    )
    expect(error(typo)).not.toMatch(/go-package/)
    const noPattern = await runAction({
      cwd: repo.dir,
      inputs: { registry: reg.host, 'plain-http': 'true' },
      env: { GITHUB_REF: 'refs/tags/plugins/json/v0.7.4' }
    })
    expect(noPattern.code).not.toBe(0)
    expect(error(noPattern)).toMatch(/set tag-pattern: plugins\/\{name\}\/v\{version\}/)
  }, 60_000)

  it(
    'a dry run builds outside the sources: plugin-path is in the runner temp, the tree stays clean',
    async () => {
      const dry = await release('plugins/dummy/v0.11.5', { 'dry-run': 'true' })
      expect(error(dry)).toBe('')
      expect(dry.code).toBe(0)
      expect(dry.outputs['plugin-path']).toMatch(/\/libdummy\.so$/)
      expect(dry.outputs['plugin-path'].startsWith(repo.dir)).toBe(false)
      expect(existsSync(dry.outputs['plugin-path'])).toBe(true)
      expect(await repo.git('status', '--porcelain', '--ignored')).toBe('')
    },
    BUILD
  )

  it(
    'json 0.7.4: the plugin alone, installed by falcoctl byte for byte',
    async () => {
      const r = await release('plugins/json/v0.7.4')
      published.json = r
      expect(error(r)).toBe('')
      expect(r.code).toBe(0)
      expect(r.outputs['rules-ref']).toBe('')
      expect(r.stdout).not.toMatch(/::warning::rules/)
      // index.yaml links the plugin's folder, at the release tag.
      const entries = parseYaml(readFileSync(index(), 'utf8')) as Array<Record<string, unknown>>
      const tree = 'https://github.com/Acme/Falco-Plugins/tree/plugins/json/v0.7.4/plugins/json'
      expect(entries.find((e) => e.name === 'json')).toMatchObject({ home: tree, sources: [tree] })
      // The registry.yaml entry keeps the registered url.
      expect(r.outputs['registry-entry']).toContain(
        'url: https://github.com/falcosecurity/plugins/tree/main/plugins/json'
      )
      expect(installCommands(r.summary)).toEqual([
        ['json:latest'],
        [`${reg.host}/acme/falco-plugins/plugin/json:0.7.4`]
      ])
      await installAsSummarySays(r, {
        indexed: { plugins: ['libjson.so'], rules: [] },
        direct: { plugins: ['libjson.so'], rules: [] }
      })
      const installed = await falcoctlInstall({ indexFile: index(), refs: ['json:latest'] })
      expect(readFileSync(join(installed.pluginsDir, 'libjson.so'))).toEqual(
        await readFile(r.outputs['plugin-path'])
      )
    },
    BUILD
  )

  it(
    'k8saudit 0.18.0: refused while json 0.7.0, which its rules require, is not published',
    async () => {
      const r = await release('plugins/k8saudit/v0.18.0')
      expect(r.code).not.toBe(0)
      expect(r.stdout).toContain('rules: rules/k8s_audit_rules.yaml (the only YAML file in rules/)')
      expect(error(r)).toMatch(
        /falcoctl could not install this release: json:0\.7\.0 \(required by k8saudit-rules:0\.18\.0\): .*plugin\/json has no tag 0\.7\.0.*required_plugin_versions.*check-dependencies: false/
      )
      expect(await tags('plugin/k8saudit')).toEqual([])
      expect(await tags('ruleset/k8saudit')).toEqual([])
    },
    BUILD
  )

  it(
    'k8saudit 0.18.0 with its rules requiring the published json: the plugin, its rules and json install',
    async () => {
      const rulesFile = join(repo.dir, 'plugins/k8saudit/rules/k8s_audit_rules.yaml')
      const text = readFileSync(rulesFile, 'utf8')
      writeFileSync(rulesFile, text.replace(/(- name: json\n\s+version: )0\.7\.0/, '$10.7.4'))
      await repo.commitAndTag('k8saudit rules: require the published json', [
        'plugins/k8saudit/v0.18.0'
      ])
      const r = await release('plugins/k8saudit/v0.18.0')
      published.k8saudit = r
      expect(error(r)).toBe('')
      expect(r.code).toBe(0)
      // The rules config upstream's release code makes for this file.
      expect(JSON.parse(r.outputs.metadata).rules.config).toEqual({
        name: 'k8saudit-rules',
        version: '0.18.0',
        dependencies: [
          { name: 'json', version: '0.7.4' },
          {
            name: 'k8saudit',
            version: '0.18.0',
            alternatives: [
              { name: 'k8saudit-aks', version: '0.6.0' },
              { name: 'k8saudit-eks', version: '0.12.0' },
              { name: 'k8saudit-gke', version: '0.9.0' },
              { name: 'k8saudit-ovh', version: '0.6.0' }
            ]
          }
        ],
        requirements: [{ name: 'engine_version_semver', version: '0.15.0' }]
      })
      expect(r.outputs['registry-entry']).toContain(
        'rules_url: https://github.com/falcosecurity/plugins/tree/main/plugins/k8saudit/rules'
      )
      expect(installCommands(r.summary)).toEqual([
        ['k8saudit-rules:latest'],
        [
          '--resolve-deps=false',
          `${reg.host}/acme/falco-plugins/plugin/k8saudit:0.18.0`,
          `${reg.host}/acme/falco-plugins/ruleset/k8saudit:0.18.0`
        ]
      ])
      expect(r.summary).toContain('also installs `json:0.7.4`')
      await installAsSummarySays(r, {
        indexed: { plugins: ['libjson.so', 'libk8saudit.so'], rules: ['k8s_audit_rules.yaml'] },
        direct: { plugins: ['libk8saudit.so'], rules: ['k8s_audit_rules.yaml'] }
      })
      // The plugin by name brings its rules and json too (the mutual dependency).
      const plugin = await falcoctlInstall({ indexFile: index(), refs: ['k8saudit:latest'] })
      expect(plugin.plugins).toEqual(['libjson.so', 'libk8saudit.so'])
      expect(plugin.rules).toEqual(['k8s_audit_rules.yaml'])
    },
    BUILD
  )

  it(
    'cloudtrail 0.17.1 alone (plugin-depends-on-rules: false), with its own index naming others',
    async () => {
      const own = join(work, 'cloudtrail-index.yaml')
      // A maintainer's additions to the entry survive the release.
      writeFileSync(
        own,
        [
          '- name: cloudtrail-rules',
          '  type: rulesfile',
          '  registry: old.example',
          '  repository: old/cloudtrail-rules',
          '  x-note: kept',
          '  signature:',
          '    cosign:',
          '      certificate-oidc-issuer: https://token.actions.githubusercontent.com',
          '      certificate-identity-regexp: https://github.com/acme/',
          ''
        ].join('\n')
      )
      const dead = `http://127.0.0.1:${await freePort()}/index.yaml`
      const inputs = {
        'index-file': own,
        // Kept out of the checkout, which the last test finds clean.
        'allow-outside-workspace': 'true',
        'plugin-depends-on-rules': 'false',
        'dependency-indexes': `${dead}\nfile://${index()}`
      }
      // json 0.7.0 is looked up through the second dependency index, whose json lacks that tag.
      const refused = await release('plugins/cloudtrail/v0.17.1', inputs)
      expect(refused.code).not.toBe(0)
      expect(error(refused)).toMatch(
        /json:0\.7\.0 \(required by cloudtrail-rules:0\.17\.1\): .*plugin\/json has no tag 0\.7\.0/
      )
      expect(refused.stdout).toMatch(
        /::warning::dependency index http:\/\/127\.0\.0\.1:\d+\/index\.yaml could not be read/
      )
      expect(await tags('plugin/cloudtrail')).toEqual([])

      // The explicit opt-out publishes, warns, and prints commands that skip dependencies.
      const r = await release('plugins/cloudtrail/v0.17.1', {
        ...inputs,
        'check-dependencies': 'false'
      })
      expect(error(r)).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toMatch(/::warning::falcoctl could not install this release: json:0\.7\.0/)
      const meta = JSON.parse(r.outputs.metadata)
      expect(meta.plugin.config.dependencies ?? []).toEqual([])
      expect(meta.rules.config.dependencies).toEqual([
        { name: 'cloudtrail', version: '0.17.1' },
        { name: 'json', version: '0.7.0' }
      ])
      const entries = parseYaml(readFileSync(own, 'utf8')) as Array<Record<string, unknown>>
      expect(entries.find((e) => e.name === 'cloudtrail-rules')).toMatchObject({
        registry: reg.host,
        repository: 'acme/falco-plugins/ruleset/cloudtrail',
        'x-note': 'kept',
        signature: {
          cosign: expect.objectContaining({
            'certificate-identity-regexp': 'https://github.com/acme/'
          })
        }
      })
      expect(r.stdout).toMatch(/::warning::.*cloudtrail-rules keeps its signature block/)
      expect(installCommands(r.summary)).toEqual([
        ['--resolve-deps=false', 'cloudtrail:latest', 'cloudtrail-rules:latest'],
        [
          '--resolve-deps=false',
          `${reg.host}/acme/falco-plugins/plugin/cloudtrail:0.17.1`,
          `${reg.host}/acme/falco-plugins/ruleset/cloudtrail:0.17.1`
        ]
      ])
      // --no-verify: the maintainer's signature block describes no real signature here.
      const both = { plugins: ['libcloudtrail.so'], rules: ['aws_cloudtrail_rules.yaml'] }
      for (const version of FALCOCTL_VERSIONS) {
        const [indexed, direct] = installCommands(r.summary)
        const a = await falcoctlInstall({
          indexFile: own,
          refs: indexed,
          version,
          extraArgs: ['--no-verify']
        })
        expect([a.plugins, a.rules]).toEqual([both.plugins, both.rules])
        const b = await falcoctlInstall({ refs: direct, version, extraArgs: ['--no-verify'] })
        expect([b.plugins, b.rules]).toEqual([both.plugins, both.rules])
        // The plugin alone installs only the plugin.
        const alone = await falcoctlInstall({
          indexFile: own,
          refs: ['cloudtrail:latest'],
          version
        })
        expect([alone.plugins, alone.rules]).toEqual([['libcloudtrail.so'], []])
      }
    },
    BUILD
  )

  it(
    'dummy 0.11.5: registry.yaml is checked, and rules added to a published version are explained',
    async () => {
      // Another plugin with dummy's source ID: upstream's registry check fails, so does the release.
      const registry = join(repo.dir, 'registry.yaml')
      writeFileSync(
        registry,
        REGISTRY_YAML +
          '  - name: other\n    capabilities:\n      sourcing: { supported: true, id: 3, source: other }\n'
      )
      await repo.commitAndTag('registry.yaml: a colliding ID', [])
      const collision = await release('plugins/dummy/v0.11.5', { 'rules-file': 'none' })
      expect(collision.code).not.toBe(0)
      expect(error(collision)).toMatch(
        /registry\.yaml refuses this plugin.*source id is not unique: 3 is already used by "other"/
      )
      expect(await tags('plugin/dummy')).toEqual([])
      writeFileSync(registry, REGISTRY_YAML)
      await repo.commitAndTag('registry.yaml: fixed', [])

      const alone = await release('plugins/dummy/v0.11.5', { 'rules-file': 'none' })
      expect(error(alone)).toBe('')
      expect(alone.outputs['rules-ref']).toBe('')

      // dummy keeps dummy_rules.yaml next to go.mod: found by default, and it changes the plugin config.
      const withRules = await release('plugins/dummy/v0.11.5')
      expect(withRules.code).not.toBe(0)
      expect(withRules.stdout).toContain(
        'rules: dummy_rules.yaml (dummy_rules.yaml next to go.mod)'
      )
      expect(error(withRules)).toMatch(
        /only the plugin config differs \(the \.so is byte-identical\)/
      )
      expect(error(withRules)).toMatch(/plugin-depends-on-rules: false/)
      expect(error(withRules)).not.toMatch(/\.so differs|not reproducible/)

      const added = await release('plugins/dummy/v0.11.5', { 'plugin-depends-on-rules': 'false' })
      published.dummy = added
      expect(error(added)).toBe('')
      expect(added.code).toBe(0)
      const meta = JSON.parse(added.outputs.metadata)
      expect([meta.plugin.status, meta.rules.status]).toEqual(['same', 'new'])
      const entry = added.outputs['registry-entry']
      expect(entry).toContain(
        'url: https://github.com/falcosecurity/plugins/tree/main/plugins/dummy'
      )
      expect(entry).toContain(
        'rules_url: https://github.com/Acme/Falco-Plugins/tree/plugins/dummy/v0.11.5/plugins/dummy'
      )
      expect(entry).toContain('authors: The Falco Authors')
      expect(entry).toMatch(/keywords:\n\s+- reference\n\s+- sample/)
      expect(entry).toContain('email: cncf-falco-dev@lists.cncf.io')
      await installAsSummarySays(added, {
        indexed: { plugins: ['libdummy.so'], rules: ['dummy_rules.yaml'] },
        direct: { plugins: ['libdummy.so'], rules: ['dummy_rules.yaml'] }
      })
    },
    BUILD
  )

  it(
    "a plugin named in k8saudit's rules only as an alternative gets no dependency on itself",
    async () => {
      const f = await makePluginFixture({
        kind: 'extractor',
        name: 'k8saudit-ovh',
        version: '0.6.1'
      })
      await rename(f.dir, join(repo.dir, 'plugins', 'k8saudit-ovh'))
      await repo.commitAndTag('k8saudit-ovh', ['plugins/k8saudit-ovh/v0.6.1'])
      const r = await release('plugins/k8saudit-ovh/v0.6.1', {
        'go-package': f.goPackage,
        'rules-file': '../k8saudit/rules/k8s_audit_rules.yaml'
      })
      expect(error(r)).toBe('')
      expect(r.code).toBe(0)
      const deps = JSON.parse(r.outputs.metadata).rules.config.dependencies as Array<{
        name: string
      }>
      expect(deps.map((d) => d.name)).toEqual(['json', 'k8saudit'])
      // Installing the plugin brings its rules and json, and not k8saudit.
      expect(installCommands(r.summary)[0]).toEqual(['k8saudit-ovh:latest'])
      await installAsSummarySays(r, {
        indexed: { plugins: ['libjson.so', 'libk8saudit-ovh.so'], rules: ['k8s_audit_rules.yaml'] },
        direct: { plugins: ['libk8saudit-ovh.so'], rules: ['k8s_audit_rules.yaml'] }
      })
    },
    BUILD
  )

  it(
    'the CLI gives the digests the action gave, from the repository spelled as GitHub does',
    async () => {
      const cli = async (repository: string) => {
        const env: Record<string, string> = { SOURCE_DATE_EPOCH: '1767225600' }
        for (const k of [
          'PATH',
          'HOME',
          'GOPATH',
          'GOCACHE',
          'GOMODCACHE',
          'GOPROXY',
          'GOFLAGS',
          'TMPDIR'
        ]) {
          if (process.env[k]) env[k] = process.env[k] as string
        }
        const args = [
          ACTION.replace(/index\.js$/, 'cli.js'),
          '--json',
          '--tag',
          'plugins/json/v0.7.4',
          '--tag-pattern',
          'plugins/{name}/v{version}',
          '--repository',
          repository,
          '--registry',
          reg.host,
          '--plain-http',
          '--dependency-indexes',
          'none',
          '--index-file',
          join(work, 'cli-index.yaml')
        ]
        return exec(process.execPath, args, { cwd: repo.dir, env, timeout: BUILD }).then(
          (o) => ({ code: 0, ...o }),
          (e: { code: number; stdout: string; stderr: string }) => e
        )
      }
      const same = await cli('Acme/Falco-Plugins')
      expect(same.stderr).not.toMatch(/^error:/m)
      const json = JSON.parse(same.stdout)
      expect(json.plugin.digest).toBe(published.json.outputs['plugin-digest'])
      expect(json.plugin.status).toBe('same')
      // Another spelling is another source annotation: refused, saying exactly that.
      const other = await cli('acme/falco-plugins')
      expect(other.code).not.toBe(0)
      expect(other.stderr).toMatch(
        /source annotation differs: published https:\/\/github\.com\/Acme\/Falco-Plugins, this run https:\/\/github\.com\/acme\/falco-plugins/
      )
      expect(other.stderr).not.toMatch(/\.so differs|config differs/)
    },
    BUILD
  )

  it(
    'json 0.7.4 for glibc 2.17 on amd64 and arm64, with working-directory and cc-* at the defaults the runner passes',
    async () => {
      const zig = requireZig()
      requireTool('qemu-aarch64')
      const own = join(work, 'old-glibc-index.yaml')
      const r = await runAction({
        cwd: repo.dir,
        inputs: {
          registry: reg.host,
          'plain-http': 'true',
          repository: 'acme/old-glibc',
          'tag-pattern': 'plugins/{name}/v{version}',
          glibc: '2.17',
          platforms: 'linux/amd64,linux/arm64',
          'index-file': own,
          'allow-outside-workspace': 'true',
          'github-release': 'false',
          'dependency-indexes': 'none'
        },
        // zig 0.17.0 on PATH, as a runner with zig installed has it.
        env: {
          GITHUB_REF: 'refs/tags/plugins/json/v0.7.4',
          PATH: `${zig.dir}:${process.env.PATH ?? ''}`,
          ZIG_GLOBAL_CACHE_DIR: zig.cache
        }
      })
      expect(error(r)).toBe('')
      expect(r.code).toBe(0)
      expect(r.stdout).toContain('zig 0.17.0 from PATH')
      expect(r.stdout).toContain('linux/arm64: loaded under emulation, same metadata')
      const floors = JSON.parse(r.outputs['glibc-floor']) as Record<string, string>
      expect(Object.keys(floors).sort()).toEqual(['linux/amd64', 'linux/arm64'])
      for (const [platform, floor] of Object.entries(floors)) {
        expect([platform, compareGlibcVersions(floor, '2.17') <= 0]).toEqual([platform, true])
      }
      for (const platform of ['linux/amd64', 'linux/arm64']) {
        const installed = await falcoctlInstall({ indexFile: own, refs: ['json:latest'], platform })
        expect([platform, installed.plugins]).toEqual([platform, ['libjson.so']])
        const elf = await readElf(join(installed.pluginsDir, 'libjson.so'))
        expect([platform, elf.machine]).toEqual([platform, platform.endsWith('arm64') ? 183 : 62])
      }
    },
    BUILD
  )

  it('left nothing in the sources but the index.yaml it was asked to write', async () => {
    expect((await repo.git('status', '--porcelain', '--ignored')).trim()).toBe('?? index.yaml')
    const { stdout } = await exec('find', [repo.dir, '-name', '*.so'])
    expect(stdout).toBe('')
  })
})
