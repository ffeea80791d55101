import { afterEach, describe, expect, it } from '@jest/globals'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { ConnectionError, DeniedError, RegistryError } from '../../src/oci/errors.js'
import { RegistryClient } from '../../src/oci/registry.js'
import { FakeRegistry, FakeRegistryOptions, startRecorder } from '../helpers/fake-registry.js'
import { collect, fakeClock, generatedBlob, recordingLogger, rejection } from './support.js'
import { freePort } from '../../test/helpers/registry.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const CUSTOM_CONFIG = 'application/vnd.example.config.v1+json'
const USER = { username: 'bob', password: 'pa55word-xyz' }

function manifestFor(config: Buffer, layer: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: CUSTOM_CONFIG, digest: sha256Digest(config), size: config.length },
      layers: [
        { mediaType: 'application/octet-stream', digest: sha256Digest(layer), size: layer.length }
      ]
    })
  )
}

describe('RegistryClient against the fake registry', () => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.()
  })

  async function setup(opts: FakeRegistryOptions = {}, credentials?: typeof USER) {
    const fake = await FakeRegistry.start(opts)
    cleanups.push(() => fake.stop())
    const client = new RegistryClient({ registry: fake.host, plainHttp: true, credentials })
    return { fake, client, repo: client.repository('acme/app') }
  }

  describe('blobs', () => {
    it('uploads a missing blob, then skips it after a HEAD', async () => {
      const { fake, repo } = await setup()
      const blob = bufferBlob(Buffer.from('layer bytes'))
      expect(await repo.blobExists(blob.digest)).toBe(false)
      expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: 11 })
      expect(await repo.blobExists(blob.digest)).toBe(true)
      const before = fake.requests.length
      expect(await repo.pushBlob(blob)).toEqual({ uploaded: false, bytes: 0 })
      expect(fake.requests.slice(before).map((r) => r.method)).toEqual(['HEAD'])
      expect(fake.repo('acme/app').blobs.get(blob.digest)?.toString()).toBe('layer bytes')
    })

    it.each([false, true])(
      'appends the digest to the upload location (absolute: %s)',
      async (abs) => {
        const { fake, repo } = await setup({ absoluteUploadLocation: abs })
        const blob = bufferBlob(Buffer.from('x'))
        await repo.pushBlob(blob)
        const put = fake.requests.find((r) => r.method === 'PUT')
        expect(put?.path).toMatch(
          new RegExp(
            `^/v2/acme/app/blobs/uploads/\\w+\\?_state=\\w+-state&digest=sha256%3A${blob.digest.slice(7)}$`
          )
        )
        expect(put?.headers['content-type']).toBe('application/octet-stream')
      }
    )

    it('streams a 20 MiB upload with a Content-Length, without buffering it', async () => {
      const size = 20 * 1024 * 1024
      const blob = generatedBlob(size)
      let producedAtFirstByte = -1
      const { fake, repo } = await setup({
        onUploadData: () => {
          if (producedAtFirstByte < 0) producedAtFirstByte = blob.produced
        }
      })
      expect(await repo.pushBlob(blob)).toEqual({ uploaded: true, bytes: size })
      const put = fake.requests.find((r) => r.method === 'PUT')
      expect(put?.headers['content-length']).toBe(String(size))
      expect(put?.headers['transfer-encoding']).toBeUndefined()
      // The registry saw data long before the source had produced everything.
      expect(producedAtFirstByte).toBeGreaterThan(0)
      expect(producedAtFirstByte).toBeLessThan(size / 2)
      expect(sha256Digest(fake.repo('acme/app').blobs.get(blob.digest) ?? Buffer.alloc(0))).toBe(
        blob.digest
      )
    })

    it('fails when the source is shorter than its declared size', async () => {
      const { repo } = await setup()
      const real = bufferBlob(Buffer.from('short'))
      const err = await rejection(repo.pushBlob({ ...real, size: 10 }))
      expect(err.message).toMatch(
        /PUT .*: reading the content to upload failed: content ended after 5 of 10 bytes/
      )
    })

    it('reports a digest the registry rejects', async () => {
      const { repo } = await setup()
      const real = bufferBlob(Buffer.from('abc'))
      const err = await rejection(repo.pushBlob({ ...real, digest: sha256Digest('abd') }))
      expect(err.message).toMatch(/answered HTTP 400 .*DIGEST_INVALID.*does not match its digest/)
    })

    it('streams a blob back and verifies it', async () => {
      const { repo } = await setup()
      const blob = bufferBlob(Buffer.from('payload'))
      await repo.pushBlob(blob)
      const stream = await repo.fetchBlob(blob.digest)
      expect((await collect(stream as NodeJS.ReadableStream)).toString()).toBe('payload')
      expect(await repo.fetchBlob(sha256Digest('nothing'))).toBeUndefined()
    })

    it('follows a blob redirect to another host without Authorization', async () => {
      const data = Buffer.from('stored elsewhere')
      const storage = await startRecorder((_req, res) => res.end(data))
      cleanups.push(() => storage.stop())
      const { fake, repo } = await setup(
        { auth: { kind: 'basic', ...USER }, blobRedirect: `${storage.url}/storage` },
        USER
      )
      const blob = bufferBlob(data)
      await repo.pushBlob(blob)
      const stream = await repo.fetchBlob(blob.digest)
      expect((await collect(stream as NodeJS.ReadableStream)).equals(data)).toBe(true)
      expect(fake.requests.at(-1)?.headers.authorization).toMatch(/^Basic /)
      expect(storage.requests).toHaveLength(1)
      expect(storage.requests[0].path).toBe(`/storage/${blob.digest}`)
      expect(storage.requests[0].headers.authorization).toBeUndefined()
    })

    it('fails the stream when redirected content does not match the digest', async () => {
      const storage = await startRecorder((_req, res) => res.end('tampered'))
      cleanups.push(() => storage.stop())
      const { repo } = await setup({ blobRedirect: storage.url })
      const blob = bufferBlob(Buffer.from('original'))
      await repo.pushBlob(blob)
      const stream = await repo.fetchBlob(blob.digest)
      await expect(collect(stream as NodeJS.ReadableStream)).rejects.toThrow(
        /got 8 bytes|content has digest/
      )
    })

    it('gives up after 5 redirects', async () => {
      const { repo } = await setup({
        intercept: (r) =>
          r.path.includes('/blobs/sha256')
            ? { status: 302, headers: { location: r.path } }
            : undefined
      })
      const err = await rejection(repo.fetchBlob(sha256Digest('x')))
      expect(err.message).toMatch(/too many redirects/)
    })
  })

  describe('manifests', () => {
    it('pushes, resolves and fetches a manifest', async () => {
      const { repo } = await setup()
      const config = Buffer.from('{"name":"app"}')
      const layer = Buffer.from('layer')
      await repo.pushBlob(bufferBlob(config))
      await repo.pushBlob(bufferBlob(layer))
      const body = manifestFor(config, layer)
      const digest = sha256Digest(body)
      await repo.pushManifest(body, OCI_MANIFEST, digest)
      await repo.pushManifest(body, OCI_MANIFEST, '1.0.0')
      expect(await repo.resolveTag('1.0.0')).toBe(digest)
      expect(await repo.resolveTag('2.0.0')).toBeUndefined()
      const byTag = await repo.fetchManifest('1.0.0')
      expect(byTag?.body.equals(body)).toBe(true)
      expect(byTag?.mediaType).toBe(OCI_MANIFEST)
      expect((await repo.fetchManifest(digest))?.body.equals(body)).toBe(true)
      expect(await repo.fetchManifest('nope')).toBeUndefined()
    })

    it('sends the manifest media type and asks for every manifest type', async () => {
      const { fake, repo } = await setup()
      await repo.pushManifest(Buffer.from('{}'), 'application/vnd.oci.image.index.v1+json', 'i')
      await repo.resolveTag('i')
      const put = fake.requests.find((r) => r.method === 'PUT')
      expect(put?.headers['content-type']).toBe('application/vnd.oci.image.index.v1+json')
      const head = fake.requests.find((r) => r.method === 'HEAD')
      expect(head?.headers.accept?.split(', ').sort()).toEqual([
        'application/vnd.docker.distribution.manifest.list.v2+json',
        'application/vnd.docker.distribution.manifest.v2+json',
        'application/vnd.oci.image.index.v1+json',
        'application/vnd.oci.image.manifest.v1+json'
      ])
    })

    it('refuses a digest reference that does not match the content', async () => {
      const { fake, repo } = await setup()
      const err = await rejection(
        repo.pushManifest(Buffer.from('{}'), OCI_MANIFEST, sha256Digest('x'))
      )
      expect(err.message).toMatch(/manifest content has digest/)
      expect(fake.requests).toHaveLength(0)
    })

    it('detects a registry that stored other bytes', async () => {
      const { repo } = await setup({ fakeManifestDigest: sha256Digest('other') })
      const err = await rejection(repo.pushManifest(Buffer.from('{}'), OCI_MANIFEST, 'latest'))
      expect(err.message).toMatch(/stored the manifest as sha256:[0-9a-f]{64}, but its content is/)
    })

    it('hashes the manifest when HEAD has no digest header', async () => {
      const { fake, repo } = await setup({ omitManifestDigestOnHead: true })
      const digest = fake.putManifest('acme/app', '1.0.0', Buffer.from('{"a":1}'), OCI_MANIFEST)
      expect(await repo.resolveTag('1.0.0')).toBe(digest)
      expect(fake.requests.map((r) => r.method)).toEqual(['HEAD', 'GET'])
    })

    it('takes the media type from the body when the server sends a generic type', async () => {
      const { fake, repo } = await setup()
      const body = Buffer.from('{"mediaType":"application/vnd.oci.image.index.v1+json"}')
      fake.putManifest('acme/app', 'x', body, 'application/json')
      expect((await repo.fetchManifest('x'))?.mediaType).toBe(
        'application/vnd.oci.image.index.v1+json'
      )
    })
  })

  describe('tags', () => {
    it.each([false, true])('follows Link pages (absolute links: %s)', async (absoluteLinks) => {
      const { fake, repo } = await setup({ tagsPageSize: 3, absoluteLinks })
      const tags = ['1.0.0', '1.0.1', '1.1.0', '2.0.0', 'a', 'b', 'latest']
      for (const t of tags) fake.putManifest('acme/app', t, Buffer.from(t), OCI_MANIFEST)
      expect(await repo.listTags()).toEqual(tags)
      expect(fake.requests.filter((r) => r.path.includes('tags/list'))).toHaveLength(3)
    })

    it('returns [] for a repository that does not exist yet', async () => {
      const { repo } = await setup()
      expect(await repo.listTags()).toEqual([])
    })

    it('treats "tags": null as no tags and dedupes across pages', async () => {
      const pages: Record<string, unknown> = {
        '/v2/acme/app/tags/list': { tags: ['a', 'b'] },
        '/v2/acme/app/tags/list?last=b': { tags: ['b', 'c'] },
        '/v2/acme/app/tags/list?last=c': { tags: null }
      }
      const links: Record<string, string> = {
        '/v2/acme/app/tags/list': '</v2/acme/app/tags/list?last=b>; rel="next"',
        '/v2/acme/app/tags/list?last=b': '<list?last=c>; rel="next"'
      }
      const { repo } = await setup({
        intercept: (r) => {
          const headers: Record<string, string> = links[r.path] ? { link: links[r.path] } : {}
          return { status: 200, body: pages[r.path], headers }
        }
      })
      expect(await repo.listTags()).toEqual(['a', 'b', 'c'])
    })
  })

  describe('errors', () => {
    it('names status, method, path, registry codes and what to do', async () => {
      const { repo } = await setup(
        {
          intercept: (r) =>
            r.method === 'PUT'
              ? {
                  status: 403,
                  body: {
                    errors: [{ code: 'DENIED', message: 'permission_denied: write_package' }]
                  }
                }
              : undefined
        },
        USER
      )
      const err = (await rejection(
        repo.pushManifest(Buffer.from('{}'), OCI_MANIFEST, '1.0.0')
      )) as RegistryError
      expect(err).toBeInstanceOf(DeniedError)
      expect(err.message).toMatch(
        /^PUT http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/app\/manifests\/1\.0\.0 answered HTTP 403 Forbidden \(expected 201 Created\): DENIED: permission_denied: write_package\. /
      )
      expect(err.message).toMatch(/not allowed to push to 127\.0\.0\.1:\d+\/acme\/app/)
      expect(err.details).toMatchObject({ method: 'PUT', status: 403, codes: ['DENIED'] })
    })

    it('says when the registry is unreachable', async () => {
      const port = await freePort()
      const client = new RegistryClient({ registry: `127.0.0.1:${port}`, plainHttp: true })
      const err = await rejection(client.repository('acme/app').listTags())
      expect(err).toBeInstanceOf(ConnectionError)
      expect(err.message).toMatch(
        new RegExp(
          `cannot reach the registry: GET http://127\\.0\\.0\\.1:${port}/v2/acme/app/tags/list failed \\(.*ECONNREFUSED.*\\)\\. Check the registry host and port`
        )
      )
    })

    it('says when the host does not speak TLS', async () => {
      const { fake } = await setup()
      const client = new RegistryClient({ registry: fake.host })
      const err = await rejection(client.repository('acme/app').listTags())
      expect(err.message).toMatch(/cannot reach the registry: GET https:.*enable plain HTTP/)
    })

    it('never shows passwords or tokens, in errors or logs', async () => {
      const secret = 'hunter2-VERY-secret'
      const user = { username: 'carol', password: secret }
      const fake = await FakeRegistry.start({
        auth: { kind: 'bearer', ...user },
        intercept: (r) => {
          // Echo the Authorization header back in an error message: it must still not leak.
          const bearer = r.headers.authorization?.startsWith('Bearer ')
          if (bearer && (r.method === 'PUT' || r.path.includes('/tags/list'))) {
            return {
              status: r.method === 'PUT' ? 403 : 500,
              body: { errors: [{ code: 'DENIED', message: `you sent ${r.headers.authorization}` }] }
            }
          }
          return undefined
        }
      })
      cleanups.push(() => fake.stop())
      const logger = recordingLogger()
      const good = new RegistryClient({
        registry: fake.host,
        plainHttp: true,
        credentials: user,
        logger,
        clock: fakeClock()
      })
      const bad = new RegistryClient({
        registry: fake.host,
        plainHttp: true,
        credentials: { username: 'carol', password: `${secret}-wrong` },
        logger
      })
      const port = await freePort()
      const down = new RegistryClient({
        registry: `127.0.0.1:${port}`,
        plainHttp: true,
        credentials: user,
        logger
      })
      const errors = [
        await rejection(
          good.repository('acme/app').pushManifest(Buffer.from('{}'), OCI_MANIFEST, 'x')
        ),
        await rejection(good.repository('acme/app').listTags()),
        await rejection(bad.repository('acme/app').listTags()),
        await rejection(down.repository('acme/app').listTags())
      ]
      const tokens = fake.requests
        .map((r) => r.headers.authorization ?? '')
        .filter((a) => a.startsWith('Bearer '))
        .map((a) => a.slice(7))
      expect(tokens.length).toBeGreaterThan(0)
      const basicValue = Buffer.from(`carol:${secret}`).toString('base64')
      const text = [...errors.map((e) => `${e.message}\n${e.stack}`), ...logger.lines].join('\n')
      expect(errors.map((e) => e.message).join('\n')).toMatch(/you sent (Bearer )?\*\*\*/)
      for (const s of [secret, basicValue, ...tokens]) expect(text).not.toContain(s)
      expect(text).not.toMatch(/authorization:/i)
    })
  })
})
