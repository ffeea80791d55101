// The action, run as the runner runs it, against hostile inputs and hostile HTTP servers on
// 127.0.0.1: a huge rules file, a tag list that never ends, a registry that echoes the password
// in its errors, a token that is a common word, a registry that trickles one byte every 2 s, and
// a token realm on another host over plain HTTP. Each must end with a clear error (or a correct
// release), bounded time and memory, and no piece of a secret in anything the run shows.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { truncate } from 'node:fs/promises'
import http, { IncomingMessage, ServerResponse } from 'node:http'
import { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../helpers/action.js'
import { startFaultProxy } from '../helpers/fault-proxy.js'
import { makePluginFixture, type PluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const MiB = 1 << 20
const USER = 'ci-bot'
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json'

interface Hostile {
  host: string
  url: string
  stop(): Promise<void>
}

/** An HTTP server on `address` (127.0.0.1 unless told) that answers with `handle`. */
async function hostile(
  handle: (req: IncomingMessage, res: ServerResponse) => void,
  address = '127.0.0.1'
): Promise<Hostile> {
  const server = http.createServer(handle)
  await new Promise<void>((r) => server.listen(0, address, r))
  const { port } = server.address() as AddressInfo
  return {
    host: `${address}:${port}`,
    url: `http://${address}:${port}`,
    stop: async () => {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  }
}

function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  const data = Buffer.from(JSON.stringify(body))
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(data.length),
    'docker-distribution-api-version': 'registry/2.0',
    ...headers
  })
  res.end(data)
}

/**
 * What the run shows: without the ::add-mask:: lines that hand the secrets to the runner, and
 * with workflow commands (::error:: etc.) unescaped as the runner displays them.
 */
function visible(run: ActionRun): string {
  return run.everything
    .replace(/^::add-mask::.*$/gm, '')
    .replace(/^::.*$/gm, (line) =>
      line.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
    )
}

/** Every `n`-character piece of `s`. */
function pieces(s: string, n = 8): string[] {
  const out: string[] = []
  for (let i = 0; i + n <= s.length; i++) out.push(s.slice(i, i + n))
  return out
}

const base64 = (s: string) => Buffer.from(s).toString('base64')
const collapsed = (s: string) => s.replace(/\s+/g, ' ')

