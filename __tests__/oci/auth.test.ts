import { afterEach, describe, expect, it } from '@jest/globals'
import { AuthClient, parseChallenges } from '../../src/oci/auth.js'
import { bufferBlob, sha256Digest } from '../../src/oci/blob.js'
import { RegistryError } from '../../src/oci/errors.js'
import { RegistryClient } from '../../src/oci/registry.js'
import type { RegistryCredentials } from '../../src/oci/types.js'
import { FakeRegistry, FakeRegistryOptions, basic } from '../helpers/fake-registry.js'
import { recordingLogger, rejection } from './support.js'

const MANIFEST = Buffer.from('{"schemaVersion":2}')
const TYPE = 'application/vnd.oci.image.manifest.v1+json'
const ALICE = { username: 'alice', password: 's3cret-pass' }

describe('parseChallenges', () => {
  it('reads a bearer challenge with a quoted, comma-separated scope', () => {
    const header =
      'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"'
    expect(parseChallenges(header)).toEqual([
      {
        scheme: 'bearer',
        params: {
          realm: 'https://ghcr.io/token',
          service: 'ghcr.io',
          scope: 'repository:a/b:pull,push'
        }
      }
    ])
  })

  it('reads several challenges, unquoted values and escapes', () => {
    expect(
      parseChallenges('Basic realm="a \\"b\\"", Bearer realm=https://x/t , service=x')
    ).toEqual([
      { scheme: 'basic', params: { realm: 'a "b"' } },
      { scheme: 'bearer', params: { realm: 'https://x/t', service: 'x' } }
    ])
  })

  it('returns nothing for an empty header', () => {
    expect(parseChallenges('')).toEqual([])
  })
})

