// Retries in Session.send and restarts of blob uploads, against in-process fakes. The clock is
// fake (waits cost no time) and the jitter fixed, so every run makes the same decisions.
import { afterEach, describe, expect, it } from '@jest/globals'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { RegistryError } from '../../src/oci/errors.js'
import { RegistryClient, RegistryClientOptions } from '../../src/oci/registry.js'
import {
  FakeRegistry,
  FakeRegistryOptions,
  LoggedRequest,
  startRecorder
} from '../helpers/fake-registry.js'
import { fakeClock, recordingLogger, rejection } from './support.js'
import { freePort } from '../../test/helpers/registry.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const MANIFEST = Buffer.from('{"schemaVersion":2}')
const USER = { username: 'dora', password: 'resilient-pa55' }

/** Injects answers for the first `times` requests that match. */
function failFirst(
  times: number,
  match: (r: LoggedRequest) => boolean,
  answer: FakeRegistryOptions['intercept']
): FakeRegistryOptions['intercept'] {
  let left = times
  return (r) => {
    if (left > 0 && match(r)) {
      left--
      return answer?.(r)
    }
    return undefined
  }
}

describe('retries', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.()
  })

  async function setup(
    opts: FakeRegistryOptions = {},
    client: Partial<RegistryClientOptions> = {}
  ) {
    const fake = await FakeRegistry.start(opts)
    cleanups.push(() => fake.stop())
    const clock = fakeClock()
    const logger = recordingLogger()
    const registry = new RegistryClient({
      registry: fake.host,
      plainHttp: true,
      logger,
      clock,
      random: () => 0.5,
      ...client
    })
    return { fake, clock, logger, client: registry, repo: registry.repository('acme/app') }
  }

  it.each([408, 429, 500, 502, 503, 504])('retries HTTP %i and then succeeds', async (status) => {
    const { fake, clock, logger, repo } = await setup({
      intercept: failFirst(
        2,
        (r) => r.method === 'PUT',
        () => ({ status, body: { errors: [{ code: 'UNAVAILABLE', message: 'busy' }] } })
      )
    })
    await repo.pushManifest(MANIFEST, OCI_MANIFEST, '1.0.0')
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(3)
    expect(fake.repo('acme/app').tags.get('1.0.0')).toBe(sha256Digest(MANIFEST))
    // Full jitter with random() = 0.5: half of 500 ms, then half of 1 s.
    expect(clock.sleeps).toEqual([250, 500])
    const retries = logger.lines.filter((l) => l.includes('retrying'))
    expect(retries).toHaveLength(2)
    expect(retries[0]).toMatch(
      new RegExp(
        `^PUT http://127\\.0\\.0\\.1:\\d+/v2/acme/app/manifests/1\\.0\\.0: HTTP ${status} UNAVAILABLE; retrying in 250 ms \\(attempt 2, 300 s of the retry budget left\\)$`
      )
    )
  })

  it('tells an anonymous client refused with 403 to log in', async () => {
    const { repo } = await setup({
      intercept: (r) =>
        r.method === 'PUT' ? { status: 403, body: { errors: [{ code: 'DENIED' }] } } : undefined
    })
    const err = await rejection(repo.pushManifest(MANIFEST, OCI_MANIFEST, '1.0.0'))
    expect(err.message).toMatch(
      /DENIED\. 127\.0\.0\.1:\d+ refused anonymous access to 127\.0\.0\.1:\d+\/acme\/app: pass a username and password\.$/
    )
  })

  it('waits as long as Retry-After asks (seconds or a date)', async () => {
    const clock = fakeClock()
    const date = new Date(clock.now() + 9000).toUTCString()
    const answers = ['3', date]
    const { repo } = await setup(
      {
        intercept: (r) =>
          r.method === 'HEAD' && answers.length > 0
            ? { status: 429, headers: { 'retry-after': answers.shift() ?? '' } }
            : undefined
      },
      { clock }
    )
    expect(await repo.blobExists(sha256Digest('x'))).toBe(false)
    // The date is absolute: 3 s of it have passed by the second wait.
    expect(clock.sleeps).toEqual([3000, 6000])
  })

  it.each([
    [400, 'DIGEST_INVALID', /does not match its digest/],
    [413, 'SIZE_INVALID', /too large for this registry/],
    [403, 'DENIED', /not allowed to push/],
    [404, 'NAME_UNKNOWN', /check that the repository/]
  ])('fails at once on HTTP %i with the registry text and advice', async (status, code, hint) => {
    const { fake, clock, repo } = await setup(
      {
        intercept: (r) =>
          r.method === 'PUT' ? { status, body: { errors: [{ code, message: 'nope' }] } } : undefined
      },
      { credentials: USER }
    )
    const err = await rejection(repo.pushManifest(MANIFEST, OCI_MANIFEST, '1.0.0'))
    expect(err).toBeInstanceOf(RegistryError)
    expect(err.message).toContain(`answered HTTP ${status}`)
    expect(err.message).toContain(`${code}: nope`)
    expect(err.message).toMatch(hint)
    expect(fake.requests.filter((r) => r.method === 'PUT')).toHaveLength(1)
    expect(clock.sleeps).toEqual([])
  })

  it('gives up within the budget with the last answer and the attempt count', async () => {
    const { fake, clock, repo } = await setup(
      {
        intercept: () => ({
          status: 503,
          body: { errors: [{ code: 'UNAVAILABLE', message: 'down for maintenance' }] }
        })
      },
      { retryBudgetMs: 3000, retryBaseDelayMs: 100, retryMaxDelayMs: 1000 }
    )
    const start = clock.now()
    const err = await rejection(repo.listTags())
    expect(clock.now() - start).toBeLessThanOrEqual(3000)
    expect(err.message).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/tags\/list answered HTTP 503 Service Unavailable: UNAVAILABLE: down for maintenance\. The registry failed on its side: try again later\. \(gave up after \d+ attempts in \d\.\d s; retry budget 3\.0 s\)$/
    )
    const attempts = Number(/after (\d+) attempts/.exec(err.message)?.[1])
    expect(fake.requests).toHaveLength(attempts)
    expect(attempts).toBeGreaterThan(3)
  })

  it('fails fast when the host refuses the first connection', async () => {
    const port = await freePort()
    const clock = fakeClock()
    const client = new RegistryClient({ registry: `127.0.0.1:${port}`, plainHttp: true, clock })
    const err = await rejection(client.repository('a/b').listTags())
    expect(err.message).toMatch(/^cannot reach the registry: GET .*ECONNREFUSED.*host and port/)
    expect(err.message).not.toMatch(/gave up/)
    expect(clock.sleeps).toEqual([])
  })

  it('retries a refused connection on a host that answered before (a restart)', async () => {
    const { fake, clock, repo } = await setup({}, { retryBudgetMs: 10_000 })
    expect(await repo.listTags()).toEqual([])
    await fake.stop()
    const err = await rejection(repo.listTags())
    expect(err.message).toMatch(/ECONNREFUSED.*\(gave up after \d+ attempts/)
    expect(clock.sleeps.length).toBeGreaterThan(2)
  })

  it('retries a request that times out, and a response cut mid-body', async () => {
    const body = Buffer.from(JSON.stringify({ name: 'acme/app', tags: ['1.0.0', 'latest'] }))
    let n = 0
    const server = await startRecorder((_req, res) => {
      n++
      if (n === 1) return // never answers: the client times out
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length })
      if (n === 2) {
        res.write(body.subarray(0, 10))
        setTimeout(() => res.destroy(), 20)
        return
      }
      res.end(body)
    })
    cleanups.push(() => server.stop())
    const logger = recordingLogger()
    const clock = fakeClock()
    const client = new RegistryClient({
      registry: new URL(server.url).host,
      plainHttp: true,
      timeoutMs: 200,
      logger,
      clock
    })
    expect(await client.repository('acme/app').listTags()).toEqual(['1.0.0', 'latest'])
    expect(n).toBe(3)
    const retries = logger.lines.filter((l) => l.includes('retrying'))
    expect(retries[0]).toMatch(/connection failed \(ETIMEDOUT\)/)
    expect(retries[1]).toMatch(/connection failed \(ECONNRESET\)/)
  })

  it('refreshes an expired token once, and does not loop on a token that keeps failing', async () => {
    let expireAll = false
    const fake = await FakeRegistry.start({
      auth: { kind: 'bearer', ...USER },
      intercept: (r) =>
        expireAll && r.path.startsWith('/v2/acme')
          ? {
              status: 401,
              body: { errors: [{ code: 'UNAUTHORIZED', message: 'token expired' }] },
              headers: {
                'www-authenticate': `Bearer realm="${fake.url}/token",service="fake-registry",error="invalid_token"`
              }
            }
          : undefined
    })
    cleanups.push(() => fake.stop())
    const client = new RegistryClient({
      registry: fake.host,
      plainHttp: true,
      credentials: USER,
      clock: fakeClock()
    })
    const repo = client.repository('acme/app')
    await repo.pushManifest(MANIFEST, OCI_MANIFEST, '1.0.0')
    fake.revokeTokens()
    expect(await repo.resolveTag('1.0.0')).toBe(sha256Digest(MANIFEST))
    expect(fake.tokenRequests).toBe(2)
    expireAll = true
    const err = await rejection(repo.resolveTag('1.0.0'))
    expect(err.message).toMatch(/HTTP 401.*check the username and password/)
    expect(fake.tokenRequests).toBe(3)
  })

  it('sends a fresh token after the clock passes expires_in', async () => {
    const fake = await FakeRegistry.start({ auth: { kind: 'bearer', ...USER } })
    cleanups.push(() => fake.stop())
    const clock = fakeClock()
    const client = new RegistryClient({
      registry: fake.host,
      plainHttp: true,
      credentials: USER,
      clock
    })
    const repo = client.repository('acme/app')
    await repo.listTags()
    await repo.listTags()
    expect(fake.tokenRequests).toBe(1)
    await clock.sleep(301_000) // the fake's tokens live 300 s
    await repo.listTags()
    expect(fake.tokenRequests).toBe(2)
    // No 401 was needed: the client renewed before sending.
    expect(fake.requests.filter((r) => r.path.includes('tags/list'))).toHaveLength(4)
  })
})

