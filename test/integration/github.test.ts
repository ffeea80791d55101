// The real GitHub client code (releases, assets, Git data API) against a loopback fake GitHub that
// answers like the API: created once, updated on re-runs, no duplicate assets, checksums right,
// index.yaml merged on a branch with concurrent writers, and the permission errors users hit.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { parse as parseYaml } from 'yaml'
import { mergeIndex, type IndexEntry } from '../../src/falco/index-yaml.js'
import { commitIndexToBranch, type CommitIndexOptions } from '../../src/github/pages.js'
import { packLayer } from '../../src/falco/layer.js'
import {
  buildReleaseAssets,
  publishGitHubRelease,
  type BuiltAsset,
  type PublishGitHubReleaseOptions
} from '../../src/github/release.js'
import type { Logger } from '../../src/log.js'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'

interface RecordingLogger extends Logger {
  lines: string[]
  warnings: string[]
}

function recordingLogger(): RecordingLogger {
  const lines: string[] = []
  const warnings: string[] = []
  return {
    lines,
    warnings,
    info: (m) => lines.push(m),
    warning: (m) => warnings.push(m),
    debug: () => undefined,
    secret: () => undefined,
    group: (_t, fn) => fn()
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

async function download(url: string): Promise<Buffer> {
  const res = await fetch(url)
  expect(res.status).toBe(200)
  return Buffer.from(await res.arrayBuffer())
}

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fpr-github-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('publishGitHubRelease against a fake GitHub', () => {
  let gh: FakeGitHub
  let n = 0
  let dir: string

  beforeEach(async () => {
    gh = await startFakeGitHub({ maxPageSize: 2 })
    dir = join(work, `release-${++n}`)
    await mkdir(dir, { recursive: true })
  })
  afterEach(async () => {
    await gh.stop()
  })

  async function assets(
    soContent = 'amd64 build',
    outDir = join(dir, 'assets')
  ): Promise<BuiltAsset[]> {
    const amd64 = join(dir, 'amd64.so')
    const arm64 = join(dir, 'arm64.so')
    const rules = join(dir, 'foo_rules.yaml')
    await rm(outDir, { recursive: true, force: true })
    await writeFile(amd64, soContent.repeat(5000))
    await writeFile(arm64, 'arm64 build'.repeat(3000))
    await writeFile(rules, '- required_engine_version: 0.31.0\n')
    // The layers, packed as the pipeline packs them, are the archives.
    const pack = (source: string, entryName: string, mode: number) =>
      packLayer({ source, entryName, mode, destination: `${source}.tar.gz` }).then((l) => l.path)
    return buildReleaseAssets({
      name: 'foo',
      version: '1.2.3',
      plugins: [
        { architecture: 'amd64', archive: await pack(amd64, 'libfoo.so', 0o755) },
        { architecture: 'arm64', archive: await pack(arm64, 'libfoo.so', 0o755) }
      ],
      rulesArchive: await pack(rules, 'foo_rules.yaml', 0o644),
      outDir
    })
  }

  const options = (
    logger: Logger,
    files: BuiltAsset[],
    over: Partial<PublishGitHubReleaseOptions> = {}
  ): PublishGitHubReleaseOptions => ({
    api: { baseUrl: gh.apiUrl, token: gh.token, retryDelayMs: 0 },
    owner: 'acme',
    repo: 'foo',
    tag: 'v1.2.3',
    name: 'foo 1.2.3',
    prerelease: false,
    makeLatest: true,
    assets: files,
    logger,
    ...over
  })

  const count = (method: string, re: RegExp) =>
    gh.requests.filter((r) => r.method === method && re.test(r.path)).length

  it('creates the release once, uploads right assets, and keeps them on a re-run', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    const files = await assets()
    const log = recordingLogger()
    const first = await publishGitHubRelease(options(log, files))

    expect(first.created).toBe(true)
    expect(first.prerelease).toBe(false)
    expect(gh.releases('acme', 'foo')).toHaveLength(1)
    const created = gh.requests.find(
      (r) => r.method === 'POST' && r.path === '/repos/acme/foo/releases'
    )
    // Created as a draft, published (and marked latest) only once every asset was up.
    expect(created?.body).toMatchObject({
      tag_name: 'v1.2.3',
      name: 'foo 1.2.3',
      draft: true,
      prerelease: false,
      generate_release_notes: true,
      make_latest: 'false'
    })
    const publishing = gh.requests.filter((r) => r.method === 'PATCH')
    expect(publishing.map((r) => r.body)).toEqual([
      expect.objectContaining({ draft: false, make_latest: 'true' })
    ])
    const lastUpload = Math.max(
      ...gh.requests.map((r, i) => (r.method === 'POST' && r.path.endsWith('/assets') ? i : -1))
    )
    expect(gh.requests.indexOf(publishing[0])).toBeGreaterThan(lastUpload)
    expect(first.draft).toBe(false)
    expect(gh.releases('acme', 'foo')[0].body).not.toContain('falco-plugin-release: draft')
    expect(gh.latestReleaseId('acme', 'foo')).toBe(first.id)
    expect(first.assets.map((a) => [a.name, a.action])).toEqual([
      ['foo-1.2.3-linux-x86_64.tar.gz', 'uploaded'],
      ['foo-1.2.3-linux-aarch64.tar.gz', 'uploaded'],
      ['foo-rules-1.2.3.tar.gz', 'uploaded'],
      ['checksums.txt', 'uploaded']
    ])
    // Uploads went to upload_url with the size announced and the right type.
    const uploads = gh.requests.filter(
      (r) => r.path.endsWith(`/releases/${first.id}/assets`) && r.method === 'POST'
    )
    expect(uploads.map((u) => u.query.get('name'))).toEqual(files.map((f) => f.name))
    expect(uploads[0].headers['content-type']).toBe('application/gzip')
    expect(uploads[0].headers['content-length']).toBe(String(files[0].size))
    expect(uploads[3].headers['content-type']).toBe('text/plain; charset=utf-8')

    // Download everything as a user would and check it against checksums.txt.
    const sums = (await download(first.assets[3].url)).toString('utf8')
    const lines = sums.trimEnd().split('\n')
    expect(lines).toHaveLength(3)
    for (const a of first.assets.slice(0, 3)) {
      const bytes = await download(a.url)
      expect(lines).toContain(`${sha256(bytes)}  ${a.name}`)
      expect(a.sha256).toBe(sha256(bytes))
    }
    const so = gunzipSync(await download(first.assets[0].url))
    expect(so.toString('ascii', 0, 9)).toBe('libfoo.so')

    // Re-run: same release, nothing uploaded again, nothing duplicated.
    const before = gh.requests.length
    const second = await publishGitHubRelease(options(recordingLogger(), files))
    expect(second.created).toBe(false)
    expect(second.id).toBe(first.id)
    expect(second.assets.every((a) => a.action === 'unchanged')).toBe(true)
    const rerun = gh.requests.slice(before)
    expect(rerun.filter((r) => r.method === 'POST' || r.method === 'DELETE')).toEqual([])
    expect(gh.releases('acme', 'foo')).toHaveLength(1)
    expect(gh.releases('acme', 'foo')[0].assets).toHaveLength(4)
  })

  it('replaces an asset of the same name with new content instead of duplicating it', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    const first = await publishGitHubRelease(options(recordingLogger(), await assets('old')))
    const rebuilt = await assets('new build')
    const log = recordingLogger()
    const second = await publishGitHubRelease(options(log, rebuilt))

    expect(second.assets.map((a) => [a.name, a.action])).toEqual([
      ['foo-1.2.3-linux-x86_64.tar.gz', 'replaced'],
      ['foo-1.2.3-linux-aarch64.tar.gz', 'unchanged'],
      ['foo-rules-1.2.3.tar.gz', 'unchanged'],
      ['checksums.txt', 'replaced']
    ])
    const stored = gh.releases('acme', 'foo')[0].assets
    expect(stored.map((a) => a.name).sort()).toEqual(rebuilt.map((a) => a.name).sort())
    expect(stored.find((a) => a.id === first.assets[0].id)).toBeUndefined()
    const so = gunzipSync(await download(second.assets[0].url))
    expect(so.subarray(512, 521).toString()).toBe('new build')
    expect((await download(second.assets[3].url)).toString()).toContain(
      `${rebuilt[0].sha256}  foo-1.2.3-linux-x86_64.tar.gz`
    )
    expect(log.lines.join('\n')).toContain('replacing the asset of the same name')
  })

  it('deletes and uploads again when the server gives no digests', async () => {
    await gh.stop()
    gh = await startFakeGitHub({ noDigests: true })
    gh.createTag('acme', 'foo', 'v1.2.3')
    const files = await assets()
    await publishGitHubRelease(options(recordingLogger(), files))
    const again = await publishGitHubRelease(options(recordingLogger(), files))
    expect(again.assets.every((a) => a.action === 'replaced')).toBe(true)
    expect(gh.releases('acme', 'foo')[0].assets).toHaveLength(4)
    expect(count('DELETE', /\/releases\/assets\/\d+$/)).toBe(4)
  })

  it('creates a pre-release that is never marked latest, and fixes the flag of an existing release', async () => {
    gh.createTag('acme', 'foo', 'v1.0.0')
    const stable = await publishGitHubRelease(
      options(recordingLogger(), [], { tag: 'v1.0.0', name: 'foo 1.0.0' })
    )
    gh.createTag('acme', 'foo', 'v2.0.0-rc.1')
    const rc = await publishGitHubRelease(
      options(recordingLogger(), [], { tag: 'v2.0.0-rc.1', prerelease: true, makeLatest: true })
    )
    expect(rc.prerelease).toBe(true)
    const body = gh.requests.filter(
      (r) => r.method === 'POST' && r.path === '/repos/acme/foo/releases'
    )[1].body
    expect(body).toMatchObject({ prerelease: true, make_latest: 'false' })
    expect(gh.latestReleaseId('acme', 'foo')).toBe(stable.id)

    // A release made by hand as a full release for a pre-release tag is turned into a pre-release.
    gh.createTag('acme', 'foo', 'v3.0.0-beta.1')
    const manual = gh.seedRelease('acme', 'foo', { tag_name: 'v3.0.0-beta.1', prerelease: false })
    const fixed = await publishGitHubRelease(
      options(recordingLogger(), [], { tag: 'v3.0.0-beta.1', prerelease: true, makeLatest: false })
    )
    expect(fixed).toMatchObject({ id: manual.id, created: false, prerelease: true })
    const patch = gh.requests.filter((r) => r.method === 'PATCH').pop()
    expect(patch?.body).toEqual({ prerelease: true, make_latest: 'false' })
  })

  it('never shows a half-published release: a failed upload leaves our draft, which the re-run publishes', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    const files = await assets()
    gh.failNextUpload(422) // a client error: not retried
    await expect(publishGitHubRelease(options(recordingLogger(), files))).rejects.toThrow(/422/)
    const [draft] = gh.releases('acme', 'foo')
    expect(draft).toMatchObject({ draft: true })
    expect(gh.latestReleaseId('acme', 'foo')).toBeUndefined()
    const again = await publishGitHubRelease(options(recordingLogger(), files))
    expect(again).toMatchObject({ id: draft.id, created: false, draft: false })
    expect(gh.releases('acme', 'foo')).toHaveLength(1)
    expect(gh.releases('acme', 'foo')[0].assets).toHaveLength(4)
    expect(gh.latestReleaseId('acme', 'foo')).toBe(draft.id)
  })

  it('does not mark a backport as latest', async () => {
    gh.createTag('acme', 'foo', 'v2.0.0')
    const newest = await publishGitHubRelease(options(recordingLogger(), [], { tag: 'v2.0.0' }))
    gh.createTag('acme', 'foo', 'v1.9.1')
    await publishGitHubRelease(options(recordingLogger(), [], { tag: 'v1.9.1', makeLatest: false }))
    expect(gh.latestReleaseId('acme', 'foo')).toBe(newest.id)
    // A re-run of the backport leaves it alone too.
    await publishGitHubRelease(options(recordingLogger(), [], { tag: 'v1.9.1', makeLatest: false }))
    expect(gh.latestReleaseId('acme', 'foo')).toBe(newest.id)
    // Only the two drafts were published; nothing else was changed.
    expect(gh.requests.filter((r) => r.method === 'PATCH').map((r) => r.body)).toEqual([
      expect.objectContaining({ draft: false, make_latest: 'true' }),
      expect.objectContaining({ draft: false, make_latest: 'false' })
    ])
  })

  it('fills a draft prepared by hand, found through paginated release listings', async () => {
    gh.createTag('acme', 'foo', 'plugins/foo/v1.2.3')
    const draft = gh.seedRelease('acme', 'foo', { tag_name: 'plugins/foo/v1.2.3', draft: true })
    for (let i = 0; i < 5; i++) gh.seedRelease('acme', 'foo', { tag_name: `other-${i}` })
    const log = recordingLogger()
    const r = await publishGitHubRelease(
      options(log, await assets(), { tag: 'plugins/foo/v1.2.3' })
    )
    expect(r).toMatchObject({ id: draft.id, created: false, draft: true })
    expect(gh.releases('acme', 'foo')).toHaveLength(6)
    expect(gh.releases('acme', 'foo')[0].assets).toHaveLength(4)
    expect(count('GET', /\/releases$/)).toBeGreaterThanOrEqual(3)
    expect(gh.requests.map((q) => q.path)).toContain(
      '/repos/acme/foo/releases/tags/plugins%2Ffoo%2Fv1.2.3'
    )
    expect(log.lines.join('\n')).toContain('is a draft: publish it when it is ready')
  })

  it('sees every existing asset across pages (no duplicates with many assets)', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    const files = await assets()
    await publishGitHubRelease(options(recordingLogger(), files))
    const again = await publishGitHubRelease(options(recordingLogger(), files))
    expect(again.assets.map((a) => a.action)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
      'unchanged'
    ])
    // First run: an empty list; re-run: four assets in pages of two, through Link headers.
    const listed = gh.requests.filter(
      (r) => r.method === 'GET' && /\/releases\/\d+\/assets$/.test(r.path)
    )
    expect(listed.map((r) => r.query.get('page'))).toEqual([null, null, '2'])
  })

  it('recovers from an interrupted upload that left a half-created asset', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    gh.failNextUpload(502, true)
    const log = recordingLogger()
    const r = await publishGitHubRelease(options(log, await assets()))
    expect(r.assets.map((a) => a.action)).toEqual(['uploaded', 'uploaded', 'uploaded', 'uploaded'])
    const stored = gh.releases('acme', 'foo')[0].assets
    expect(stored).toHaveLength(4)
    expect(stored.every((a) => a.state === 'uploaded')).toBe(true)
    expect(log.lines.join('\n')).toContain('retrying once')
  })

  it('adopts a release created concurrently by another job', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    // Between our lookup and our create, a sibling job creates the release.
    let sibling = 0
    gh.beforeNextReleaseCreate(() => {
      sibling = gh.seedRelease('acme', 'foo', { tag_name: 'v1.2.3' }).id
    })
    const log = recordingLogger()
    const r = await publishGitHubRelease(options(log, await assets()))
    expect(r).toMatchObject({ id: sibling, created: false })
    expect(gh.releases('acme', 'foo')).toHaveLength(1)
    expect(gh.releases('acme', 'foo')[0].assets).toHaveLength(4)
    expect(log.lines.join('\n')).toContain('was created concurrently')
  })

  it('refuses to create a release (and a tag) for a tag the repository does not have', async () => {
    await expect(publishGitHubRelease(options(recordingLogger(), []))).rejects.toThrow(
      'tag v1.2.3 does not exist in acme/foo: push the tag before the release runs'
    )
    expect(gh.releases('acme', 'foo')).toHaveLength(0)
    // With a commit to tag, GitHub creates the tag there.
    const r = await publishGitHubRelease(
      options(recordingLogger(), [], { targetCommitish: 'main' })
    )
    expect(r.created).toBe(true)
  })

  it('says the job needs `permissions: contents: write` on 403', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    gh.readOnly = true
    await expect(publishGitHubRelease(options(recordingLogger(), []))).rejects.toThrow(
      /POST \/api\/v3\/repos\/acme\/foo\/releases answered 403: Resource not accessible by integration: give the job `permissions: contents: write`/
    )
  })

  it('says so when the token is wrong', async () => {
    gh.createTag('acme', 'foo', 'v1.2.3')
    const opts = options(recordingLogger(), [])
    await expect(
      publishGitHubRelease({ ...opts, api: { ...opts.api, token: 'wrong' } })
    ).rejects.toThrow(/401: Bad credentials: the token is missing, expired or invalid/)
  })
})

