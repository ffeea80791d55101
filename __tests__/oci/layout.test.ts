import { afterAll, describe, expect, it } from '@jest/globals'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { OciLayoutTarget } from '../../src/oci/layout.js'
import { collect, generatedBlob, rejection } from './support.js'

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const INDEX = 'application/vnd.oci.image.index.v1+json'

describe('OciLayoutTarget', () => {
  const root = mkdtempSync(join(tmpdir(), 'oci-layout-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  let n = 0
  const fresh = (): OciLayoutTarget => new OciLayoutTarget(join(root, `l${n++}`))
  const index = (t: OciLayoutTarget): { manifests: Array<Record<string, unknown>> } =>
    JSON.parse(readFileSync(join(t.dir, 'index.json'), 'utf8'))

  it('deleteManifest removes every tag on a digest and nothing else', async () => {
    const t = fresh()
    const a = Buffer.from('{"schemaVersion":2,"a":1}')
    const b = Buffer.from('{"schemaVersion":2,"b":1}')
    await t.pushManifest(a, MANIFEST, '1.0.0-dev.1.gaaaaaaa')
    await t.pushManifest(a, MANIFEST, 'alias')
    await t.pushManifest(b, MANIFEST, 'main')
    expect(await t.deleteManifest(sha256Digest(a))).toEqual({ status: 'deleted' })
    expect(await t.listTags()).toEqual(['main'])
    expect(await t.resolveTag('main')).toBe(sha256Digest(b))
    expect(await t.deleteManifest(sha256Digest(a))).toEqual({ status: 'absent' })
  })

  it('writes oci-layout, blobs and a tagged index entry', async () => {
    const t = fresh()
    expect(t.location).toBe(`oci:${t.dir}`)
    const layer = bufferBlob(Buffer.from('layer'))
    expect(await t.pushBlob(layer)).toEqual({ uploaded: true, bytes: 5 })
    expect(await t.pushBlob(layer)).toEqual({ uploaded: false, bytes: 0 })
    const body = Buffer.from('{"schemaVersion":2}')
    await t.pushManifest(body, MANIFEST, '1.0.0')
    expect(JSON.parse(readFileSync(join(t.dir, 'oci-layout'), 'utf8'))).toEqual({
      imageLayoutVersion: '1.0.0'
    })
    expect(readFileSync(join(t.dir, 'blobs', 'sha256', layer.digest.slice(7)), 'utf8')).toBe(
      'layer'
    )
    expect(index(t)).toEqual({
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: [
        {
          mediaType: MANIFEST,
          digest: sha256Digest(body),
          size: body.length,
          annotations: { 'org.opencontainers.image.ref.name': '1.0.0' }
        }
      ]
    })
  })

  it('stores digest pushes as blobs only, and replaces a moved tag', async () => {
    const t = fresh()
    const a = Buffer.from('{"a":1}')
    const b = Buffer.from('{"b":2}')
    await t.pushManifest(a, MANIFEST, sha256Digest(a))
    expect(index(t).manifests).toEqual([])
    await t.pushManifest(a, MANIFEST, 'latest')
    await t.pushManifest(a, MANIFEST, '1.0.0')
    await t.pushManifest(b, INDEX, 'latest')
    expect(index(t).manifests.map((d) => [d.annotations, d.digest])).toEqual([
      [{ 'org.opencontainers.image.ref.name': '1.0.0' }, sha256Digest(a)],
      [{ 'org.opencontainers.image.ref.name': 'latest' }, sha256Digest(b)]
    ])
    expect(await t.resolveTag('latest')).toBe(sha256Digest(b))
    expect(await t.resolveTag('nope')).toBeUndefined()
    expect(await t.listTags()).toEqual(['1.0.0', 'latest'])
    expect(await t.fetchManifest('latest')).toEqual({ body: b, mediaType: INDEX })
    expect(await t.fetchManifest(sha256Digest(a))).toEqual({ body: a, mediaType: MANIFEST })
    expect(await t.fetchManifest('missing')).toBeUndefined()
  })

  it('keeps every tag when tags are pushed concurrently', async () => {
    const t = fresh()
    const tags = ['e', 'c', 'a', 'd', 'b']
    await Promise.all(
      tags.map((tag) => t.pushManifest(Buffer.from(`{"t":"${tag}"}`), MANIFEST, tag))
    )
    expect(await t.listTags()).toEqual(['a', 'b', 'c', 'd', 'e'])
  })

  it('streams blobs in and out', async () => {
    const t = fresh()
    const blob = generatedBlob(5 * 1024 * 1024 + 3)
    await t.pushBlob(blob)
    const back = await collect((await t.fetchBlob(blob.digest)) as NodeJS.ReadableStream)
    expect(sha256Digest(back)).toBe(blob.digest)
    expect(await t.fetchBlob(sha256Digest('absent'))).toBeUndefined()
  })

  it('rejects content that does not match its digest and leaves no file behind', async () => {
    const t = fresh()
    const real = bufferBlob(Buffer.from('abc'))
    const err = await rejection(t.pushBlob({ ...real, digest: sha256Digest('abd') }))
    expect(err.message).toMatch(/produced sha256:/)
    expect(await t.blobExists(sha256Digest('abd'))).toBe(false)
    expect(readdirSync(t.dir).filter((f) => f.startsWith('.tmp'))).toEqual([])
    await expect(t.pushManifest(Buffer.from('{}'), MANIFEST, sha256Digest('x'))).rejects.toThrow(
      /manifest content has digest/
    )
  })

  it('answers reads on a directory that does not exist yet', async () => {
    const t = fresh()
    expect(await t.listTags()).toEqual([])
    expect(await t.resolveTag('x')).toBeUndefined()
    expect(existsSync(t.dir)).toBe(false)
  })

  it('refuses an unknown layout version', async () => {
    const t = fresh()
    await t.pushBlob(bufferBlob(Buffer.from('x')))
    const other = new OciLayoutTarget(t.dir)
    writeFileSync(join(t.dir, 'oci-layout'), '{"imageLayoutVersion":"9.9.9"}')
    await expect(other.pushBlob(bufferBlob(Buffer.from('y')))).rejects.toThrow(/9\.9\.9/)
  })
})
