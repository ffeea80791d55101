// Signed releases through the bundled action (`node dist/index.js`), checked with the real
// verifiers: cosign v3.1.3 and falcoctl v0.13.0. Keyless signing runs against local stand-ins
// for GitHub's OIDC token service, Fulcio and Rekor (test/helpers/sigstore.ts); falcoctl gets
// their trusted root through a local TUF repository (test/helpers/tuf-repo.ts).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createPublicKey } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import { RegistryClient } from '../../src/oci/registry.js'
import { runAction, type ActionRun } from '../helpers/action.js'
import { cosign } from '../helpers/cosign.js'
import { startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js'
import { FALCOCTL_VERSIONS, falcoctlInstall } from '../helpers/falcoctl.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { startReferrersRegistry } from '../helpers/referrers-registry.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'
import { startSigstoreStandIns, type SigstoreStandIns } from '../helpers/sigstore.js'
import { startTufRepo, type TufRepo } from '../helpers/tuf-repo.js'

const FIXTURES = join(process.cwd(), '__tests__', 'sign', 'fixtures')
const KEY = readFileSync(join(FIXTURES, 'cosign.key'), 'utf8')
const KEY_PASSWORD = 'fixture-password'
const TOKEN = 'ghs_signingTestToken123'
const REPO = 'acme/falco-plugins'

const rules = (name: string, version: string, extra = '') =>
  `- required_engine_version: 0.31.0\n- required_plugin_versions:\n    - name: ${name}\n      version: ${version}\n${extra}`

type IndexEntry = { name: string; signature?: { cosign: Record<string, unknown> } }
const readIndex = (path: string) => parseYaml(readFileSync(path, 'utf8')) as IndexEntry[]

/** Every tag of the plugin and rules repositories of `name`. */
async function allTags(reg: RunningRegistry, name: string): Promise<string[]> {
  const client = new RegistryClient({ registry: reg.host, plainHttp: true })
  const plugin = await client.repository(`${REPO}/plugin/${name}`).listTags()
  const rulesTags = await client.repository(`${REPO}/ruleset/${name}`).listTags()
  return [...plugin.map((t) => `plugin:${t}`), ...rulesTags.map((t) => `ruleset:${t}`)].sort()
}

/** PEM files and the TUF repository falcoctl needs to verify against the stand-ins offline. */
async function falcoctlTrust(standIns: SigstoreStandIns): Promise<{
  env: Record<string, string>
  tuf: TufRepo
}> {
  const tr = standIns.trustedRoot() as {
    tlogs: Array<{ publicKey: { rawBytes: string } }>
    ctlogs: Array<{ publicKey: { rawBytes: string } }>
    certificateAuthorities: Array<{ certChain: { certificates: Array<{ rawBytes: string }> } }>
  }
  const dir = mkdtempSync(join(tmpdir(), 'fpr-trust-'))
  const pem = (b64: string) =>
    createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' })
      .export({ format: 'pem', type: 'spki' })
      .toString()
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text)
    return join(dir, name)
  }
  const root = tr.certificateAuthorities[0].certChain.certificates[0].rawBytes
  const tuf = await startTufRepo(tr)
  return {
    tuf,
    env: {
      ...tuf.env,
      // Read by cosign's library before the trusted root: the CT log and Rekor keys, Fulcio's root.
      SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: file('ctlog.pub', pem(tr.ctlogs[0].publicKey.rawBytes)),
      SIGSTORE_REKOR_PUBLIC_KEY: file('rekor.pub', pem(tr.tlogs[0].publicKey.rawBytes)),
      SIGSTORE_ROOT_FILE: file(
        'fulcio.pem',
        `-----BEGIN CERTIFICATE-----\n${root.replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`
      )
    }
  }
}

