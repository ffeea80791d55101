// The OCI client against a real distribution registry (Debian's docker-registry 2.8) and the
// OCI layout target read back by skopeo.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { open, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { UnauthorizedError } from '../../src/oci/errors.js'
import { OciLayoutTarget } from '../../src/oci/layout.js'
import { RegistryClient } from '../../src/oci/registry.js'
import type { OciTarget } from '../../src/oci/types.js'
import { GrowingFile } from '../../src/util/growing-file.js'
import { RunningRegistry, startRegistry } from '../helpers/registry.js'
import { requireTool } from '../helpers/tools.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const CONFIG_TYPE = 'application/vnd.example.plugin.config.v1+json'
const LAYER_TYPE = 'application/vnd.example.plugin.layer.v1.tar+gzip'
const USER = { username: 'alice', password: 'integration-s3cret' }

interface Pushed {
  manifests: Array<{ digest: string; body: Buffer }>
  index: Buffer
  layers: Buffer[]
}

/** Pushes two single-platform manifests and an index over them, in the safe order. */
async function pushArtifact(target: OciTarget): Promise<Pushed> {
  const pushed: Pushed = { manifests: [], index: Buffer.alloc(0), layers: [] }
  const entries = []
  for (const arch of ['amd64', 'arm64']) {
    const layer = Buffer.from(`plugin binary for ${arch}\n`.repeat(1000))
    const layerBlob = bufferBlob(layer)
    const config = Buffer.from(JSON.stringify({ name: 'demo', version: '1.0.0', arch }))
    const configBlob = bufferBlob(config)
    expect(await target.pushBlob(layerBlob)).toEqual({ uploaded: true, bytes: layer.length })
    expect((await target.pushBlob(configBlob)).uploaded).toBe(true)
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: CONFIG_TYPE, digest: configBlob.digest, size: configBlob.size },
        layers: [{ mediaType: LAYER_TYPE, digest: layerBlob.digest, size: layerBlob.size }],
        annotations: { 'org.opencontainers.image.title': `demo-${arch}` }
      })
    )
    const digest = sha256Digest(manifest)
    await target.pushManifest(manifest, OCI_MANIFEST, digest)
    pushed.manifests.push({ digest, body: manifest })
    pushed.layers.push(layer)
    entries.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: manifest.length,
      platform: { architecture: arch, os: 'linux' },
      artifactType: CONFIG_TYPE
    })
  }
  pushed.index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      artifactType: CONFIG_TYPE,
      manifests: entries
    })
  )
  await target.pushManifest(pushed.index, OCI_INDEX, sha256Digest(pushed.index))
  await target.pushManifest(pushed.index, OCI_INDEX, '1.0.0')
  await target.pushManifest(pushed.index, OCI_INDEX, 'latest')
  await target.pushManifest(pushed.manifests[0].body, OCI_MANIFEST, '1.0.0-amd64')
  return pushed
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c)
  return Buffer.concat(chunks)
}

function skopeoRaw(ref: string, ...flags: string[]): Buffer {
  return execFileSync(requireTool('skopeo'), ['inspect', '--raw', ...flags, ref])
}

