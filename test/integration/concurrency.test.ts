// Two releases of one repository at once, with no concurrency group: 1.1.0 plans its floating
// tags before 1.2.0 exists and writes them after 1.2.0 moved them. A gate in front of the
// registry makes that interleaving happen on every run. Both releases succeed and the
// floating tags end on 1.2.0.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { runAction } from '../helpers/action.js'
import { makePluginFixture } from '../helpers/fixtures.js'
import { startGateProxy } from '../helpers/gate-proxy.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json'
].join(', ')

const RULES = [
  '- required_engine_version: 0.31.0',
  '- rule: race test rule',
  '  desc: fires',
  '  condition: evt.num > 0',
  '  output: event %evt.num',
  '  priority: INFO',
  ''
].join('\n')

describe('concurrent releases', () => {
  let reg: RunningRegistry
  beforeAll(async () => {
    reg = await startRegistry()
  }, 120_000)
  afterAll(async () => reg?.stop())

  async function digestAt(repo: string, tag: string): Promise<string | undefined> {
    const res = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
      method: 'HEAD',
      headers: { accept: ACCEPT }
    })
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined
  }

  it('end with latest and 1 on the highest version, whatever the order of their writes', async () => {
    const [older, newer] = await Promise.all(
      ['1.1.0', '1.2.0'].map((version) =>
        makePluginFixture({ kind: 'extractor', name: 'race', version, rules: RULES })
      )
    )
    const inputs = (dir: string, goPackage: string) => ({
      'plain-http': 'true',
      repository: 'acme/race',
      'working-directory': dir,
      'go-package': goPackage,
      'index-file': `${dir}/index.yaml`,
      'github-release': 'false'
    })
    // 1.1.0 goes through the gate, which holds its floating-tag writes (it has read the tag
    // list and written its version tags by then)...
    const gate = await startGateProxy(reg.url, (method, path) =>
      /^PUT$/.test(method) ? /\/manifests\/(latest|1|1\.1)$/.test(path) : false
    )
    try {
      const slow = runAction({
        inputs: { ...inputs(older.dir, older.goPackage), registry: gate.host },
        env: { GITHUB_REF: 'refs/tags/1.1.0' }
      })
      await gate.hit
      // ...while 1.2.0 is released from start to end.
      const fast = await runAction({
        inputs: { ...inputs(newer.dir, newer.goPackage), registry: reg.host },
        env: { GITHUB_REF: 'refs/tags/1.2.0' }
      })
      expect([fast.code, fast.stdout]).toEqual([0, expect.not.stringMatching(/::error::/)])
      const newest = {
        plugin: fast.outputs['plugin-digest'],
        rules: fast.outputs['rules-digest']
      }
      expect(await digestAt('acme/race/plugin/race', 'latest')).toBe(newest.plugin)

      gate.open()
      const late = await slow
      expect([late.code, late.stdout]).toEqual([0, expect.not.stringMatching(/::error::/)])
      // 1.1.0 wrote latest and 1 after 1.2.0 did, then saw 1.2.0 and put them back.
      expect(late.stdout).toMatch(/race:latest pointed at .*a concurrent release/)
      for (const kind of ['plugin', 'rules'] as const) {
        const repo = `acme/race/${kind === 'plugin' ? 'plugin' : 'ruleset'}/race`
        expect([repo, await digestAt(repo, 'latest')]).toEqual([repo, newest[kind]])
        expect([repo, await digestAt(repo, '1')]).toEqual([repo, newest[kind]])
        expect([repo, await digestAt(repo, '1.2')]).toEqual([repo, newest[kind]])
        expect(await digestAt(repo, '1.1')).toBe(
          late.outputs[kind === 'plugin' ? 'plugin-digest' : 'rules-digest']
        )
      }
    } finally {
      gate.open()
      await gate.stop()
    }
  }, 600_000)
})
