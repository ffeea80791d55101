// Token authentication as ghcr.io does it, through our proxy in front of the real registry:
// scopes per repository, token reuse, anonymous pulls, one refresh of an expired token, clear
// errors for bad passwords, missing push rights and unreachable hosts, docker config.json
// credentials, and no secret ever printed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  RegistryClient,
  RegistryCredentials,
  RegistryError,
  bufferBlob,
  credentialsFromDockerConfig,
  sha256Digest
} from '../../src/oci/index.js'
import type { Logger } from '../../src/log.js'
import { FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js'
import { RunningRegistry, startRegistry, freePort } from '../helpers/registry.js'

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const WRITER = { username: 'writer', password: 'writer-Pa55-0123456789' }
const READER = { username: 'reader', password: 'reader-Pa55-9876543210' }
const WRONG = { username: 'writer', password: 'not-the-right-one-42' }
const HELPER_SECRET = 'helper-Secret-ABCDEF'

/** Every line logged and every error seen, for the leak check at the end. */
const lines: string[] = []
const errors: Error[] = []
const masked: string[] = []

function logger(): Logger {
  return {
    info: (m) => lines.push(m),
    warning: (m) => lines.push(m),
    debug: (m) => lines.push(m),
    secret: (v) => masked.push(v),
    group: (_t, fn) => fn()
  }
}

async function failure(p: Promise<unknown>): Promise<Error> {
  const err = await p.then(
    () => new Error('expected a failure'),
    (e: Error) => e
  )
  errors.push(err)
  return err
}

/** A small artifact: one blob, one manifest, a tag. */
async function pushSmall(client: RegistryClient, repoName: string, tag: string): Promise<string> {
  const repo = client.repository(repoName)
  const layer = bufferBlob(Buffer.from(`content of ${repoName}:${tag}\n`.repeat(100)))
  const config = bufferBlob(Buffer.from('{}'))
  await repo.pushBlobs([layer, config])
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.example.config.v1+json', ...descriptor(config) },
      layers: [{ mediaType: 'application/octet-stream', ...descriptor(layer) }]
    })
  )
  const digest = sha256Digest(body)
  await repo.pushManifest(body, OCI_MANIFEST, digest)
  await repo.pushManifest(body, OCI_MANIFEST, tag)
  return digest
}

function descriptor(b: { digest: string; size: number }): { digest: string; size: number } {
  return { digest: b.digest, size: b.size }
}

