// A large plugin end to end: when neither version exists yet, the checks run while the layer is
// still being packed, and the layer may go up as it grows (a streamed upload, as docker push
// sends). Whether it does depends on how fast this machine packs, so the test asserts what must
// hold either way: the registry holds exactly the bytes a dry run plans, falcoctl installs the
// .so unchanged, and a streamed upload, when there was one, needed no second try. Behind a proxy
// that refuses streamed uploads (as a registry capping its requests would), the release still
// goes out, the usual way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAction, type ActionRun } from '../helpers/action.js'
import { falcoctlInstall } from '../helpers/falcoctl.js'
import { startFaultProxy } from '../helpers/fault-proxy.js'
import { compileC, cPluginSource } from '../helpers/fixtures.js'
import { startRegistry, type RunningRegistry } from '../helpers/registry.js'

const RULES = [
  '- required_engine_version: 0.31.0',
  '- required_plugin_versions:',
  '    - name: cplugin',
  '      version: 1.2.3',
  ''
].join('\n')

/** 24 MiB that compress about as a real plugin does (runs of text between noise). */
function padding(): Buffer {
  const out = Buffer.alloc(24 << 20)
  let seed = 1
  for (let i = 0; i < out.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0
    out[i] = i % 4096 < 2048 ? 0x61 + ((i >> 7) % 26) : seed >>> 24
  }
  return out
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

describe('a large plugin', () => {
  let reg: RunningRegistry
  let dir: string

  beforeAll(async () => {
    reg = await startRegistry()
    dir = await mkdtemp(join(tmpdir(), 'fpr-large-'))
    const so = await compileC({ source: cPluginSource(), out: join(dir, 'libcplugin.so') })
    appendFileSync(so, padding()) // bytes after the ELF's last section: dlopen ignores them
    mkdirSync(join(dir, 'rules'))
    writeFileSync(join(dir, 'rules', 'cplugin_rules.yaml'), RULES)
  }, 60_000)
  afterAll(async () => reg?.stop())

  const run = (inputs: Record<string, string> = {}): Promise<ActionRun> =>
    runAction({
      inputs: {
        registry: reg.host,
        'plain-http': 'true',
        repository: 'acme/large',
        'working-directory': dir,
        'build-command': 'true',
        'plugin-path': 'libcplugin.so',
        'index-file': join(dir, 'index.yaml'),
        'github-release': 'false',
        'dependency-indexes': 'none',
        ...inputs
      },
      env: { GITHUB_REF: 'refs/tags/1.2.3' }
    })

  it('is published with the digests a dry run plans, and installs unchanged', async () => {
    const planned = await run({ 'dry-run': 'true' })
    expect(planned.code).toBe(0)
    const released = await run()
    expect(released.code).toBe(0)
    for (const output of ['plugin-digest', 'rules-digest', 'digest']) {
      expect(released.outputs[output]).toMatch(/^sha256:/)
      expect(released.outputs[output]).toBe(planned.outputs[output])
    }
    const streamed = /uploading \S+ to \S+ while it is packed/.test(released.stdout)
    if (streamed) expect(released.stdout).not.toMatch(/early failed/)
    console.info(`the 24 MiB layer was ${streamed ? '' : 'not '}streamed while it was packed`)

    const installed = await falcoctlInstall({
      indexFile: join(dir, 'index.yaml'),
      refs: ['cplugin-rules:latest']
    })
    expect(installed.plugins).toEqual(['libcplugin.so'])
    expect(installed.rules).toEqual(['cplugin_rules.yaml'])
    expect(sha256(readFileSync(join(installed.pluginsDir, 'libcplugin.so')))).toBe(
      sha256(readFileSync(join(dir, 'libcplugin.so')))
    )

    // A re-run finds the same version: it uploads nothing.
    const again = await run()
    expect(again.code).toBe(0)
    expect(again.outputs['plugin-digest']).toBe(planned.outputs['plugin-digest'])
    expect(again.stdout).not.toMatch(/uploaded sha256:/)
    expect(again.stdout).not.toMatch(/while it is packed/)
  }, 180_000)

  it('falls back to the usual upload when the registry refuses the stream', async () => {
    const proxy = await startFaultProxy({ upstream: reg.url, refuseStreamedPatch: true })
    try {
      const released = await run({ registry: proxy.host, repository: 'acme/refused' })
      expect(released.code).toBe(0)
      const streamed = /uploading \S+ to \S+ while it is packed/.test(released.stdout)
      if (streamed) {
        // The stream was refused, the finished layer went up the usual way.
        expect(proxy.log.some((e) => e.method === 'PATCH' && e.status === 416)).toBe(true)
        expect(released.stdout).toMatch(/early failed \(.*4\.00MiB.*\): uploading it again/)
      }
      console.info(`the refused run ${streamed ? 'streamed, then fell back' : 'did not stream'}`)
      const digest = released.outputs['plugin-digest']
      expect(digest).toMatch(/^sha256:/)
      const index = await fetch(`${reg.url}/v2/acme/refused/plugin/cplugin/manifests/${digest}`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' }
      })
      expect(index.status).toBe(200)
      // Through the proxy, which the index this run wrote names.
      const installed = await falcoctlInstall({
        indexFile: join(dir, 'index.yaml'),
        refs: ['cplugin-rules:latest']
      })
      expect(sha256(readFileSync(join(installed.pluginsDir, 'libcplugin.so')))).toBe(
        sha256(readFileSync(join(dir, 'libcplugin.so')))
      )
    } finally {
      await proxy.stop()
    }
  }, 180_000)
})
