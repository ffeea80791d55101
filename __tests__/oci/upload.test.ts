// Chunked uploads (ghcr.io's 4 MiB cap), the monolithic-to-chunked fallback, concurrent blob
// pushes and the cheap manifest HEAD, against the in-process fake registry.
import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { mapLimit } from '../../src/oci/concurrency.js'
import { OciLayoutTarget } from '../../src/oci/layout.js'
import { RegistryClient, RegistryClientOptions } from '../../src/oci/registry.js'
import type { BlobSource } from '../../src/oci/types.js'
import { FakeRegistry, FakeRegistryOptions } from '../helpers/fake-registry.js'
import { fakeClock, generatedBlob, recordingLogger, rejection } from './support.js'

const MiB = 1 << 20
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.()
})

async function setup(opts: FakeRegistryOptions = {}, client: Partial<RegistryClientOptions> = {}) {
  const fake = await FakeRegistry.start(opts)
  cleanups.push(() => fake.stop())
  const logger = recordingLogger()
  const registry = new RegistryClient({
    registry: fake.host,
    plainHttp: true,
    logger,
    clock: fakeClock(),
    ...client
  })
  return { fake, logger, repo: registry.repository('acme/app') }
}

/** The PATCH requests: their Content-Range and Content-Length. */
function patches(fake: FakeRegistry): Array<[string | undefined, string | undefined]> {
  return fake.requests
    .filter((r) => r.method === 'PATCH')
    .map((r) => [r.headers['content-range'], r.headers['content-length']])
}

function stored(fake: FakeRegistry, digest: string): Buffer | undefined {
  return fake.repo('acme/app').blobs.get(digest)
}