describe('registry token authentication through a ghcr.io-like proxy', () => {
  let registry: RunningRegistry
  let proxy: FaultProxy
  let publicProxy: FaultProxy
  let workdir: string
  beforeAll(async () => {
    workdir = mkdtempSync(join(tmpdir(), 'oci-auth-it-'))
    registry = await startRegistry()
    proxy = await startFaultProxy({
      upstream: registry.url,
      auth: { users: [WRITER, { ...READER, actions: ['pull'] }] }
    })
    publicProxy = await startFaultProxy({
      upstream: registry.url,
      auth: { users: [WRITER], anonymousPull: true }
    })
  }, 30_000)
  afterAll(async () => {
    await Promise.all([proxy?.stop(), publicProxy?.stop()])
    await registry?.stop()
    rmSync(workdir, { recursive: true, force: true })
  })

  const client = (p: FaultProxy, credentials?: RegistryCredentials): RegistryClient =>
    new RegistryClient({
      registry: p.host,
      plainHttp: true,
      credentials,
      logger: logger(),
      retryBaseDelayMs: 10,
      retryBudgetMs: 5000
    })

  it('asks one pull,push token per repository and reuses it', async () => {
    const c = client(proxy, WRITER)
    const before = { ...proxy.stats }
    await pushSmall(c, 'acme/plugin/demo', '1.0.0')
    await pushSmall(c, 'acme/ruleset/demo', '1.0.0')
    await pushSmall(c, 'acme/plugin/demo', '1.0.1')
    // The challenge named a pull scope; the client asked for what it needs, once per repository.
    expect(proxy.requestedScopes).toEqual([
      'repository:acme/plugin/demo:pull,push',
      'repository:acme/ruleset/demo:pull,push'
    ])
    expect(proxy.stats.tokenRequests - before.tokenRequests).toBe(2)
    // Only the first requests, sent before the client knew the scheme, were challenged (the two
    // blob HEADs run concurrently); the second repository's token was fetched up front.
    expect(proxy.stats.challenges - before.challenges).toBeLessThanOrEqual(2)
    expect(proxy.stats.denials).toBe(0)
  })

  it('reads a public repository with an anonymous pull token', async () => {
    const digest = await pushSmall(client(publicProxy, WRITER), 'acme/public/demo', '1.0.0')
    const scopesBefore = publicProxy.requestedScopes.length
    const anonymous = client(publicProxy)
    expect(await anonymous.repository('acme/public/demo').resolveTag('1.0.0')).toBe(digest)
    expect(publicProxy.requestedScopes.slice(scopesBefore)).toEqual([
      'repository:acme/public/demo:pull'
    ])
    // Without credentials, a push is refused with a clear message.
    const err = await failure(pushSmall(anonymous, 'acme/public/demo', '2.0.0'))
    expect(err.message).toMatch(
      /POST .* answered HTTP 403 Forbidden .*refused anonymous access to 127\.0\.0\.1:\d+\/acme\/public\/demo: pass a username and password\.$/
    )
  })

  it('refreshes an expired token once per repository, then carries on', async () => {
    const c = client(proxy, WRITER)
    await pushSmall(c, 'acme/expiry/a', '1.0.0')
    await pushSmall(c, 'acme/expiry/b', '1.0.0')
    const tokens = proxy.stats.tokenRequests
    const challenges = proxy.stats.challenges
    proxy.expireTokens()
    await pushSmall(c, 'acme/expiry/a', '1.0.1')
    await pushSmall(c, 'acme/expiry/b', '1.0.1')
    // One new token per repository, even though concurrent requests were refused together.
    expect(proxy.stats.tokenRequests - tokens).toBe(2)
    expect(proxy.stats.challenges - challenges).toBeGreaterThanOrEqual(2)
    const direct = new RegistryClient({ registry: registry.host, plainHttp: true })
    expect(await direct.repository('acme/expiry/b').listTags()).toEqual(['1.0.0', '1.0.1'])
  })

  it('says the password is wrong', async () => {
    const err = await failure(pushSmall(client(proxy, WRONG), 'acme/plugin/demo', '9.9.9'))
    expect(err).toBeInstanceOf(RegistryError)
    expect(err.message).toMatch(
      /^GET http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 401 Unauthorized: UNAUTHORIZED: authentication required\. The registry rejected the credentials: check the username and password for 127\.0\.0\.1:\d+\.$/
    )
  })

  it('names packages: write when the token may only pull', async () => {
    const denials = proxy.stats.denials
    const err = await failure(pushSmall(client(proxy, READER), 'acme/plugin/demo', '9.9.9'))
    expect(err.message).toMatch(
      /^POST http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/plugin\/demo\/blobs\/uploads\/ answered HTTP 403 Forbidden \(expected 202 Accepted\): DENIED: permission_denied: write_package\./
    )
    expect(err.message).toContain('not allowed to push to 127.0.0.1')
    expect(err.message).toContain('`permissions: packages: write`')
    expect(err.message).toContain('"Manage Actions access"')
    // Refused at once: a 403 is not retried.
    expect(proxy.stats.denials - denials).toBe(1)
    // Reading is allowed.
    const direct = client(proxy, READER)
    expect(await direct.repository('acme/plugin/demo').listTags()).toEqual(['1.0.0', '1.0.1'])
  })

  it('says when the registry cannot be reached', async () => {
    const port = await freePort()
    const c = new RegistryClient({
      registry: `127.0.0.1:${port}`,
      plainHttp: true,
      credentials: WRITER,
      logger: logger()
    })
    const start = Date.now()
    const err = await failure(pushSmall(c, 'acme/plugin/demo', '1.0.0'))
    expect(Date.now() - start).toBeLessThan(25_000) // no retries within the default 300 s budget
    expect(err.message).toMatch(
      /^cannot reach the registry: HEAD http:\/\/127\.0\.0\.1:\d+\/v2\/acme\/plugin\/demo\/blobs\/sha256:[0-9a-f]{64} failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)\. Check the registry host and port, and that this machine can reach it\.$/
    )
  })

  it('logs in with docker config.json credentials when none are given', async () => {
    const dir = join(workdir, 'docker')
    mkdirSync(dir)
    const auth = Buffer.from(`${WRITER.username}:${WRITER.password}`).toString('base64')
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ auths: { [`http://${proxy.host}`]: { auth } } })
    )
    const env = { ...process.env, DOCKER_CONFIG: dir }
    const log = logger()
    const credentials = await credentialsFromDockerConfig(proxy.host, env, log)
    expect(credentials).toEqual(WRITER)
    expect(masked).toEqual(expect.arrayContaining([WRITER.password, auth]))
    await pushSmall(client(proxy, credentials), 'acme/dockercfg/demo', '1.0.0')
  })

  it('logs in through a docker credential helper', async () => {
    const dir = join(workdir, 'helper')
    const bin = join(dir, 'bin')
    mkdirSync(bin, { recursive: true })
    const script = join(bin, 'docker-credential-testvault')
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credsStore: 'testvault' }))
    // A registry that knows the helper's user.
    const helperProxy = await startFaultProxy({
      upstream: registry.url,
      auth: { users: [{ username: 'helper', password: HELPER_SECRET }] }
    })
    try {
      const env = { ...process.env, DOCKER_CONFIG: dir, PATH: `${bin}:${process.env.PATH}` }
      // The helper answers for this proxy's host only.
      writeFileSync(
        script,
        `#!/bin/sh\nread -r server\n[ "$server" = "${helperProxy.host}" ] || { echo "credentials not found in native keychain"; exit 1; }\nprintf '{"ServerURL":"%s","Username":"helper","Secret":"${HELPER_SECRET}"}' "$server"\n`
      )
      chmodSync(script, 0o755)
      const credentials = await credentialsFromDockerConfig(helperProxy.host, env, logger())
      expect(credentials).toEqual({ username: 'helper', password: HELPER_SECRET })
      await pushSmall(client(helperProxy, credentials), 'acme/helper/demo', '1.0.0')
      expect(await credentialsFromDockerConfig('elsewhere.example:5000', env)).toBeUndefined()
      proxy.issuedTokens.push(...helperProxy.issuedTokens)
    } finally {
      await helperProxy.stop()
    }
  })

  it('never prints a password, a Basic value or a token', () => {
    const tokens = [...proxy.issuedTokens, ...publicProxy.issuedTokens]
    expect(tokens.length).toBeGreaterThan(5)
    const secrets = [WRITER, READER, WRONG].flatMap((u) => [
      u.password,
      Buffer.from(`${u.username}:${u.password}`).toString('base64')
    ])
    secrets.push(HELPER_SECRET, ...tokens)
    const text = [...lines, ...errors.map((e) => `${e.message}\n${e.stack ?? ''}`)].join('\n')
    expect(errors.length).toBeGreaterThanOrEqual(4)
    for (const s of secrets) expect(text).not.toContain(s)
    // Every token the clients received was registered for masking before use.
    const received = proxy.issuedTokens.filter((t) => masked.includes(t))
    expect(received.length).toBe(proxy.issuedTokens.length)
  })
})
