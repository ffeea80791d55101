// The whole action, run as the runner runs it, through our fault-injecting
// proxy (ghcr.io-like token auth, 30% of requests failing with 5xx, 429 +
// Retry-After, resets mid-body, slow answers) in front of the real registry:
// every seeded run must publish exactly what a clean run publishes; a registry
// that stays down must fail within the budget with the floating tags untouched.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction, type ActionRun } from '../helpers/action.js'
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js'
import { makePluginFixture, type PluginFixture } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const USER = 'ci-bot'
const PASSWORD = 'fault-proxy-password-do-not-print'
const RULES = '- required_engine_version: 0.31.0\n'
const ACCEPT = 'application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json'

describe('the action through a faulty, ghcr.io-like registry', () => {
  let reg: RunningRegistry
  let fixture: PluginFixture
  const proxies: FaultProxy[] = []

  beforeAll(async () => {
    reg = await startRegistry()
    fixture = await makePluginFixture({
      kind: 'extractor',
      name: 'sturdy',
      version: '1.0.0',
      rules: RULES
    })
  }, 60_000)
  afterAll(async () => {
    for (const p of proxies) await p.stop()
    await reg?.stop()
  })

  async function proxy(rate: number, seed: number): Promise<FaultProxy> {
    const p = await startFaultProxy({
      upstream: reg.url,
      auth: { users: [{ username: USER, password: PASSWORD }] },
      faults: { rate, seed, retryAfterSeconds: 1, slowMs: 50 }
    })
    proxies.push(p)
    return p
  }

  async function release(
    p: FaultProxy,
    repository: string,
    inputs: Record<string, string> = {},
    tag = '1.0.0'
  ) {
    return runAction({
      inputs: {
        registry: p.host,
        'plain-http': 'true',
        repository,
        username: USER,
        password: PASSWORD,
        'working-directory': fixture.dir,
        'go-package': fixture.goPackage,
        'index-file': `${fixture.dir}/index-${repository.replace(/\//g, '-')}.yaml`,
        'github-release': 'false',
        ...inputs
      },
      env: { GITHUB_REF: `refs/tags/${tag}` }
    })
  }

  /** Straight from the registry, not through the proxy. */
  async function digestAt(repo: string, tag: string): Promise<string | undefined> {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: ACCEPT }
    })
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined
  }

  function noSecrets(run: ActionRun, p: FaultProxy): void {
    const visible = run.everything.replace(/^::add-mask::.*$/gm, '')
    expect(visible).not.toContain(PASSWORD)
    for (const t of p.issuedTokens) expect(visible).not.toContain(t)
  }

  let clean: ActionRun

  it('a clean run through the token proxy publishes the release', async () => {
    const p = await proxy(0, 1)
    clean = await release(p, 'acme/clean')
    expect(clean.stdout).not.toMatch(/::error::/)
    expect(clean.code).toBe(0)
    expect(p.stats.tokenRequests).toBeGreaterThan(0)
    // Plugin and ruleset repositories are separate scopes, each asked with pull,push.
    expect(p.requestedScopes).toEqual(
      expect.arrayContaining([
        'repository:acme/clean/plugin/sturdy:pull,push',
        'repository:acme/clean/ruleset/sturdy:pull,push'
      ])
    )
    noSecrets(clean, p)
  }, 400_000)

  it.each([11, 22, 33, 44])(
    "with 30%% faults (seed %i) the release ends with the clean run's digests",
    async (seed) => {
      const p = await proxy(0.3, seed)
      const repo = `acme/faulty-${seed}`
      const run = await release(p, repo)
      expect(run.stdout).not.toMatch(/::error::/)
      expect(run.code).toBe(0)
      expect(Object.values(p.stats.faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
      expect(run.outputs['plugin-digest']).toBe(clean.outputs['plugin-digest'])
      expect(run.outputs['rules-digest']).toBe(clean.outputs['rules-digest'])
      for (const tag of ['1.0.0', '1.0', '1', 'latest']) {
        expect(await digestAt(`${repo}/plugin/sturdy`, tag)).toBe(clean.outputs['plugin-digest'])
        expect(await digestAt(`${repo}/ruleset/sturdy`, tag)).toBe(clean.outputs['rules-digest'])
      }
      noSecrets(run, p)
    },
    240_000
  )

  it('a registry that stays down fails within the budget and leaves latest, X and X.Y alone', async () => {
    const p = await proxy(0, 5)
    const before = await release(p, 'acme/down')
    expect(before.code).toBe(0)
    const floating = async () =>
      Promise.all(['latest', '1', '1.0'].map((t) => digestAt('acme/down/plugin/sturdy', t)))
    const was = await floating()

    const next = await makePluginFixture({
      kind: 'extractor',
      name: 'sturdy',
      version: '1.0.1',
      rules: RULES
    })
    p.setDown(true)
    const started = Date.now()
    const run = await runAction({
      inputs: {
        registry: p.host,
        'plain-http': 'true',
        repository: 'acme/down',
        username: USER,
        password: PASSWORD,
        'working-directory': next.dir,
        'go-package': next.goPackage,
        'index-file': `${next.dir}/index.yaml`,
        'github-release': 'false',
        'retry-budget': '3'
      },
      env: { GITHUB_REF: 'refs/tags/1.0.1' }
    })
    const elapsed = Date.now() - started
    expect(run.code).not.toBe(0)
    expect(run.stdout).toMatch(/::error::.*(503|gave up)/)
    expect(elapsed).toBeLessThan(170_000) // the 3 s budget, not the default 300 s (a Go build included)
    expect(await floating()).toEqual(was)
    expect(await digestAt('acme/down/plugin/sturdy', '1.0.1')).toBeUndefined()
    noSecrets(run, p)
  }, 400_000)
})
