// Everything that can refuse a release does so before the first registry write, through the
// bundled action as the runner runs it: a token that may not write the repository (the
// headline workflow's old `contents: read`), an index.yaml that is not a falcoctl index, paths
// that leave the workspace, a symlinked index.yaml. And text from the plugin cannot shape the
// job summary. Each failure leaves a summary that says what was and was not written.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../helpers/action.js'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { makePluginFixture, type PluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const TOKEN = 'ghs_refusalsTestToken4567'
const RULES = [
  '- required_engine_version: 0.31.0',
  '- rule: refusal test rule',
  '  desc: fires',
  '  condition: evt.num > 0',
  '  output: event %evt.num',
  '  priority: INFO',
  ''
].join('\n')

describe('refusals come before the first registry write', () => {
  let reg: RunningRegistry
  let gh: FakeGitHub
  let plugin: PluginFixture
  let n = 0

  beforeAll(async () => {
    reg = await startRegistry()
    gh = await startFakeGitHub({ token: TOKEN })
    plugin = await makePluginFixture({
      kind: 'extractor',
      name: 'refuse',
      version: '1.0.0',
      rules: RULES,
      description: 'Nice plugin\r## Injected heading\n[click](https://evil.example)<img src=x>'
    })
  }, 120_000)
  afterAll(async () => {
    await reg?.stop()
    await gh?.stop()
  })

  async function tags(repo: string): Promise<string[]> {
    const res = await fetch(`${reg.url}/v2/${repo}/tags/list`)
    if (res.status === 404) return []
    return ((await res.json()) as { tags: string[] | null }).tags ?? []
  }

  /** A release of the fixture to its own repository prefix, as a tag run under GitHub Actions. */
  async function release(
    inputs: Record<string, string>,
    env: Record<string, string> = {}
  ): Promise<ActionRun & { repo: string }> {
    const repo = `acme/refusals${++n}`
    const run = await runAction({
      cwd: plugin.dir,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        repository: repo,
        'working-directory': plugin.dir,
        'go-package': plugin.goPackage,
        'github-token': TOKEN,
        ...inputs
      },
      env: {
        GITHUB_REF: 'refs/tags/1.0.0',
        GITHUB_API_URL: gh.apiUrl,
        GITHUB_REPOSITORY: 'acme/falco-plugins',
        GITHUB_SHA: 'b'.repeat(40),
        GITHUB_WORKSPACE: plugin.dir,
        ...env
      }
    })
    return { ...run, repo }
  }

  async function nothingPushed(run: ActionRun & { repo: string }): Promise<void> {
    expect(run.code).not.toBe(0)
    expect(await tags(`${run.repo}/plugin/refuse`)).toEqual([])
    expect(await tags(`${run.repo}/ruleset/refuse`)).toEqual([])
    expect(run.summary).toMatch(/## Falco plugin release failed/)
    expect(run.summary).toMatch(/### What was written\n\nNothing\. Every check that can refuse/)
  }

  it('a token that may not write the repository stops github-release: auto before anything is pushed', async () => {
    gh.readOnly = true
    try {
      const run = await release({})
      await nothingPushed(run)
      expect(run.stdout).toMatch(
        /::error::github-release \(auto: on tag runs\) needs to write to acme\/falco-plugins.*permissions: contents: write/
      )
      expect(run.summary).toContain(
        'It stopped while checking access and files before the first write'
      )
      expect(run.everything.replace(/^::add-mask::.*$/gm, '')).not.toContain(TOKEN)
    } finally {
      gh.readOnly = false
    }
  }, 300_000)

  it('an index.yaml that is not a falcoctl index is refused before anything is pushed', async () => {
    const dir = await mkdtemp(join(plugin.dir, 'idx-'))
    writeFileSync(join(dir, 'index.yaml'), 'not: a list\n')
    const run = await release({ 'index-file': join(dir, 'index.yaml'), 'github-release': 'false' })
    await nothingPushed(run)
    expect(run.stdout).toMatch(
      /::error::.*index\.yaml cannot take this release's entries.*expected a YAML list/
    )
    expect(readFileSync(join(dir, 'index.yaml'), 'utf8')).toBe('not: a list\n')
  }, 300_000)

  it('refuses rules-file and index-file paths that leave the workspace, unless allowed', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'fpr-outside-'))
    writeFileSync(join(outside, 'stolen_rules.yaml'), RULES)
    const relative = await release({
      'rules-file': `../${outside.split('/').pop()}/stolen_rules.yaml`,
      'github-release': 'false'
    })
    await nothingPushed(relative)
    expect(relative.stdout).toMatch(
      /::error::rules-file ".*stolen_rules\.yaml" is outside the workspace/
    )

    const absolute = await release({
      'rules-file': join(outside, 'stolen_rules.yaml'),
      'github-release': 'false'
    })
    await nothingPushed(absolute)

    const index = await release({
      'index-file': join(outside, 'index.yaml'),
      'github-release': 'false'
    })
    await nothingPushed(index)
    expect(index.stdout).toMatch(
      /::error::index-file ".*" is outside the workspace.*allow-outside-workspace: true/
    )

    const allowed = await release({
      'index-file': join(outside, 'index.yaml'),
      'github-release': 'false',
      'allow-outside-workspace': 'true'
    })
    expect([allowed.code, allowed.stdout]).toEqual([0, expect.not.stringMatching(/::error::/)])
    expect(readFileSync(join(outside, 'index.yaml'), 'utf8')).toContain('name: refuse-rules')
  }, 600_000)

  it('never writes through a symlinked index.yaml, inside the workspace or out of it', async () => {
    const outside = await mkdtemp(join(tmpdir(), 'fpr-target-'))
    writeFileSync(join(outside, 'precious'), 'keep me\n')
    const dir = await mkdtemp(join(plugin.dir, 'links-'))
    symlinkSync(join(outside, 'precious'), join(dir, 'out.yaml'))
    const out = await release({ 'index-file': join(dir, 'out.yaml'), 'github-release': 'false' })
    await nothingPushed(out)
    expect(out.stdout).toMatch(
      /::error::index-file .* is outside the workspace .*through a symbolic link/
    )

    mkdirSync(join(dir, 'real'))
    writeFileSync(join(dir, 'real', 'index.yaml'), '[]\n')
    symlinkSync(join(dir, 'real', 'index.yaml'), join(dir, 'in.yaml'))
    const inside = await release({ 'index-file': join(dir, 'in.yaml'), 'github-release': 'false' })
    await nothingPushed(inside)
    expect(inside.stdout).toMatch(
      /::error::index-file .*in\.yaml is a symbolic link: refusing to write through it/
    )
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep me\n')
    expect(readFileSync(join(dir, 'real', 'index.yaml'), 'utf8')).toBe('[]\n')
    rmSync(dir, { recursive: true, force: true })
  }, 600_000)

  it("the plugin's description cannot inject headings, links or HTML into the summary", async () => {
    const run = await release({
      'github-release': 'false',
      'index-file': join(plugin.dir, 'ok.yaml')
    })
    expect([run.code, run.stdout]).toEqual([0, expect.not.stringMatching(/::error::/)])
    expect(run.summary).toContain('| description |')
    // Outside code blocks (where text is inert), nothing of the description is live Markdown.
    const live = run.summary.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '')
    expect(live).toContain('Nice plugin')
    expect(live).not.toMatch(/^\s*## Injected/m)
    expect(live).not.toMatch(/(^|[^\\])\[click\]\(https/)
    expect(live).not.toContain('<img')
    // The metadata table is still a table: every row of it starts and ends with a pipe.
    const table = run.summary.slice(run.summary.indexOf('| Field | Value |')).split('\n\n')[0]
    for (const row of table.split('\n')) expect(row).toMatch(/^\|.*\|$/)
  }, 300_000)
})
