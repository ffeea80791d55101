// The README's first command, run as written: a real release of
// examples/hello to a local registry (installed back with falcoctl), and the
// OCI image layout fallback for machines without a registry.
import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from '../helpers/action.js'
import { requireFalcoctl } from '../helpers/falcoctl.js'
import { requireTool } from '../helpers/tools.js'

const run = promisify(execFile)

async function example(env: Record<string, string>): Promise<{ out: string; stdout: string }> {
  const out = await mkdtemp(join(tmpdir(), 'fpr-example-'))
  const { stdout } = await run('bash', ['scripts/release-example.sh'], {
    cwd: ROOT,
    env: { ...process.env, EXAMPLE_OUT: out, FALCOCTL: requireFalcoctl(), ...env },
    timeout: 300_000
  })
  return { out, stdout }
}

describe('scripts/release-example.sh', () => {
  it('releases examples/hello to a local registry and falcoctl installs it back', async () => {
    requireTool('docker-registry')
    const { out, stdout } = await example({})
    expect(stdout).toContain('falcoctl installed: plugins/libhello.so rules/hello_rules.yaml')
    expect(existsSync(join(out, 'falco', 'plugins', 'libhello.so'))).toBe(true)
    expect(readFileSync(join(out, 'index.yaml'), 'utf8')).toMatch(/name: hello-rules/)
    expect(stdout).toMatch(/\| required plugin API \| `3\.\d+\.\d+` \|/)
  }, 300_000)

  it('without a registry, writes OCI image layouts that skopeo reads', async () => {
    const { out } = await example({ EXAMPLE_TARGET: 'layout' })
    const layout = join(out, 'oci', 'example', 'hello', 'plugin', 'hello')
    const { stdout } = await run(requireTool('skopeo'), [
      'inspect',
      '--raw',
      `oci:${layout}:latest`
    ])
    const index = JSON.parse(stdout) as { manifests: Array<{ platform: unknown }> }
    expect(index.manifests[0].platform).toEqual({ architecture: 'amd64', os: 'linux' })
  }, 300_000)
})
