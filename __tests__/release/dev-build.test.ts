// The git side of dev builds, in throw-away repositories with real commits and tags.
import { beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { readInputs, type InputName } from '../../src/inputs/inputs.js'
import { silentLogger } from '../../src/log.js'
import {
  checkDevCheckout,
  devBuildSkipped,
  devReleaseOf,
  lastRelease
} from '../../src/release/dev-build.js'
import { prepareRules } from '../../src/release/rules.js'
import { gitAt } from '../../src/version/git.js'
import { contextFrom } from '../../test/helpers/context.js'

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com'
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-C', dir, ...args], { env: GIT_ENV })
    .toString()
    .trim()
}

function commit(dir: string, file: string, text: string): string {
  mkdirSync(join(dir, file, '..'), { recursive: true })
  writeFileSync(join(dir, file), text)
  git(dir, 'add', '-A')
  git(dir, 'commit', '-q', '-m', `change ${file}`)
  return git(dir, 'rev-parse', 'HEAD')
}

function newRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fpr-devgit-'))
  git(dir, 'init', '-q', '-b', 'main')
  return dir
}

const inputs = (values: Partial<Record<InputName, string>>) =>
  readInputs((n) => values[n] ?? '', contextFrom({ GITHUB_REPOSITORY: 'acme/plugins' }).github)