describe('chunked uploads', () => {
  it('sends 4 MiB PATCHes with Content-Range and Content-Length, then a PUT with the digest', async () => {
    const blob = generatedBlob(10 * MiB + 5)
    const { fake, repo } = await setup({ maxChunk: 4 * MiB }, { chunkedThreshold: MiB })
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 10 * MiB + 5 })
    expect(patches(fake)).toEqual([
      ['0-4194303', '4194304'],
      ['4194304-8388607', '4194304'],
      ['8388608-10485764', '2097157']
    ])
    const put = fake.requests.filter((r) => r.method === 'PUT')
    expect(put).toHaveLength(1)
    expect(put[0].headers['content-length']).toBe('0')
    expect(put[0].path).toContain(`digest=${encodeURIComponent(blob.digest)}`)
    expect(
      fake.requests.filter((r) => r.method === 'PATCH').map((r) => r.headers['content-type'])
    ).toEqual(Array(3).fill('application/octet-stream'))
    expect(sha256Digest(stored(fake, blob.digest) ?? Buffer.alloc(0))).toBe(blob.digest)
  })

  it('stays monolithic at or below the threshold, and by default', async () => {
    const blob = generatedBlob(MiB)
    const { fake, repo } = await setup({}, { chunkedThreshold: MiB })
    await repo.pushBlob(blob)
    const { fake: fake2, repo: repo2 } = await setup()
    await repo2.pushBlob(generatedBlob(9 * MiB))
    for (const f of [fake, fake2]) {
      expect(patches(f)).toEqual([])
      expect(f.requests.filter((r) => r.method === 'PUT')).toHaveLength(1)
    }
  })

  it('holds one chunk in memory, not the blob', async () => {
    const blob = generatedBlob(20 * MiB)
    let producedAtFirstPatch = -1
    const { repo } = await setup(
      {
        intercept: (r) => {
          if (r.method === 'PATCH' && producedAtFirstPatch < 0) producedAtFirstPatch = blob.produced
          return undefined
        }
      },
      { chunkedThreshold: 0 }
    )
    await repo.pushBlob(blob)
    expect(producedAtFirstPatch).toBeGreaterThanOrEqual(4 * MiB)
    expect(producedAtFirstPatch).toBeLessThanOrEqual(4 * MiB + (64 << 10))
  })

  it('halves a chunk ghcr.io refuses with 416, in a new upload session', async () => {
    const blob = generatedBlob(9 * MiB)
    const { fake, logger, repo } = await setup(
      { maxChunk: 4 * MiB },
      { chunkedThreshold: 0, chunkSize: 8 * MiB }
    )
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 9 * MiB })
    expect(fake.requests.map((r) => r.method).filter((m) => m !== 'HEAD')).toEqual([
      'POST',
      'PATCH', // 8 MiB: 416
      'POST',
      'PATCH',
      'PATCH',
      'PATCH',
      'PUT'
    ])
    expect(patches(fake).slice(1)).toEqual([
      ['0-4194303', '4194304'],
      ['4194304-8388607', '4194304'],
      ['8388608-9437183', '1048576']
    ])
    expect(logger.lines.join('\n')).toMatch(
      /refused a chunk as too large \(HTTP 416\); retrying with chunks of 4194304 bytes/
    )
    expect(sha256Digest(stored(fake, blob.digest) ?? Buffer.alloc(0))).toBe(blob.digest)
  })

  it("reports ghcr.io's 416 when even small chunks are refused", async () => {
    const { repo } = await setup({ maxChunk: 1000 }, { chunkedThreshold: 0, chunkSize: 512 << 10 })
    const err = await rejection(repo.pushBlob(generatedBlob(MiB)))
    expect(err.message).toMatch(
      /PATCH .* answered HTTP 416 .*REQUESTED_RANGE_NOT_SATISFIABLE: request body is too large and exceeds the maximum permissible limit of 4\.00MiB\. The request is too large/
    )
  })

  it('honours OCI-Chunk-Min-Length', async () => {
    const blob = generatedBlob(600 << 10)
    const { fake, repo } = await setup(
      { chunkMinLength: 256 << 10 },
      { chunkedThreshold: 0, chunkSize: 64 << 10 }
    )
    await repo.pushBlob(blob)
    expect(patches(fake).map(([, length]) => length)).toEqual(['262144', '262144', '90112'])
  })

  it('continues from the Range the registry answers when it kept less than sent', async () => {
    const blob = generatedBlob(300_000)
    const { fake, repo } = await setup(
      { acceptAtMost: 100_000 },
      { chunkedThreshold: 0, chunkSize: 256 << 10 }
    )
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 300_000 })
    expect(patches(fake).map(([range]) => range)).toEqual([
      '0-262143',
      '100000-262143',
      '200000-262143',
      '262144-299999'
    ])
    expect(sha256Digest(stored(fake, blob.digest) ?? Buffer.alloc(0))).toBe(blob.digest)
  })

  it('switches to chunks when a monolithic PUT gets 413, and stays chunked', async () => {
    const first = generatedBlob(3 * MiB)
    const second = bufferBlob(Buffer.alloc(2 * MiB, 9))
    const { fake, logger, repo } = await setup({ maxMonolithic: MiB })
    await repo.pushBlob(first)
    await repo.pushBlob(second)
    expect(fake.requests.map((r) => r.method).filter((m) => m !== 'HEAD')).toEqual([
      'POST',
      'PUT', // 3 MiB in one request: 413
      'POST',
      'PATCH',
      'PUT',
      'POST',
      'PATCH',
      'PUT'
    ])
    expect(logger.lines.join('\n')).toMatch(
      /refused a 3145728-byte upload in one request \(HTTP 413\); uploading in chunks of 4194304 bytes/
    )
    expect(stored(fake, first.digest)?.length).toBe(3 * MiB)
    expect(stored(fake, second.digest)?.length).toBe(2 * MiB)
  })

  it('restarts a chunked upload from a new session when a PATCH connection drops', async () => {
    const blob = generatedBlob(MiB)
    let dropped = false
    const { fake, repo } = await setup(
      {
        intercept: (r) => {
          if (r.method !== 'PATCH' || dropped || r.headers['content-range']?.startsWith('0-')) {
            return undefined
          }
          dropped = true
          return { status: 0, destroy: true }
        }
      },
      { chunkedThreshold: 0, chunkSize: 256 << 10, random: () => 0 }
    )
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: MiB })
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2)
    expect(patches(fake).map(([range]) => range)).toEqual([
      '0-262143',
      '262144-524287', // dropped
      '0-262143',
      '262144-524287',
      '524288-786431',
      '786432-1048575'
    ])
  })

  it('fails clearly, without retrying, when the content is shorter than declared', async () => {
    const real = generatedBlob(100_000)
    const { fake, repo } = await setup({}, { chunkedThreshold: 0, chunkSize: 64 << 10 })
    const err = await rejection(repo.pushBlob({ ...real, size: 200_000, open: () => real.open() }))
    expect(err.message).toMatch(
      /reading the content to upload failed: content ended after 100000 of 200000 bytes/
    )
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
  })

  it('rejects nonsense sizes', () => {
    for (const bad of [
      { chunkSize: 0 },
      { chunkSize: -1 },
      { chunkedThreshold: -5 },
      { retryBudgetMs: NaN }
    ]) {
      expect(() => new RegistryClient({ registry: 'r.example', ...bad })).toThrow(/invalid \w+/)
    }
  })
})