describe('registry authentication', () => {
  let fake: FakeRegistry | undefined
  afterEach(async () => {
    await fake?.stop()
    fake = undefined
  })

  async function setup(
    opts: FakeRegistryOptions,
    credentials?: RegistryCredentials
  ): Promise<{
    fake: FakeRegistry
    client: RegistryClient
    logger: ReturnType<typeof recordingLogger>
  }> {
    fake = await FakeRegistry.start(opts)
    const logger = recordingLogger()
    const client = new RegistryClient({ registry: fake.host, plainHttp: true, credentials, logger })
    return { fake, client, logger }
  }

  it('gets an anonymous pull token for reads', async () => {
    const { fake, client } = await setup({ auth: { kind: 'bearer', anonymousPull: true } })
    const digest = fake.putManifest('pub/app', '1.0.0', MANIFEST, TYPE)
    expect(await client.repository('pub/app').resolveTag('1.0.0')).toBe(digest)
    const tokenCalls = fake.requests.filter((r) => r.path.startsWith('/token'))
    expect(tokenCalls).toHaveLength(1)
    expect(tokenCalls[0].headers.authorization).toBeUndefined()
    expect(new URL(tokenCalls[0].path, fake.url).searchParams.get('scope')).toBe(
      'repository:pub/app:pull'
    )
  })

  it('fails clearly when an anonymous client tries to push', async () => {
    const { client } = await setup({ auth: { kind: 'bearer', anonymousPull: true } })
    const err = await rejection(client.repository('pub/app').pushBlob(bufferBlob(Buffer.from('x'))))
    expect(err).toBeInstanceOf(RegistryError)
    expect(err.message).toMatch(/HTTP 401.*no credentials were given: pass a username and password/)
  })

  it('sends Basic credentials after a Basic challenge, then up front', async () => {
    const { fake, client } = await setup({ auth: { kind: 'basic', ...ALICE } }, ALICE)
    const repo = client.repository('team/app')
    await repo.pushBlob(bufferBlob(Buffer.from('hello')))
    await repo.pushManifest(MANIFEST, TYPE, 'v1')
    expect(await repo.listTags()).toEqual(['v1'])
    const unauthenticated = fake.requests.filter((r) => r.headers.authorization === undefined)
    expect(unauthenticated).toHaveLength(1)
    expect(
      fake.requests
        .slice(1)
        .every((r) => r.headers.authorization === basic('alice', ALICE.password))
    ).toBe(true)
  })

  it('fails clearly on a Basic challenge without credentials', async () => {
    const { client } = await setup({ auth: { kind: 'basic', ...ALICE } })
    const err = await rejection(client.repository('team/app').listTags())
    expect(err.message).toMatch(/requires credentials \(HTTP Basic\) and none were given/)
  })

  it('exchanges credentials for a pull,push token and reuses it', async () => {
    const { fake, client, logger } = await setup({ auth: { kind: 'bearer', ...ALICE } }, ALICE)
    const repo = client.repository('team/app')
    await repo.pushBlob(bufferBlob(Buffer.from('one')))
    await repo.pushBlob(bufferBlob(Buffer.from('two')))
    await repo.pushManifest(MANIFEST, TYPE, '1.0.0')
    expect(await repo.resolveTag('1.0.0')).toBe(sha256Digest(MANIFEST))
    expect(await repo.listTags()).toEqual(['1.0.0'])
    expect(fake.tokenRequests).toBe(1)
    const tokenCall = fake.requests.find((r) => r.path.startsWith('/token'))
    expect(tokenCall?.headers.authorization).toBe(basic('alice', ALICE.password))
    const params = new URL(tokenCall?.path ?? '', fake.url).searchParams
    expect(params.get('scope')).toBe('repository:team/app:pull,push')
    expect(params.get('service')).toBe('fake-registry')
    // The token is registered as a secret before use.
    const token = fake.requests.at(-1)?.headers.authorization?.replace('Bearer ', '')
    expect(logger.secrets).toContain(token)
    expect(logger.secrets).toContain(ALICE.password)
  })

  it('accepts access_token and keeps one token per repository', async () => {
    const { fake, client } = await setup(
      { auth: { kind: 'bearer', ...ALICE, tokenField: 'access_token' } },
      ALICE
    )
    await client.repository('team/a').listTags()
    await client.repository('team/b').listTags()
    await client.repository('team/a').listTags()
    expect(fake.tokenRequests).toBe(2)
  })

  it('shares one token request between concurrent requests', async () => {
    const { fake, client } = await setup({ auth: { kind: 'bearer', ...ALICE } }, ALICE)
    const repo = client.repository('team/app')
    // All three are refused (no token yet) and renew at once: one token request between them.
    await Promise.all([repo.listTags(), repo.resolveTag('a'), repo.resolveTag('b')])
    expect(fake.tokenRequests).toBe(1)
    // Once the scheme is known, concurrent requests to another repository share one too.
    const other = client.repository('team/other')
    await Promise.all([other.listTags(), other.resolveTag('a'), other.resolveTag('b')])
    expect(fake.tokenRequests).toBe(2)
  })

  it('re-authenticates once when a cached token is rejected', async () => {
    const { fake, client } = await setup({ auth: { kind: 'bearer', ...ALICE } }, ALICE)
    const repo = client.repository('team/app')
    await repo.pushManifest(MANIFEST, TYPE, '1.0.0')
    expect(fake.tokenRequests).toBe(1)
    fake.revokeTokens()
    expect(await repo.resolveTag('1.0.0')).toBe(sha256Digest(MANIFEST))
    expect(fake.tokenRequests).toBe(2)
  })

  it('reports rejected credentials with advice', async () => {
    const { client } = await setup(
      { auth: { kind: 'bearer', ...ALICE } },
      { username: 'alice', password: 'wrong-password' }
    )
    const err = await rejection(client.repository('team/app').listTags())
    expect(err).toBeInstanceOf(RegistryError)
    expect(err.message).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 401/)
    expect(err.message).toMatch(/check the username and password/)
    expect(err.message).not.toContain('wrong-password')
  })

  it('asks each repository its own pull,push scope (plugin and rules are separate)', async () => {
    const { fake, client } = await setup({ auth: { kind: 'bearer', ...ALICE } }, ALICE)
    const plugin = client.repository('acme/plugins/plugin/foo')
    const rules = client.repository('acme/plugins/ruleset/foo')
    for (const repo of [plugin, rules, plugin, rules]) {
      await repo.pushBlob(bufferBlob(Buffer.from(repo.name)))
      await repo.pushManifest(MANIFEST, TYPE, '1.0.0')
    }
    const scopes = fake.requests
      .filter((r) => r.path.startsWith('/token'))
      .map((r) => new URL(r.path, fake.url).searchParams.get('scope'))
    expect(scopes).toEqual([
      'repository:acme/plugins/plugin/foo:pull,push',
      'repository:acme/plugins/ruleset/foo:pull,push'
    ])
  })

  it('exchanges a docker identity token with the OAuth2 refresh-token grant', async () => {
    const identity = { username: '<token>', password: '', identityToken: 'refresh-xyz-123' }
    const { fake, client, logger } = await setup(
      { auth: { kind: 'bearer', refreshToken: identity.identityToken } },
      identity
    )
    const repo = client.repository('team/app')
    await repo.pushManifest(MANIFEST, TYPE, '1.0.0')
    expect(await repo.listTags()).toEqual(['1.0.0'])
    const tokenCalls = fake.requests.filter((r) => r.path.startsWith('/token'))
    expect(tokenCalls.map((r) => r.method)).toEqual(['POST'])
    expect(tokenCalls[0].headers.authorization).toBeUndefined()
    expect(tokenCalls[0].headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(logger.secrets).toContain(identity.identityToken)
    await fake.stop()
    const wrong = await setup(
      { auth: { kind: 'bearer', refreshToken: 'another' } },
      { ...identity, identityToken: 'stale-refresh-token' }
    )
    const err = await rejection(wrong.client.repository('team/app').listTags())
    expect(err.message).toMatch(/POST http:\/\/127\.0\.0\.1:\d+\/token answered HTTP 401/)
    expect(err.message).not.toContain('stale-refresh-token')
  })
})

describe('AuthClient', () => {
  it('never sends credentials to a plain-HTTP token endpoint of an HTTPS registry', async () => {
    let calls = 0
    const registry = 'registry.example.com'
    const auth = new AuthClient(
      {
        send: () => {
          calls++
          throw new Error('must not be called')
        }
      },
      {
        registry,
        origin: `https://${registry}`,
        plainHttp: false,
        credentials: ALICE,
        source: { registry, hasCredentials: true, redact: (t) => t },
        secret: () => undefined
      }
    )
    const err = await rejection(auth.renew('Bearer realm="http://evil.example/token"', undefined))
    expect(err.message).toMatch(/refusing to send credentials .* not HTTPS/)
    expect(err.message).not.toContain(ALICE.password)
    expect(calls).toBe(0)
  })
})
