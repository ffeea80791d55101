import { describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  expandUploadUrl,
  GitHubApiError,
  GitHubClient,
  GitHubNetworkError,
  refPath,
  unlessNotFound
} from '../../src/github/client.js'
import { checkRepository, parseRepository } from '../../src/github/repository.js'

interface Call {
  method: string
  url: string
  headers: Record<string, string>
  body?: string
  /** A streamed body, read to the end. */
  bytes?: Buffer
  signal?: AbortSignal
}

type Answer = Response | ((init?: RequestInit) => Response | Promise<Response>) | Error

/** A fetch that answers from a list of canned responses and records the calls. */
function cannedFetch(answers: Answer[]) {
  const calls: Call[] = []
  const fn = (async (input: string | URL | Request, init?: RequestInit) => {
    const body = init?.body
    calls.push({
      method: init?.method ?? 'GET',
      url: String(input),
      headers: init?.headers as Record<string, string>,
      body: typeof body === 'string' ? body : undefined,
      bytes:
        body instanceof ReadableStream
          ? Buffer.from(await new Response(body).arrayBuffer())
          : undefined,
      signal: init?.signal ?? undefined
    })
    const next = answers.shift()
    if (next === undefined) throw new Error('no more canned answers')
    if (next instanceof Error) throw next
    return typeof next === 'function' ? next(init) : next
  }) as typeof fetch
  return { fn, calls }
}

/** An answer that never comes: rejects when the request's signal fires (a timeout). */
const hang = (init?: RequestInit) =>
  new Promise<Response>((_resolve, reject) => {
    const signal = init?.signal as AbortSignal
    signal.addEventListener('abort', () => reject(signal.reason as Error))
  })

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers }
  })

const repo = { owner: 'o', repo: 'r' }

const client = (fetchFn: typeof fetch, baseUrl = 'https://api.github.com') =>
  new GitHubClient({ baseUrl, token: 'ghs_secret', fetch: fetchFn, retryDelayMs: 0 })

describe('expandUploadUrl', () => {
  it('drops the template part and sets the query', () => {
    const url = expandUploadUrl(
      'https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}',
      { name: 'foo 1.tar.gz', label: undefined }
    )
    expect(url.toString()).toBe(
      'https://uploads.github.com/repos/o/r/releases/1/assets?name=foo+1.tar.gz'
    )
  })
})

