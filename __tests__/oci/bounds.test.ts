// What the registry client reads, how long it waits, and where credentials go, against hostile
// servers on 127.0.0.1: responses too large, tag lists that never end, servers that trickle,
// token realms on other hosts.
import { afterEach, describe, expect, it } from '@jest/globals'
import { createServer, type Socket } from 'node:net'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Authenticator } from '../../src/oci/auth.js'
import { readBody, roundTrip } from '../../src/oci/http.js'
import {
  MAX_MANIFEST_BYTES,
  MAX_TAGS,
  MAX_TAG_LIST_BYTES,
  MIN_BYTES_PER_SECOND
} from '../../src/oci/limits.js'
import { RegistryClient } from '../../src/oci/registry.js'
import { startRecorder } from '../helpers/fake-registry.js'
import { collect, recordingLogger, rejection } from './support.js'

type Handler = (req: IncomingMessage, res: ServerResponse) => void

describe('registry client bounds', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.()
  })

  async function server(handler: Handler) {
    const s = await startRecorder(handler)
    cleanups.push(s.stop)
    return s
  }

  function client(
    url: string,
    extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}
  ) {
    return new RegistryClient({
      registry: new URL(url).host,
      plainHttp: true,
      logger: recordingLogger(),
      retryBaseDelayMs: 10,
      ...extra
    })
  }

  function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
    const data = Buffer.from(JSON.stringify(body))
    res.writeHead(status, { 'content-type': 'application/json', ...headers })
    res.end(data)
  }

  it('refuses a manifest larger than 4 MiB, once, with what and why', async () => {
    const big = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20)
    const s = await server((req, res) => {
      req.resume()
      // No Content-Length: the limit is enforced while reading.
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
      res.end(big)
    })
    const err = await rejection(client(s.url).repository('acme/app').fetchManifest('1.0.0'))
    expect(err.message).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/1\.0\.0: the manifest 1\.0\.0 is larger than 4 MiB, the most this action reads: registries refuse/
    )
    expect(s.requests).toHaveLength(1)
  })

  it('refuses a Content-Length over the limit before reading the body', async () => {
    const s = await server((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-length': String(1 << 30) })
      res.write('{')
      // never sends the rest
    })
    const started = Date.now()
    const err = await rejection(client(s.url).repository('acme/app').fetchManifest('1.0.0'))
    expect(err.message).toMatch(/larger than 4 MiB/)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  it('closes the connection of an answer it does not read when the body goes on', async () => {
    let closed: () => void = () => undefined
    const gone = new Promise<void>((r) => (closed = r))
    const s = await server((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json' })
      const t = setInterval(() => res.write(Buffer.alloc(16 << 10, 0x20)), 2)
      res.on('close', () => {
        clearInterval(t)
        closed()
      })
    })
    await client(s.url).ping()
    // Within the test's timeout: the client drops the connection after 64 KiB.
    await gone
    expect(s.requests).toHaveLength(1)
  })

  it("stops a blob download at the descriptor's size", async () => {
    const timers: NodeJS.Timeout[] = []
    cleanups.push(async () => timers.forEach(clearInterval))
    const s = await server((req, res) => {
      req.resume()
      if (req.url?.includes('sha256:' + '1'.repeat(64))) {
        res.writeHead(200, { 'content-length': '999' })
        return res.end('x'.repeat(999))
      }
      // No Content-Length, and no end.
      res.writeHead(200, { 'content-type': 'application/octet-stream' })
      const t = setInterval(() => res.write(Buffer.alloc(64 << 10)), 5)
      timers.push(t)
      res.on('close', () => clearInterval(t))
    })
    const repo = client(s.url).repository('acme/app')
    const stream = await repo.fetchBlob(`sha256:${'0'.repeat(64)}`, 1024)
    const err = await rejection(collect(stream as NodeJS.ReadableStream))
    expect(err.message).toMatch(/more than the expected 1024 bytes/)
    const mismatch = await rejection(repo.fetchBlob(`sha256:${'1'.repeat(64)}`, 1024))
    expect(mismatch.message).toMatch(/the registry sent 999 bytes for a blob of 1024/)
  })

  it('stops a tag list whose Link chain never ends, by tag count', async () => {
    let pages = 0
    const s = await server((req, res) => {
      const page = ++pages
      const tags = Array.from({ length: 20_000 }, (_, i) => `1.${page}.${i}`)
      json(
        res,
        200,
        { name: 'acme/app', tags },
        {
          link: `</v2/acme/app/tags/list?last=1.${page}.19999>; rel="next"`
        }
      )
    })
    const err = await rejection(client(s.url).repository('acme/app').listTags())
    expect(err.message).toMatch(
      new RegExp(
        `tag list of more than ${MAX_TAGS} tags for .*acme/app, the most this action reads`
      )
    )
    expect(pages).toBe(Math.ceil((MAX_TAGS + 1) / 20_000))
  })

  it('stops a tag list whose Link chain never ends, by bytes (the same tags again and again)', async () => {
    let pages = 0
    let bytes = 0
    const tags = Array.from({ length: 60_000 }, (_, i) => `release-${i}`)
    const body = Buffer.from(JSON.stringify({ name: 'acme/app', tags }))
    const s = await server((req, res) => {
      pages++
      bytes += body.length
      res.writeHead(200, {
        'content-type': 'application/json',
        link: `</v2/acme/app/tags/list?page=${pages}>; rel="next"`
      })
      res.end(body)
    })
    const err = await rejection(client(s.url).repository('acme/app').listTags())
    expect(err.message).toMatch(/tag list of more than 16 MiB/)
    expect(bytes).toBeLessThan(MAX_TAG_LIST_BYTES + 2 * body.length)
  })

  it('keeps reading a tag list that ends within the limits', async () => {
    let pages = 0
    const s = await server((req, res) => {
      const page = ++pages
      json(
        res,
        200,
        { name: 'acme/app', tags: [`1.0.${page}`] },
        page < 30 ? { link: `</v2/acme/app/tags/list?last=1.0.${page}>; rel="next"` } : {}
      )
    })
    expect(await client(s.url).repository('acme/app').listTags()).toHaveLength(30)
  })

  it('fails a request whose body trickles, within request-timeout plus a little', async () => {
    const timers: NodeJS.Timeout[] = []
    cleanups.push(async () => timers.forEach(clearInterval))
    const s = await server((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' })
      const t = setInterval(() => res.write(' '), 200)
      timers.push(t)
      res.on('close', () => clearInterval(t))
    })
    const started = Date.now()
    const err = await rejection(
      client(s.url, { timeoutMs: 1000, retryBudgetMs: 1500 }).repository('acme/app').listTags()
    )
    const elapsed = Date.now() - started
    expect(err.message).toMatch(
      /the registry is too slow: GET .*tags\/list took longer than 1(\.\d)? s in total .*request-timeout, 1 s, plus 1 s for every 16 KiB moved.*gave up after \d+ attempts/
    )
    // Idle timeouts alone would never fire. Budget 1.5 s + one request of 1 s, with slack.
    expect(elapsed).toBeLessThan(8_000)
    expect(s.requests.length).toBeGreaterThanOrEqual(2)
  })

  it('fails an exchange whose headers trickle', async () => {
    const sockets: Socket[] = []
    const timers: NodeJS.Timeout[] = []
    const raw = createServer((socket) => {
      sockets.push(socket)
      socket.on('error', () => undefined)
      const text = 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nx-slow: ' + 'a'.repeat(500)
      let i = 0
      timers.push(setInterval(() => socket.write(text[i++ % text.length]), 100))
    })
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r))
    cleanups.push(async () => {
      timers.forEach(clearInterval)
      sockets.forEach((s) => s.destroy())
      await new Promise((r) => raw.close(r))
    })
    const { port } = raw.address() as { port: number }
    const started = Date.now()
    const err = await rejection(
      roundTrip({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/v2/`), headers: {} }, 500)
    )
    expect(err.message).toMatch(/took longer than .* in total/)
    expect((err as { code?: string }).code).toBe('ETIMEDOUT')
    expect(Date.now() - started).toBeLessThan(3_000)
  })

  it('gives a transfer that keeps moving data the time its size needs', async () => {
    const chunk = Buffer.alloc(MIN_BYTES_PER_SECOND, 0x61)
    const timers: NodeJS.Timeout[] = []
    cleanups.push(async () => timers.forEach(clearInterval))
    const s = await server((req, res) => {
      req.resume()
      res.writeHead(200, { 'content-length': String(chunk.length * 8) })
      let sent = 0
      // 8 x 16 KiB, one every 150 ms: 1.2 s in all, well past the 500 ms request-timeout, but
      // each 16 KiB buys a second.
      const t = setInterval(() => {
        res.write(chunk)
        if (++sent === 8) {
          clearInterval(t)
          res.end()
        }
      }, 150)
      timers.push(t)
    })
    const res = await roundTrip({ method: 'GET', url: new URL(`${s.url}/blob`), headers: {} }, 500)
    const body = await readBody(res, { bytes: 1 << 20, what: 'the blob', fix: '' })
    expect(body.length).toBe(chunk.length * 8)
  })
})

describe('credentials and token realms', () => {
  const ALICE = { username: 'alice', password: 'alice-secret-password' }

  function authenticator(registry: string, plainHttp: boolean) {
    const calls: Array<{ url: string; authorization?: string }> = []
    const auth = new Authenticator(
      {
        registry,
        plainHttp,
        tokenRequest: async (url, req) => {
          calls.push({ url: url.href, authorization: req.authorization })
          throw new Error('stop here')
        },
        fail: () => Promise.reject(new Error('unexpected'))
      },
      ALICE,
      () => undefined
    )
    return { auth, calls }
  }

  it('refuses a plain-HTTP realm on another host, even for a plain-HTTP registry', async () => {
    const { auth, calls } = authenticator('127.0.0.1:5000', true)
    const err = await rejection(auth.renew('Bearer realm="http://127.0.0.2:9000/token"', undefined))
    expect(err.message).toMatch(
      /refusing to send credentials for 127\.0\.0\.1:5000 to the token service http:\/\/127\.0\.0\.2:9000\/token, which is plain HTTP on another host than 127\.0\.0\.1/
    )
    expect(err.message).not.toContain(ALICE.password)
    expect(calls).toEqual([])
  })

  it("sends them to a plain-HTTP realm on the registry's own host (another port)", async () => {
    const { auth, calls } = authenticator('127.0.0.1:5000', true)
    await rejection(auth.renew('Bearer realm="http://127.0.0.1:5001/token"', undefined))
    expect(calls).toHaveLength(1)
    expect(calls[0].authorization).toMatch(/^Basic /)
  })

  it('sends them to an HTTPS realm on another host (like auth.docker.io)', async () => {
    const { auth, calls } = authenticator('registry-1.docker.io', false)
    await rejection(auth.renew('Bearer realm="https://auth.docker.io/token"', undefined))
    expect(calls.map((c) => c.url)).toEqual(['https://auth.docker.io/token'])
  })
})