describe('commitIndexToBranch against a fake GitHub', () => {
  let gh: FakeGitHub

  beforeEach(async () => {
    gh = await startFakeGitHub()
  })
  afterEach(async () => {
    await gh.stop()
  })

  const entry = (name: string, repository = `acme/plugins/plugin/${name}`): IndexEntry => ({
    name,
    type: 'plugin',
    registry: 'ghcr.io',
    repository
  })

  const options = (
    logger: Logger,
    entries: IndexEntry[],
    over: Partial<CommitIndexOptions> = {}
  ): CommitIndexOptions => ({
    api: { baseUrl: gh.apiUrl, token: gh.token, retryDelayMs: 0 },
    owner: 'Acme',
    repo: 'plugins',
    branch: 'gh-pages',
    path: 'index.yaml',
    update: (existing) => mergeIndex(existing, entries),
    message: `index.yaml: ${entries.map((e) => e.name).join(', ')}`,
    logger,
    retryDelayMs: 0,
    ...over
  })

  const names = (text: string | undefined) =>
    (parseYaml(text ?? '[]') as IndexEntry[]).map((e) => e.name)

  it('creates the branch as an orphan commit when it is missing', async () => {
    const log = recordingLogger()
    const r = await commitIndexToBranch(options(log, [entry('foo')]))
    expect(r).toMatchObject({
      createdBranch: true,
      changed: true,
      attempts: 1,
      url: 'https://acme.github.io/plugins/index.yaml',
      rawUrl: `${gh.origin}/Acme/plugins/raw/gh-pages/index.yaml`
    })
    expect(gh.branchHead('Acme', 'plugins', 'gh-pages')).toBe(r.commitSha)
    expect(gh.commit('Acme', 'plugins', r.commitSha)?.parents).toEqual([])
    expect(gh.listFiles('Acme', 'plugins', 'gh-pages')).toEqual(['.nojekyll', 'index.yaml'])
    expect(names(gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml'))).toEqual(['foo'])
    // Pages is not enabled on the fake: the user is told how, and given the raw URL.
    expect(log.warnings.join('\n')).toMatch(
      /GitHub Pages is not enabled .* Deploy from a branch -> gh-pages/
    )
  })

  it('keeps foreign entries and other files, and commits on top of the head', async () => {
    const foreign =
      '# acme index\n- name: zeta\n  type: plugin\n  registry: quay.io\n  repository: other/zeta\n  custom: kept\n'
    gh.commitFile('Acme', 'plugins', 'gh-pages', 'index.yaml', foreign)
    const head = gh.commitFile('Acme', 'plugins', 'gh-pages', 'docs/README.md', 'hello')
    const r = await commitIndexToBranch(
      options(recordingLogger(), [entry('foo'), entry('foo-rules')])
    )
    expect(r).toMatchObject({ changed: true, createdBranch: false, attempts: 1 })
    expect(gh.commit('Acme', 'plugins', r.commitSha)?.parents).toEqual([head])
    const text = gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml')
    expect(names(text)).toEqual(['foo', 'foo-rules', 'zeta'])
    expect(text).toContain('# acme index')
    expect(text).toContain('custom: kept')
    expect(gh.readFile('Acme', 'plugins', 'gh-pages', 'docs/README.md')).toBe('hello')
    // The ref update was a fast-forward request.
    const patch = gh.requests.find((q) => q.method === 'PATCH')
    expect(patch?.path).toBe('/repos/Acme/plugins/git/refs/heads/gh-pages')
    expect(patch?.body).toEqual({ sha: r.commitSha, force: false })
  })

  it("releasing a second plugin keeps the first plugin's entries (monorepo)", async () => {
    await commitIndexToBranch(options(recordingLogger(), [entry('alpha'), entry('alpha-rules')]))
    await commitIndexToBranch(options(recordingLogger(), [entry('beta'), entry('beta-rules')]))
    await commitIndexToBranch(options(recordingLogger(), [entry('alpha', 'moved/alpha')]))
    const index = parseYaml(
      gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml') as string
    ) as IndexEntry[]
    expect(index.map((e) => `${e.name}=${e.repository}`)).toEqual([
      'alpha=moved/alpha',
      'alpha-rules=acme/plugins/plugin/alpha-rules',
      'beta=acme/plugins/plugin/beta',
      'beta-rules=acme/plugins/plugin/beta-rules'
    ])
  })

  it('makes no commit when the index already has the content', async () => {
    const first = await commitIndexToBranch(options(recordingLogger(), [entry('foo')]))
    const before = gh.requests.length
    const again = await commitIndexToBranch(options(recordingLogger(), [entry('foo')]))
    expect(again).toMatchObject({ changed: false, commitSha: first.commitSha })
    expect(gh.requests.slice(before).filter((q) => q.method !== 'GET')).toEqual([])
  })

  it('merges again when another job moved the branch in between (422 not a fast forward)', async () => {
    gh.commitFile(
      'Acme',
      'plugins',
      'gh-pages',
      'index.yaml',
      mergeIndex(undefined, [entry('zeta')])
    )
    // Right before our ref update, another release job commits its own entry.
    gh.beforeNextRefUpdate(() => {
      const current = gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml')
      gh.commitFile(
        'Acme',
        'plugins',
        'gh-pages',
        'index.yaml',
        mergeIndex(current, [entry('other')])
      )
    })
    const log = recordingLogger()
    const r = await commitIndexToBranch(options(log, [entry('foo')]))
    expect(r.attempts).toBe(2)
    expect(names(gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml'))).toEqual([
      'foo',
      'other',
      'zeta'
    ])
    expect(log.lines.join('\n')).toMatch(/Update is not a fast forward.*attempt 2 of 5/)
    expect(gh.requests.filter((q) => q.method === 'PATCH')).toHaveLength(2)
  })

  it('retries on 409 too', async () => {
    gh.commitFile(
      'Acme',
      'plugins',
      'gh-pages',
      'index.yaml',
      mergeIndex(undefined, [entry('zeta')])
    )
    gh.failNextRefUpdate(409)
    gh.failNextRefUpdate(422)
    const r = await commitIndexToBranch(options(recordingLogger(), [entry('foo')]))
    expect(r.attempts).toBe(3)
    expect(names(gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml'))).toEqual(['foo', 'zeta'])
  })

  it('gives up after a bounded number of attempts', async () => {
    gh.commitFile('Acme', 'plugins', 'gh-pages', 'index.yaml', '[]\n')
    for (let i = 0; i < 3; i++) gh.failNextRefUpdate(422)
    await expect(
      commitIndexToBranch(options(recordingLogger(), [entry('foo')], { maxAttempts: 3 }))
    ).rejects.toThrow(/kept moving while we updated index.yaml \(3 attempts\)/)
  })

  it('retries when another job created the branch first', async () => {
    let raced = false
    const r = await commitIndexToBranch(
      options(recordingLogger(), [entry('foo')], {
        update: (existing) => {
          if (!raced) {
            raced = true
            gh.commitFile(
              'Acme',
              'plugins',
              'gh-pages',
              'index.yaml',
              mergeIndex(undefined, [entry('zeta')])
            )
          }
          return mergeIndex(existing, [entry('foo')])
        }
      })
    )
    expect(r).toMatchObject({ attempts: 2, createdBranch: false })
    expect(names(gh.readFile('Acme', 'plugins', 'gh-pages', 'index.yaml'))).toEqual(['foo', 'zeta'])
  })

  it('writes a nested path and uses the Pages site URL (custom domain, folder source)', async () => {
    gh.setPages('Acme', 'plugins', {
      html_url: 'https://falco.acme.dev/',
      build_type: 'legacy',
      source: { branch: 'gh-pages', path: '/docs' }
    })
    const r = await commitIndexToBranch(
      options(recordingLogger(), [entry('foo')], { path: 'docs/falco/index.yaml' })
    )
    expect(r.url).toBe('https://falco.acme.dev/falco/index.yaml')
    expect(names(gh.readFile('Acme', 'plugins', 'gh-pages', 'docs/falco/index.yaml'))).toEqual([
      'foo'
    ])
  })

  it('warns when Pages serves another branch, and handles <owner>.github.io repositories', async () => {
    gh.setPages('Acme', 'acme.github.io', {
      html_url: 'https://acme.github.io/',
      build_type: 'legacy',
      source: { branch: 'main', path: '/' }
    })
    const log = recordingLogger()
    const r = await commitIndexToBranch(options(log, [entry('foo')], { repo: 'acme.github.io' }))
    expect(r.url).toBe('https://acme.github.io/index.yaml')
    expect(log.warnings).toEqual([expect.stringContaining('serves the main branch, not gh-pages')])
  })

  it('says the job needs `permissions: contents: write` on 403', async () => {
    gh.commitFile('Acme', 'plugins', 'gh-pages', 'index.yaml', '[]\n')
    gh.readOnly = true
    await expect(commitIndexToBranch(options(recordingLogger(), [entry('foo')]))).rejects.toThrow(
      /answered 403: Resource not accessible by integration: give the job `permissions: contents: write`/
    )
  })

  it('explains why an empty repository cannot be written', async () => {
    // GitHub answers 409 "Git Repository is empty." to Git data calls on a repository without
    // commits: that is not a race to retry.
    gh.failNext('GET', /\/git\/ref\//, 409, 'Git Repository is empty.')
    await expect(commitIndexToBranch(options(recordingLogger(), [entry('foo')]))).rejects.toThrow(
      'Acme/plugins has no commits yet'
    )
    expect(gh.requests).toHaveLength(1)
  })

  it('refuses bad branch names and paths before any request', async () => {
    await expect(
      commitIndexToBranch(options(recordingLogger(), [], { branch: 'a..b' }))
    ).rejects.toThrow(/invalid branch name/)
    await expect(
      commitIndexToBranch(options(recordingLogger(), [], { path: '../index.yaml' }))
    ).rejects.toThrow(/invalid path/)
    expect(gh.requests).toEqual([])
  })
})