describe('pushBlobs', () => {
  const blobs = (n: number, tag = 'b'): BlobSource[] =>
    Array.from({ length: n }, (_, i) => bufferBlob(Buffer.from(`${tag}-${i}`)))

  it('uploads at most `concurrency` blobs at once, in order, each digest once', async () => {
    const { fake, repo } = await setup({ uploadDelayMs: 40 })
    const list = blobs(9)
    await repo.pushBlob(list[4])
    const results = await repo.pushBlobs([...list, list[0]], 3)
    expect(fake.maxActiveUploads).toBe(3)
    expect(results.map((r) => r.uploaded)).toEqual([
      true,
      true,
      true,
      true,
      false, // already there
      true,
      true,
      true,
      true,
      false // listed twice
    ])
    expect(results[0]).toEqual({ uploaded: true, bytes: 3 })
    for (const b of list) expect(stored(fake, b.digest)).toBeDefined()
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(9)
  })

  it('runs 4 at a time by default', async () => {
    const { fake, repo } = await setup({ uploadDelayMs: 40 })
    await repo.pushBlobs(blobs(10))
    expect(fake.maxActiveUploads).toBe(4)
  })

  it('starts nothing new after a failure and throws the first error', async () => {
    const list = blobs(5)
    const bad = { ...list[1], digest: sha256Digest('not this') }
    const { fake, repo } = await setup()
    const err = await rejection(repo.pushBlobs([list[0], bad, ...list.slice(2)], 1))
    expect(err.message).toMatch(/DIGEST_INVALID/)
    const heads = fake.requests.filter((r) => r.method === 'HEAD')
    expect(heads).toHaveLength(2)
  })

  it('bounds an OCI layout too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'push-blobs-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const layout = new OciLayoutTarget(dir)
    let open = 0
    let most = 0
    const slow = (data: Buffer): BlobSource => ({
      ...bufferBlob(data),
      open: () => {
        open++
        most = Math.max(most, open)
        return new Readable({
          read() {
            setTimeout(() => {
              this.push(data)
              this.push(null)
            }, 20)
          }
        }).on('end', () => open--)
      }
    })
    const list = Array.from({ length: 7 }, (_, i) => slow(Buffer.from(`layout-${i}`)))
    const results = await layout.pushBlobs([...list, list[2]], 2)
    expect(most).toBe(2)
    expect(results.map((r) => r.uploaded)).toEqual([...Array(7).fill(true), false])
    for (const b of list) expect(await layout.blobExists(b.digest)).toBe(true)
    expect((await layout.pushBlobs(list)).every((r) => !r.uploaded)).toBe(true)
  })

  it('mapLimit refuses a concurrency below 1', async () => {
    await expect(mapLimit([1], 0, async (x) => x)).rejects.toThrow(/invalid concurrency 0/)
  })
})

describe('hasManifest', () => {
  it('answers with one HEAD on a registry', async () => {
    const { fake, repo } = await setup()
    const body = Buffer.from('{"schemaVersion":2,"mediaType":"x"}')
    const digest = fake.putManifest('acme/app', 'v1', body, OCI_MANIFEST)
    expect(await repo.hasManifest(digest)).toBe(true)
    expect(await repo.hasManifest(sha256Digest('absent'))).toBe(false)
    expect(fake.requests.map((r) => r.method)).toEqual(['HEAD', 'HEAD'])
    expect(fake.requests[0].headers.accept).toContain(OCI_MANIFEST)
    await expect(repo.hasManifest('v1')).rejects.toThrow(/invalid digest/)
  })

  it('looks for the manifest blob in an OCI layout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'has-manifest-'))
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
    const layout = new OciLayoutTarget(dir)
    const body = Buffer.from('{"schemaVersion":2}')
    await layout.pushManifest(body, OCI_MANIFEST, sha256Digest(body))
    expect(await layout.hasManifest(sha256Digest(body))).toBe(true)
    expect(await layout.hasManifest(sha256Digest('absent'))).toBe(false)
  })
})