describe('lastRelease and the dev version from the history', () => {
  let dir: string
  beforeAll(() => {
    dir = newRepo()
    commit(dir, 'plugins/foo/a.go', '1')
    git(dir, 'tag', 'plugins/foo/v0.9.0')
    commit(dir, 'plugins/bar/a.go', '1')
    git(dir, 'tag', 'plugins/bar/v3.0.0')
    commit(dir, 'plugins/foo/a.go', '2')
    git(dir, 'tag', '-a', '-m', 'release', 'plugins/foo/v1.0.0') // annotated
    commit(dir, 'plugins/foo/a.go', '3')
    commit(dir, 'plugins/bar/a.go', '2')
    // A backport tagged on another branch is not in main's history: it does not count.
    git(dir, 'checkout', '-q', '-b', 'release-0.9', 'plugins/foo/v0.9.0')
    commit(dir, 'plugins/foo/a.go', 'backport')
    git(dir, 'tag', 'plugins/foo/v0.9.1')
    git(dir, 'tag', 'plugins/foo/v9.0.0') // on the branch only
    git(dir, 'checkout', '-q', 'main')
  })

  it('takes the highest version of this plugin that HEAD contains, never another plugin', async () => {
    const g = gitAt(dir, process.env)
    expect(await lastRelease(g, 'plugins/{name}/v{version}', 'foo')).toEqual({
      tag: 'plugins/foo/v1.0.0',
      version: '1.0.0'
    })
    expect(await lastRelease(g, 'plugins/{name}/v{version}', 'bar')).toEqual({
      tag: 'plugins/bar/v3.0.0',
      version: '3.0.0'
    })
    expect(await lastRelease(g, 'plugins/{name}/v{version}', 'baz')).toBeUndefined()
  })

  it('counts the commits since, takes the commit built, and checks the .so version', async () => {
    const head = git(dir, 'rev-parse', 'HEAD')
    const r = await devReleaseOf({
      git: gitAt(dir, process.env),
      inputs: inputs({ 'tag-pattern': 'plugins/{name}/v{version}' }),
      branch: 'main',
      name: 'foo',
      soVersion: '1.0.0',
      logger: silentLogger
    })
    expect(r.version).toBe(`1.0.1-dev.2.g${head.slice(0, 7)}`)
    expect(r.dev).toMatchObject({
      branch: 'main',
      devTag: 'main',
      commit: head,
      commits: 2,
      lastRelease: { tag: 'plugins/foo/v1.0.0', version: '1.0.0' }
    })
    await expect(
      devReleaseOf({
        git: gitAt(dir, process.env),
        inputs: inputs({ 'tag-pattern': 'plugins/{name}/v{version}' }),
        branch: 'main',
        name: 'foo',
        soVersion: '0.9.1',
        logger: silentLogger
      })
    ).rejects.toThrow(/0\.9\.1.*older than 1\.0\.0/)
  })

  it('with no release tag yet, counts every commit', async () => {
    const r = await devReleaseOf({
      git: gitAt(dir, process.env),
      inputs: inputs({ 'tag-pattern': 'plugins/{name}/v{version}' }),
      branch: 'main',
      name: 'baz',
      soVersion: '0.1.0',
      logger: silentLogger
    })
    expect(r.version).toMatch(/^0\.1\.0-dev\.5\.g[0-9a-f]{7}$/)
  })

  it('refuses a shallow clone, naming fetch-depth: 0', async () => {
    const shallow = mkdtempSync(join(tmpdir(), 'fpr-devgit-shallow-'))
    rmSync(shallow, { recursive: true })
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${dir}`, shallow])
    await expect(checkDevCheckout(shallow, process.env)).rejects.toThrow(/shallow.*fetch-depth: 0/)
    await expect(checkDevCheckout(dir, process.env)).resolves.toBeDefined()
    await expect(checkDevCheckout(tmpdir(), process.env)).rejects.toThrow(/not a git checkout/)
  })
})

describe('devBuildSkipped: a monorepo push publishes the plugins it touched', () => {
  let dir: string
  let base: string
  let fooChange: string
  let barChange: string
  let eventFile: string

  beforeAll(() => {
    dir = newRepo()
    commit(dir, 'plugins/foo/a.go', '1')
    base = commit(dir, 'plugins/bar/a.go', '1')
    fooChange = commit(dir, 'plugins/foo/a.go', '2')
    barChange = commit(dir, 'plugins/bar/a.go', '2')
    eventFile = join(dir, '..', `${dir.split('/').pop()}-event.json`)
  })

  const run = (before: string, after: string, values: Partial<Record<InputName, string>>) => {
    writeFileSync(
      eventFile,
      JSON.stringify({ before, after, repository: { default_branch: 'main' } })
    )
    const env = {
      ...process.env,
      GITHUB_REF: 'refs/heads/main',
      GITHUB_EVENT_NAME: 'push',
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_SHA: after
    }
    return devBuildSkipped(
      inputs({ 'tag-pattern': 'plugins/{name}/v{version}', ...values }),
      contextFrom(env, dir),
      silentLogger
    )
  }

  it('skips a plugin the push did not touch, and builds the one it did', async () => {
    expect(await run(base, fooChange, { 'plugin-name': 'foo' })).toBeUndefined()
    expect(await run(base, fooChange, { 'plugin-name': 'bar' })).toMatch(
      /changed nothing under plugins\/bar/
    )
    expect(await run(fooChange, barChange, { 'plugin-name': 'foo' })).toMatch(
      /changed nothing under plugins\/foo/
    )
    // Several commits in one push: each plugin any of them touched.
    expect(await run(base, barChange, { 'plugin-name': 'foo' })).toBeUndefined()
    expect(await run(base, barChange, { 'plugin-name': 'bar' })).toBeUndefined()
  })

  it('builds when it cannot tell: a new branch, an unknown before-commit', async () => {
    expect(await run('0'.repeat(40), fooChange, { 'plugin-name': 'bar' })).toBeUndefined()
    expect(await run('f'.repeat(40), fooChange, { 'plugin-name': 'bar' })).toBeUndefined()
    // Not a commit id: never handed to git (it could be an option), so the plugin builds.
    expect(await run('--output=/tmp/x', fooChange, { 'plugin-name': 'bar' })).toBeUndefined()
  })

  it('a rules-file outside the folder counts too', async () => {
    const rulesChange = commit(dir, 'rules/bar_rules.yaml', '- rule: x')
    expect(
      await run(barChange, rulesChange, {
        'plugin-name': 'bar',
        'rules-file': '../../rules/bar_rules.yaml'
      })
    ).toBeUndefined()
    expect(await run(barChange, rulesChange, { 'plugin-name': 'bar' })).toMatch(/nothing/)
  })

  it('skips a plugin whose folder the push removed, and never skips tag releases', async () => {
    expect(await run(base, fooChange, { 'plugin-name': 'gone' })).toMatch(
      /plugins\/gone does not exist/
    )
    expect(
      await run(base, fooChange, { 'plugin-name': 'bar', tag: 'plugins/bar/v1.0.0' })
    ).toBeUndefined()
  })
})

describe('the rules of a dev build', () => {
  const rules = (requires: string) =>
    [
      '- required_engine_version: 0.31.0',
      '- required_plugin_versions:',
      '    - name: foo',
      `      version: ${requires}`,
      '    - name: json',
      '      version: 0.7.0',
      ''
    ].join('\n')

  async function prepare(text: string, soVersion: string) {
    const dir = mkdtempSync(join(tmpdir(), 'fpr-devrules-'))
    writeFileSync(join(dir, 'foo_rules.yaml'), text)
    return prepareRules({
      inputs: inputs({}),
      workDir: dir,
      plugin: { name: 'foo', version: '1.0.1-dev.3.gabc1234', soVersion },
      layersDir: dir,
      logger: silentLogger,
      warn: () => undefined
    })
  }

  it('depend on the dev build itself, other plugins as the file says', async () => {
    const r = await prepare(rules('1.0.0'), '1.0.0')
    expect(r?.dependencies).toEqual([
      { name: 'foo', version: '1.0.1-dev.3.gabc1234' },
      { name: 'json', version: '0.7.0' }
    ])
  })

  it('are checked against the version the .so reports, as Falco checks them', async () => {
    // 1.0.1-dev.3 would satisfy 1.0.1, but Falco compares with the .so's 1.0.0 and refuses.
    await expect(prepare(rules('1.0.1'), '1.0.0')).rejects.toThrow(
      /requires foo >= 1\.0\.1 but this release is 1\.0\.0/
    )
  })
})
