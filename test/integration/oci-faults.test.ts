// Pushes through a faulty network: the real registry (Debian's docker-registry) behind our fault
// proxy, which fails 30% of requests (5xx, 429, resets mid-body, slow answers, stalls) and asks
// for ghcr.io-style tokens. Every seeded run must end with exactly the content of a clean run,
// checked directly on the registry; a registry that stays down must fail within the budget and
// leave the tags where they were.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import {
  BlobSource,
  RegistryClient,
  RegistryClientOptions,
  RegistryError,
  bufferBlob,
  sha256Digest
} from '../../src/oci/index.js'
import type { Logger } from '../../src/log.js'
import { DEFAULT_FAULTS, FaultProxy, mulberry32, startFaultProxy } from '../helpers/fault-proxy.js'
import { RunningRegistry, startRegistry, freePort } from '../helpers/registry.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const CONFIG = 'application/vnd.example.plugin.config.v1+json'
const LAYER = 'application/vnd.example.plugin.layer.v1.tar+gzip'
const USER = { username: 'releaser', password: 'fault-test-pa55word' }
const KiB = 1024

interface Manifest {
  digest: string
  body: Buffer
  mediaType: string
}

interface Artifact {
  repo: string
  blobs: BlobSource[]
  /** Children first, the root last. */
  manifests: Manifest[]
  root: Manifest
  versionTags: string[]
  floatingTags: string[]
}

/** Incompressible pseudo-random bytes, like a gzipped plugin. */
function noise(size: number, seed: number): Buffer {
  const rng = mulberry32(seed)
  const out = Buffer.alloc(size)
  for (let i = 0; i < size; i += 4) out.writeUInt32LE(Math.floor(rng() * 2 ** 32) >>> 0, i)
  return out
}

function manifest(value: unknown, mediaType: string): Manifest {
  const body = Buffer.from(JSON.stringify(value))
  return { digest: sha256Digest(body), body, mediaType }
}

/** A plugin (two platforms, an index) and its rules (one manifest), as a release pushes them. */
function release(prefix: string, version: string, seed: number): Artifact[] {
  const [major, minor] = version.split('.')
  const floating = [`${major}.${minor}`, major, 'latest']
  const layers = [noise(300 * KiB, seed), noise(200 * KiB, seed + 1)]
  const config = bufferBlob(Buffer.from(JSON.stringify({ name: 'demo', version })))
  const children = ['amd64', 'arm64'].map((arch, i) =>
    manifest(
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: CONFIG, digest: config.digest, size: config.size },
        layers: [{ mediaType: LAYER, digest: sha256Digest(layers[i]), size: layers[i].length }]
      },
      OCI_MANIFEST
    )
  )
  const index = manifest(
    {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((c, i) => ({
        mediaType: OCI_MANIFEST,
        digest: c.digest,
        size: c.body.length,
        platform: { architecture: ['amd64', 'arm64'][i], os: 'linux' }
      }))
    },
    OCI_INDEX
  )
  const rulesLayer = bufferBlob(Buffer.from(`- rule: demo ${version}\n`.repeat(200)))
  const rulesConfig = bufferBlob(Buffer.from(JSON.stringify({ rules: 'demo', version })))
  const rules = manifest(
    {
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: CONFIG, digest: rulesConfig.digest, size: rulesConfig.size },
      layers: [{ mediaType: LAYER, digest: rulesLayer.digest, size: rulesLayer.size }]
    },
    OCI_MANIFEST
  )
  return [
    {
      repo: `${prefix}/plugin/demo`,
      blobs: [...layers.map(bufferBlob), config],
      manifests: [...children, index],
      root: index,
      versionTags: [version],
      floatingTags: floating
    },
    {
      repo: `${prefix}/ruleset/demo`,
      blobs: [rulesLayer, rulesConfig],
      manifests: [rules],
      root: rules,
      versionTags: [version],
      floatingTags: floating
    }
  ]
}

interface Writes {
  blobsUploaded: number
  manifestsWritten: number
  tagsWritten: number
}

/** The publisher's safe order: blobs, manifests by digest, version tags, then floating tags. */
async function push(client: RegistryClient, artifacts: Artifact[]): Promise<Writes> {
  const writes = { blobsUploaded: 0, manifestsWritten: 0, tagsWritten: 0 }
  for (const a of artifacts) {
    const repo = client.repository(a.repo)
    const results = await repo.pushBlobs(a.blobs)
    writes.blobsUploaded += results.filter((r) => r.uploaded).length
    for (const m of a.manifests) {
      if (await repo.hasManifest(m.digest)) continue
      await repo.pushManifest(m.body, m.mediaType, m.digest)
      writes.manifestsWritten++
    }
  }
  for (const phase of ['versionTags', 'floatingTags'] as const) {
    for (const a of artifacts) {
      const repo = client.repository(a.repo)
      for (const tag of a[phase]) {
        if ((await repo.resolveTag(tag)) === a.root.digest) continue
        await repo.pushManifest(a.root.body, a.root.mediaType, tag)
        writes.tagsWritten++
      }
    }
  }
  return writes
}