describe('the action against hostile inputs and registries', () => {
  let fixture: PluginFixture
  let reg: RunningRegistry
  const cleanup: Array<() => Promise<void>> = []

  beforeAll(async () => {
    reg = await startRegistry()
    fixture = await makePluginFixture({ kind: 'extractor', name: 'hostile', version: '1.0.0' })
  }, 60_000)
  afterAll(async () => {
    for (const c of cleanup) await c()
    await reg?.stop()
  })

  function release(
    registry: string,
    inputs: Record<string, string> = {},
    opts: { dir?: PluginFixture; env?: Record<string, string>; killAfterMs?: number } = {}
  ): Promise<ActionRun> {
    const f = opts.dir ?? fixture
    return runAction({
      inputs: {
        registry,
        'plain-http': 'true',
        repository: 'acme',
        'working-directory': f.dir,
        'go-package': f.goPackage,
        'index-file': join(f.dir, 'index.yaml'),
        'github-release': 'false',
        ...inputs
      },
      env: { GITHUB_REF: 'refs/tags/1.0.0', ...opts.env },
      killAfterMs: opts.killAfterMs
    })
  }

  it('a 200 MB rules file fails quickly with a clear error, and nothing is pushed', async () => {
    const big = await makePluginFixture({
      kind: 'extractor',
      name: 'bigrules',
      version: '1.0.0',
      rules: '- required_engine_version: 0.31.0\n- list: big\n  items: [\n'
    })
    // Sparse: 200 MB long, a few KB on disk.
    await truncate(join(big.dir, 'rules', 'bigrules_rules.yaml'), 200 * MiB)
    const started = Date.now()
    const run = await release(reg.host, {}, { dir: big })
    const elapsed = Date.now() - started
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*bigrules_rules\.yaml is 200 MiB.*more than the 8 MiB/)
    // Build and inspection included; reading the file is refused at once.
    expect(elapsed).toBeLessThan(120_000)
    const tags = await fetch(`${reg.url}/v2/acme/plugin/bigrules/tags/list`)
    expect(tags.status).toBe(404)
  }, 300_000)

  it('a tag list with an endless Link chain fails with a clear error and bounded memory', async () => {
    let pages = 0
    let bytes = 0
    const server = await hostile((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      const m = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname)
      if (url.pathname === '/v2/') return json(res, 200, {})
      if (!m) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'unknown' }] })
      // 80k fresh tags per page, and always a next page (stops at 400 pages, 500 MB).
      const page = ++pages
      const tags = Array.from({ length: 80_000 }, (_, i) => `0.${page}.${i}`)
      const body = Buffer.from(JSON.stringify({ name: m[1], tags }))
      bytes += body.length
      const next = `/v2/${m[1]}/tags/list?n=80000&last=0.${page}.79999`
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': String(body.length),
        ...(page < 400 ? { link: `<${next}>; rel="next"` } : {})
      })
      res.end(body)
    })
    cleanup.push(server.stop)
    const run = await release(
      server.host,
      {},
      { env: { NODE_OPTIONS: '--max-old-space-size=256' }, killAfterMs: 240_000 }
    )
    expect(run.killed).toBe(false)
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*tags\/list.*tag list.*more than/)
    expect(run.stderr).not.toMatch(/heap out of memory/i)
    // The client stops after 16 MiB of tag pages (about 13 pages here).
    expect(bytes).toBeLessThan(48 * MiB)
    expect(pages).toBeLessThan(40)
  }, 300_000)

  describe('a registry that echoes the password in its errors', () => {
    const PASSWORD = 'Sup3r/Secret+Registry&Passw0rd=42!'
    const SPACED = 'zebra   quartz    violin  mango     kiwi'

    /** Every form of the password that must not show, whole or in 8-character pieces. */
    function forms(password: string): string[] {
      return [
        password,
        collapsed(password),
        base64(`${USER}:${password}`),
        encodeURIComponent(password),
        new URLSearchParams({ p: password }).toString().slice(2)
      ]
    }

    const cases: Array<[string, string, (password: string) => [string, string]]> = [
      [
        'in a text body, across the 200-character excerpt',
        PASSWORD,
        (p) => {
          const head = `denied ${base64(`${USER}:${p}`)} ${encodeURIComponent(p)} `
          return ['text/plain', head.padEnd(200 - 12, '.') + p + ' was refused']
        }
      ],
      [
        'in JSON error messages, across the 300-character excerpt',
        PASSWORD,
        (p) => {
          const message = `bad credentials ${p} `.padEnd(300 - 10, '.') + p + ' is wrong'
          const body = {
            errors: [
              { code: 'DENIED', message },
              { code: 'UNAUTHORIZED', message: `Basic ${base64(`${USER}:${p}`)}` },
              { code: 'UNAUTHORIZED', message: new URLSearchParams({ password: p }).toString() }
            ]
          }
          return ['application/json', JSON.stringify(body)]
        }
      ],
      [
        'with runs of spaces, raw and whitespace-collapsed',
        SPACED,
        (p) => {
          const head = `password "${collapsed(p)}" refused; `
          return ['text/plain', head.padEnd(200 - 20, '-') + p + ' refused']
        }
      ]
    ]

    it.each(cases)(
      'never shows any 8-character piece of it (%s)',
      async (_name, password, body) => {
        let answered = 0
        const server = await hostile((req, res) => {
          req.resume()
          const auth = req.headers.authorization ?? ''
          if (!auth.startsWith('Basic ')) {
            return json(
              res,
              401,
              { errors: [{ code: 'UNAUTHORIZED', message: 'log in' }] },
              {
                'www-authenticate': 'Basic realm="hostile"'
              }
            )
          }
          answered++
          const [type, text] = body(password)
          res.writeHead(403, { 'content-type': type })
          res.end(text)
        })
        cleanup.push(server.stop)
        const run = await release(server.host, { username: USER, password })
        expect(answered).toBeGreaterThan(0)
        expect(run.code).not.toBe(0)
        expect(run.stdout).toMatch(/::error::.*403/)
        const shown = visible(run)
        for (const form of forms(password)) {
          for (const piece of pieces(form)) expect(shown).not.toContain(piece)
        }
      },
      180_000
    )
  })

  it('a registry token that is a common word (sha256) leaves the outputs right', async () => {
    const proxy = await startFaultProxy({
      upstream: reg.url,
      auth: { users: [{ username: USER, password: 'token-proxy-password' }], tokenValue: 'sha256' }
    })
    cleanup.push(proxy.stop)
    const run = await release(proxy.host, {
      repository: 'acme/common',
      username: USER,
      password: 'token-proxy-password'
    })
    expect(run.stdout).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(proxy.stats.tokenRequests).toBeGreaterThan(0)
    const head = await fetch(`${reg.url}/v2/acme/common/plugin/hostile/manifests/1.0.0`, {
      method: 'HEAD',
      headers: { accept: ACCEPT }
    })
    const digest = head.headers.get('docker-content-digest')
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(run.outputs['plugin-digest']).toBe(digest)
    expect(run.outputs['plugin-ref']).toBe(`${proxy.host}/acme/common/plugin/hostile:1.0.0`)
    expect(run.summary).toContain(digest as string)
    // Not handed to the runner as a secret (it would mask every digest), but warned about.
    expect(run.stdout).not.toMatch(/^::add-mask::sha256$/m)
    expect(run.stdout).toMatch(/::warning::.*token.*not masked/)
  }, 240_000)

  it('a registry trickling one byte every 2 s fails within the request and retry bounds', async () => {
    let firstAt: number | undefined
    const timers = new Set<NodeJS.Timeout>()
    const server = await hostile((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x')
      if (url.pathname === '/v2/') return json(res, 200, {})
      firstAt ??= Date.now()
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' })
      const timer = setInterval(() => res.write(' '), 2000)
      timers.add(timer)
      res.on('close', () => clearInterval(timer))
    })
    cleanup.push(async () => {
      for (const t of timers) clearInterval(t)
      await server.stop()
    })
    const run = await release(
      server.host,
      { 'request-timeout': '3', 'retry-budget': '5' },
      { killAfterMs: 240_000 }
    )
    const exitedAt = Date.now()
    expect(run.killed).toBe(false)
    expect(run.code).not.toBe(0)
    expect(firstAt).toBeDefined()
    // retry-budget (5 s) + one request (3 s plus a little per byte) is about 8 s: allow 5x.
    expect(exitedAt - (firstAt as number)).toBeLessThan(40_000)
    expect(run.stdout).toMatch(/::error::.*tags\/list.*in total/)
  }, 300_000)

  it('does not send the credentials to a plain-HTTP token realm on another host', async () => {
    const seen: string[] = []
    const realm = await hostile((req, res) => {
      req.resume()
      seen.push(req.headers.authorization ?? '')
      json(res, 200, { token: 'realm-token-0123456789' })
    }, '127.0.0.2')
    cleanup.push(realm.stop)
    const registry = await hostile((req, res) => {
      req.resume()
      json(
        res,
        401,
        { errors: [{ code: 'UNAUTHORIZED', message: 'log in' }] },
        {
          'www-authenticate': `Bearer realm="${realm.url}/token",service="hostile"`
        }
      )
    })
    cleanup.push(registry.stop)
    const password = 'realm-test-Xq7!zR0-0123'
    const run = await release(registry.host, { username: USER, password })
    expect(seen.filter((a) => a !== '')).toEqual([])
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*127\.0\.0\.2.*plain HTTP/)
    for (const piece of pieces(password)) expect(visible(run)).not.toContain(piece)
  }, 180_000)
})
