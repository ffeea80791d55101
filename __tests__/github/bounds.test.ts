// How much the GitHub client reads, and what it shows of answers that hold the token, against
// hostile API servers on 127.0.0.1.
import { afterEach, describe, expect, it } from '@jest/globals'
import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  GitHubClient,
  GitHubResponseTooLargeError,
  MAX_GITHUB_RESPONSE_BYTES
} from '../../src/github/client.js'
import { commitIndexToBranch } from '../../src/github/pages.js'
import { silentLogger } from '../../src/log.js'
import { startRecorder } from '../helpers/fake-registry.js'
import { rejection } from '../oci/support.js'

const TOKEN = 'ghs_Zq81mXv03LpWn7Tb5KcY'

describe('GitHub API answers', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.()
  })

  async function api(handler: (req: IncomingMessage, res: ServerResponse) => void) {
    const s = await startRecorder(handler)
    cleanups.push(s.stop)
    // Through @actions/github's own fetch, as in a run.
    const gh = new GitHubClient({ baseUrl: s.url, token: TOKEN, retryDelayMs: 0 })
    return { s, gh }
  }

  it('refuses an answer over the limit while reading it, without retrying', async () => {
    const { s, gh } = await api((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      const piece = Buffer.alloc(1 << 20, 0x20)
      res.write('[')
      for (let i = 0; i <= MAX_GITHUB_RESPONSE_BYTES >> 20; i++) res.write(piece)
      res.end(']')
    })
    const err = await rejection(gh.request('GET', '/repos/o/r/releases'))
    expect(err).toBeInstanceOf(GitHubResponseTooLargeError)
    expect(err.message).toBe(
      'GitHub API GET /repos/o/r/releases answered more than 16 MiB, the most this action reads ' +
        'of one answer: check that GITHUB_API_URL is a GitHub API'
    )
    expect(s.requests).toHaveLength(1)
  })

  it('refuses a Content-Length over the limit before reading', async () => {
    const { gh } = await api((req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(1 << 30)
      })
      res.write('[')
    })
    const err = await rejection(gh.request('GET', '/repos/o/r/releases'))
    expect(err).toBeInstanceOf(GitHubResponseTooLargeError)
  })

  it('redacts the token before cutting the excerpt of an answer that is not JSON', async () => {
    for (const at of [40, 70, 75, 79]) {
      const { gh } = await api((req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' })
        res.end(`<html>${'x'.repeat(at)}${TOKEN} and more</html>`)
      })
      const err = await rejection(gh.request('GET', '/repos/o/r/releases'))
      expect(err.message).toMatch(/with something that is not JSON/)
      for (let i = 0; i + 8 <= TOKEN.length; i++) {
        expect(err.message).not.toContain(TOKEN.slice(i, i + 8))
      }
    }
  })
})

describe('index.yaml on a branch', () => {
  it('is refused when larger than the limit, before its blob is read', async () => {
    const paths: string[] = []
    const answer = (body: unknown) =>
      new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } })
    const fetchFn = (async (input: string | URL | Request) => {
      const path = new URL(String(input)).pathname
      paths.push(path)
      if (path.includes('/git/ref/')) return answer({ ref: 'x', object: { sha: 'c1', type: 'c' } })
      if (path.includes('/git/commits/')) return answer({ sha: 'c1', tree: { sha: 't1' } })
      if (path.includes('/git/trees/')) {
        return answer({
          sha: 't1',
          tree: [{ path: 'index.yaml', mode: '100644', type: 'blob', sha: 'b1', size: 9 << 20 }]
        })
      }
      return new Response('{}', { status: 500 })
    }) as typeof fetch
    const err = await rejection(
      commitIndexToBranch({
        api: { baseUrl: 'https://api.github.com', token: TOKEN, fetch: fetchFn, retryDelayMs: 0 },
        owner: 'o',
        repo: 'r',
        branch: 'gh-pages',
        path: 'index.yaml',
        update: () => 'x',
        message: 'm',
        logger: silentLogger
      })
    )
    expect(err.message).toBe(
      'index.yaml in the branch is 9 MiB, more than the 8 MiB this action reads: check that ' +
        'index-file names a falcoctl index.yaml, or publish the index to another branch (index-branch)'
    )
    expect(paths.some((p) => p.includes('/git/blobs/'))).toBe(false)
  })
})