/** Reads everything back directly from the registry (no proxy) and returns tag -> digest. */
async function verify(registry: RunningRegistry, artifacts: Artifact[]): Promise<string[]> {
  const direct = new RegistryClient({ registry: registry.host, plainHttp: true, retryBudgetMs: 0 })
  const seen: string[] = []
  for (const a of artifacts) {
    const repo = direct.repository(a.repo)
    for (const b of a.blobs) {
      const hash = createHash('sha256')
      for await (const c of (await repo.fetchBlob(b.digest)) as AsyncIterable<Buffer>)
        hash.update(c)
      expect(`sha256:${hash.digest('hex')}`).toBe(b.digest)
    }
    for (const m of a.manifests) {
      expect((await repo.fetchManifest(m.digest))?.body.equals(m.body)).toBe(true)
    }
    for (const tag of [...a.versionTags, ...a.floatingTags]) {
      seen.push(`${a.repo.replace(/^[^/]+\/[^/]+\//, '')}:${tag}@${await repo.resolveTag(tag)}`)
    }
  }
  return seen
}

function quietLogger(): Logger & { lines: string[] } {
  const lines: string[] = []
  return {
    lines,
    info: (m) => lines.push(m),
    warning: (m) => lines.push(m),
    debug: () => undefined,
    secret: () => undefined,
    group: (_t, fn) => fn()
  }
}

/** Small waits: a test run must not sleep for minutes. */
const FAST: Partial<RegistryClientOptions> = {
  retryBudgetMs: 60_000,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 250,
  timeoutMs: 1500
}

