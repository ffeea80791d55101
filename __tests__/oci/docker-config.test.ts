import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  credentialsFromDockerConfig,
  dockerConfigPath,
  normalHost
} from '../../src/oci/docker-config.js'
import { recordingLogger, rejection } from './support.js'

const b64 = (s: string): string => Buffer.from(s).toString('base64')

describe('credentialsFromDockerConfig', () => {
  let dir: string
  let bin: string
  let env: NodeJS.ProcessEnv
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'docker-config-'))
    bin = join(dir, 'bin')
    mkdirSync(bin)
    env = { DOCKER_CONFIG: join(dir, 'cfg'), PATH: `${bin}:/usr/bin:/bin`, HOME: join(dir, 'home') }
    mkdirSync(join(dir, 'cfg'))
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  const writeConfig = (config: unknown): void =>
    writeFileSync(join(dir, 'cfg', 'config.json'), JSON.stringify(config))

  /** A docker-credential-<name> that logs its stdin and answers per server URL. */
  function helper(name: string, answers: Record<string, string>, fallback = 'not-found'): string {
    const log = join(dir, `${name}.log`)
    const cases = Object.entries(answers)
      .map(([server, json]) => `  '${server}') printf '%s' '${json}' ;;`)
      .join('\n')
    const otherwise =
      fallback === 'not-found'
        ? "echo 'credentials not found in native keychain'; exit 1"
        : fallback
    writeFileSync(
      join(bin, `docker-credential-${name}`),
      `#!/bin/sh\n[ "$1" = get ] || exit 2\nread -r server\necho "$server" >> '${log}'\ncase "$server" in\n${cases}\n  *) ${otherwise} ;;\nesac\n`
    )
    chmodSync(join(bin, `docker-credential-${name}`), 0o755)
    return log
  }

  it('returns undefined without a config file', async () => {
    expect(await credentialsFromDockerConfig('ghcr.io', env)).toBeUndefined()
  })

  it('reads $DOCKER_CONFIG/config.json, else ~/.docker/config.json', () => {
    expect(dockerConfigPath({ DOCKER_CONFIG: '/x/y', HOME: '/h' })).toBe('/x/y/config.json')
    expect(dockerConfigPath({ HOME: '/h' })).toBe('/h/.docker/config.json')
  })

  it('decodes an "auth" entry keyed by host, and masks what it found', async () => {
    writeConfig({ auths: { 'ghcr.io': { auth: b64('octo:ghp_secret:with:colons') } } })
    const logger = recordingLogger()
    expect(await credentialsFromDockerConfig('ghcr.io', env, logger)).toEqual({
      username: 'octo',
      password: 'ghp_secret:with:colons'
    })
    expect(logger.secrets).toEqual(
      expect.arrayContaining(['ghp_secret:with:colons', b64('octo:ghp_secret:with:colons')])
    )
  })

  it('reads username and password fields, under ~/.docker without DOCKER_CONFIG', async () => {
    mkdirSync(join(dir, 'home', '.docker'), { recursive: true })
    writeFileSync(
      join(dir, 'home', '.docker', 'config.json'),
      JSON.stringify({ auths: { 'registry.example.com': { username: 'u', password: 'p4ss' } } })
    )
    const noDockerConfig = { ...env, DOCKER_CONFIG: undefined }
    expect(await credentialsFromDockerConfig('registry.example.com', noDockerConfig)).toEqual({
      username: 'u',
      password: 'p4ss'
    })
  })

  it.each([
    ['https://ghcr.io', 'ghcr.io'],
    ['https://ghcr.io/v2/', 'ghcr.io'],
    ['http://127.0.0.1:5000', '127.0.0.1:5000'],
    ['https://index.docker.io/v1/', 'docker.io'],
    ['registry-1.docker.io', 'docker.io'],
    ['GHCR.IO', 'ghcr.io']
  ])('matches the URL-keyed entry %s for %s', async (key, registry) => {
    writeConfig({ auths: { [key]: { auth: b64('me:pw-1234') } } })
    expect(await credentialsFromDockerConfig(registry, env)).toEqual({
      username: 'me',
      password: 'pw-1234'
    })
  })

  it('prefers the exact key and does not match other hosts or ports', async () => {
    writeConfig({
      auths: {
        'https://ghcr.io': { auth: b64('url:form') },
        'ghcr.io': { auth: b64('exact:form') },
        '127.0.0.1:5001': { auth: b64('other:port') }
      }
    })
    expect((await credentialsFromDockerConfig('ghcr.io', env))?.username).toBe('exact')
    expect(await credentialsFromDockerConfig('127.0.0.1:5000', env)).toBeUndefined()
    expect(await credentialsFromDockerConfig('quay.io', env)).toBeUndefined()
  })

  it('passes an identity token on, and ignores empty entries', async () => {
    writeConfig({
      auths: {
        'myregistry.azurecr.io': {
          auth: b64('00000000-0000-0000-0000-000000000000:'),
          identitytoken: 'eyJ.refresh'
        },
        'ghcr.io': {}
      }
    })
    const logger = recordingLogger()
    expect(await credentialsFromDockerConfig('myregistry.azurecr.io', env, logger)).toEqual({
      username: '00000000-0000-0000-0000-000000000000',
      password: '',
      identityToken: 'eyJ.refresh'
    })
    expect(logger.secrets).toContain('eyJ.refresh')
    expect(await credentialsFromDockerConfig('ghcr.io', env)).toBeUndefined()
  })

  it('says which file is broken', async () => {
    writeFileSync(join(dir, 'cfg', 'config.json'), '{ not json')
    expect((await rejection(credentialsFromDockerConfig('ghcr.io', env))).message).toMatch(
      /the docker config .*cfg\/config\.json is not valid JSON/
    )
    writeConfig({ auths: { 'ghcr.io': { auth: b64('no-colon') } } })
    expect((await rejection(credentialsFromDockerConfig('ghcr.io', env))).message).toMatch(
      /the "auth" of "ghcr\.io" in .* is not base64 of "username:password"/
    )
  })

  it('asks a credHelpers helper with the server URL on stdin', async () => {
    const log = helper('fake', {
      'ghcr.io': '{"ServerURL":"ghcr.io","Username":"hu","Secret":"helper-s3cret"}'
    })
    writeConfig({
      credHelpers: { 'ghcr.io': 'fake' },
      auths: { 'ghcr.io': { auth: b64('file:pw') } }
    })
    const logger = recordingLogger()
    expect(await credentialsFromDockerConfig('ghcr.io', env, logger)).toEqual({
      username: 'hu',
      password: 'helper-s3cret'
    })
    expect(readFileSync(log, 'utf8')).toBe('ghcr.io\n')
    expect(logger.secrets).toContain('helper-s3cret')
  })

  it('asks the credsStore with the key docker login wrote', async () => {
    const log = helper('store', {
      'https://ghcr.io': '{"Username":"<token>","Secret":"identity-abc"}'
    })
    writeConfig({ credsStore: 'store', auths: { 'https://ghcr.io': {} } })
    expect(await credentialsFromDockerConfig('ghcr.io', env)).toEqual({
      username: '<token>',
      password: '',
      identityToken: 'identity-abc'
    })
    expect(readFileSync(log, 'utf8')).toBe('https://ghcr.io\n')
  })

  it("uses Docker Hub's server URL with helpers", async () => {
    const log = helper('hub', {
      'https://index.docker.io/v1/': '{"Username":"whale","Secret":"hub-pw"}'
    })
    writeConfig({ credsStore: 'hub' })
    expect(await credentialsFromDockerConfig('docker.io', env)).toEqual({
      username: 'whale',
      password: 'hub-pw'
    })
    expect(readFileSync(log, 'utf8')).toBe('https://index.docker.io/v1/\n')
  })

  it('falls back to the auths entry when the helper has nothing', async () => {
    helper('empty', {})
    writeConfig({ credsStore: 'empty', auths: { 'ghcr.io': { auth: b64('file:pw-file') } } })
    expect(await credentialsFromDockerConfig('ghcr.io', env)).toEqual({
      username: 'file',
      password: 'pw-file'
    })
    writeConfig({ credsStore: 'empty' })
    expect(await credentialsFromDockerConfig('ghcr.io', env)).toBeUndefined()
  })

  it('fails clearly when the helper fails', async () => {
    helper('broken', {}, "echo 'keychain is locked' >&2; exit 3")
    writeConfig({ credHelpers: { 'ghcr.io': 'broken' } })
    expect((await rejection(credentialsFromDockerConfig('ghcr.io', env))).message).toBe(
      'the docker credential helper docker-credential-broken failed for ghcr.io (exit code 3): ' +
        'keychain is locked. Fix the helper (e.g. log in again), or give the credentials another way.'
    )
  })

  it('stops a helper that prints without end, and says so', async () => {
    helper('flood', {}, 'yes credentials')
    writeConfig({ credHelpers: { 'ghcr.io': 'flood' } })
    expect((await rejection(credentialsFromDockerConfig('ghcr.io', env))).message).toBe(
      'the docker credential helper docker-credential-flood could not run: it printed more ' +
        'than 1048576 bytes'
    )
  })

  it('answers from a helper that does not read its stdin', async () => {
    writeFileSync(
      join(bin, 'docker-credential-deaf'),
      `#!/bin/sh\nprintf '%s' '{"Username":"u","Secret":"s"}'\n`
    )
    chmodSync(join(bin, 'docker-credential-deaf'), 0o755)
    writeConfig({ credsStore: 'deaf' })
    expect(await credentialsFromDockerConfig('ghcr.io', env)).toEqual({
      username: 'u',
      password: 's'
    })
  })

  it('counts only an executable helper as installed', async () => {
    writeFileSync(join(bin, 'docker-credential-plain'), '#!/bin/sh\nexit 0\n')
    chmodSync(join(bin, 'docker-credential-plain'), 0o644)
    writeConfig({ credsStore: 'plain', auths: { 'ghcr.io': { auth: b64('file:pw-3') } } })
    const logger = recordingLogger()
    expect(await credentialsFromDockerConfig('ghcr.io', env, logger)).toEqual({
      username: 'file',
      password: 'pw-3'
    })
    expect(logger.lines.join('\n')).toMatch(/docker-credential-plain .* not installed/)
  })

  it('ignores a helper that is not installed, with a warning', async () => {
    writeConfig({ credsStore: 'desktop', auths: { 'ghcr.io': { auth: b64('file:pw-2') } } })
    const logger = recordingLogger()
    expect(await credentialsFromDockerConfig('ghcr.io', env, logger)).toEqual({
      username: 'file',
      password: 'pw-2'
    })
    expect(logger.lines.join('\n')).toMatch(
      /docker-credential-desktop .* not installed: ignoring it/
    )
  })

  it('normalises hosts', () => {
    expect(normalHost('https://Index.Docker.io/v1/')).toBe('docker.io')
    expect(normalHost('http://localhost:5000/')).toBe('localhost:5000')
  })
})