describe('blob upload restarts', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.()
  })

  async function setup(opts: FakeRegistryOptions, client: Partial<RegistryClientOptions> = {}) {
    const fake = await FakeRegistry.start(opts)
    cleanups.push(() => fake.stop())
    const logger = recordingLogger()
    const registry = new RegistryClient({
      registry: fake.host,
      plainHttp: true,
      logger,
      clock: fakeClock(),
      random: () => 0.5,
      ...client
    })
    return { fake, logger, repo: registry.repository('acme/app') }
  }

  const shape = (fake: FakeRegistry): string[] =>
    fake.requests.map(
      (r) =>
        `${r.method} ${r.path.replace(/\?.*/, '').replace(/uploads\/[0-9a-f]{16}$/, 'uploads/ID')}`
    )

  it('starts a new upload session when the connection drops during the PUT', async () => {
    const blob = bufferBlob(Buffer.alloc(200_000, 3))
    const { fake, logger, repo } = await setup({
      intercept: failFirst(
        1,
        (r) => r.method === 'PUT',
        () => ({ status: 0, destroy: true })
      )
    })
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 200_000 })
    const head = `HEAD /v2/acme/app/blobs/${blob.digest}`
    expect(shape(fake)).toEqual([
      head,
      'POST /v2/acme/app/blobs/uploads/',
      'PUT /v2/acme/app/blobs/uploads/ID',
      head,
      'POST /v2/acme/app/blobs/uploads/',
      'PUT /v2/acme/app/blobs/uploads/ID'
    ])
    const puts = fake.requests.filter((r) => r.method === 'PUT').map((r) => r.path)
    expect(puts[0]).not.toBe(puts[1])
    expect(fake.repo('acme/app').blobs.get(blob.digest)?.length).toBe(200_000)
    const line = logger.lines.find((l) => l.includes('retrying'))
    expect(line).toMatch(
      new RegExp(
        `^uploading ${blob.digest} to 127\\.0\\.0\\.1:\\d+/acme/app: connection failed \\((ECONNRESET|EPIPE)\\); retrying in`
      )
    )
  })

  it('starts a new upload session after a 5xx on the PUT or the POST', async () => {
    const blob = bufferBlob(Buffer.from('five hundred'))
    let n = 0
    const { fake, repo } = await setup({
      intercept: (r) => {
        if (r.method !== 'POST' && r.method !== 'PUT') return undefined
        n++
        return n === 1 || n === 3 ? { status: n === 1 ? 502 : 500 } : undefined
      }
    })
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 12 })
    expect(shape(fake).filter((s) => !s.startsWith('HEAD'))).toEqual([
      'POST /v2/acme/app/blobs/uploads/',
      'POST /v2/acme/app/blobs/uploads/',
      'PUT /v2/acme/app/blobs/uploads/ID',
      'POST /v2/acme/app/blobs/uploads/',
      'PUT /v2/acme/app/blobs/uploads/ID'
    ])
  })

  it('restarts when the registry lost the upload session (BLOB_UPLOAD_UNKNOWN)', async () => {
    const blob = bufferBlob(Buffer.from('lost session'))
    const { fake, repo } = await setup({
      intercept: failFirst(
        1,
        (r) => r.method === 'PUT',
        () => ({ status: 404, body: { errors: [{ code: 'BLOB_UPLOAD_UNKNOWN' }] } })
      )
    })
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 12 })
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2)
  })

  it('does not retry an upload the registry rejects for its content', async () => {
    const real = bufferBlob(Buffer.from('abc'))
    const { fake, repo } = await setup({})
    const err = await rejection(repo.pushBlob({ ...real, digest: sha256Digest('abd') }))
    expect(err.message).toMatch(/DIGEST_INVALID/)
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('keeps upload-session state and secrets out of the retry log', async () => {
    const blob = bufferBlob(Buffer.from('quiet'))
    const fake = await FakeRegistry.start({
      auth: { kind: 'bearer', ...USER },
      intercept: failFirst(
        2,
        (r) => r.method === 'PUT',
        () => ({ status: 503 })
      )
    })
    cleanups.push(() => fake.stop())
    const logger = recordingLogger()
    const repo = new RegistryClient({
      registry: fake.host,
      plainHttp: true,
      credentials: USER,
      logger,
      clock: fakeClock()
    }).repository('acme/app')
    await repo.pushBlob(blob)
    const text = logger.lines.join('\n')
    expect(text).toMatch(/HTTP 503/)
    expect(text).not.toMatch(/_state|digest=|Bearer|Basic/)
    expect(text).not.toContain(USER.password)
  })
})