describe('pushes through a faulty network to a real registry', () => {
  let registry: RunningRegistry
  const proxies: FaultProxy[] = []
  beforeAll(async () => {
    registry = await startRegistry()
  }, 30_000)
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.stop()))
    await registry?.stop()
  })

  async function proxy(rate: number, seed: number): Promise<FaultProxy> {
    const p = await startFaultProxy({
      upstream: registry.url,
      auth: { users: [USER] },
      faults: { rate, seed, kinds: [...DEFAULT_FAULTS, 'stall'], stallMs: 2500, slowMs: 100 }
    })
    proxies.push(p)
    return p
  }

  function client(p: FaultProxy, over: Partial<RegistryClientOptions> = {}): RegistryClient {
    return new RegistryClient({
      registry: p.host,
      plainHttp: true,
      credentials: USER,
      logger: quietLogger(),
      ...FAST,
      ...over
    })
  }

  let clean: string[]

  it('pushes cleanly, and a re-run writes nothing', async () => {
    const p = await proxy(0, 0)
    const artifacts = release('clean', '1.2.3', 7)
    const first = await push(client(p), artifacts)
    expect(first).toEqual({ blobsUploaded: 5, manifestsWritten: 4, tagsWritten: 8 })
    clean = await verify(registry, artifacts)
    expect(clean).toHaveLength(8)
    const blobBytes = artifacts.flatMap((a) => a.blobs).reduce((n, b) => n + b.size, 0)
    expect(p.stats.bytesIn).toBeGreaterThanOrEqual(blobBytes)
    const before = p.log.length
    const bytesBefore = p.stats.bytesIn
    expect(await push(client(p), artifacts)).toEqual({
      blobsUploaded: 0,
      manifestsWritten: 0,
      tagsWritten: 0
    })
    // Only HEADs (and token fetches): no blob, manifest or tag was sent again.
    const again = p.log.slice(before).filter((e) => e.path !== '/token' && e.path !== '/v2/')
    expect(new Set(again.map((e) => e.method))).toEqual(new Set(['HEAD']))
    expect(p.stats.bytesIn - bytesBefore).toBe(0)
  }, 30_000)

  const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8]

  it(`ends with the clean run's digests under 30% faults, for ${SEEDS.length} seeds`, async () => {
    const runs = await Promise.all(
      SEEDS.map(async (seed) => {
        const p = await proxy(0.3, seed)
        const logger = quietLogger()
        // Even seeds upload in 64 KiB chunks: PATCHes go through the faults too.
        const chunked = seed % 2 === 0 ? { chunkedThreshold: 100 * KiB, chunkSize: 64 * KiB } : {}
        const c = client(p, { logger, random: mulberry32(seed), ...chunked })
        const artifacts = release(`seed${seed}`, '1.2.3', 7)
        await push(c, artifacts)
        return { seed, p, logger, digests: await verify(registry, artifacts) }
      })
    )
    const faultKinds = new Set<string>()
    for (const run of runs) {
      expect({ seed: run.seed, digests: run.digests }).toEqual({ seed: run.seed, digests: clean })
      const injected = Object.values(run.p.stats.faults).reduce((a, b) => a + b, 0)
      expect(injected).toBeGreaterThan(3)
      for (const k of Object.keys(run.p.stats.faults)) faultKinds.add(k)
      // Each retry was logged with its reason and wait.
      expect(run.logger.lines.some((l) => /; retrying in \d+ ms \(attempt \d+/.test(l))).toBe(true)
      expect(run.logger.lines.join('\n')).not.toContain(USER.password)
    }
    expect([...faultKinds].sort()).toEqual([...DEFAULT_FAULTS, 'stall'].sort())
    // Chunked runs did send PATCHes.
    const even = runs.filter((r) => r.seed % 2 === 0)
    expect(even.every((r) => r.p.log.some((e) => e.method === 'PATCH'))).toBe(true)
    // A failed upload request is never followed by another on the same upload session: the
    // upload restarts with a new POST.
    let broken = 0
    for (const { p } of runs) {
      p.log.forEach((e, i) => {
        if (!e.fault || e.fault === 'slow' || !/\/blobs\/uploads\/[^/]+$/.test(e.path)) return
        broken++
        expect(p.log.slice(i + 1).filter((later) => later.path === e.path)).toEqual([])
      })
    }
    expect(broken).toBeGreaterThan(0)
  }, 50_000)

  it('fails within the budget when the registry stays down, leaving the tags alone', async () => {
    const p = await proxy(0, 0)
    const v1 = release('down', '1.0.0', 11)
    await push(client(p), v1)
    const before = await verify(registry, v1)

    p.setDown(true)
    const v2 = release('down', '1.1.0', 12)
    const logger = quietLogger()
    const start = Date.now()
    const err = await push(
      client(p, { retryBudgetMs: 3000, retryBaseDelayMs: 50, retryMaxDelayMs: 400, logger }),
      v2
    ).catch((e: Error) => e)
    const elapsed = Date.now() - start
    expect(err).toBeInstanceOf(RegistryError)
    expect((err as Error).message).toMatch(
      /answered HTTP 503 Service Unavailable(: UNAVAILABLE: service unavailable)?\. The registry failed on its side: try again later\. \(gave up after \d+ attempts in \d\.\d s; retry budget 3\.0 s\)$/
    )
    // It gave up near the 3 s budget, not after the default 300 s (wide: a busy machine is slow).
    expect(elapsed).toBeGreaterThan(2000)
    expect(elapsed).toBeLessThan(25_000)
    expect(logger.lines.filter((l) => l.includes('retrying')).length).toBeGreaterThan(3)
    p.setDown(false)
    expect(await verify(registry, v1)).toEqual(before)
  }, 30_000)

  it('fails within the budget when the registry goes away mid-release, before any tag', async () => {
    const p = await proxy(0, 0)
    const v1 = release('gone', '1.0.0', 21)
    await push(client(p), v1)
    const before = await verify(registry, v1)

    const v2 = release('gone', '1.1.0', 22)
    const c = client(p, { retryBudgetMs: 2000, retryBaseDelayMs: 50, retryMaxDelayMs: 400 })
    // Blobs and manifests go up; then the proxy dies before the tags.
    for (const a of v2) {
      const repo = c.repository(a.repo)
      await repo.pushBlobs(a.blobs)
      for (const m of a.manifests) await repo.pushManifest(m.body, m.mediaType, m.digest)
    }
    await p.stop()
    proxies.splice(proxies.indexOf(p), 1)
    const start = Date.now()
    const err = await push(c, v2).catch((e: Error) => e)
    expect(Date.now() - start).toBeLessThan(25_000) // the 2 s budget, not the default 300 s
    expect((err as Error).message).toMatch(
      /^cannot reach the registry: HEAD .*ECONNREFUSED.*\(gave up after \d+ attempts/
    )
    expect(await verify(registry, v1)).toEqual(before)
  }, 30_000)

  it('fails fast on a port nobody listens on', async () => {
    const port = await freePort()
    const start = Date.now()
    const err = await push(
      new RegistryClient({ registry: `127.0.0.1:${port}`, plainHttp: true, credentials: USER }),
      release('nowhere', '1.0.0', 1)
    ).catch((e: Error) => e)
    expect(Date.now() - start).toBeLessThan(25_000) // no retries within the default 300 s budget
    expect((err as Error).message).toMatch(
      new RegExp(
        `^cannot reach the registry: HEAD http://127\\.0\\.0\\.1:${port}/v2/nowhere/plugin/demo/blobs/sha256:[0-9a-f]{64} failed \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\)\\. Check the registry host and port`
      )
    )
  })
})