describe('OCI client against a real registry', () => {
  let registry: RunningRegistry
  let secured: RunningRegistry
  let workdir: string
  beforeAll(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'oci-client-it-'))
    ;[registry, secured] = await Promise.all([startRegistry(), startRegistry({ basicAuth: USER })])
  }, 30_000)
  afterAll(async () => {
    await Promise.all([registry?.stop(), secured?.stop()])
    rmSync(workdir, { recursive: true, force: true })
  })

  it('pushes blobs, manifests with custom config types, an index and tags, and reads them back', async () => {
    const client = new RegistryClient({ registry: registry.host, plainHttp: true })
    const repo = client.repository('acme/plugins/plugin/demo')
    expect(await repo.listTags()).toEqual([])
    expect(await repo.resolveTag('1.0.0')).toBeUndefined()

    const pushed = await pushArtifact(repo)

    expect((await repo.listTags()).sort()).toEqual(['1.0.0', '1.0.0-amd64', 'latest'])
    const indexDigest = sha256Digest(pushed.index)
    expect(await repo.resolveTag('1.0.0')).toBe(indexDigest)
    expect(await repo.resolveTag('latest')).toBe(indexDigest)
    expect(await repo.resolveTag('1.0.0-amd64')).toBe(pushed.manifests[0].digest)

    const index = await repo.fetchManifest('1.0.0')
    expect(index?.mediaType).toBe(OCI_INDEX)
    expect(index?.body.equals(pushed.index)).toBe(true)
    const manifest = await repo.fetchManifest(pushed.manifests[1].digest)
    expect(manifest?.mediaType).toBe(OCI_MANIFEST)
    expect(manifest?.body.equals(pushed.manifests[1].body)).toBe(true)

    const layerDigest = sha256Digest(pushed.layers[1])
    expect(await repo.blobExists(layerDigest)).toBe(true)
    expect((await readAll(await repo.fetchBlob(layerDigest))).equals(pushed.layers[1])).toBe(true)
    expect(await repo.pushBlob(bufferBlob(pushed.layers[1]))).toEqual({ uploaded: false, bytes: 0 })

    // A third-party client sees the same bytes.
    const ref = `docker://${registry.host}/acme/plugins/plugin/demo:1.0.0`
    expect(skopeoRaw(ref, '--tls-verify=false').equals(pushed.index)).toBe(true)
  }, 30_000)

  it('moves a tag and streams a 20 MiB blob', async () => {
    const repo = new RegistryClient({ registry: registry.host, plainHttp: true }).repository(
      'big/blob'
    )
    const size = 20 * 1024 * 1024
    const chunk = Buffer.alloc(1024 * 1024, 7)
    const blob = {
      digest: sha256Digest(Buffer.concat(Array.from({ length: 20 }, () => chunk))),
      size,
      open: () =>
        Readable.from(
          Array.from({ length: 20 }, () => chunk),
          { objectMode: false }
        )
    }
    expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: size })
    const back = await readAll(await repo.fetchBlob(blob.digest))
    expect(back.length).toBe(size)
    const config = bufferBlob(Buffer.from('{}'))
    await repo.pushBlob(config)
    const manifest = (n: number): Buffer =>
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: CONFIG_TYPE, digest: config.digest, size: config.size },
          layers: [{ mediaType: LAYER_TYPE, digest: blob.digest, size }],
          annotations: { n: String(n) }
        })
      )
    await repo.pushManifest(manifest(1), OCI_MANIFEST, 'latest')
    await repo.pushManifest(manifest(2), OCI_MANIFEST, 'latest')
    expect(await repo.resolveTag('latest')).toBe(sha256Digest(manifest(2)))
  }, 30_000)

  it('streams a blob while it is being written (a layer still being packed), with and without a login', async () => {
    for (const [where, credentials] of [
      [registry, undefined],
      [secured, USER]
    ] as const) {
      const repo = new RegistryClient({
        registry: where.host,
        plainHttp: true,
        credentials
      }).repository('growing/blob')
      const path = join(workdir, `growing-${where.host.replace(/\W/g, '-')}`)
      const file = new GrowingFile(path)
      const parts = Array.from({ length: 6 }, (_, i) => Buffer.alloc(700_000 + i, i + 1))
      const whole = Buffer.concat(parts)
      const digest = sha256Digest(whole)
      let finish!: (r: { digest: string; size: number }) => void
      const complete = new Promise<{ digest: string; size: number }>((r) => (finish = r))
      const upload = repo.pushGrowingBlob({ chunks: () => file.chunks(), complete })
      const out = await open(path, 'w')
      let written = 0
      for (const part of parts) {
        await out.write(part)
        written += part.length
        file.grew(written)
        await new Promise((r) => setTimeout(r, 20))
      }
      await out.close()
      expect(await repo.blobExists(digest)).toBe(false) // stored only once complete
      file.complete(written)
      finish({ digest, size: written })
      expect(await upload).toEqual({ uploaded: true, bytes: whole.length, digest })
      expect((await readAll(await repo.fetchBlob(digest))).equals(whole)).toBe(true)
    }
  }, 60_000)

  it('stores nothing when the content being streamed fails', async () => {
    const repo = new RegistryClient({ registry: registry.host, plainHttp: true }).repository(
      'growing/failed'
    )
    const path = join(workdir, 'growing-failed')
    const file = new GrowingFile(path)
    const content = Buffer.alloc(300_000, 9)
    let fail!: (e: Error) => void
    const complete = new Promise<{ digest: string; size: number }>((_, r) => (fail = r))
    complete.catch(() => undefined)
    const upload = repo.pushGrowingBlob({ chunks: () => file.chunks(), complete })
    await writeFile(path, content)
    file.grew(content.length)
    await new Promise((r) => setTimeout(r, 50))
    const err = new Error('the layer changed size while it was being packed')
    file.fail(err)
    fail(err)
    await expect(upload).rejects.toThrow()
    expect(await repo.blobExists(sha256Digest(content))).toBe(false)
  }, 30_000)

  it('authenticates with HTTP Basic', async () => {
    const client = new RegistryClient({
      registry: secured.host,
      plainHttp: true,
      credentials: USER
    })
    const repo = client.repository('private/demo')
    await pushArtifact(repo)
    expect((await repo.listTags()).sort()).toEqual(['1.0.0', '1.0.0-amd64', 'latest'])

    const wrong = new RegistryClient({
      registry: secured.host,
      plainHttp: true,
      credentials: { username: 'alice', password: 'not-the-password' }
    })
    const err = await wrong
      .repository('private/demo')
      .listTags()
      .catch((e: Error) => e)
    expect(err).toBeInstanceOf(UnauthorizedError)
    expect((err as Error).message).toMatch(/HTTP 401.*check the username and password/)
    expect((err as Error).message).not.toContain('not-the-password')

    const anonymous = new RegistryClient({ registry: secured.host, plainHttp: true })
    await expect(anonymous.repository('private/demo').listTags()).rejects.toThrow(
      /requires credentials \(HTTP Basic\) and none were given/
    )
  }, 30_000)

  it('writes an OCI layout that skopeo reads', async () => {
    const dir = join(workdir, 'layout')
    const layout = new OciLayoutTarget(dir)
    const pushed = await pushArtifact(layout)
    expect(await layout.listTags()).toEqual(['1.0.0', '1.0.0-amd64', 'latest'])
    expect(skopeoRaw(`oci:${dir}:1.0.0`).equals(pushed.index)).toBe(true)
    expect(skopeoRaw(`oci:${dir}:latest`).equals(pushed.index)).toBe(true)
    expect(skopeoRaw(`oci:${dir}:1.0.0-amd64`).equals(pushed.manifests[0].body)).toBe(true)
  }, 30_000)
})