describe('streamed uploads of a blob still being written (pushGrowingBlob)', () => {
  /**
   * Content that is complete already, given 64 KiB at a time in one buffer that each chunk
   * overwrites (as GrowingFile does): a transport that read ahead would send wrong bytes.
   */
  function growing(content: Buffer) {
    return {
      async *chunks() {
        const buffer = Buffer.alloc(64 << 10)
        for (let at = 0; at < content.length; at += buffer.length) {
          const n = content.copy(buffer, 0, at, Math.min(content.length, at + buffer.length))
          yield buffer.subarray(0, n)
        }
      },
      complete: Promise.resolve({ digest: sha256Digest(content), size: content.length })
    }
  }

  it('sends one PATCH without Content-Range or Content-Length, then the PUT with the digest', async () => {
    const { fake, repo } = await setup()
    const content = Buffer.alloc(5 * MiB)
    for (let i = 0; i < content.length; i++) content[i] = (i * 7919) >> 9
    const digest = sha256Digest(content)
    expect(await repo.pushGrowingBlob(growing(content))).toEqual({
      uploaded: true,
      bytes: content.length,
      digest
    })
    expect(patches(fake)).toEqual([[undefined, undefined]])
    const patch = fake.requests.find((r) => r.method === 'PATCH')
    expect(patch?.headers['transfer-encoding']).toBe('chunked')
    const put = fake.requests.find((r) => r.method === 'PUT')
    expect(put?.path).toContain(`digest=${encodeURIComponent(digest)}`)
    expect(put?.headers['transfer-encoding']).toBeUndefined()
    expect(stored(fake, digest)?.equals(content)).toBe(true)
  })

  it('gives up on a registry that refuses the stream (ghcr.io-like 416), cancels, and does not try again', async () => {
    const { fake, repo } = await setup({ maxChunk: 4 * MiB })
    const content = Buffer.alloc(5 * MiB, 4)
    await expect(repo.pushGrowingBlob(growing(content))).rejects.toThrow(/4.00MiB/)
    expect(fake.requests.some((r) => r.method === 'DELETE')).toBe(true)
    const requests = fake.requests.length
    await expect(repo.pushGrowingBlob(growing(content))).rejects.toThrow(/refused a streamed/)
    expect(fake.requests.length).toBe(requests) // not even an upload session
    expect(stored(fake, sha256Digest(content))).toBeUndefined()
    // The usual upload still works (publish falls back to it).
    expect(await repo.pushBlob(bufferBlob(content))).toEqual({
      uploaded: true,
      bytes: content.length
    })
  })

  it('stops streaming a blob the registry turns out to have, and stores nothing', async () => {
    const { fake, repo } = await setup()
    const content = Buffer.alloc(3 * MiB, 6)
    await repo.pushBlob(bufferBlob(content))
    const before = fake.requests.length
    // The content is complete at once, but its chunks keep coming (slowly, for up to 20 s):
    // once the registry says it has the digest, the client must stop asking for them.
    let given = 0
    const source = {
      async *chunks() {
        for (; given < 2000; given++) {
          yield content.subarray(0, 1000)
          await new Promise((r) => setTimeout(r, 10))
        }
      },
      complete: Promise.resolve({ digest: sha256Digest(content), size: content.length })
    }
    expect(await repo.pushGrowingBlob(source)).toEqual({
      uploaded: false,
      bytes: 0,
      digest: sha256Digest(content)
    })
    expect(given).toBeLessThan(2000)
    const after = fake.requests.slice(before).map((r) => r.method)
    expect(after).toContain('HEAD')
    expect(after).not.toContain('PUT')
    expect(after[after.length - 1]).toBe('DELETE') // the session is given up
  }, 60_000)

  it('refuses a registry that kept less than was streamed', async () => {
    const { repo } = await setup({ acceptAtMost: 1000 })
    const content = Buffer.alloc(4000, 5)
    await expect(repo.pushGrowingBlob(growing(content))).rejects.toThrow(
      /holds 1000 bytes of the 4000-byte/
    )
  })
})
