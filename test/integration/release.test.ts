// End to end, with real parts only: Go builds of plugin-sdk-go fixtures, the
// bundled action run as the runner runs it, Debian's docker-registry on
// 127.0.0.1, and falcoctl v0.12.2 installing what was pushed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { runAction, type ActionRun } from '../helpers/action.js'
import { FALCOCTL_VERSIONS, falcoctlInstall } from '../helpers/falcoctl.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json'
].join(', ')

function rulesYaml(name: string, requires: string): string {
  return [
    '- required_engine_version: 0.31.0',
    '- required_plugin_versions:',
    `    - name: ${name}`,
    `      version: ${requires}`,
    `- rule: ${name} test rule`,
    `  desc: fires on ${name} events`,
    '  condition: evt.num > 0',
    '  output: event %evt.num',
    '  priority: INFO',
    ''
  ].join('\n')
}

describe('release to a real registry, installed by falcoctl', () => {
  let reg: RunningRegistry
  let work: string

  beforeAll(async () => {
    reg = await startRegistry()
    work = await mkdtemp(join(tmpdir(), 'fpr-e2e-'))
  }, 60_000)
  afterAll(async () => reg?.stop())

  async function tags(repo: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`)
    if (res.status === 404) return []
    const body = (await res.json()) as { tags: string[] | null }
    return (body.tags ?? []).sort()
  }

  async function digest(repo: string, tag: string): Promise<string | undefined> {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: ACCEPT }
    })
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined
  }

  async function manifest(repo: string, ref: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${ref}`, {
      headers: { accept: ACCEPT }
    })
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  async function blobJson(repo: string, d: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${reg.url}/v2/${repo}/blobs/${d}`)
    expect(res.status).toBe(200)
    return (await res.json()) as Record<string, unknown>
  }

  /** Builds a fixture plugin reporting `soVersion` and releases it under `tag`. */
  async function release(opts: {
    name: string
    soVersion: string
    tag: string
    rules?: string
    description?: string
    inputs?: Record<string, string>
    indexFile?: string
  }): Promise<ActionRun> {
    const fixture = await makePluginFixture({
      kind: 'extractor',
      name: opts.name,
      version: opts.soVersion,
      rules: opts.rules,
      description: opts.description
    })
    return runAction({
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': fixture.dir,
        'go-package': fixture.goPackage,
        'index-file': opts.indexFile ?? join(work, `${opts.name}-index.yaml`),
        'github-release': 'false',
        ...opts.inputs
      },
      env: { GITHUB_REF: `refs/tags/${opts.tag}` }
    })
  }

  const pluginRepo = (name: string) => `acme/falco-plugins/plugin/${name}`
  const rulesRepo = (name: string) => `acme/falco-plugins/ruleset/${name}`

  describe('one plugin through its life: stable, re-run, backport, pre-release', () => {
    const name = 'lifecycle'
    const index = () => join(work, 'lifecycle-index.yaml')
    let stable: ActionRun
    let stableDigests: { plugin?: string; rules?: string }

    it('a stable release pushes plugin and rules with X.Y.Z, X.Y, X and latest', async () => {
      stable = await release({
        name,
        soVersion: '1.4.2',
        tag: 'v1.4.2',
        rules: rulesYaml(name, '1.0.0'),
        indexFile: index()
      })
      expect(stable.stderr + stable.stdout).not.toMatch(/::error::/)
      expect(stable.code).toBe(0)
      expect(await tags(pluginRepo(name))).toEqual(['1', '1.4', '1.4.2', 'latest'])
      expect(await tags(rulesRepo(name))).toEqual(['1', '1.4', '1.4.2', 'latest'])
      stableDigests = {
        plugin: await digest(pluginRepo(name), '1.4.2'),
        rules: await digest(rulesRepo(name), '1.4.2')
      }
      for (const t of ['1', '1.4', 'latest']) {
        expect(await digest(pluginRepo(name), t)).toBe(stableDigests.plugin)
        expect(await digest(rulesRepo(name), t)).toBe(stableDigests.rules)
      }
    }, 180_000)

    it('sets every output', () => {
      const o = stable.outputs
      expect(o.version).toBe('1.4.2')
      expect(o.tags.split('\n')).toEqual(['1.4.2', '1.4', '1', 'latest'])
      expect(o['plugin-ref']).toBe(`${reg.host}/${pluginRepo(name)}:1.4.2`)
      expect(o['plugin-digest']).toBe(stableDigests.plugin)
      expect(o['rules-ref']).toBe(`${reg.host}/${rulesRepo(name)}:1.4.2`)
      expect(o['rules-digest']).toBe(stableDigests.rules)
      expect(o['index-file']).toBe(index())
      const meta = JSON.parse(o.metadata) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(meta.plugin.requiredApiVersion).toBe('3.11.0')
      expect(meta.plugin.capabilities).toEqual(['extraction'])
      expect(meta.rules.digest).toBe(stableDigests.rules)
    })

    it('pushes the falcoctl format: plugin index -> linux/amd64 manifest -> config with the .so requirement', async () => {
      const idx = await manifest(pluginRepo(name), 'latest')
      expect(idx.mediaType).toBe('application/vnd.oci.image.index.v1+json')
      const entries = idx.manifests as Array<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(entries).toHaveLength(1)
      expect(entries[0].platform).toEqual({ architecture: 'amd64', os: 'linux' })
      expect(entries[0].artifactType).toBe('application/vnd.cncf.falco.plugin.config.v1+json')
      expect(idx.annotations).toEqual({
        'org.opencontainers.image.source': 'https://github.com/Acme/Falco-Plugins'
      })
      const m = await manifest(pluginRepo(name), entries[0].digest)
      const config = m.config as { digest: string; mediaType: string }
      expect(config.mediaType).toBe('application/vnd.cncf.falco.plugin.config.v1+json')
      expect(m.layers).toEqual([
        expect.objectContaining({
          mediaType: 'application/vnd.cncf.falco.plugin.layer.v1+tar.gz',
          annotations: { 'org.opencontainers.image.title': `lib${name}.tar.gz` }
        })
      ])
      expect(m.annotations).toEqual({
        'org.opencontainers.image.created': '2026-01-01T00:00:00Z',
        'org.opencontainers.image.source': 'https://github.com/Acme/Falco-Plugins'
      })
      expect(await blobJson(pluginRepo(name), config.digest)).toEqual({
        name,
        version: '1.4.2',
        dependencies: [{ name: `${name}-rules`, version: '1.4.2' }],
        requirements: [{ name: 'plugin_api_version', version: '3.11.0' }]
      })
      const rules = await manifest(rulesRepo(name), 'latest')
      expect(rules.mediaType).toBe('application/vnd.oci.image.manifest.v1+json')
      const rulesConfig = rules.config as { digest: string }
      expect(await blobJson(rulesRepo(name), rulesConfig.digest)).toEqual({
        name: `${name}-rules`,
        version: '1.4.2',
        dependencies: [{ name, version: '1.4.2' }],
        requirements: [{ name: 'engine_version_semver', version: '0.31.0' }]
      })
    })

    it('writes index.yaml entries that falcoctl resolves', () => {
      const entries = parseYaml(readFileSync(index(), 'utf8')) as Array<Record<string, unknown>>
      expect(entries.map((e) => [e.name, e.type, e.registry, e.repository])).toEqual([
        [name, 'plugin', reg.host, pluginRepo(name)],
        [`${name}-rules`, 'rulesfile', reg.host, rulesRepo(name)]
      ])
    })

    it.each(FALCOCTL_VERSIONS)(
      'falcoctl %s installs <name>-rules:latest through the index, plugin included',
      async (version) => {
        const installed = await falcoctlInstall({
          indexFile: index(),
          refs: [`${name}-rules:latest`],
          version
        })
        expect(installed.rules).toEqual([`${name}_rules.yaml`])
        expect(installed.plugins).toEqual([`lib${name}.so`])
        const shipped = await readFile(stable.outputs['plugin-path'])
        const got = await readFile(join(installed.pluginsDir, `lib${name}.so`))
        expect(got.equals(shipped)).toBe(true)
      },
      180_000
    )

    it('re-running the published tag succeeds, gives the same digests and writes nothing', async () => {
      const again = await release({
        name,
        soVersion: '1.4.2',
        tag: 'v1.4.2',
        rules: rulesYaml(name, '1.0.0'),
        indexFile: index()
      })
      expect(again.code).toBe(0)
      expect(again.outputs['plugin-digest']).toBe(stableDigests.plugin)
      expect(again.outputs['rules-digest']).toBe(stableDigests.rules)
      const meta = JSON.parse(again.outputs.metadata)
      expect(meta.published).toMatchObject({
        blobsUploaded: 0,
        manifestsWritten: 0,
        tagsWritten: []
      })
    }, 180_000)

    it('a backport 1.3.9 moves 1.3 only: 1 and latest stay on 1.4.2', async () => {
      const run = await release({
        name,
        soVersion: '1.3.9',
        tag: '1.3.9',
        rules: rulesYaml(name, '1.0.0'),
        indexFile: index()
      })
      expect(run.code).toBe(0)
      expect(run.outputs.tags.split('\n')).toEqual(['1.3.9', '1.3'])
      expect(await tags(pluginRepo(name))).toEqual(['1', '1.3', '1.3.9', '1.4', '1.4.2', 'latest'])
      for (const t of ['1', '1.4', 'latest']) {
        expect(await digest(pluginRepo(name), t)).toBe(stableDigests.plugin)
        expect(await digest(rulesRepo(name), t)).toBe(stableDigests.rules)
      }
      expect(await digest(pluginRepo(name), '1.3')).toBe(run.outputs['plugin-digest'])
      expect(run.summary).toMatch(/latest.*1\.4\.2 is newer than 1\.3\.9/)
    }, 180_000)

    it('a pre-release gets only its exact tag', async () => {
      const run = await release({
        name,
        soVersion: '1.5.0-rc.1',
        tag: '1.5.0-rc.1',
        rules: rulesYaml(name, '1.0.0'),
        indexFile: index()
      })
      expect(run.code).toBe(0)
      expect(run.outputs.tags).toBe('1.5.0-rc.1')
      expect(await tags(pluginRepo(name))).toContain('1.5.0-rc.1')
      expect(await tags(pluginRepo(name))).not.toContain('1.5')
      expect(await digest(pluginRepo(name), 'latest')).toBe(stableDigests.plugin)
      expect(await digest(pluginRepo(name), '1')).toBe(stableDigests.plugin)
    }, 180_000)

    it('a changed build under an existing version is refused unless overwrite is set', async () => {
      const changed = { name, soVersion: '1.4.2', tag: '1.4.2', indexFile: index() }
      const refused = await release({
        ...changed,
        rules: rulesYaml(name, '1.0.0'),
        description: 'a different build'
      })
      expect(refused.code).not.toBe(0)
      expect(refused.stdout).toMatch(/1\.4\.2 already exists with digest sha256:.*overwrite: true/)
      expect(await digest(pluginRepo(name), '1.4.2')).toBe(stableDigests.plugin)
      expect(await digest(pluginRepo(name), 'latest')).toBe(stableDigests.plugin)

      const replaced = await release({
        ...changed,
        rules: rulesYaml(name, '1.0.0'),
        description: 'a different build',
        inputs: { overwrite: 'true' }
      })
      expect(replaced.code).toBe(0)
      expect(replaced.outputs['plugin-digest']).not.toBe(stableDigests.plugin)
      expect(await digest(pluginRepo(name), 'latest')).toBe(replaced.outputs['plugin-digest'])
    }, 180_000)
  })

  it('refuses a tag that disagrees with the .so, naming both versions, and pushes nothing', async () => {
    const run = await release({ name: 'mismatch', soVersion: '1.4.1', tag: '1.4.2' })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*1\.4\.1.*1\.4\.2/)
    expect(await tags(pluginRepo('mismatch'))).toEqual([])
  }, 180_000)

  it('refuses a tag that is no version, before building anything', async () => {
    const run = await release({ name: 'badtag', soVersion: '1.0.0', tag: 'release-1' })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::tag "release-1" is not a semantic version.*1\.4\.2/)
    expect(run.stdout).not.toMatch(/go build/)
    expect(await tags(pluginRepo('badtag'))).toEqual([])
  }, 60_000)

  it('refuses a branch ref when no tag input is given', async () => {
    const fixture = await makePluginFixture({ kind: 'extractor', name: 'branch', version: '1.0.0' })
    const run = await runAction({
      inputs: { registry: reg.host, 'plain-http': 'true', 'working-directory': fixture.dir },
      env: { GITHUB_REF: 'refs/heads/main' }
    })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*refs\/heads\/main.*not a tag/)
  }, 60_000)

  it('without a rules file releases the plugin alone, with no dependency, installable by falcoctl', async () => {
    const run = await release({ name: 'norules', soVersion: '0.2.0', tag: '0.2.0' })
    expect(run.code).toBe(0)
    expect(run.outputs['rules-ref']).toBe('')
    expect(await tags(rulesRepo('norules'))).toEqual([])
    expect(await tags(pluginRepo('norules'))).toEqual(['0.2', '0.2.0', 'latest'])
    const idx = await manifest(pluginRepo('norules'), 'latest')
    const entry = (idx.manifests as Array<{ digest: string }>)[0]
    const m = await manifest(pluginRepo('norules'), entry.digest)
    expect(await blobJson(pluginRepo('norules'), (m.config as { digest: string }).digest)).toEqual({
      name: 'norules',
      version: '0.2.0',
      requirements: [{ name: 'plugin_api_version', version: '3.11.0' }]
    })
    for (const version of FALCOCTL_VERSIONS) {
      const installed = await falcoctlInstall({
        indexFile: run.outputs['index-file'],
        refs: ['norules:latest'],
        version
      })
      expect([version, installed.plugins, installed.rules]).toEqual([
        version,
        ['libnorules.so'],
        []
      ])
    }
  }, 180_000)

  it('fails clearly when the plugin directory does not exist', async () => {
    const run = await runAction({
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': join(work, 'no-such-plugin')
      },
      env: { GITHUB_REF: 'refs/tags/1.0.0' }
    })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::working-directory .*no-such-plugin.* does not exist/)
  }, 60_000)

  it('refuses rules that require a newer version of the plugin than the release', async () => {
    const run = await release({
      name: 'ahead',
      soVersion: '1.0.0',
      tag: '1.0.0',
      rules: rulesYaml('ahead', '1.2.0')
    })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*ahead.*1\.2\.0.*1\.0\.0/)
    expect(await tags(pluginRepo('ahead'))).toEqual([])
  }, 180_000)

  it('a dry run prints the plan and pushes nothing', async () => {
    const run = await release({
      name: 'dryrun',
      soVersion: '2.0.0',
      tag: '2.0.0',
      rules: rulesYaml('dryrun', '2.0.0'),
      inputs: { 'dry-run': 'true' }
    })
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/tags: +2\.0\.0, 2\.0, 2, latest/)
    // What the workflow must grant for the real run: no Release, no ghcr.io, so only checkout's read.
    expect(run.stdout).toMatch(/^Without dry-run, the job needs permissions: contents: read$/m)
    expect(run.stdout).toContain(
      '"requirements":[{"name":"plugin_api_version","version":"3.11.0"}]'
    )
    expect(await tags(pluginRepo('dryrun'))).toEqual([])
    expect(await tags(rulesRepo('dryrun'))).toEqual([])
  }, 180_000)

  it('merges into an existing index.yaml, keeping other entries', async () => {
    const indexFile = join(work, 'shared-index.yaml')
    writeFileSync(
      indexFile,
      [
        '- name: other',
        '  type: plugin',
        '  registry: ghcr.io',
        '  repository: someone/plugin/other',
        '  signature:',
        '    cosign:',
        '      certificate-oidc-issuer: https://token.actions.githubusercontent.com',
        ''
      ].join('\n')
    )
    const run = await release({ name: 'merged', soVersion: '1.0.0', tag: '1.0.0', indexFile })
    expect(run.code).toBe(0)
    const entries = parseYaml(readFileSync(indexFile, 'utf8')) as Array<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(entries.map((e) => e.name)).toEqual(['merged', 'other'])
    expect(entries[1].signature.cosign['certificate-oidc-issuer']).toBe(
      'https://token.actions.githubusercontent.com'
    )
  }, 180_000)
})