describe.each([
  ['docker-registry 2.8 (no referrers API)', startRegistry],
  ['a registry with the referrers API', startReferrersRegistry]
] as const)('signed releases on %s', (_name, start) => {
  let reg: RunningRegistry
  let gh: FakeGitHub
  let standIns: SigstoreStandIns
  let trust: { env: Record<string, string>; tuf: TufRepo }

  beforeAll(async () => {
    reg = await start()
    gh = await startFakeGitHub({ token: TOKEN })
    standIns = await startSigstoreStandIns({
      repository: REPO,
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/1.0.0'
    })
    trust = await falcoctlTrust(standIns)
  }, 60_000)
  afterAll(async () => {
    await reg?.stop()
    await gh?.stop()
    await standIns?.stop()
    await trust?.tuf.stop()
  })

  async function release(
    dir: string,
    goPackage: string,
    tag: string,
    inputs: Record<string, string>,
    env: Record<string, string> = {}
  ): Promise<ActionRun> {
    return runAction({
      cwd: dir,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': dir,
        'go-package': goPackage,
        'github-token': TOKEN,
        'fulcio-url': standIns.url,
        'rekor-url': standIns.url,
        ...inputs
      },
      env: {
        GITHUB_REF: `refs/tags/${tag}`,
        GITHUB_API_URL: gh.apiUrl,
        GITHUB_REPOSITORY: REPO,
        GITHUB_SHA: 'a'.repeat(40),
        ...env
      }
    })
  }

  it('keyless: signs plugin and rules in both formats, index.yaml names the workflow, cosign and falcoctl verify', async () => {
    const name = `kl${start === startRegistry ? 'a' : 'b'}`
    const f = await makePluginFixture({
      kind: 'extractor',
      name,
      version: '1.0.0',
      rules: rules(name, '1.0.0')
    })
    gh.createTag('acme', 'falco-plugins', '1.0.0')
    const run = await release(f.dir, f.goPackage, '1.0.0', {}, standIns.runnerEnv)
    expect(run.stdout).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(run.outputs.signed).toBe('true')

    // The index entry tells falcoctl which workflow signs.
    const entries = readIndex(run.outputs['index-file'])
    const expected = {
      'certificate-oidc-issuer': standIns.issuer,
      'certificate-identity-regexp':
        '^https://github\\.com/acme/falco-plugins/\\.github/workflows/release\\.yml@'
    }
    for (const n of [name, `${name}-rules`]) {
      expect(entries.find((e) => e.name === n)?.signature).toEqual({ cosign: expected })
    }

    // cosign, both formats, both artifacts, with the identity regexp the index carries.
    const dir = mkdtempSync(join(tmpdir(), 'fpr-tr-'))
    const trustedRoot = join(dir, 'trusted_root.json')
    writeFileSync(trustedRoot, JSON.stringify(standIns.trustedRoot()))
    for (const ref of [
      `${run.outputs['plugin-ref'].split(':1.0.0')[0]}@${run.outputs['plugin-digest']}`,
      `${run.outputs['rules-ref'].split(':1.0.0')[0]}@${run.outputs['rules-digest']}`
    ]) {
      const base = [
        'verify',
        '--trusted-root',
        trustedRoot,
        '--allow-http-registry',
        '--certificate-oidc-issuer',
        expected['certificate-oidc-issuer'],
        '--certificate-identity-regexp',
        expected['certificate-identity-regexp'],
        ref
      ]
      const v3 = await cosign(base)
      expect([ref, v3.ok, v3.output]).toEqual([
        ref,
        true,
        expect.stringContaining('cosign/sign/v1')
      ])
      const v2 = await cosign([...base, '--new-bundle-format=false'])
      expect([ref, v2.ok]).toEqual([ref, true])
    }

    // falcoctl verifies (both artifacts: rules and, through the dependency, the plugin).
    for (const version of FALCOCTL_VERSIONS) {
      const installed = await falcoctlInstall({
        indexFile: run.outputs['index-file'],
        refs: [`${name}-rules:latest`],
        version,
        env: trust.env
      })
      expect([version, installed.plugins, installed.rules]).toEqual([
        version,
        [`lib${name}.so`],
        [`${name}_rules.yaml`]
      ])
    }
    expect(run.summary).toContain('Signed keylessly as')
    expect(run.summary).toContain(`cosign verify --certificate-oidc-issuer ${standIns.issuer}`)

    // The GitHub Release: checksums.txt signed, archives attested.
    const rel = gh.releases('acme', 'falco-plugins').find((r) => r.tag_name === '1.0.0')
    const bundle = rel?.assets.find((a) => a.name === 'checksums.txt.sigstore.json')
    const sums = rel?.assets.find((a) => a.name === 'checksums.txt')
    expect(bundle && sums).toBeTruthy()
    writeFileSync(join(dir, 'checksums.txt'), sums!.data)
    writeFileSync(join(dir, 'checksums.txt.sigstore.json'), bundle!.data)
    const blob = await cosign([
      'verify-blob',
      join(dir, 'checksums.txt'),
      '--bundle',
      join(dir, 'checksums.txt.sigstore.json'),
      '--trusted-root',
      trustedRoot,
      '--certificate-oidc-issuer',
      standIns.issuer,
      '--certificate-identity-regexp',
      expected['certificate-identity-regexp']
    ])
    expect([blob.ok, blob.output]).toEqual([true, expect.stringContaining('Verified OK')])
    const attestations = gh.repo('acme', 'falco-plugins').attestations
    expect(attestations).toHaveLength(1)
    const envelope = (attestations[0] as { dsseEnvelope: { payload: string } }).dsseEnvelope
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString()) as {
      predicateType: string
      subject: Array<{ name: string }>
    }
    expect(statement.predicateType).toBe('https://slsa.dev/provenance/v1')
    expect(statement.subject.map((s) => s.name).sort()).toEqual(
      [`${name}-1.0.0-linux-x86_64.tar.gz`, `${name}-rules-1.0.0.tar.gz`].sort()
    )

    // No OIDC token or request token is ever printed (add-mask commands aside).
    const printed = run.everything.replace(/::add-mask::.*/g, '')
    for (const t of [standIns.requestToken, ...standIns.issuedTokens]) {
      expect(printed).not.toContain(t)
    }
  }, 300_000)

  it('keyless: with Fulcio down the release fails and writes no tag at all', async () => {
    const name = `down${start === startRegistry ? 'a' : 'b'}`
    const f = await makePluginFixture({
      kind: 'extractor',
      name,
      version: '1.0.0',
      rules: rules(name, '1.0.0')
    })
    standIns.fulcioDown = true
    try {
      const run = await release(
        f.dir,
        f.goPackage,
        '1.0.0',
        { 'retry-budget': '0' },
        standIns.runnerEnv
      )
      expect(run.code).not.toBe(0)
      expect(run.stdout).toMatch(/::error::.*(Fulcio|signing certificate|503)/i)
    } finally {
      standIns.fulcioDown = false
    }
    expect(await allTags(reg, name)).toEqual([])
  }, 300_000)

  it('key: falcoctl installs through index.yaml with key and ignore-tlog, and refuses the artifact re-pushed unsigned or altered', async () => {
    const name = `key${start === startRegistry ? 'a' : 'b'}`
    const f = await makePluginFixture({
      kind: 'extractor',
      name,
      version: '1.0.0',
      rules: rules(name, '1.0.0')
    })
    const pub = join(FIXTURES, 'cosign.pub')
    const run = await release(f.dir, f.goPackage, '1.0.0', {
      sign: 'key',
      'signing-key': KEY,
      'signing-key-password': KEY_PASSWORD,
      'signing-public-key-ref': pub,
      'github-release': 'false'
    })
    expect(run.stdout).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    // The key and its password are only ever handed to the runner to mask.
    const printed = run.everything.replace(/::add-mask::.*/g, '')
    expect(printed).not.toContain(KEY_PASSWORD)
    for (const line of KEY.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'))) {
      expect(printed).not.toContain(line)
    }
    const signedIndex = join(mkdtempSync(join(tmpdir(), 'fpr-idx-')), 'index.yaml')
    copyFileSync(run.outputs['index-file'], signedIndex)
    for (const n of [name, `${name}-rules`]) {
      expect(readIndex(signedIndex).find((e) => e.name === n)?.signature).toEqual({
        cosign: { key: pub, 'ignore-tlog': true }
      })
    }
    const install = (refs: string[], version: (typeof FALCOCTL_VERSIONS)[number] = 'v0.13.0') =>
      falcoctlInstall({ indexFile: signedIndex, refs, version, env: trust.env })
    for (const version of FALCOCTL_VERSIONS) {
      const ok = await install([`${name}-rules:latest`], version)
      expect([version, ok.plugins]).toEqual([version, [`lib${name}.so`]])
    }

    // cosign, both formats, with the key and no transparency log.
    for (const ref of [run.outputs['plugin-ref'], run.outputs['rules-ref']]) {
      const base = ['verify', '--key', pub, '--insecure-ignore-tlog', '--allow-http-registry', ref]
      expect((await cosign(base)).ok).toBe(true)
      expect((await cosign([...base, '--new-bundle-format=false'])).ok).toBe(true)
    }

    // Altered: the plugin index, changed by one annotation, under `latest`.
    const client = new RegistryClient({ registry: reg.host, plainHttp: true })
    const pluginRepo = client.repository(`${REPO}/plugin/${name}`)
    const index = await pluginRepo.fetchManifest('latest')
    const altered = JSON.parse(index!.body.toString()) as Record<string, unknown>
    altered.annotations = { 'org.opencontainers.image.description': 'altered' }
    await pluginRepo.pushManifest(Buffer.from(JSON.stringify(altered)), index!.mediaType, 'latest')
    await expect(install([`${name}:latest`])).rejects.toThrow(/no matching signatures|signature/i)

    // Re-pushed unsigned: the same version released again, with other rules and sign: false.
    await writeFileSync(
      join(f.dir, 'rules', `${name}_rules.yaml`),
      rules(name, '1.0.0', '- list: extra\n  items: [a]\n')
    )
    const unsigned = await release(f.dir, f.goPackage, '1.0.0', {
      sign: 'false',
      overwrite: 'true',
      'github-release': 'false'
    })
    expect(unsigned.code).toBe(0)
    expect(unsigned.outputs.signed).toBe('false')
    // index.yaml keeps the block it had (it may describe signing done elsewhere), with a warning.
    expect(
      readIndex(unsigned.outputs['index-file']).find((e) => e.name === name)?.signature
    ).toEqual({ cosign: { key: pub, 'ignore-tlog': true } })
    expect(unsigned.stdout).toMatch(/::warning::.*keeps its signature block/)
    await expect(install([`${name}-rules:1.0.0`])).rejects.toThrow(/signature/i)
  }, 300_000)
})