describe('GitHubClient', () => {
  it('sends the API version, the token and JSON, under a base path', async () => {
    const f = cannedFetch([json(201, { id: 1 })])
    const res = await client(f.fn, 'https://ghe.example/api/v3/').rest.repos.createRelease({
      ...repo,
      tag_name: 'v1'
    })
    expect(res.data).toEqual({ id: 1 })
    expect(f.calls[0].url).toBe('https://ghe.example/api/v3/repos/o/r/releases')
    // Octokit's form of the token (GitHub takes `token` and `Bearer` alike).
    expect(f.calls[0].headers).toMatchObject({
      authorization: 'token ghs_secret',
      'x-github-api-version': '2022-11-28',
      accept: 'application/vnd.github+json',
      'content-type': 'application/json; charset=utf-8'
    })
    expect(f.calls[0].headers['user-agent']).toMatch(/^falco-plugin-release octokit-core\.js\//)
    expect(f.calls[0].body).toBe('{"tag_name":"v1"}')
  })

  it('escapes a tag in one segment, and keeps the slashes of a ref path', async () => {
    const f = cannedFetch([json(200, { id: 1 }), json(200, { ref: 'r' })])
    const gh = client(f.fn)
    await gh.rest.repos.getReleaseByTag({ ...repo, tag: 'plugins/foo/v1.2.3' })
    expect(f.calls[0].url).toBe(
      'https://api.github.com/repos/o/r/releases/tags/plugins%2Ffoo%2Fv1.2.3'
    )
    await gh.octokit.request(
      `GET /repos/{owner}/{repo}/git/ref/${refPath('tags', 'a/v1 #2')}`,
      repo
    )
    expect(f.calls[1].url).toBe('https://api.github.com/repos/o/r/git/ref/tags/a/v1%20%232')
  })

  it('reads a 404 as "not there", and nothing else', async () => {
    const f = cannedFetch([
      json(404, { message: 'Not Found' }),
      new Response(null, { status: 204 }),
      json(410, { message: 'Gone' })
    ])
    const gh = client(f.fn)
    await expect(
      unlessNotFound(gh.rest.repos.getReleaseByTag({ ...repo, tag: 'v1' }))
    ).resolves.toBeUndefined()
    await expect(
      unlessNotFound(gh.rest.repos.deleteReleaseAsset({ ...repo, asset_id: 1 }))
    ).resolves.toBeUndefined()
    await expect(
      unlessNotFound(gh.rest.repos.getReleaseByTag({ ...repo, tag: 'v1' }))
    ).rejects.toThrow('GitHub API GET /repos/o/r/releases/tags/v1 answered 410: Gone')
    expect(f.calls.map((c) => c.method)).toEqual(['GET', 'DELETE', 'GET'])
  })

  it('gives each attempt a timeout, and retries a GET that timed out', async () => {
    const f = cannedFetch([hang, json(200, { ok: true })])
    const gh = new GitHubClient({
      baseUrl: 'https://api.github.com',
      token: 't',
      fetch: f.fn,
      retryDelayMs: 0,
      timeoutMs: 20
    })
    await expect(gh.octokit.request('GET /x')).resolves.toMatchObject({ data: { ok: true } })
    expect(f.calls).toHaveLength(2)
    expect(f.calls[0].signal).not.toBe(f.calls[1].signal)
    const g = cannedFetch([hang])
    await expect(
      new GitHubClient({
        baseUrl: 'https://api.github.com',
        token: 't',
        fetch: g.fn,
        timeoutMs: 20
      }).octokit.request('POST /x', { data: {} })
    ).rejects.toThrow(/GitHub API POST \/x failed: .*timeout/)
    expect(g.calls).toHaveLength(1)
  })

  it('retries a GET on 502 and on network errors', async () => {
    const f = cannedFetch([
      json(502, { message: 'Bad gateway' }),
      new Error('socket hang up'),
      json(200, [])
    ])
    await expect(client(f.fn).rest.repos.listReleases(repo)).resolves.toMatchObject({
      status: 200
    })
    expect(f.calls).toHaveLength(3)
  })

  it('does not retry a POST that may have been applied', async () => {
    const f = cannedFetch([json(500, { message: 'Server Error' })])
    await expect(client(f.fn).rest.git.createBlob({ ...repo, content: '' })).rejects.toThrow(
      /answered 500: Server Error/
    )
    expect(f.calls).toHaveLength(1)
    const g = cannedFetch([new Error('reset')])
    const err = await client(g.fn)
      .rest.repos.createRelease({ ...repo, tag_name: 'v1' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GitHubNetworkError)
    expect((err as Error).message).toBe('GitHub API POST /repos/o/r/releases failed: reset')
    expect(g.calls).toHaveLength(1)
    // A 502 comes from the front end: the POST never reached GitHub, and is repeated.
    const h = cannedFetch([json(502, { message: 'Bad gateway' }), json(201, { id: 2 })])
    await expect(
      client(h.fn).rest.repos.createRelease({ ...repo, tag_name: 'v1' })
    ).resolves.toMatchObject({ data: { id: 2 } })
    expect(h.calls).toHaveLength(2)
  })

  it('names `permissions: contents: write` on 403', async () => {
    const f = cannedFetch([json(403, { message: 'Resource not accessible by integration' })])
    const err = await client(f.fn)
      .rest.repos.createRelease({ ...repo, tag_name: 'v1' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GitHubApiError)
    expect((err as GitHubApiError).status).toBe(403)
    expect(f.calls).toHaveLength(1)
    expect((err as Error).message).toContain('Resource not accessible by integration')
    expect((err as Error).message).toContain('permissions: contents: write')
  })

  it('says rate limited rather than permissions, and waits for a short Retry-After', async () => {
    const limited = () =>
      json(
        403,
        { message: 'API rate limit exceeded' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2000000000' }
      )
    const f = cannedFetch([limited(), limited(), limited(), limited()])
    const err = (await client(f.fn)
      .octokit.request('GET /x')
      .catch((e: unknown) => e)) as Error
    expect(err.message).toMatch(/rate limited until 2033-05-18/)
    expect(err.message).not.toContain('contents: write')
    expect(f.calls).toHaveLength(1)

    const g = cannedFetch([
      json(429, { message: 'secondary rate limit' }, { 'retry-after': '0' }),
      json(200, {})
    ])
    await expect(client(g.fn).octokit.request('POST /x', { data: {} })).resolves.toMatchObject({
      status: 200
    })
    expect(g.calls).toHaveLength(2)
    // Longer than a minute: given up at once, with the time GitHub named.
    const h = cannedFetch([
      json(429, { message: 'secondary rate limit' }, { 'retry-after': '3600' }),
      json(200, {})
    ])
    await expect(client(h.fn).octokit.request('GET /x')).rejects.toThrow(/answered 429/)
    expect(h.calls).toHaveLength(1)
  })

  it('explains 401 and lists 422 details', async () => {
    const f = cannedFetch([json(401, { message: 'Bad credentials' })])
    await expect(client(f.fn).octokit.request('GET /x')).rejects.toThrow(
      /Bad credentials: the token/
    )
    expect(f.calls).toHaveLength(1)
    const g = cannedFetch([
      json(422, {
        message: 'Validation Failed',
        errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }]
      })
    ])
    const err = (await client(g.fn)
      .octokit.request('POST /x', { data: {} })
      .catch((e: unknown) => e)) as GitHubApiError
    expect(err.message).toContain('Validation Failed (Release tag_name already_exists)')
    expect(err.alreadyExists).toBe(true)
  })

  it('follows Link pagination and asks for 100 items a page', async () => {
    const x = 'https://api.github.com/repos/o/r/releases'
    const f = cannedFetch([
      json(200, [1, 2], { link: `<${x}?per_page=100&page=2>; rel="next"` }),
      json(200, [3], { link: `<${x}?per_page=100&page=1>; rel="first"` })
    ])
    const gh = client(f.fn)
    await expect(gh.paginate(gh.rest.repos.listReleases, repo)).resolves.toEqual([1, 2, 3])
    expect(f.calls[0].url).toBe(`${x}?per_page=100`)
  })

  it('retries a page of a listing, with the headers of the first', async () => {
    const x = 'https://api.github.com/repos/o/r/releases/7/assets'
    const next = { link: `<${x}?per_page=100&page=2>; rel="next"` }
    const f = cannedFetch([json(200, [1], next), json(503, { message: 'busy' }), json(200, [2])])
    const gh = client(f.fn)
    await expect(
      gh.paginate(gh.rest.repos.listReleaseAssets, { ...repo, release_id: 7 })
    ).resolves.toEqual([1, 2])
    expect(f.calls.map((c) => c.url)).toEqual([
      `${x}?per_page=100`,
      `${x}?per_page=100&page=2`,
      `${x}?per_page=100&page=2`
    ])
    expect(f.calls[2].headers).toMatchObject({
      authorization: 'token ghs_secret',
      'x-github-api-version': '2022-11-28'
    })
  })

  it('says so when a listing is not a list, and turns page errors into GitHubApiError', async () => {
    const f = cannedFetch([json(200, { id: 1 })])
    const gh = client(f.fn)
    await expect(gh.paginate(gh.rest.repos.listReleases, repo)).rejects.toThrow(
      'GitHub API GET /repos/o/r/releases: expected a list'
    )
    const g = cannedFetch([json(404, { message: 'Not Found' })])
    const gh2 = client(g.fn)
    const err = await gh2.paginate(gh2.rest.repos.listReleases, repo).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(GitHubApiError)
    expect((err as Error).message).toBe(
      'GitHub API GET /repos/o/r/releases answered 404: Not Found'
    )
  })

  it('never sends the token to another origin', async () => {
    const f = cannedFetch([json(200, [1], { link: '<https://evil.example/x?page=2>; rel="next"' })])
    const gh = client(f.fn)
    await expect(gh.paginate(gh.rest.repos.listReleases, repo)).rejects.toThrow(
      /refusing to send the GitHub token to https:\/\/evil.example/
    )
    expect(f.calls).toHaveLength(1)
    await expect(
      client(f.fn).upload('https://evil.example/assets{?name}', {
        name: 'a',
        path: '/dev/null',
        contentType: 'text/plain'
      })
    ).rejects.toThrow(/refusing/)
  })

  it('says so when the answer is not JSON (a proxy page, a wrong API URL)', async () => {
    const f = cannedFetch([new Response('<html>login</html>', { status: 200 })])
    await expect(client(f.fn).octokit.request('GET /x')).rejects.toThrow(
      /answered 200 with something that is not JSON .*GITHUB_API_URL/
    )
    expect(f.calls).toHaveLength(1)
  })

  it('streams an upload with its type and length, and does not retry it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fpr-client-'))
    try {
      const path = join(dir, 'a.tar.gz')
      await writeFile(path, Buffer.alloc(70_000, 7))
      const template = 'https://uploads.github.com/repos/o/r/releases/1/assets{?name,label}'
      const file = { name: 'a.tar.gz', path, contentType: 'application/gzip' }
      const f = cannedFetch([json(201, { id: 9, name: 'a.tar.gz' })])
      await expect(client(f.fn).upload(template, file)).resolves.toEqual({
        id: 9,
        name: 'a.tar.gz'
      })
      expect(f.calls[0]).toMatchObject({
        method: 'POST',
        url: 'https://uploads.github.com/repos/o/r/releases/1/assets?name=a.tar.gz'
      })
      expect(f.calls[0].headers).toMatchObject({
        authorization: 'token ghs_secret',
        'content-type': 'application/gzip',
        'content-length': '70000'
      })
      expect(f.calls[0].bytes?.equals(Buffer.alloc(70_000, 7))).toBe(true)

      const g = cannedFetch([json(502, { message: 'Bad gateway' }), json(201, {})])
      await expect(client(g.fn).upload(template, file)).rejects.toThrow(
        'GitHub API POST /repos/o/r/releases/1/assets answered 502: Bad gateway'
      )
      expect(g.calls).toHaveLength(1)
      const h = cannedFetch([new Error('connection reset')])
      await expect(client(h.fn).upload(template, file)).rejects.toThrow(
        'uploading a.tar.gz failed: connection reset'
      )
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('refuses an empty token', () => {
    expect(() => new GitHubClient({ baseUrl: 'https://api.github.com', token: '' })).toThrow(
      /no GitHub token/
    )
  })
})

describe('repository helpers', () => {
  it('parses owner/name and validates both', () => {
    expect(parseRepository('Acme/falco-foo')).toEqual({ owner: 'Acme', repo: 'falco-foo' })
    expect(() => parseRepository(undefined)).toThrow(/GITHUB_REPOSITORY/)
    expect(() => parseRepository('a/b/c')).toThrow(/owner\/name/)
    expect(() => checkRepository('a', '..')).toThrow(/invalid GitHub repository repo/)
    expect(() => checkRepository('a b', 'r')).toThrow(/invalid GitHub repository owner/)
    expect(checkRepository('o', 'r.github.io')).toEqual({ owner: 'o', repo: 'r.github.io' })
  })
})