describe('signing settings', () => {
  let reg: RunningRegistry
  beforeAll(async () => {
    reg = await startRegistry()
  }, 60_000)
  afterAll(async () => reg?.stop())

  it('sign: keyless without id-token permission fails before anything is pushed', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'noidc', version: '1.0.0' })
    const run = await runAction({
      cwd: f.dir,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': f.dir,
        'go-package': f.goPackage,
        sign: 'keyless'
      },
      env: { GITHUB_REF: 'refs/tags/1.0.0', GITHUB_REPOSITORY: REPO }
    })
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*permissions: id-token: write/)
    const catalog = (await (await fetch(`${reg.url}/v2/_catalog`)).json()) as {
      repositories: string[]
    }
    expect(catalog.repositories.filter((r) => r.includes('noidc'))).toEqual([])
  }, 300_000)

  it('matrix: the push-by-digest job signs nothing, the merge job signs the index it assembles', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'merged', version: '1.0.0' })
    const common = {
      registry: reg.host,
      'plain-http': 'true',
      'working-directory': f.dir,
      'go-package': f.goPackage,
      'github-release': 'false',
      'signing-key': KEY,
      'signing-key-password': KEY_PASSWORD
    }
    const env = { GITHUB_REF: 'refs/tags/1.0.0', GITHUB_REPOSITORY: REPO }
    const job = await runAction({
      cwd: f.dir,
      inputs: { ...common, 'push-by-digest': 'true' },
      env
    })
    expect(job.code).toBe(0)
    expect(job.outputs.signed).toBe('false')
    const repo = new RegistryClient({ registry: reg.host, plainHttp: true }).repository(
      `${REPO}/plugin/merged`
    )
    expect(await repo.listTags()).toEqual([])
    const merge = await runAction({
      cwd: f.dir,
      inputs: { ...common, merge: job.outputs['plugin-ref'], 'plugin-name': 'merged' },
      env
    })
    expect(merge.stdout).not.toMatch(/::error::/)
    expect(merge.outputs.signed).toBe('true')
    const ref = `${reg.host}/${REPO}/plugin/merged@${merge.outputs['plugin-digest']}`
    const pub = join(FIXTURES, 'cosign.pub')
    const verified = await cosign([
      'verify',
      '--key',
      pub,
      '--insecure-ignore-tlog',
      '--allow-http-registry',
      ref
    ])
    expect([verified.ok, verified.output]).toEqual([
      true,
      expect.stringContaining('cosign/sign/v1')
    ])
  }, 300_000)

  it('a certificate that names another identity than index.yaml would fails before any tag', async () => {
    const standIns = await startSigstoreStandIns({
      repository: REPO,
      workflowPath: '.github/workflows/release.yml',
      ref: 'refs/tags/1.0.0'
    })
    try {
      const f = await makePluginFixture({ kind: 'extractor', name: 'otherid', version: '1.0.0' })
      const run = await runAction({
        cwd: f.dir,
        inputs: {
          registry: reg.host,
          'plain-http': 'true',
          'working-directory': f.dir,
          'go-package': f.goPackage,
          'github-release': 'false',
          'fulcio-url': standIns.url,
          'rekor-url': standIns.url
        },
        // Fulcio names https://github.com/...; on this server index.yaml would name another URL.
        env: {
          GITHUB_REF: 'refs/tags/1.0.0',
          GITHUB_REPOSITORY: REPO,
          GITHUB_SERVER_URL: 'https://ghes.example.com',
          ...standIns.runnerEnv
        }
      })
      expect(run.code).not.toBe(0)
      expect(run.stdout).toMatch(/::error::.*the Fulcio certificate names https:\/\/github\.com\//)
      const tags = await new RegistryClient({ registry: reg.host, plainHttp: true })
        .repository(`${REPO}/plugin/otherid`)
        .listTags()
      expect(tags).toEqual([])
    } finally {
      await standIns.stop()
    }
  }, 300_000)

  it('sign: auto without an OIDC token releases unsigned as before, and says so', async () => {
    const f = await makePluginFixture({ kind: 'extractor', name: 'unsig', version: '1.0.0' })
    const run = await runAction({
      cwd: f.dir,
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        'working-directory': f.dir,
        'go-package': f.goPackage,
        'github-release': 'false'
      },
      env: { GITHUB_REF: 'refs/tags/1.0.0', GITHUB_REPOSITORY: REPO }
    })
    expect(run.stdout).not.toMatch(/::error::/)
    expect(run.code).toBe(0)
    expect(run.outputs.signed).toBe('false')
    expect(run.stdout).toContain('not signed: the job has no OIDC token')
    // Once "Not signed", and the fix as code the reader can copy.
    expect(run.summary).toContain('Not signed: the job has no OIDC token.')
    expect(run.summary).toContain('add `permissions: id-token: write` to the job')
    expect(run.summary).not.toMatch(/not signed: not signed/i)
    expect(readIndex(run.outputs['index-file'])[0].signature).toBeUndefined()
    const tags = await new RegistryClient({ registry: reg.host, plainHttp: true })
      .repository(`${REPO}/plugin/unsig`)
      .listTags()
    expect(tags.filter((t) => t.endsWith('.sig'))).toEqual([])
  }, 300_000)
})
